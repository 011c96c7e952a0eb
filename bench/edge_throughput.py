"""Edge throughput: K cameras of H.264 720p decoded for real, through the edge runtime.

Modes (--mode):
  decode  frames are decoded and handed over, the pipeline does nothing (the decoding ceiling);
  fake    a trivial pipeline that emits an event per frame (decode + scheduling + spool + MQTT);
  real    pipelines.pipeline.make_pipeline: perception models + the full rule set.
Prints per K: analysed fps per camera, frame age p50/p95, CPU % (of one core) and RSS, per-stage ms,
and the largest K that sustains the target fps per camera. A broker is started in-process (amqtt).

    .venv/bin/python bench/edge_throughput.py --mode decode --ks 1,2,4,8,12 --seconds 15
    .venv/bin/python bench/edge_throughput.py --mode real --clip SIM_CLIP.mp4 --ks 1,2,4
"""

from __future__ import annotations

import argparse
import logging
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


def make_clip(path: Path) -> Path:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
                    "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_k(k: int, clip: Path, mode: str, fps: float, seconds: float, tmp: Path) -> dict:
    cams = []
    for i in range(k):
        counter = tmp / f"c{i}.yaml"
        counter.write_text(yaml.safe_dump({"counter_id": f"c{i}", "hall_id": "bench"}))
        cams.append({"counter": str(counter), "source": str(clip), "fps": fps, "stall_s": 10})
    cfg = EdgeConfig.model_validate({
        "edge_id": "bench", "hall_id": "bench", "cameras": cams, "stats_interval_s": 3600,
        "broker": {"url": f"mqtt://127.0.0.1:{free_port()}", "embedded": True},
        "spool": {"path": str(tmp / f"spool{k}.sqlite")}, "snapshots": {"dir": str(tmp / "snaps")},
    })
    factory = None
    if mode == "decode":
        factory = lambda c: DecodeOnly(c.counter_id)  # noqa: E731
    elif mode == "fake":
        factory = lambda c: EventPerFrame(c.counter_id)  # noqa: E731
    rt = EdgeRuntime(cfg, pipeline_factory=factory)
    rt.start()
    time.sleep(min(5.0, seconds / 3))  # warm-up: sources open, models load
    for w in rt.workers.values():
        w.frame_ages.clear()
        w.process_ms.clear()
        w.stage_ms.clear()
    ru0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.time()
    time.sleep(seconds)
    ru1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.time()
    wall = t1 - t0
    per_cam = [sum(1 for t in w.analysed if t >= t0) for w in rt.workers.values()]
    ages = np.concatenate([np.array(w.frame_ages) for w in rt.workers.values()]) * 1000
    stages: dict[str, list[float]] = {"decode": [x for w in rt.workers.values() for x in w.source.decode_ms],
                                      "process": [x for w in rt.workers.values() for x in w.process_ms]}
    for w in rt.workers.values():
        for name, vals in w.stage_ms.items():
            stages.setdefault(name, []).extend(vals)
    cpu = ((ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)) / wall * 100
    out = {
        "k": k, "fps_min": min(per_cam) / wall, "fps_mean": float(np.mean(per_cam)) / wall,
        "age_p50": float(np.percentile(ages, 50)) if ages.size else float("nan"),
        "age_p95": float(np.percentile(ages, 95)) if ages.size else float("nan"),
        "cpu": cpu, "rss": rss_mb(),
        "stages": {n: float(np.median(v)) for n, v in stages.items() if v},
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
        print(f"mode={args.mode} clip={clip.name} target={args.fps} fps/camera, {args.seconds:.0f} s per K")
        head = f"{'K':>3} {'fps/cam min':>11} {'mean':>6} {'age p50':>8} {'p95 ms':>7} {'CPU%':>6} {'RSS MB':>7}"
        print(head + "  stages ms")
        best = 0
        for k in (int(x) for x in args.ks.split(",")):
            r = run_k(k, clip, args.mode, args.fps, args.seconds, tmp)
            stages = " ".join(f"{n}={v:.1f}" for n, v in r["stages"].items())
            print(f"{k:>3} {r['fps_min']:>11.2f} {r['fps_mean']:>6.2f} {r['age_p50']:>8.0f} {r['age_p95']:>7.0f} "
                  f"{r['cpu']:>6.0f} {r['rss']:>7.0f}  {stages}", flush=True)
            if r["fps_min"] >= 0.95 * args.fps:
                best = k
        print(f"largest K sustaining {args.fps:g} fps per camera: {best}")


if __name__ == "__main__":
    main()
