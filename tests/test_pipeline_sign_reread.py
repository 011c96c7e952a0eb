"""The markers stage's blurred second read runs only where the pause sign can matter: the post empty, or a marker
read on one of the last few markers runs (the sign left up after the clerk returned). No models."""

from __future__ import annotations

import numpy as np

from calibration.config import default_counter
from pipelines.pipeline import CounterPipelineImpl, PipelineSettings
from tests.fixtures.rules import clerk
from vision.results import Landmark, PoseResult


def _pipe() -> CounterPipelineImpl:
    return CounterPipelineImpl(default_counter(1280, 720), shared_models={"detector": object()}, wall_clock=False,
                               settings=PipelineSettings(markers_reread=3))


def test_second_read_with_the_post_empty_not_with_the_clerk_at_it():
    pipe = _pipe()
    seated = clerk()
    mid = ((seated.landmarks[11].x + seated.landmarks[12].x) / 2, (seated.landmarks[11].y + seated.landmarks[12].y) / 2)
    assert 256 < mid[0] < 1024 and mid[1] < 540  # inside the default post zone
    assert not pipe._sign_may_show(seated)
    assert pipe._sign_may_show(None)  # nobody: the sign may stand
    passer = PoseResult(landmarks=[Landmark(1200.0, 650.0, 0.0, 0.9) for _ in range(33)])
    assert pipe._sign_may_show(passer)  # someone outside the post zone: the post is empty
    hidden = PoseResult(landmarks=[Landmark(lm.x, lm.y, lm.z, 0.1) for lm in seated.landmarks])
    assert pipe._sign_may_show(hidden)  # shoulders not seen: no evidence the clerk is there


def test_a_marker_read_lately_keeps_the_second_read_on_with_the_clerk_back(monkeypatch):
    import vision.markers as markers

    pipe = _pipe()
    seated = clerk()
    seen: list[bool] = []
    reads = iter([True, False, False, False, False])

    def fake(zone, dictionary="DICT_4X4_50", second_look=True):
        seen.append(second_look)
        return [markers.Marker(7, [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])] if next(reads) else []

    monkeypatch.setattr(markers, "detect_markers", fake)
    frame = np.zeros((720, 1280, 3), np.uint8)
    for _ in range(5):
        pipe._read_markers(frame, seated, 1280, 720)
    # read on the first run: the next three runs keep the second read, then it stops
    assert seen == [False, True, True, True, False]
