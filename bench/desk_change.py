"""Desk change detector figures. Two modes:

    .venv/bin/python -m bench.desk_change [--trials 40]      # synthetic desks (no models)
    .venv/bin/python -m bench.desk_change eval SUITE --split heldout   # simulator clips, desk rules only

Synthetic: false objects under lighting changes and moving hands, recall of a composited coffee cup at
random places and lightings, and time per frame.

eval: gives each clip a clean-desk reference (`counterwatch calibrate sim-reference`), runs
`pipelines.evaluate.evaluate` with the desk stage on every analysed frame and the main eval profile,
and prints the desk rules' rows plus, per clip, the desk predictions next to the labels.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
import skimage.data

from tests.fixtures.desk import composite, desk_scene, relight
from vision.desk_change import DeskChangeDetector


def main() -> None:
    import sys

    if len(sys.argv) > 1 and sys.argv[1] == "eval":
        return eval_main(sys.argv[2:])
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


DESK_RULES = ("desk.allowed_items", "desk.displaced", "desk.personal_items", "desk.clutter", "desk.end_of_day",
              "item.unattended", "post.leave_secure", "phone.on_desk", "chair.reset")
# The desk rules need no profile of their own: `pipelines.evaluate` divides their policy durations by each
# clip's time_scale and runs the after-hours clips on their labelled wall clock. The harness uses the main
# eval's profile (pipelines/eval_sim.yaml), so its figures differ from `counterwatch eval` only by the
# frame rate and the desk cadence.
EVAL_PROFILE = Path(__file__).resolve().parents[1] / "pipelines" / "eval_sim.yaml"


def eval_main(argv: list[str]) -> None:
    import json

    from calibration.sim_reference import add_reference
    from pipelines.evaluate import evaluate, find_clips, load_overrides
    from pipelines.pipeline import PipelineSettings

    ap = argparse.ArgumentParser(prog="bench.desk_change eval")
    ap.add_argument("suite", type=Path)
    ap.add_argument("--split", default=None)
    ap.add_argument("--fps", type=float, default=2.0, help="analysed frames per clip second")
    ap.add_argument("--desk-every", type=int, default=1, help="analysed frames between desk runs")
    ap.add_argument("--refresh", action="store_true", help="re-run perception (after a detector change)")
    ap.add_argument("--json", type=Path, default=None, help="also write the full report here")
    args = ap.parse_args(argv)
    for d in find_clips(args.suite, args.split):
        add_reference(d)
    settings = PipelineSettings(desk_every=args.desk_every)
    report = evaluate(args.suite, args.split, args.fps, refresh=args.refresh, settings=settings,
                      overrides=load_overrides(EVAL_PROFILE),
                      on_clip=lambda d, c: print(f"  {d.name}{' (cached)' if c else ''}", flush=True))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"suite {args.suite} split={args.split} clips={report['clips']} fps={args.fps} desk_every={args.desk_every}")
    print("| rule | labels | predicted | TP | FP | FN | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|---|---|")

    def f(x):
        return "—" if x is None else f"{x:.2f}"

    for r in report["rules"]:
        if r["rule"] in DESK_RULES:
            print(f"| {r['rule']} | {r['labels']} | {r['predicted']} | {r['tp']} | {r['fp']} | {r['fn']} | "
                  f"{f(r['precision'])} | {f(r['recall'])} | {f(r['f1'])} |")
    for c in report["per_clip"]:
        lab = [(x["rule"], x["start"], x["end"]) for x in c["labels"] if x["rule"] in DESK_RULES]
        pred = [(x["rule"], x["start"], x["end"]) for x in c["predicted"] if x["rule"] in DESK_RULES]
        if lab or pred:
            print(f"{Path(c['clip']).name}: labels {lab} predicted {pred}")


if __name__ == "__main__":
    main()
