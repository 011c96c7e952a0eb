"""Desk change detector on synthetic desks: false objects under lighting changes and moving hands, recall
of a composited coffee cup at random places and lightings, and time per frame. Prints figures.

    .venv/bin/python -m bench.desk_change [--trials 40]
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np
import skimage.data

from tests.fixtures.desk import composite, desk_scene, relight
from vision.desk_change import DeskChangeDetector


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    false_light = false_hand = found = 0
    times: list[float] = []
    for k in range(args.trials):
        scene = desk_scene(seed=k)
        light = dict(gain=rng.uniform(0.55, 1.4), gradient=rng.uniform(0, 0.5), warm=rng.uniform(-0.1, 0.1))
        det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
        t = 0.0
        for _ in range(12):  # the lights change, nothing else (6 s: long enough for anything to settle)
            t0 = time.perf_counter()
            out = det.process(relight(scene.reference, **light), t=t)
            times.append(time.perf_counter() - t0)
            t += 0.5
        false_light += bool(out)
        y0, x0 = rng.integers(480, 620), rng.integers(300, 800)
        hand_false = []
        for i in range(12):  # a hand sweeping across
            f = relight(scene.reference, **light)
            cv2.ellipse(f, (int(x0 + 50 * i), int(y0)), (70, 40), 15, 0, 360, (120, 160, 215), -1)
            hand_false += [(i, d.label, [int(v) for v in d.box]) for d in det.process(f, t=t)]
            t += 0.5
        false_hand += bool(hand_false)
        if hand_false and args.verbose:
            print("hand", k, (x0, y0), hand_false[:3])
        at = (int(rng.integers(300, 1000)), int(rng.integers(450, 560)))
        frame, box = composite(scene.reference, skimage.data.coffee(), at, int(rng.integers(120, 220)), True)
        for _ in range(12):
            out = det.process(relight(frame, **light), t=t)
            t += 0.5
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        found += any(d.box[0] <= cx <= d.box[2] and d.box[1] <= cy <= d.box[3] for d in out)
    n = args.trials
    print(f"trials: {n} (1280x720, work width 640)")
    print(f"lighting change only -> any object reported: {false_light}/{n}")
    print(f"hand sweeping over the desk -> any object reported: {false_hand}/{n}")
    print(f"coffee cup composited under the same lighting -> found: {found}/{n}")
    print(f"time per frame: median {1000 * np.median(times):.1f} ms, p95 {1000 * np.percentile(times, 95):.1f} ms")


if __name__ == "__main__":
    main()
