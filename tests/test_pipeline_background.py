"""The desk stage off the analysis thread (pipelines/background.py, `desk_background`): what it finds is what the
inline stage finds, on a later observation that names the frame it ran on; a failing run loses no observation."""

from __future__ import annotations

import threading
import time

import cv2
import pytest

from pipelines.background import BackgroundStage
from pipelines.catalogue import catalogue
from pipelines.pipeline import CounterPipelineImpl, PipelineSettings
from tests.test_chair_reset import counter, hall


class NoPeople:
    """The person detector of a hall with nobody in it."""

    def detect(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return []


def chair_pipeline(tmp_path, background: bool) -> CounterPipelineImpl:
    """A hall camera running chair.reset alone (the desk stage for the client chair; no pose or hand model)."""
    cv2.imwrite(str(tmp_path / "ref.png"), hall())
    cfg = counter().model_copy(update={"reference_image": str(tmp_path / "ref.png"),
                                       "disabled_rules": [r for r in catalogue() if r != "chair.reset"]})
    settings = PipelineSettings(desk_every=2, desk_background=background)
    return CounterPipelineImpl(cfg, shared_models={"detector": NoPeople()}, settings=settings, wall_clock=False)


def desk_runs(pipe: CounterPipelineImpl, frames) -> list[tuple[int, float | None, list]]:
    """(frame index, the stream time the run was made on, the chair finds) of each observation with a desk result.
    Between frames the test waits for a background run, so both modes see the same frames' runs."""
    out = []
    for i, frame in enumerate(frames):
        obs = pipe.perceive(frame, i * 0.5)
        if "desk" in obs.ran:
            out.append((obs.frame_index, obs.extra.get("desk_t", obs.t),
                        [(d.label, d.box) for d in obs.desk_objects if d.label == "chair_out"]))
        deadline = time.time() + 10
        while pipe.desk_bg is not None and pipe.desk_bg.busy() and time.time() < deadline:
            time.sleep(0.01)
    pipe.close()
    return out


def test_background_desk_runs_find_what_inline_runs_find_one_frame_later(tmp_path):
    frames = [hall()] * 2 + [hall(-150, 60)] * 10
    inline = desk_runs(chair_pipeline(tmp_path, False), frames)
    background = desk_runs(chair_pipeline(tmp_path, True), frames)
    assert [f for _, _, f in inline][-1], "the pushed-out chair is found inline"
    # the same runs, on the same frames (desk_t), each joining the next observation
    assert [(t, f) for _, t, f in background] == [(t, f) for _, t, f in inline]
    assert [i for i, _, _ in background] == [i + 1 for i, _, _ in inline if i + 1 < len(frames)]


def test_a_stage_runs_once_at_a_time_and_hands_a_result_over_once():
    stage = BackgroundStage("test-bg")
    gate = threading.Event()
    assert stage.submit(1.0, lambda: gate.wait(5) and "done")
    assert stage.busy() and stage.take() is None
    assert not stage.submit(2.0, lambda: "skipped"), "a second run waits for the first to be taken"
    gate.set()
    while stage.busy():
        time.sleep(0.005)
    t, result, ms = stage.take()
    assert (t, result) == (1.0, "done") and ms >= 0
    assert stage.take() is None
    stage.close()


def test_a_failing_run_is_logged_and_dropped(caplog: pytest.LogCaptureFixture):
    stage = BackgroundStage("test-bg")

    def broken() -> None:
        raise ValueError("corrupt reference")

    assert stage.submit(3.0, broken)
    while stage.busy():
        time.sleep(0.005)
    assert stage.take() is None and stage.failures == 1
    assert "failed on the frame at t=3.00" in caplog.text
    assert stage.submit(4.0, lambda: "next") , "the stage takes the next run"
    stage.close()


def test_the_edge_runtime_runs_the_desk_stage_in_the_background_unless_told_not_to():
    from edge.pipeline import make_pipeline

    cfg = counter()
    assert make_pipeline(cfg).s.desk_background is True
    assert make_pipeline(cfg, settings={"desk_background": False}).s.desk_background is False
    assert CounterPipelineImpl(cfg, wall_clock=False, perception=False).s.desk_background is False  # offline
