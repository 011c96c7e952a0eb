"""Edge throughput: K cameras of H.264 720p decoded for real, through the edge runtime.

Modes (--mode):
  decode  frames are decoded and handed over, the pipeline does nothing (the decoding ceiling);
  fake    a trivial pipeline that emits an event per frame (decode + scheduling + spool + MQTT);
  real    pipelines.pipeline.make_pipeline: perception models + the full rule set.
Prints per K: analysed fps per camera, frame age p50/p95, CPU % (of one core) and RSS, per-stage ms,
and the largest K that sustains the target fps per camera. A broker is started in-process (amqtt).

    .venv/bin/python bench/edge_throughput.py --mode decode --ks 1,2,4,8,12 --seconds 15
    .venv/bin/python bench/edge_throughput.py --mode real --clip /tmp/bench_clip/clip720.mp4 --ks 1,2,4,8,12

The real mode wraps make_pipeline so that `rules` (the engine step) is timed apart from perception.
Besides wall-clock stage medians (inflated when the box is busy) it reads per-thread CPU from /proc:
decode CPU per camera-second and analysis CPU per analysed frame (analysis threads plus the native
MediaPipe/TFLite threads), which give the camera count idle cores could carry.
"""

from __future__ import annotations

import argparse
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

from edge.config import EdgeConfig  # noqa: E402
from edge.embedded import free_port  # noqa: E402
from edge.runtime import EdgeRuntime  # noqa: E402
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
    `step_observation`, exactly what CounterPipelineImpl.process does)."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner

    def process(self, frame, t_wall):
        obs = self.inner.perceive(frame, t_wall)
        t0 = time.perf_counter()
        events, status = self.inner.step_observation(obs)
        obs.timings_ms = {**(obs.timings_ms or {}), "rules": (time.perf_counter() - t0) * 1000}
        return obs, events, status

    def __getattr__(self, name):  # camera_lost, finish, on_queue_call, on_terminal
        return getattr(self.inner, name)


def thread_cpu() -> dict[str, float]:
    """CPU seconds per thread group: decode (cam-*), analysis (analyse-*), native (threads Python did not
    start: MediaPipe/TFLite/XNNPACK workers, FFmpeg), other Python threads."""
    import threading

    names = {t.native_id: t.name for t in threading.enumerate()}
    out = {"decode": 0.0, "analysis": 0.0, "native": 0.0, "other": 0.0}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc/self/task").glob("*/stat"):
        try:
            f = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = names.get(int(stat.parent.name))
        group = ("native" if name is None else "decode" if name.startswith("cam-")
                 else "analysis" if name.startswith("analyse-") else "other")
        out[group] += (int(f[11]) + int(f[12])) / tick
    return out


