"""ShoulderRun keeps a bounded window of shoulder widths however long a moved run lasts."""

from __future__ import annotations

import numpy as np

from pipelines.rules.etiquette_common import RUN_WIDTHS, ShoulderRun
from vision.results import Landmark, PoseResult


def pose_with_width(width: float) -> PoseResult:
    lms = [Landmark(x=0.0, y=0.0, z=0.0, visibility=1.0) for _ in range(33)]
    lms[11] = Landmark(x=100.0 + width, y=50.0, z=0.0, visibility=1.0)
    lms[12] = Landmark(x=100.0, y=50.0, z=0.0, visibility=1.0)
    return PoseResult(landmarks=lms, world=[])


def test_a_long_run_keeps_only_its_last_widths_and_their_median():
    run = ShoulderRun()
    widths = [float(w) for w in np.random.default_rng(0).uniform(40, 120, RUN_WIDTHS + 137)]
    for w in widths:
        run.add(pose_with_width(w))
    assert len(run.widths) == RUN_WIDTHS and run.widths == sorted(run.widths)
    assert run.median_width() == np.median(widths[-RUN_WIDTHS:])


def test_a_short_run_keeps_every_width():
    run = ShoulderRun()
    for w in (50.0, 70.0, 60.0):
        run.add(pose_with_width(w))
    assert run.median_width() == 60.0 and run.y_min == run.y_max == 50.0
