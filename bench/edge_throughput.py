"""Edge throughput: K cameras of H.264 720p decoded for real, through the edge runtime.

Modes (--mode):
  decode  frames are decoded and handed over, the pipeline does nothing (the decoding ceiling);
  fake    a trivial pipeline that emits an event per frame (decode + scheduling + spool + MQTT);
  real    pipelines.pipeline.make_pipeline: perception models + the full rule set.
Prints per K: analysed fps per camera, frame age p50/p95, CPU % (of one core) and RSS, per-stage ms,
and the largest K that sustains the target fps per camera. A broker is started in-process (amqtt).

    .venv/bin/python bench/edge_throughput.py --mode decode --ks 1,2,4,8,12 --seconds 15
    .venv/bin/python bench/edge_throughput.py --mode real --clip /tmp/bench_clip/clip720.mp4 --ks 1,2,4,8,12

Each K runs in a fresh process (RSS and threads are that K's alone). The real mode builds each camera's
models up front and charges every call its CPU (the calling thread plus the model's own native worker
threads, bench/_cpu_meter.py), so it prints CPU ms per camera-second per stage: decode, pose, face, hands,
detector (hand/face crops), people (full-frame person detector), rules, analysis_other, publish (MQTT and
the in-process broker), native_other; analysis stages scaled to the target fps. The RESULT lines give the
largest K that sustained the target on this box as loaded, and the cameras idle cores could carry by CPU.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._cpu_meter import (  # noqa: E402
    MeteredDetector,
    MeteredModel,
    StageCpu,
    new_workers,
    rss_mb,
    thread_cpu_s,
    threads_cpu_s,
    tids,
)
from edge.config import EdgeConfig  # noqa: E402
from edge.embedded import free_port  # noqa: E402
from edge.runtime import EdgeRuntime, usable_cpus  # noqa: E402
from pipelines.events import Event  # noqa: E402
from pipelines.messages import CounterStatus  # noqa: E402
from vision.observation import Observation  # noqa: E402


class DecodeOnly:
    def __init__(self, counter_id: str) -> None:
        self.counter_id, self.n = counter_id, 0

    def process(self, frame, t_wall):
        self.n += 1
        return Observation(self.counter_id, self.n, t_wall), [], None


class EventPerFrame(DecodeOnly):
    def process(self, frame, t_wall):
        self.n += 1
        ev = Event.open("phone.use", self.counter_id, t_wall, evidence={"n": self.n})
        status = CounterStatus(self.counter_id, "serving", t_wall) if self.n == 1 else None
        return Observation(self.counter_id, self.n, t_wall, timings_ms={}), [ev], status


class TimedPipeline:
    """The real pipeline, with its rules step timed apart from perception (`process` = `perceive` +
    `step_observation`, exactly what CounterPipelineImpl.process does) and charged to `meter`."""

    def __init__(self, inner, meter=None) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.meter = inner, meter

    def process(self, frame, t_wall):
        obs = self.inner.perceive(frame, t_wall)
        t0, c0 = time.perf_counter(), time.thread_time()
        events, status = self.inner.step_observation(obs)
        if self.meter is not None:
            self.meter.add("rules", time.thread_time() - c0)
        obs.timings_ms = {**(obs.timings_ms or {}), "rules": (time.perf_counter() - t0) * 1000}
        return obs, events, status

    def __getattr__(self, name):  # camera_lost, finish, on_queue_call, on_terminal
        return getattr(self.inner, name)


def thread_cpu() -> dict[str, float]:
    """CPU seconds per thread group: decode (cam-*), analysis (analyse-*), native (threads Python did not
    start: MediaPipe/TFLite workers, FFmpeg), publish (the other Python threads: MQTT sender and network
    loop, the in-process broker, stats, main)."""
    import threading

    names = {t.native_id: t.name for t in threading.enumerate()}
    out = {"decode": 0.0, "analysis": 0.0, "native": 0.0, "publish": 0.0}
    for tid in tids():
        name = names.get(tid)
        group = ("native" if name is None else "decode" if name.startswith("cam-")
                 else "analysis" if name.startswith("analyse-") else "publish")
        out[group] += thread_cpu_s(tid)
    return out


def make_clip(path: Path) -> Path:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
                    "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


STAGES = ("decode", "pose", "face", "hands", "detector", "people", "rules", "analysis_other", "publish",
          "native_other")


def metered_factory(shared_detector, warm_frame, pipeline_settings, meters: dict[str, StageCpu], workers: set[int]):
    """make_pipeline with every model built up front, its worker threads found, and each call metered.
    The pipeline takes per-counter models from `pipe.models` and the detector from its `shared` dict: each
    camera gets its own dict holding a metered view of the ONE shared detector."""
    from pipelines.pipeline import make_pipeline
    from vision.face import FaceAnalyzer
    from vision.hands import HandTracker
    from vision.pose import PoseEstimator

    if shared_detector is not None and not hasattr(shared_detector, "_workers"):
        _, shared_detector._workers = new_workers(lambda: shared_detector.detect(warm_frame, roi=None))
        workers.update(shared_detector._workers)

    def build(c):  # type: ignore[no-untyped-def]
        meter = meters.setdefault(c.counter_id, StageCpu())
        shared = {"detector": MeteredDetector(shared_detector, shared_detector._workers, meter)} \
            if shared_detector is not None else {}
        pipe = make_pipeline(c, models=shared, settings=pipeline_settings)
        for stage, make in (("pose", lambda: PoseEstimator(complexity=pipe.s.pose_complexity)),
                            ("face", FaceAnalyzer), ("hands", HandTracker)):
            def warm(make=make):  # type: ignore[no-untyped-def]
                model = make()
                model.process(warm_frame)
                return model
            model, own = new_workers(warm)
            workers.update(own)
            pipe.models[stage] = MeteredModel(model, own, meter, stage)
        return TimedPipeline(pipe, meter)

    return build


def first_frame(clip: Path) -> np.ndarray:
    import cv2

    cap = cv2.VideoCapture(str(clip))
    ok, frame = cap.read()
    cap.release()
    if not ok:
        sys.exit(f"{clip}: no frame decodes")
    return frame


def run_k(k: int, clip: Path, mode: str, fps: float, seconds: float, tmp: Path, counter_yaml: Path | None,
          retrieve_fps: float | None, share: bool, parallel: int | None = None, warmup_max_s: float = 180,
          settings: dict | None = None, detector_threads: int = 2) -> dict:
    if mode == "real":
        import mediapipe  # noqa: F401  (the library is part of the base, not of a camera's memory)

        import pipelines.pipeline  # noqa: F401
    rss_base = rss_mb()
    cams = []
    base = yaml.safe_load(counter_yaml.read_text()) if counter_yaml else {}
    if base.get("reference_image"):  # relative to the clip's counter file, not to the copies written below
        base["reference_image"] = str((counter_yaml.parent / base["reference_image"]).resolve())
    for i in range(k):
        counter = tmp / f"c{i}.yaml"
        counter.write_text(yaml.safe_dump({**base, "counter_id": f"c{i}", "hall_id": "bench"}))
        cam = {"counter": str(counter), "source": str(clip), "fps": fps, "stall_s": 10}
        cams.append(cam if retrieve_fps is None else {**cam, "retrieve_fps": retrieve_fps})  # None: the config default
    cfg = EdgeConfig.model_validate({
        "edge_id": "bench", "hall_id": "bench", "cameras": cams, "stats_interval_s": 3600,
        "broker": {"url": f"mqtt://127.0.0.1:{free_port()}", "embedded": True},
        "spool": {"path": str(tmp / f"spool{k}.sqlite")}, "snapshots": {"dir": str(tmp / "snaps")},
        "max_parallel_analyses": parallel,
    })
    meters: dict[str, StageCpu] = {}
    workers: set[int] = set()
    factory = None
    if mode == "decode":
        factory = lambda c: DecodeOnly(c.counter_id)  # noqa: E731
    elif mode == "fake":
        factory = lambda c: EventPerFrame(c.counter_id)  # noqa: E731
    else:
        from edge.models import LockedDetector
        from edge.pipeline import EDGE_SETTINGS
        from pipelines.pipeline import PipelineSettings

        ps = PipelineSettings.model_validate({**EDGE_SETTINGS, **(settings or {})})  # as the edge runtime builds it
        frame = first_frame(clip)
        if share:
            factory = metered_factory(LockedDetector(ps.detector_model, detector_threads), frame, ps, meters, workers)
        else:  # one detector per camera (each its own lock, so the meter still sees only its own calls)
            def factory(c):  # type: ignore[no-untyped-def]
                return metered_factory(LockedDetector(ps.detector_model, detector_threads), frame, ps, meters,
                                       workers)(c)
    rt = EdgeRuntime(cfg, pipeline_factory=factory)
    rt.start()
    # warm-up: sources open and every camera has analysed a few frames (models load on first use)
    time.sleep(3.0)
    deadline = time.time() + warmup_max_s
    while mode == "real" and time.time() < deadline and min(len(w.process_ms) for w in rt.workers.values()) < 3:
        time.sleep(0.5)
    for w in rt.workers.values():
        w.frame_ages.clear()
        w.process_ms.clear()
        w.stage_ms.clear()
        w.source.decode_ms = []
        w.ticks_stale = w.ticks_behind = 0
        w.fresh_wait_ms.clear()
        w.slot_wait_ms.clear()
    snap0 = {c: m.snapshot() for c, m in meters.items()}
    ru0, t0, th0, wk0 = resource.getrusage(resource.RUSAGE_SELF), time.time(), thread_cpu(), threads_cpu_s(workers)
    time.sleep(seconds)
    ru1, t1, th1, wk1 = resource.getrusage(resource.RUSAGE_SELF), time.time(), thread_cpu(), threads_cpu_s(workers)
    snap1 = {c: m.snapshot() for c, m in meters.items()}
    wall = t1 - t0
    per_cam = [sum(1 for t in w.analysed if t >= t0) for w in rt.workers.values()]
    ages = np.concatenate([np.array(w.frame_ages) for w in rt.workers.values()]) * 1000
    stages: dict[str, list[float]] = {"decode": [x for w in rt.workers.values() for x in w.source.decode_ms],
                                      "process": [x for w in rt.workers.values() for x in w.process_ms]}
    for w in rt.workers.values():
        for name, vals in w.stage_ms.items():
            stages.setdefault(name, []).extend(vals)
    cpu = ((ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)) / wall * 100
    analysed = max(1, sum(per_cam))
    # CPU ms per camera-second by stage (independent of how busy the box is, unlike the wall medians)
    per_s = 1000 / (k * wall)
    stage_cpu = {s: 0.0 for s in STAGES}
    stage_cpu["decode"] = (th1["decode"] - th0["decode"]) * per_s
    stage_cpu["publish"] = (th1["publish"] - th0["publish"]) * per_s
    inline = 0.0
    for c, (cpu1, _calls1, in1) in snap1.items():
        cpu0, _calls0, in0 = snap0.get(c, ({}, {}, 0.0))
        inline += in1 - in0
        for s, v in cpu1.items():
            stage_cpu[s] = stage_cpu.get(s, 0.0) + (v - cpu0.get(s, 0.0)) * per_s
    if mode == "real":
        stage_cpu["analysis_other"] = (th1["analysis"] - th0["analysis"] - inline) * per_s
        stage_cpu["native_other"] = (th1["native"] - th0["native"] - (wk1 - wk0)) * per_s
    else:
        stage_cpu["analysis_other"] = (th1["analysis"] - th0["analysis"]) * per_s
        stage_cpu["native_other"] = (th1["native"] - th0["native"]) * per_s
    # Analysis stages are charged per analysed frame and scaled to the target rate: a camera that got fewer
    # frames on a busy box would otherwise look cheap. Decode and publish run at the camera's own rate.
    fps_got = analysed / (k * wall)
    scale = fps / fps_got if mode == "real" and fps_got > 0 else 1.0
    stage_cpu = {s: v if s in ("decode", "publish") else v * scale for s, v in stage_cpu.items()}
    total = sum(stage_cpu.values())
    out = {
        "k": k, "fps_min": min(per_cam) / wall, "fps_mean": float(np.mean(per_cam)) / wall,
        "frames_per_cam_s": analysed / (k * wall),
        "age_p50": float(np.percentile(ages, 50)) if ages.size else float("nan"),
        "age_p95": float(np.percentile(ages, 95)) if ages.size else float("nan"),
        "cpu": cpu, "rss": rss_mb(), "rss_per_cam": (rss_mb() - rss_base) / k, "load": os.getloadavg()[0],
        "stage_cpu": stage_cpu, "cpu_ms_per_cam_s": total,
        "analysis_cpu_ms_per_frame": (total - stage_cpu["decode"] - stage_cpu["publish"]) / fps,
        "stages": {n: float(np.median(v)) for n, v in stages.items() if v},
        "runs": {n: len(v) / max(1, len(stages["process"])) for n, v in stages.items()
                 if n not in ("decode", "process")},
        "spool": len(rt.spool),
        # ticks lost a camera-second: no fresh frame by the tick / the loop over a period late (never started)
        "lost_stale": sum(w.ticks_stale for w in rt.workers.values()) / (k * wall),
        "lost_behind": sum(w.ticks_behind for w in rt.workers.values()) / (k * wall),
        "waits": {name: [float(np.percentile(v, q)) for q in (50, 95, 99)] if v else [] for name, v in (
            ("fresh", [x for w in rt.workers.values() for x in w.fresh_wait_ms]),
            ("slot", [x for w in rt.workers.values() for x in w.slot_wait_ms]),
            ("process", [x for w in rt.workers.values() for x in w.process_ms]))},
    }
    rt.stop(timeout=5)
    return out


def run_child(k: int, args: argparse.Namespace) -> dict:
    """One K in a fresh process: RSS and threads are then that K's alone (a sweep in one process kept
    every earlier K's models alive, which made RSS look twice as large per camera)."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(k), "--mode", args.mode,
            "--fps", str(args.fps), "--seconds", str(args.seconds), "--detector-threads", str(args.detector_threads)]
    for flag, value in (("--clip", args.clip), ("--counter", args.counter), ("--retrieve-fps", args.retrieve_fps),
                        ("--settings", args.settings or None), ("--parallel", args.parallel)):
        if value is not None:
            argv += [flag, str(value)]
    if args.no_share:
        argv.append("--no-share")
    proc = subprocess.run(argv, capture_output=True, text=True)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode or not lines:
        sys.exit(f"K={k} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["decode", "fake", "real"], default="decode")
    ap.add_argument("--clip", type=Path, help="an H.264 720p clip (default: ffmpeg testsrc2, 10 s)")
    ap.add_argument("--ks", default="1,2,4,8,12")
    ap.add_argument("--fps", type=float, default=5.0, help="analysis fps per camera (the target)")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--counter", type=Path, help="counter YAML of the clip (default: counter.yaml beside it)")
    ap.add_argument("--retrieve-fps", type=float, default=None,
                    help="background BGR conversions per second per camera besides the frames analysis takes "
                         "(default: the edge config default, 1; 0 = every frame)")
    ap.add_argument("--no-share", action="store_true", help="real mode: one detector per camera")
    ap.add_argument("--settings", default="",
                    help="real mode: PipelineSettings overrides, e.g. pose_complexity=0,detector_every=6")
    ap.add_argument("--detector-threads", type=int, default=2, help="real mode: TFLite threads of the shared detector")
    ap.add_argument("--parallel", type=int, default=None,
                    help="max_parallel_analyses (default: one per core; 0 = no limit)")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)  # one K, JSON out
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = dict(kv.split("=", 1) for kv in args.settings.split(",") if kv)
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        clip = args.clip or make_clip(tmp / "clip720.mp4")
        args.clip = clip
        counter = args.counter or (clip.with_name("counter.yaml") if clip.with_name("counter.yaml").exists() else None)
        if args.child is not None:
            r = run_k(args.child, clip, args.mode, args.fps, args.seconds, tmp, counter, args.retrieve_fps,
                      not args.no_share, args.parallel, settings=settings, detector_threads=args.detector_threads)
            print("RESULT " + json.dumps(r), flush=True)
            return
        report(args, clip, counter, settings)


