"""The edge runtime: N cameras -> per-counter pipelines -> MQTT, in one process.

Threads: one decoder per camera (edge/sources.py), one analysis loop per camera that takes the newest
frame at the camera's analysis fps, the MQTT network thread and the spool sender (edge/publisher.py),
and the stats loop. A camera whose source is down publishes `camera_offline` (never `empty`) and the
others carry on. Lateness = the frame's age when its analysis starts (now - capture time).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from calibration.config import CounterConfig, load_counter
from edge.config import CameraConfig, EdgeConfig
from edge.pipeline import CounterPipeline, deliver_inbound, make_pipeline
from edge.publisher import EdgePublisher
from edge.snapshots import SnapshotStore
from edge.sources import CameraSource
from edge.spool import Spool
from pipelines.events import Event
from pipelines.messages import CounterStatus, QueueCall, TerminalState

log = logging.getLogger("counterwatch.edge")

PipelineFactory = Callable[[CounterConfig], CounterPipeline]


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def usable_cpus() -> int:
    """The cores this process may run on (its CPU affinity where the OS has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class FairSlots:
    """A counting semaphore that hands slots over in arrival order (threading.Semaphore does not: a
    camera that releases and re-acquires at once can starve the others)."""

    def __init__(self, n: int) -> None:
        self._free = n
        self._lock = threading.Lock()
        self._waiters: deque[threading.Event] = deque()
        self._closed = False

    def acquire(self) -> bool:
        """Wait for a slot; False once closed (the runtime is stopping)."""
        with self._lock:
            if self._closed:
                return False
            if self._free and not self._waiters:
                self._free -= 1
                return True
            ev = threading.Event()
            self._waiters.append(ev)
        ev.wait()
        return not self._closed

    def release(self) -> None:
        with self._lock:
            if self._waiters and not self._closed:
                self._waiters.popleft().set()  # the slot passes straight to the longest waiter
            else:
                self._free += 1

    def close(self) -> None:
        with self._lock:
            self._closed = True
            while self._waiters:
                self._waiters.popleft().set()


@dataclass
class CameraWorker:
    cam: CameraConfig
    counter: CounterConfig
    source: CameraSource
    pipeline: CounterPipeline
    frame_ages: deque = field(default_factory=lambda: deque(maxlen=500))
    process_ms: deque = field(default_factory=lambda: deque(maxlen=500))
    analysed: deque = field(default_factory=lambda: deque(maxlen=1000))  # analysis wall times
    stage_ms: dict[str, deque] = field(default_factory=dict)
    last_index: int = 0
    offline: bool = False
    pipeline_status: CounterStatus | None = None  # the pipeline's own latest status
    errors: int = 0
    # ticks lost, by cause: no new frame from the decoder by the tick (stale), or the loop more than a period late
    # (behind: those ticks never start); what tells a starved decoder from a box short of CPU
    ticks_stale: int = 0
    ticks_behind: int = 0
    fresh_wait_ms: deque = field(default_factory=lambda: deque(maxlen=500))  # waiting for the decoder's frame
    slot_wait_ms: deque = field(default_factory=lambda: deque(maxlen=500))  # waiting for an analysis slot
    thread: threading.Thread | None = None

    @property
    def counter_id(self) -> str:
        return self.counter.counter_id


class EdgeRuntime:
    def __init__(self, cfg: EdgeConfig, pipeline_factory: PipelineFactory | None = None, models: Any = None) -> None:
        self.cfg = cfg
        self._stop = threading.Event()
        self.broker_handle = None
        if models is None:  # one dict for every counter: stateless models are shared (edge/models.py)
            if pipeline_factory is None and cfg.pipeline_factory is None:
                from edge.models import default_shared_models

                models = default_shared_models(detector_model=cfg.pipeline_settings.get("detector_model"))
            else:
                models = {}
        counters = [load_counter(c.counter) for c in cfg.cameras]
        ids = [c.counter_id for c in counters]
        if len(set(ids)) != len(ids):
            raise ValueError(f"two cameras use the same counter_id ({ids}); each counter needs its own file")
        for cam, counter in zip(cfg.cameras, counters, strict=True):
            # unreadable, the desk stage would fail on every desk frame and lose that frame's observation
            ref = counter.reference_image
            if ref and not Path(ref).is_file():
                raise ValueError(f"{cam.counter}: field 'reference_image': {ref} does not exist. Fix: correct the "
                                 "path (relative to the counter file), capture one with `counterwatch calibrate "
                                 "capture`, or remove the field (the desk rules then stay idle).")

        def build(counter: CounterConfig) -> CounterPipeline:
            if pipeline_factory is not None:
                return pipeline_factory(counter)
            return make_pipeline(counter, cfg.pipeline_factory, models=models, settings=cfg.pipeline_settings)

        self.workers: dict[str, CameraWorker] = {}
        for cam, counter in zip(cfg.cameras, counters, strict=True):
            source = cam.source if cam.source is not None else counter.camera.source
            if source is None:
                raise ValueError(f"camera for counter {counter.counter_id}: no source. Fix: set cameras[].source "
                                 f"in the edge config or camera.source in {cam.counter}.")
            # the counter file's own source is relative to that file (the edge config's were resolved against the
            # config file's folder when it loaded, and one built in code is taken as given: relative to the cwd)
            if cam.source is None and isinstance(source, str) and "://" not in source and not source.isdigit() \
                    and not Path(source).is_absolute():
                source = str((Path(cam.counter).parent / source).resolve())
            src = CameraSource(counter.counter_id, source, loop=cam.loop, realtime=cam.realtime,
                               stall_s=cam.stall_s, backoff_max_s=cam.reconnect_max_s, dir_fps=cam.fps,
                               retrieve_fps=cam.retrieve_fps)
            self.workers[counter.counter_id] = CameraWorker(cam, counter, src, build(counter))
        slots = cfg.max_parallel_analyses
        if slots is None:
            slots = usable_cpus()
        self._slots = FairSlots(slots) if slots else None
        self.spool = Spool(cfg.spool.path, cfg.spool.max_messages)
        self.publisher = EdgePublisher(cfg.broker, cfg.hall_id, cfg.edge_id, self.spool, list(self.workers),
                                       on_inbound=self._on_inbound)
        s = cfg.snapshots
        self.snapshots = SnapshotStore(s.dir, s.blur_faces, s.max_mb, s.max_age_h, s.jpeg_quality)
        self.started_at = time.time()

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> EdgeRuntime:
        if self.cfg.broker.embedded:
            from edge.embedded import start_embedded_broker

            self.broker_handle = start_embedded_broker(self.cfg.broker.port, self.cfg.broker.host)
        self.publisher.start()
        for w in self.workers.values():
            w.source.start()
            w.thread = threading.Thread(target=self._analyse_loop, args=(w,), name=f"analyse-{w.counter_id}",
                                        daemon=True)
            w.thread.start()
        threading.Thread(target=self._stats_loop, name="stats", daemon=True).start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Graceful stop: analysis ends, the spool is flushed, availability `stopped` is published."""
        self._stop.set()
        if self._slots is not None:
            self._slots.close()
        for w in self.workers.values():
            if w.thread:
                w.thread.join(timeout=5)
            w.source.stop()
            finish = getattr(w.pipeline, "finish", None)  # optional: close the events still open
            if finish is not None:
                try:
                    for ev in finish():
                        self._emit(w, ev, None, None)
                except Exception:
                    log.exception("pipeline of counter %s failed to finish", w.counter_id)
            close = getattr(w.pipeline, "close", None)  # optional: release its per-camera model graphs
            if close is not None:
                try:
                    close()
                except Exception:
                    log.exception("pipeline of counter %s failed to close", w.counter_id)
        flushed = self.publisher.stop("stopped", timeout)
        if not flushed:
            log.warning("%d event message(s) stay in the spool %s; they are sent on the next start",
                        len(self.spool), self.spool.path)
        self.spool.close()
        if self.broker_handle is not None:
            self.broker_handle.stop()
        return flushed

    def run_forever(self) -> None:
        """Start, then block until SIGTERM / SIGINT; then stop gracefully."""
        def handle(signum: int, _frame: Any) -> None:
            log.info("signal %d: stopping", signum)
            self._stop.set()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
        self.start()
        while not self._stop.wait(0.5):
            if all(w.source.status == "finished" for w in self.workers.values()):
                log.info("every source finished")
                break
        self.stop()

    # -- analysis --------------------------------------------------------------------------------------
    def _analyse_loop(self, w: CameraWorker) -> None:
        period = 1.0 / w.cam.fps
        # The frame is asked for this much before the tick: a 25 fps camera decodes the next one within 40 ms,
        # so the wait for it overlaps the wait for the tick instead of lengthening the cycle.
        lead = min(0.04, period / 4)
        next_t = time.monotonic()
        while not self._stop.is_set():
            # Ask the decoder for a frame and wait (without a slot) until it is converted: the frame analysed
            # is then the one just decoded, and frames nobody analyses are never converted. A busy box can
            # delay the decoder thread by 100 ms and more, and a tick without a new frame is a tick lost, so
            # the wait may take most of the period (a camera that is down costs only this wait per tick).
            t_req = time.perf_counter()
            w.source.wait_fresh(w.source.request(), 0.8 * period)
            t_fresh = time.perf_counter()
            w.fresh_wait_ms.append((t_fresh - t_req) * 1000)
            if self._slots is None:
                self._analyse_once(w)
            elif self._slots.acquire():  # taken before the frame, so the newest frame is analysed after a wait
                w.slot_wait_ms.append((time.perf_counter() - t_fresh) * 1000)
                try:
                    if not self._stop.is_set():
                        self._analyse_once(w)
                finally:
                    self._slots.release()
            next_t += period
            delay = next_t - lead - time.monotonic()
            if delay < -period:  # fell behind: skip, do not burst (we only want the newest frame anyway)
                w.ticks_behind += int(-delay // period)
                next_t = time.monotonic()
            elif delay > 0:
                self._stop.wait(delay)

    def _analyse_once(self, w: CameraWorker) -> None:
        now = time.time()
        frame = w.source.latest()
        if w.source.status == "starting" and now - self.started_at < w.cam.stall_s:
            return  # still opening: not an outage yet
        if not w.source.online(now):
            if not w.offline:
                w.offline = True
                since = frame.t_capture if frame else now
                log.warning("camera %s offline (%s)", w.counter_id, w.source.error or w.source.status)
                self.publisher.publish_status(CounterStatus(w.counter_id, "camera_offline", since))
            lost = getattr(w.pipeline, "camera_lost", None)  # optional: lets rules see the outage
            if lost is not None:
                try:
                    obs, events, _status = lost(now)  # the status is camera_offline, published above
                    for ev in events:
                        self._emit(w, ev, None, obs)
                except Exception:
                    w.errors += 1
                    log.exception("pipeline of counter %s failed on camera_lost", w.counter_id)
            return
        if frame is None or frame.index == w.last_index:
            w.ticks_stale += 1
            return
        w.last_index = frame.index
        w.frame_ages.append(now - frame.t_capture)
        t0 = time.perf_counter()
        try:
            obs, events, status = w.pipeline.process(frame.image, frame.t_capture)
        except Exception:
            w.errors += 1
            log.exception("pipeline of counter %s failed on frame %d", w.counter_id, frame.index)
            return
        w.process_ms.append((time.perf_counter() - t0) * 1000)
        w.analysed.append(now)
        for stage, ms in (obs.timings_ms or {}).items():
            w.stage_ms.setdefault(stage, deque(maxlen=500)).append(ms)
        for ev in events:
            self._emit(w, ev, frame.image, obs)
        if status is not None:
            w.pipeline_status = status
        if w.offline:  # back from an outage: restate the counter's state (the pipeline may see no change)
            w.offline = False
            log.info("camera %s back online", w.counter_id)
            status = status or (CounterStatus(w.counter_id, w.pipeline_status.state, now,
                                              w.pipeline_status.open_events) if w.pipeline_status else None)
        if status is not None:
            self.publisher.publish_status(status)

    def _emit(self, w: CameraWorker, ev: Event, image: np.ndarray | None, obs: Any) -> None:
        ev.hall_id = ev.hall_id or self.cfg.hall_id
        ev.edge_id = ev.edge_id or self.cfg.edge_id
        # One evidence frame per event, taken when it opens; named by the event id so that every
        # later message of the same event refers to it without the runtime keeping state.
        ev.snapshot = ev.snapshot or ev.id
        if ev.type == "new" and image is not None:
            try:
                faces = [obs.face.box] if getattr(obs, "face", None) is not None else []
                jpeg = self.snapshots.save(ev.snapshot, image, faces)
                if self.cfg.snapshots.publish:
                    self.publisher.publish_snapshot(w.counter_id, ev.snapshot, jpeg)
            except Exception:  # evidence is a nice-to-have; the event itself must go out
                log.exception("snapshot %s of counter %s failed", ev.snapshot, w.counter_id)
        self.publisher.publish_event(ev)

    def _on_inbound(self, counter_id: str, message: QueueCall | TerminalState) -> None:
        w = self.workers.get(counter_id)
        if w is not None:
            deliver_inbound(w.pipeline, message)

    # -- stats -----------------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        now = time.time()
        cams = {}
        for cid, w in self.workers.items():
            recent = [t for t in w.analysed if now - t <= 10]
            span = min(10.0, now - self.started_at) or 1.0
            ages = list(w.frame_ages)
            cams[cid] = {
                "status": "online" if w.source.online(now) else w.source.status,
                "error": w.source.error,
                "analysed_fps": round(len(recent) / span, 2),
                "frame_age_p50_ms": _ms(percentile(ages, 50)),
                "frame_age_p95_ms": _ms(percentile(ages, 95)),
                "decode_ms_p50": _round(percentile(w.source.decode_ms, 50)),
                "process_ms_p50": _round(percentile(list(w.process_ms), 50)),
                "stage_ms_p50": {k: _round(percentile(list(v), 50)) for k, v in w.stage_ms.items()},
                "fresh_wait_ms_p95": _round(percentile(list(w.fresh_wait_ms), 95)),
                "slot_wait_ms_p95": _round(percentile(list(w.slot_wait_ms), 95)),
                "ticks_stale": w.ticks_stale,
                "ticks_behind": w.ticks_behind,
                "reconnects": w.source.reconnects,
                "pipeline_errors": w.errors,
            }
        p = self.publisher
        return {
            "edge_id": self.cfg.edge_id, "time": now, "uptime_s": round(now - self.started_at, 1),
            "mqtt_connected": p.connected.is_set(), "mqtt_error": p.last_error,
            "spool_depth": len(self.spool), "spool_dropped_updates": self.spool.dropped_updates,
            "spool_dropped_snapshots": self.spool.dropped_snapshots,
            "spool_overflow": self.spool.overflow, **p.counts, "snapshots_pruned": self.snapshots.pruned,
            "cameras": cams,
        }

    def _stats_loop(self) -> None:
        while not self._stop.wait(self.cfg.stats_interval_s):
            try:
                self.publisher.publish_stats(self.stats())
            except Exception:
                log.exception("stats failed")


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000, 1)
