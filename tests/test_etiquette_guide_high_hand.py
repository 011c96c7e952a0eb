"""guide.gesture's high position (请往前走) from the hand's axis: from the guiding arm's side the pose reads the raised
wrist under the shoulder, so the compliant high guide at tune_sweep (1.6 m, 1.15 m, -15 deg) read as horizontal and
failed on the upper-arm gap, which the high position does not judge."""

from __future__ import annotations

import pytest

from pipelines.geometry import CameraModel, hand_elevation_deg
from tests.test_etiquette_recorded import replay
from vision.results import HandResult

HIGH_M15 = "guide_high__f_young_slim__h1.6_d1.15_y-15__s15"  # compliant; hand axis 37 deg up, wrist read 0.13 m low


def events(**rules) -> list:
    return replay(HIGH_M15, rules={"guide.gesture": rules}, only=["guide.gesture"])


def test_a_raised_hand_axis_reads_the_high_position_and_the_gap_is_not_judged():
    (ev,) = events()
    assert ev.evidence["position"] == "high"
    assert ev.evidence["checks"]["upper_arm_gap"] is None and ev.outcome == "pass", ev.evidence


def test_by_the_wrists_height_alone_it_reads_horizontal_and_fails_on_the_gap():
    (ev,) = events(high_hand_deg=None)
    assert ev.evidence["position"] == "horizontal"
    assert ev.outcome == "violation" and ev.evidence["failed"] == ["upper_arm_gap"]


def hand(axis_px: tuple[float, float, float]) -> HandResult:
    """A hand at the image centre whose wrist -> middle-finger base runs along `axis_px` (x, y, relative depth)."""
    pts = [(320.0, 240.0, 0.0)] * 21
    pts[9] = (320.0 + axis_px[0], 240.0 + axis_px[1], axis_px[2])
    return HandResult(landmarks=pts)


@pytest.mark.parametrize(("axis", "expected"), [
    ((0.0, -30.0, 0.0), 90.0),  # up the image, level camera: straight up
    ((30.0, 0.0, 0.0), 0.0),  # across the image
    ((0.0, -10.0, -10.0 / 3), 45.0),  # half toward the camera: the relative depth counts three times
])
def test_hand_elevation(axis, expected):
    cam = CameraModel.make(yaw_deg=0.0, pitch_deg=0.0, height_m=1.3, distance_m=1.5, hfov_deg=70.0, width=640,
                           height=480)
    assert hand_elevation_deg(hand(axis), cam) == pytest.approx(expected, abs=0.5)
