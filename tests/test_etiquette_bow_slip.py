"""A bow whose fit slips for one frame as the clerk straightens up is still a bow (etiquette_common.BowDetector):
only `MOVED_FRAMES` frames in a row that no bend explains are a posture change that drops the bend in progress."""

from __future__ import annotations

import pytest

from pipelines.geometry import BowMeasure
from pipelines.rules.etiquette_common import MOVED_FRAMES, BowDetector

# tune_sweep's 45-deg bow at (1.5 m, 1.9 m, -50 deg), every 0.2 s: None = a frame no bend about the hips explains
ANGLES = [0.0, 0.0, 5.4, 20.6, 33.6, 35.5, 37.9, 40.1, 42.6, 43.5, 43.5, 40.3, 30.6, 10.9, None, 1.4, 0.2, 0.2]


def _bows(angles: list[float | None]) -> list:
    det = BowDetector(8.0, 5.0, 10.0, 0.4, 6.0)
    out = []
    for k, a in enumerate(angles):
        t = 1.0 + 0.2 * k
        ep = det.step(t, t, None if a is None else BowMeasure(a, 2.0), moved=a is None)
        if ep is not None:
            out.append(ep)
    return out


def test_one_unfitted_frame_on_the_way_up_keeps_the_bow():
    bows = _bows(ANGLES)
    assert len(bows) == 1 and bows[0].peak == pytest.approx(43.5)


def test_control_a_posture_change_still_drops_the_bend():
    k = ANGLES.index(None)
    assert _bows(ANGLES[:k] + [None] * MOVED_FRAMES + ANGLES[k + 1:]) == []
