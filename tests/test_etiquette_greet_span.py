"""greet.raise_hand: a spread hand seen from aside is read on the fan's span in the hand's world landmarks.

From 35-40 deg aside the raised palm is seen edge-on and its image fan reads together for a spread hand (tune_wide
(1.5 m, 1.2 m, 40 deg), tune_side (1.3 m, 1.2 m, 35 deg)). The hand model's metric world landmarks are not
foreshortened: the raised hand's fingers count together only when the index-to-pinky span there agrees."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from pipelines.geometry import finger_span_world_deg, fingers_span_score
from pipelines.messages import QueueCall
from tests.fixtures.etiquette import REST, ArmPose, make_cam, make_stream, run_rule

RAISED = ArmPose(upper_dir=(-1.0, 0.0, 0.2), elbow_deg=100.0, toward=(0.0, 1.0, 0.0))


def fan(span_deg: float) -> list[tuple[float, float, float]]:
    """World landmarks (m) of an open hand whose four fingers fan out evenly over `span_deg`."""
    pts = [(0.0, 0.0, 0.0)] * 21
    for k, base in enumerate((5, 9, 13, 17)):
        a = math.radians(span_deg * (k / 3 - 0.5))
        x0 = -0.03 + 0.02 * k
        for j in range(4):  # base, two joints, tip along the finger's direction
            pts[base + j] = (x0 + 0.025 * j * math.sin(a), -0.08 - 0.025 * j * math.cos(a), 0.0)
    return pts


def test_the_world_span_reads_the_fan():
    assert finger_span_world_deg_of(30.0) == pytest.approx(30.0, abs=0.1)
    assert fingers_span_score_of(0.0) == 1.0 and fingers_span_score_of(30.0) == 0.0


def finger_span_world_deg_of(span):
    from vision.results import HandResult

    return finger_span_world_deg(HandResult(landmarks=[], world=fan(span)))


def fingers_span_score_of(span):
    from vision.results import HandResult

    return fingers_span_score(HandResult(landmarks=[], world=fan(span)))


@pytest.mark.parametrize("yaw", [0, 40])
def test_a_raised_hand_spread_in_the_world_landmarks_is_a_violation(yaw):
    cam = make_cam(yaw=yaw)
    rights = [RAISED if 25 <= i < 37 else REST for i in range(80)]
    stream = make_stream(cam, [0.0] * 80, right=rights, hands=True)  # image fan: fingers side by side

    def with_world(span):
        return [replace(o, hands=[replace(h, world=fan(span)) for h in o.hands]) for o in stream]

    call = [QueueCall("c1", "B7", 1.0)]
    together = [e for e in run_rule("greet.raise_hand", cam, with_world(2.0), calls=call) if e.type == "end"]
    assert [e.outcome for e in together] == ["pass"]
    spread = [e for e in run_rule("greet.raise_hand", cam, with_world(30.0), calls=call) if e.type == "end"]
    assert [e.outcome for e in spread] == ["violation"] and spread[0].evidence["fingers_together"] < 0.6
