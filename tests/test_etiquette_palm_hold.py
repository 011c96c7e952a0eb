"""The side's sign held over a flickering handedness label (geometry.PalmSigns, session 28).

MediaPipe's handedness score moves from frame to frame on a hand that does not move. From (1.8 m, 1.7 m, -40 deg)
tune_wide's compliant horizontal guide holds its right hand still, palm up, labelled Left throughout: at 0.66 / 0.74
the label is doubtful and the side reads the palm up (0.99), at 0.81-0.85 the label decides and reads it down (-1.0).
A label doubted on the hand's last reading stays doubted while the label and the hand's normal stay the same."""

from __future__ import annotations

import dataclasses
import gzip
import json

import numpy as np
import pytest

from calibration.config import CounterConfig
from pipelines.geometry import (
    HAND_DEPTH_SCALE,
    LABEL_DOUBT_SCORE,
    SIGN_HOLD_S,
    PalmSigns,
    palm_up_score,
)
from pipelines.rules.etiquette_common import R_WRIST, ClerkGeometry, clerk_hand
from tests.fixtures.etiquette import make_cam
from tests.test_etiquette_geometry import _image_hand
from tests.test_etiquette_recorded import DATA
from vision.observation import Observation
from vision.results import Landmark

GUIDE_MISLABELLED = "guide_horizontal__m_heavy_tall__h1.8_d1.7_y-40__geo4"


def _right_palm(name: str) -> list[tuple[float, str, float, float, float]]:
    """(t, label, label score, palm_up_score alone, with PalmSigns) of the right wrist's hand, every hand frame."""
    with gzip.open(DATA / f"{name}.json.gz", "rt") as fh:
        data = json.load(fh)
    geom = ClerkGeometry(CounterConfig.model_validate({**data["counter"], "rules": {}}))
    signs, out = PalmSigns(), []
    for raw in data["observations"]:
        o = Observation.from_json(json.dumps(raw))
        fr = geom.measure(o)
        if fr is None or "hands" not in o.ran:
            continue
        hand, wrist = clerk_hand(fr, o.hands, "right"), fr.pose.landmarks[R_WRIST]
        held = signs.score(o.t, hand, fr.cam, "right", wrist)
        if hand is not None:
            out.append((o.t, hand.handedness, hand.score, palm_up_score(hand, fr.cam, "right", wrist), held))
    return out


def test_a_still_guiding_hand_keeps_the_sides_sign_while_its_label_flickers():
    rows = [r for r in _right_palm(GUIDE_MISLABELLED) if 2.0 <= r[0] <= 3.6]  # the hold
    assert len(rows) == 9 and all(label == "Left" for _, label, *_ in rows)
    confident = [r for r in rows if r[2] >= LABEL_DOUBT_SCORE]
    assert len(confident) == 6
    assert all(alone < -0.98 for *_, alone, _ in confident)  # control: the confident label reads the palm down
    assert all(held > 0.98 for *_, held in rows)  # held: up on every frame of the hold, as the doubtful ones read


CAM = make_cam(yaw=-40, pitch=19.4, height=1.8, distance=1.7)
WRIST_AT = np.array([-0.35, 1.05, 0.35])


def _hands(normal=(0.0, 1.0, 0.0)):
    up = _image_hand(CAM, WRIST_AT, normal, 0.0, "Right", HAND_DEPTH_SCALE)  # a right hand
    (u, v) = up.landmarks[0][:2]
    return up, Landmark(u + 3.0, v, 0.0, 0.95)


def test_the_held_sign_needs_the_same_label_a_still_hand_and_a_recent_reading():
    up, wrist = _hands()
    doubtful = dataclasses.replace(up, handedness="Left", score=LABEL_DOUBT_SCORE - 0.2)
    confident = dataclasses.replace(doubtful, score=0.85)
    assert palm_up_score(confident, CAM, "right", wrist) < -0.95  # alone: the confident label's sign

    signs = PalmSigns()
    assert signs.score(0.0, doubtful, CAM, "right", wrist) > 0.95  # doubtful: the side's sign, held
    assert signs.score(0.2, confident, CAM, "right", wrist) > 0.95  # the same hand, now confident: still held
    assert signs.score(0.4, confident, CAM, "right", wrist) > 0.95  # and on

    signs = PalmSigns()
    signs.score(0.0, doubtful, CAM, "right", wrist)
    assert signs.score(SIGN_HOLD_S + 0.5, confident, CAM, "right", wrist) < -0.95  # too long ago

    signs = PalmSigns()
    signs.score(0.0, doubtful, CAM, "right", wrist)
    assert signs.score(0.2, None, CAM, "right", wrist) is None  # the hand model ran and found no hand there
    assert signs.score(0.4, confident, CAM, "right", wrist) < -0.95

    signs = PalmSigns()
    signs.score(0.0, doubtful, CAM, "right", wrist)
    signs.score(0.2, up, CAM, "right", wrist)  # a reading under the label that agrees with the wrist
    assert signs.score(0.4, confident, CAM, "right", wrist) < -0.95

    signs = PalmSigns()
    signs.score(0.0, doubtful, CAM, "left", wrist)  # the other wrist's memory
    assert signs.score(0.2, confident, CAM, "right", wrist) < -0.95


@pytest.mark.parametrize("normal", [(1.0, 0.2, 0.0), (0.0, -1.0, 0.0)])
def test_a_hand_that_turned_is_read_afresh(normal):
    up, wrist = _hands()
    turned, _ = _hands(normal)  # the same wrist, the palm now sideways or down
    signs = PalmSigns()
    signs.score(0.0, dataclasses.replace(up, handedness="Left", score=LABEL_DOUBT_SCORE - 0.2), CAM, "right", wrist)
    confident = dataclasses.replace(turned, handedness="Left", score=0.85)
    assert signs.score(0.2, confident, CAM, "right", wrist) == pytest.approx(
        palm_up_score(confident, CAM, "right", wrist))
