"""Analysis slots: at most N camera analyses at once, handed over in arrival order, released on stop; an
overloaded camera does not run the idle hand model on every frame."""

from __future__ import annotations

import threading
import time

from edge.runtime import FairSlots


def wait_for(cond, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_slots_are_handed_over_in_arrival_order() -> None:
    slots = FairSlots(1)
    assert slots.acquire()
    order: list[str] = []
    threads = []
    for name in ("b", "c", "d"):
        def run(name: str = name) -> None:
            assert slots.acquire()
            order.append(name)
            slots.release()

        t = threading.Thread(target=run)
        t.start()
        threads.append(t)
        queued = len(threads)
        wait_for(lambda: len(slots._waiters) == queued)  # noqa: B023 - used at once; queued in this order
    assert order == []  # nobody runs while the slot is held
    slots.release()
    for t in threads:
        t.join(5)
    assert order == ["b", "c", "d"]
    assert slots.acquire()  # the slot came back


def test_at_most_n_run_at_once() -> None:
    slots = FairSlots(2)
    running, peak, lock = [0], [0], threading.Lock()

    def work() -> None:
        for _ in range(20):
            assert slots.acquire()
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.001)
            with lock:
                running[0] -= 1
            slots.release()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert peak[0] == 2


def test_close_wakes_the_waiters_without_a_slot() -> None:
    slots = FairSlots(1)
    assert slots.acquire()
    got: list[bool] = []
    t = threading.Thread(target=lambda: got.append(slots.acquire()))
    t.start()
    wait_for(lambda: len(slots._waiters) == 1)
    slots.close()
    t.join(5)
    assert got == [False] and not slots.acquire()


def test_an_overloaded_camera_does_not_run_the_idle_hand_model_on_every_frame() -> None:
    """The hand model's idle rate (1 s) also waits 5 analysed frames: a camera starved to under 1 fps would
    otherwise run it on every frame, making each frame dearer and the overload deeper."""
    import numpy as np

    from calibration.config import default_counter
    from pipelines.pipeline import make_pipeline
    from tests.test_rules_pipeline import FakePose, FakeStage

    def run(step_s: float) -> int:
        models = {"pose": FakePose(), "face": FakeStage(None), "hands": FakeStage([]), "detector": FakeStage([])}
        pipe = make_pipeline(default_counter(1280, 720, counter_id="c1"), shared_models=models)
        rng = np.random.default_rng(0)
        for i in range(20):  # a clerk at rest on the desk, a moving scene (no motion-gate carry)
            pipe.process(rng.integers(0, 255, (72, 128, 3), dtype=np.uint8), 10.0 + i * step_s)
        return models["hands"].calls

    assert run(1.2) == 4  # 0.8 fps: every 5th analysed frame (0, 5, 10, 15), not all 20
    assert run(0.2) == 4  # the nominal 5 fps: the 1-s idle rate, as before
    assert run(0.1) == 2  # 10 fps: the time bound rules (0, 10)


class SlowPipeline:
    """A pipeline whose analysis takes `seconds` (stands for a box short of CPU)."""

    def __init__(self, counter_id: str, seconds: float) -> None:
        self.counter_id, self.seconds, self.frames = counter_id, seconds, 0

    def process(self, frame_bgr, t_wall):  # type: ignore[no-untyped-def]
        from vision.observation import Observation

        self.frames += 1
        time.sleep(self.seconds)
        return Observation(self.counter_id, self.frames, float(self.frames)), [], None


def test_the_runtime_counts_lost_ticks_by_cause_and_its_waits(tmp_path, mosquitto) -> None:
    """A camera whose analysis takes 2.5 periods loses ticks for running late (`ticks_behind`), not for want of a
    frame (`ticks_stale`); a quick one loses none. The stats carry both counts and the waits' p95."""
    from edge.config import load_edge_config
    from edge.runtime import EdgeRuntime
    from tests.test_edge_fakes import make_clip, write_counter, write_edge_config

    clip = make_clip(tmp_path / "clip.mp4", seconds=4, rate=25)
    cams = [{"counter": str(write_counter(tmp_path / f"{c}.yaml", c)), "source": str(clip), "fps": 10, "loop": True}
            for c in ("slow", "quick")]
    cfg = load_edge_config(write_edge_config(tmp_path, mosquitto.url, cams, max_parallel_analyses=0))
    rt = EdgeRuntime(cfg, pipeline_factory=lambda c: SlowPipeline(c.counter_id, 0.25 if c.counter_id == "slow"
                                                                  else 0.005)).start()
    try:
        wait_for(lambda: rt.workers["quick"].pipeline.frames >= 25 and rt.workers["slow"].pipeline.frames >= 8, 20)
        stats = rt.stats()["cameras"]
    finally:
        rt.stop(timeout=2)
    slow, quick = stats["slow"], stats["quick"]
    assert slow["ticks_behind"] >= 5 and quick["ticks_behind"] == 0, stats
    assert slow["ticks_stale"] <= 1 and quick["ticks_stale"] <= 1, stats  # the first tick may come before a frame
    assert quick["fresh_wait_ms_p95"] is not None and quick["fresh_wait_ms_p95"] <= 80  # 10 fps: within a period
    assert slow["slot_wait_ms_p95"] is None  # no slots (max_parallel_analyses 0): nothing waited for one