def make_clip(path: Path) -> Path:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
                    "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_k(k: int, clip: Path, mode: str, fps: float, seconds: float, tmp: Path, counter_yaml: Path | None,
          retrieve_fps: float | None, share: bool, parallel: int | None = None, warmup_max_s: float = 180,
          settings: dict | None = None, detector_threads: int = 2) -> dict:
    cams = []
    base = yaml.safe_load(counter_yaml.read_text()) if counter_yaml else {}
    for i in range(k):
        counter = tmp / f"c{i}.yaml"
        counter.write_text(yaml.safe_dump({**base, "counter_id": f"c{i}", "hall_id": "bench"}))
        cams.append({"counter": str(counter), "source": str(clip), "fps": fps, "stall_s": 10,
                     "retrieve_fps": retrieve_fps})
    cfg = EdgeConfig.model_validate({
        "edge_id": "bench", "hall_id": "bench", "cameras": cams, "stats_interval_s": 3600,
        "broker": {"url": f"mqtt://127.0.0.1:{free_port()}", "embedded": True},
        "spool": {"path": str(tmp / f"spool{k}.sqlite")}, "snapshots": {"dir": str(tmp / "snaps")},
        "max_parallel_analyses": parallel,
    })
    factory = None
    if mode == "decode":
        factory = lambda c: DecodeOnly(c.counter_id)  # noqa: E731
    elif mode == "fake":
        factory = lambda c: EventPerFrame(c.counter_id)  # noqa: E731
    else:
        from edge.models import default_shared_models
        from pipelines.pipeline import PipelineSettings, make_pipeline

        shared = default_shared_models(detector_threads) if share else {}
        ps = PipelineSettings.model_validate(settings or {})
        factory = lambda c: TimedPipeline(make_pipeline(c, models=shared, settings=ps))  # noqa: E731
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
    ru0, t0, th0 = resource.getrusage(resource.RUSAGE_SELF), time.time(), thread_cpu()
    time.sleep(seconds)
    ru1, t1, th1 = resource.getrusage(resource.RUSAGE_SELF), time.time(), thread_cpu()
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
    out = {
        # CPU per camera-second of decoding and per analysed frame: independent of how busy the box is
        "decode_cpu_ms_per_cam_s": 1000 * (th1["decode"] - th0["decode"]) / (k * wall),
        "analysis_cpu_ms_per_frame": 1000 * sum(th1[g] - th0[g] for g in ("analysis", "native")) / analysed,
        "other_cpu_pct": 100 * (th1["other"] - th0["other"]) / wall,
        "k": k, "fps_min": min(per_cam) / wall, "fps_mean": float(np.mean(per_cam)) / wall,
        "age_p50": float(np.percentile(ages, 50)) if ages.size else float("nan"),
        "age_p95": float(np.percentile(ages, 95)) if ages.size else float("nan"),
        "cpu": cpu, "rss": rss_mb(),
        "stages": {n: float(np.median(v)) for n, v in stages.items() if v},
        "runs": {n: len(v) / max(1, len(stages["process"])) for n, v in stages.items()
                 if n not in ("decode", "process")},
        "spool": len(rt.spool),
    }
    rt.stop(timeout=5)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["decode", "fake", "real"], default="decode")
    ap.add_argument("--clip", type=Path, help="an H.264 720p clip (default: ffmpeg testsrc2, 10 s)")
    ap.add_argument("--ks", default="1,2,4,8,12")
    ap.add_argument("--fps", type=float, default=5.0, help="analysis fps per camera (the target)")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--counter", type=Path, help="counter YAML of the clip (default: counter.yaml beside it)")
    ap.add_argument("--retrieve-fps", type=float, default=None,
                    help="frames converted to BGR per second per camera (default 2 x fps; 0 = every frame)")
    ap.add_argument("--no-share", action="store_true", help="real mode: one detector per camera")
    ap.add_argument("--settings", default="",
                    help="real mode: PipelineSettings overrides, e.g. pose_complexity=0,detector_every=6")
    ap.add_argument("--detector-threads", type=int, default=2, help="real mode: TFLite threads of the shared detector")
    ap.add_argument("--parallel", type=int, default=None,
                    help="max_parallel_analyses (default: one per core; 0 = no limit)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.mode == "real":
        try:
            import pipelines.pipeline  # noqa: F401
        except ImportError as exc:
            sys.exit(f"--mode real needs pipelines.pipeline: {exc}")
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        clip = args.clip or make_clip(tmp / "clip720.mp4")
        counter = args.counter or (clip.with_name("counter.yaml") if clip.with_name("counter.yaml").exists() else None)
        cores = len(os.sched_getaffinity(0))
        print(f"mode={args.mode} clip={clip.name} counter={counter} target={args.fps} fps/camera, "
              f"{args.seconds:.0f} s per K, {cores} cores, load average {os.getloadavg()[0]:.1f}")
        head = f"{'K':>3} {'fps/cam min':>11} {'mean':>6} {'age p50':>8} {'p95 ms':>7} {'CPU%':>6} {'RSS MB':>7}"
        print(head + "  stages ms (median wall)  |  CPU: decode ms per camera-s, analysis ms per frame")
        settings = dict(kv.split("=", 1) for kv in args.settings.split(",") if kv)
        if settings:
            print(f"pipeline settings: {settings}")
        best, cost = 0, []
        for k in (int(x) for x in args.ks.split(",")):
            r = run_k(k, clip, args.mode, args.fps, args.seconds, tmp, counter, args.retrieve_fps,
                      not args.no_share, args.parallel, settings=settings, detector_threads=args.detector_threads)
            stages = " ".join(f"{n}={v:.1f}" for n, v in r["stages"].items())
            print(f"{k:>3} {r['fps_min']:>11.2f} {r['fps_mean']:>6.2f} {r['age_p50']:>8.0f} {r['age_p95']:>7.0f} "
                  f"{r['cpu']:>6.0f} {r['rss']:>7.0f}  {stages}  |  decode {r['decode_cpu_ms_per_cam_s']:.0f}, "
                  f"analysis {r['analysis_cpu_ms_per_frame']:.0f}, other {r['other_cpu_pct']:.0f}%", flush=True)
            if r["runs"]:
                print("      stage runs per analysed frame: "
                      + " ".join(f"{n}={v:.2f}" for n, v in r["runs"].items()), flush=True)
            if r["fps_min"] >= 0.95 * args.fps:
                best = k
            cost.append(r["decode_cpu_ms_per_cam_s"] + args.fps * r["analysis_cpu_ms_per_frame"])
        print(f"largest K sustaining {args.fps:g} fps per camera (measured, this box as loaded): {best}")
        per_cam = float(min(cost))  # the least contended K: closest to an idle box
        print(f"CPU cost per camera at {args.fps:g} fps: {per_cam:.0f} ms per second (lowest over K) -> "
              f"{cores} idle cores would carry about {int(cores * 1000 // per_cam) if per_cam else 0} cameras")


if __name__ == "__main__":
    main()
