"""Simulator render speed: milliseconds per frame for `render_clip` (posing + rasterising + noise +
JPEG round trip + video encode + labels), wall clock and CPU time of this process. Usage:

    .venv/bin/python bench/sim_render_speed.py [--scenarios do_nothing,bow_30,...] [--fps 10] [--width 640 --height 480]

CPU time is the figure to compare on a shared machine: wall time grows with the other jobs' load.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

# One core: keep BLAS from spreading the skinning matmuls over threads.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", default="do_nothing,bow_30,greet_raise_hand,phone_call_long,colleague_covering")
    ap.add_argument("--fps", type=float, default=10.0)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--body", default="f_mid")
    args = ap.parse_args()

    import simulator
    from simulator.clip import RenderOptions, camera_for, render_clip
    from simulator.scenarios import SCENARIOS

    print(f"simulator from {Path(simulator.__file__).parent}")
    render_clip("do_nothing", Path(tempfile.mkdtemp()), RenderOptions(fps=1.0))  # warm caches and imports
    tot_wall = tot_cpu = 0.0
    tot_frames = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, name in enumerate(args.scenarios.split(",")):
            cam = camera_for(SCENARIOS[name], width=args.width, height=args.height)
            w0, c0 = time.perf_counter(), time.process_time()
            opts = RenderOptions(body=args.body, camera=cam, seed=i, fps=args.fps)
            labels = render_clip(name, Path(tmp) / name, opts)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            n = labels["n_frames"]
            tot_wall, tot_cpu, tot_frames = tot_wall + wall, tot_cpu + cpu, tot_frames + n
            print(f"{name:24s} {n:4d} frames  wall {1000 * wall / n:6.1f} ms/frame  cpu {1000 * cpu / n:6.1f} ms/frame")
    print(f"total {tot_frames} frames at {args.width}x{args.height}: wall {1000 * tot_wall / tot_frames:.1f} ms/frame, "
          f"cpu {1000 * tot_cpu / tot_frames:.1f} ms/frame")


if __name__ == "__main__":
    main()