def report(args: argparse.Namespace, clip: Path, counter: Path | None, settings: dict) -> None:
    cores = usable_cpus()
    print(f"mode={args.mode} clip={clip.name} counter={counter} target={args.fps:g} fps/camera, "
          f"{args.seconds:.0f} s per K (each K in a fresh process), {cores} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    if settings:
        print(f"pipeline settings: {settings}")
    print(f"CPU columns: CPU ms per camera-second at {args.fps:g} analysed fps (analysis stages: CPU per analysed "
          "frame x the target fps; decode and publish: per camera-second as run), what one camera costs "
          "whatever else loads the box; the fps, age and wall columns depend on the load.")
    head = (f"{'K':>3} {'fps/cam min':>11} {'mean':>6} {'age p50':>8} {'p95 ms':>7} {'CPU%':>5} {'RSS MB':>7} "
            f"{'/cam':>5} {'load':>5} | " + " ".join(f"{s[:9]:>9}" for s in STAGES) + f" {'total':>6} {'cams':>5}")
    print(head)
    results = []
    for k in (int(x) for x in args.ks.split(",")):
        r = run_child(k, args)
        results.append(r)
        sc = r["stage_cpu"]
        total = r["cpu_ms_per_cam_s"]
        print(f"{k:>3} {r['fps_min']:>11.2f} {r['fps_mean']:>6.2f} {r['age_p50']:>8.0f} {r['age_p95']:>7.0f} "
              f"{r['cpu']:>5.0f} {r['rss']:>7.0f} {r['rss_per_cam']:>5.0f} {r['load']:>5.1f} | "
              + " ".join(f"{sc.get(s, 0.0):>9.1f}" for s in STAGES)
              + f" {total:>6.0f} {cores * 1000 / total if total else 0:>5.1f}", flush=True)
        if r["stages"]:
            print("      wall ms (median): " + " ".join(f"{n}={v:.1f}" for n, v in r["stages"].items()))
        if r["runs"]:
            print("      runs per analysed frame: " + " ".join(f"{n}={v:.2f}" for n, v in r["runs"].items())
                  + f"; analysis CPU {r['analysis_cpu_ms_per_frame']:.1f} ms per analysed frame", flush=True)
        print(f"      ticks lost per camera-second: {r['lost_stale']:.2f} no fresh frame, {r['lost_behind']:.2f} "
              "over a period late; waits p50/p95/p99 ms: " + ", ".join(
                  f"{n} " + "/".join(f"{x:.0f}" for x in v) for n, v in r.get("waits", {}).items()), flush=True)
    ok = [r["k"] for r in results if r["fps_min"] >= 0.95 * args.fps]
    best = max(ok, default=0)
    # Capacity from CPU: the least contended K is closest to an idle box (contention inflates CPU per frame).
    # Only Ks whose cameras analysed >= 20 frames each count: with fewer, the stages that run every 10th
    # frame (the person detector) may not have run at all in the window and the cost reads too low.
    counted = [r for r in results if r["fps_mean"] * args.seconds >= 20] or results
    cost = min(r["cpu_ms_per_cam_s"] for r in counted)
    print("columns: cams = cores x 1000 / total, the cameras this many idle cores could carry at this CPU cost")
    print(f"RESULT measured: largest K sustaining {args.fps:g} analysed fps per camera (min over cameras >= 95 %): "
          f"{best} (K tried: {args.ks}; load average {os.getloadavg()[0]:.1f} at the end)")
    print(f"RESULT CPU estimate: {cost:.0f} ms CPU per camera-second (lowest over K = "
          f"{','.join(str(r['k']) for r in counted)}) -> {cores} idle cores carry "
          f"{cores * 1000 / cost if cost else 0:.1f} cameras at {args.fps:g} fps; "
          f"RSS {min(r['rss_per_cam'] for r in results):.0f}-{max(r['rss_per_cam'] for r in results):.0f} MB "
          "per camera")


if __name__ == "__main__":
    main()
