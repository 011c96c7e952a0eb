"""The learned palm reading (pipelines/palm_lift.py, session 29) and guide.gesture's `palm_lifter` flag (off by
default): on recorded tune streams it settles the palm of guides whose hand-built reading was edge-on or had no
reading (a confident wrong handedness label), keeps the palm-down guide down, and opens no gesture of its own."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.etiquette_eval import summarise
from pipelines.palm_lift import UP_MIN, palm_lifter
from tests.test_etiquette_recorded import replay

# the compliant bent guide at (1.3 m, 1.2 m, 35 deg): the hand-built palm reads 0.3 (edge-on, the check unknown)
BENT_35 = "guide_bent__f_old_heavy__h1.3_d1.2_y35__s7"
# the compliant horizontal guide at (1.8 m, 1.7 m, -40 deg): MediaPipe labels the hand Left, so no hand-built reading
HORIZONTAL_M40 = "guide_horizontal__m_heavy_tall__h1.8_d1.7_y-40__geo4"
PALM_DOWN_M40 = "guide_palm_down__m_heavy_tall__h1.8_d1.7_y-40__s8"
DO_NOTHING = ["do_nothing__m_young_avg__h1.35_d1.5_y0", "do_nothing__f_old_heavy__h1.3_d2_y-20"]


def _on(enabled: bool = True) -> dict:
    return {"guide.gesture": {"palm_lifter": enabled}}


def test_the_weights_load_and_read_an_up_component():
    lift = palm_lifter()
    assert lift.mu.shape == lift.sd.shape == (lift.p[0].shape[0],)
    assert lift.p[0].shape[1] == 16 and lift.p[2].shape == (16, 1)
    out = lift.predict(np.vstack([lift.mu, lift.mu + 3 * lift.sd]))
    assert out.shape == (2,) and np.all(np.abs(out) <= 1.0)
    assert UP_MIN == 0.5  # the simulator's palm_label bar, which the model is trained to


def test_off_by_default():
    (base,) = replay(BENT_35, only=["guide.gesture"])
    (off,) = replay(BENT_35, rules=_on(False), only=["guide.gesture"])
    assert base.evidence["palm_up"] == off.evidence["palm_up"] == pytest.approx(0.3, abs=0.05)
    assert base.evidence["checks"]["palm_up"] is None


@pytest.mark.parametrize("name", [BENT_35, HORIZONTAL_M40])
def test_an_unknown_palm_of_a_compliant_guide_is_read_up(name):
    (base,) = replay(name, only=["guide.gesture"])
    (ev,) = replay(name, rules=_on(), only=["guide.gesture"])
    assert base.evidence["checks"]["palm_up"] is None and "palm_up" in base.evidence["unknown"]
    assert ev.evidence["palm_up"] >= 0.9 and ev.evidence["checks"]["palm_up"] is True
    assert ev.outcome == base.outcome == "pass"


def test_the_palm_down_guide_stays_down():
    (ev,) = replay(PALM_DOWN_M40, rules=_on(), only=["guide.gesture"])
    assert ev.evidence["palm_up"] <= -0.8 and ev.evidence["checks"]["palm_up"] is False
    assert ev.outcome == "violation"


@pytest.mark.parametrize("name", DO_NOTHING)
def test_it_opens_no_gesture(name):
    assert replay(name, rules=_on(), only=["guide.gesture"]) == []


def test_the_learned_palm_is_reported_beside_the_rules_reading_on_the_same_frames():
    samples = {"palm_lifter_true": [True, True, False, False], "palm_lifter": [True, True, False, True],
               "palm_lifter_geometry": [True, False, False, False]}
    out = summarise(samples)["palm_lifter_up_f1"]
    assert out["ours"] == pytest.approx(0.8) and out["geometry"] == pytest.approx(2 / 3, abs=1e-3)
    assert out["n"] == 4 and out["naive"] is None and out["ours_counts"]["fp"] == 1


def _hand_and_pose(label: str):
    from pipelines.geometry import CameraModel
    from vision.results import HandResult, Landmark, PoseResult

    rng = np.random.default_rng(7)
    lm = [(320 + 40 * a, 260 + 40 * b, 0.05 * c) for a, b, c in rng.normal(size=(21, 3))]
    world = [tuple(0.03 * v) for v in rng.normal(size=(21, 3))]
    hand = HandResult(landmarks=lm, world=world, handedness=label, score=0.9)
    pose = PoseResult(landmarks=[Landmark(300.0, 250.0, 0.0, 0.1 + 0.02 * i) for i in range(33)])
    w = rng.normal(size=(33, 3))
    cam = CameraModel.make(yaw_deg=20.0, pitch_deg=25.0, height_m=1.5, distance_m=1.4, hfov_deg=70.0, width=640,
                           height=480)
    return hand, pose, cam, w


def test_a_left_hand_reads_as_the_mirrored_right_one():
    """palm_lift.features(side="left"): the same hand's vectors and forearm flipped across the body (world x), its
    label negated and its Right-convention normal mirrored and negated; the right hand's features are unchanged."""
    from pipelines.palm_lift import features

    hand, pose, cam, w = _hand_and_pose("Left")
    r, left = features(hand, pose, cam, w), features(hand, pose, cam, w, "left")
    assert r.shape == left.shape == (palm_lifter().mu.shape[0],)
    vec = slice(0, 120)  # 20 image + 20 world vectors, 3 components each
    flip = np.tile([-1.0, 1.0, 1.0], 40)
    np.testing.assert_allclose(left[vec], r[vec] * flip)
    n_r, n_l = r[120:123], left[120:123]
    np.testing.assert_allclose(n_l, -(n_r * [-1.0, 1.0, 1.0]))
    assert left[123] == -r[123] == 1.0  # a Left label on the left side reads as a Right one on the right
    assert left[126] == pytest.approx(r[126])  # label x normal-up: the same
    fore_r, fore_l = r[129:132], left[129:132]
    v_l = (w[15] - w[13]) / np.linalg.norm(w[15] - w[13])
    np.testing.assert_allclose(fore_l, v_l * [-1.0, 1.0, 1.0])
    np.testing.assert_allclose(fore_r, (w[16] - w[14]) / np.linalg.norm(w[16] - w[14]))
    assert left[132] == pytest.approx(pose.landmarks[15].visibility) and r[132] == pytest.approx(
        pose.landmarks[16].visibility)
