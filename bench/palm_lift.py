"""A learned palm-up reading for guide.gesture against today's hand-built one (issue #7, session 29): fit and measure.

Per frame of the clerk's right hand on a guide interval (the hand `clerk_hand` pairs with the right wrist, as the eval
and the rule match it), a small model reads the true palm normal's up component (the simulator's, world z) from:
the hand model's 21 image landmarks (wrist -> landmark vectors with `geometry.hand_vector`'s depth scale and ray slope,
over the palm span, turned into the world axes by the camera: x lateral, y up, z forward) and its 21 world landmarks
(the same way, over their palm span), MediaPipe's handedness label (+1 Right, -1 Left) and score, the image normal as
the Right convention gives it (`palm_normal_image` unflipped) and its up component, the fingers' curl, the pose's right
forearm (world axes, the clerk's) and the wrist's visibility, the camera's pitch, and today's reading (`PalmSigns`, as
etiquette_eval computes `palm_ours`; 0 with a flag when it gives none). No yaw, no body, no scene label.
Models: bench/guide_lift.py's ridge and one-hidden-layer numpy MLPs, regressing the up component; palm up is that
above 0.5 (the simulator's `palm_label`, which the eval's palm_true is).

Training data: bench/guide_lift_data.py's random guiding arms, both the elbow study's 400 clips (palm exactly up or
down about the forearm) and `--palm-roll` clips (the palm rolled -180..180 deg about the forearm), perceived by
`counterwatch eval` (recorded streams). Measures (a) leave-one-body-out and leave-one-yaw-band-out on those clips:
palm-up F1 and the up component's MAE, learned vs today's (`ours`: F1 at the eval's palm_up_min 0.7, MAE where it
reads) vs trivial predictors (`const`: F1 of calling every palm up, MAE of the training mean); (b) trained on all
of them, the tune splits' guide frames per view.
Reads recorded streams only; never perceives.

    PYTHONPATH=. .venv/bin/python bench/palm_lift.py --train /work/scratch29_lift/train /work/scratch29_palm/train \
        --tune /work/suite27/tune /work/suite27/tune_wide /work/suite27/tune_side /work/suite27/tune_sweep
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench.guide_lift import MLP, Ridge
from bench.guide_lift_data import yaw_band
from bench.palm_frames import clip_rows
from pipelines.etiquette_eval import PALM_UP_MIN, binary
from pipelines.palm_lift import PalmLifter, features
from pipelines.rules.etiquette_common import Frame
from vision.results import HandResult

TRUE_UP = 0.5  # simulator.pose.palm_label: "up" above this


def row_inputs(hand: HandResult, fr: Frame, side: str, held: float | None) -> dict[str, Any]:
    """`palm_frames.clip_rows`'s `extra` hook: the model's inputs (`palm_lift.features`) and today's reading."""
    ok = held is not None and math.isfinite(held)
    return {"x": features(hand, fr.pose, fr.cam, fr.world, side), "x_ours": [held if ok else 0.0, float(ok)]}


def keep(r: dict[str, Any], every_hand: bool) -> bool:
    """The frames a model reads: the right hand on guide intervals, or (`--every-hand`) every clerk hand frame."""
    return every_hand or (r["side"] == "right" and r["guide"])


def load(dirs: list[Path], cache: Path | None, every_hand: bool = False) -> list[dict[str, Any]]:
    """The rows of every clip under `dirs`; `cache`: a pickle of them, or (an existing directory) one pickle per
    directory in it (so a new training directory reads only its own clips)."""
    if cache is not None and cache.is_dir():
        out = []
        for d in dirs:
            out += load([d], cache / f"{d.parent.name}_{d.name}{'_every' if every_hand else ''}.pkl", every_hand)
        return out
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    clips = sorted(c for d in dirs for c in d.iterdir() if (c / "observations.jsonl").exists())
    rows = [r for c in clips for r in clip_rows(c, row_inputs) if keep(r, every_hand)]
    for r in rows:
        for k in ("lm", "world", "cam"):
            r.pop(k)
        r["body"] = r["clip"].split("__")[1]
        r["band"] = yaw_band(r["yaw"])
    if cache is not None:
        cache.write_bytes(pickle.dumps(rows))
    return rows


class Ensemble:
    """The mean of `n` models from `factory(seed)` (the MLP's spread over seeds is as large as the differences
    between views: session 29 palm2)."""

    def __init__(self, factory: Any, n: int = 5) -> None:
        self.models = [factory(seed) for seed in range(n)]

    def fit(self, x: np.ndarray, y: np.ndarray) -> Ensemble:
        for m in self.models:
            m.fit(x, y)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.mean([m.predict(x) for m in self.models], axis=0)


VARIANTS = {  # name -> (model factory, with today's reading among the inputs)
    "ridge": (lambda: Ridge(10.0), False),
    "mlp16": (lambda: MLP(16, 1e-2, 800), False),
    "mlp32": (lambda: MLP(32, 1e-3, 1500), False),
    "mlp16+ours": (lambda: MLP(16, 1e-2, 800), True),
    "mlp16x5": (lambda: Ensemble(lambda k: MLP(16, 1e-2, 800, seed=k)), False),
    "mlp16x5+ours": (lambda: Ensemble(lambda k: MLP(16, 1e-2, 800, seed=k)), True),
}


def design(rows: list[dict[str, Any]], with_ours: bool) -> np.ndarray:
    x = np.array([r["x"] for r in rows])
    return np.hstack([x, np.array([r["x_ours"] for r in rows])]) if with_ours else x


def fit_predict(name: str, tr: list[dict[str, Any]], te: list[dict[str, Any]]) -> np.ndarray:
    factory, with_ours = VARIANTS[name]
    m = factory().fit(design(tr, with_ours), np.array([r["true_z"] for r in tr]))
    return np.clip(m.predict(design(te, with_ours)), -1.0, 1.0)


def ours(rows: list[dict[str, Any]]) -> np.ndarray:
    return np.array([np.nan if r["score"] is None else r["score"] for r in rows], float)


def scores(pred: np.ndarray, truth: np.ndarray, thr: float) -> tuple[float, float, int, int]:
    """(palm-up F1 with `pred >= thr`, no reading = not up; MAE of the up component where read; frames read;
    false ups on palms facing down (true up component below -0.5: a hand resting or typing on the desk))."""
    up = [bool(p >= thr) for p in pred]
    f1 = binary(up, [bool(t > TRUE_UP) for t in truth]).f1
    ok = np.isfinite(pred)
    down_fp = int(sum(u and t < -TRUE_UP for u, t in zip(up, truth, strict=True)))
    return f1, float(np.mean(np.abs(pred[ok] - truth[ok]))) if ok.any() else float("nan"), int(ok.sum()), down_fp


def table(groups: dict[str, list[int]], rows: list[dict[str, Any]], preds: dict[str, np.ndarray]) -> None:
    """Per group: frames, true ups, true downs, and per predictor palm-up F1 / MAE / false ups on palms down."""
    cols = list(preds)
    print(f"{'':34s} {'n':>5} {'up':>4} {'down':>4} " + " ".join(f"{c + ' F1/MAE/FPd':>20s}" for c in cols))
    truth = np.array([r["true_z"] for r in rows])
    for g, idx in [*sorted(groups.items()), ("all", list(range(len(rows))))]:
        cells = []
        for c in cols:
            thr = {"ours": PALM_UP_MIN, "const": -np.inf}.get(c, TRUE_UP)  # const: F1 of "always up"
            thr = float(c.split("@")[1]) if "@" in c else thr  # a learned reading at another bar
            f1, err, _, fpd = scores(preds[c][idx], truth[idx], thr)
            cells.append(f"{f1:6.2f}/{err:5.2f}/{fpd:5d}")
        print(f"{g:34s} {len(idx):5d} {int(np.sum(truth[idx] > TRUE_UP)):4d} {int(np.sum(truth[idx] < -TRUE_UP)):4d} "
              + " ".join(f"{c:>20s}" for c in cells))


def at_bars(preds: dict[str, np.ndarray], variants: list[str], bars: list[float]) -> dict[str, np.ndarray]:
    """`preds` with each variant also read at the other bars (`--also-up-min`: columns named VARIANT@BAR)."""
    return {**preds, **{f"{v}@{b:g}": preds[v] for v in variants for b in bars}}


def crossval(rows: list[dict[str, Any]], key: str, variants: list[str], bars: list[float] = ()) -> None:
    print(f"\n(a) leave-one-{key}-out on the random-arm clips: palm-up F1 / MAE of the up component "
          f"(ours: F1 at >= {PALM_UP_MIN}, MAE where it reads; the others at >= {TRUE_UP})")
    preds = {"const": np.zeros(len(rows)), "ours": ours(rows), **{v: np.zeros(len(rows)) for v in variants}}
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r[key]].append(i)
    for _g, idx in groups.items():
        s = set(idx)
        tr = [r for i, r in enumerate(rows) if i not in s]
        te = [rows[i] for i in idx]
        preds["const"][idx] = np.mean([r["true_z"] for r in tr])
        for v in variants:
            preds[v][idx] = fit_predict(v, tr, te)
    preds = at_bars(preds, variants, list(bars))
    table(groups, rows, preds)
    by_source: dict[str, list[int]] = defaultdict(list)  # the palm exactly up / down, or rolled about the forearm
    for i, r in enumerate(rows):
        src = "rolled palms" if r["clip"].startswith("palm_") else "palms up / down"
        by_source["everyday poses" if r["clip"].startswith("ev_") else f"{src} ({r['side']} hand)"].append(i)
    table(by_source, rows, preds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=Path, nargs="+", required=True)
    ap.add_argument("--tune", type=Path, nargs="*", default=[])
    ap.add_argument("--variants", default="ridge,mlp16,mlp32")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the training rows")
    ap.add_argument("--tune-cache", type=Path, default=None, help="pickle of the tune rows")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--also-up-min", type=float, nargs="*", default=[],
                    help="also read each learned variant as up at these bars (columns VARIANT@BAR; default 0.5)")
    ap.add_argument("--every-hand", action="store_true",
                    help="every clerk hand frame (both hands, the left mirrored; palm_up_f1's frames and truth), not "
                         "only the right hand on guide intervals; tune: every clip")
    ap.add_argument("--save", type=Path, default=None,
                    help="fit SAVED on every training row and write its weights (pipelines/palm_lift.json)")
    args = ap.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    rows = load(args.train, args.cache, args.every_hand)
    z = np.array([r["true_z"] for r in rows])
    what = "clerk hand frames (both hands)" if args.every_hand else "right-hand guide frames"
    print(f"training rows: {len(rows)} {what} of {len({r['clip'] for r in rows})} clips; true up "
          f"component histogram (-1..1 by 0.25): {np.histogram(z, np.linspace(-1, 1, 9))[0].tolist()}")
    if not args.no_cv:
        crossval(rows, "body", variants, args.also_up_min)
        crossval(rows, "band", variants, args.also_up_min)
    if args.tune:
        if args.tune_cache is not None and args.tune_cache.exists():
            tune = pickle.loads(args.tune_cache.read_bytes())
        else:
            tune = [r for d in args.tune for c in sorted(d.glob("*" if args.every_hand else "guide_*"))
                    if (c / "labels.json").exists() for r in clip_rows(c, row_inputs) if keep(r, args.every_hand)]
            for r in tune:
                for k in ("lm", "world", "cam"):
                    r.pop(k)
            if args.tune_cache is not None:
                args.tune_cache.write_bytes(pickle.dumps(tune))
        print(f"\n(b) trained on all {len(rows)} training frames; the tune splits' "
              f"{'every clerk hand frame' if args.every_hand else 'guide frames (right hand, guide intervals)'} "
              "per view: palm-up F1 / MAE of the up component / false ups on palms down")
        preds = {"const": np.full(len(tune), float(z.mean())), "ours": ours(tune),
                 **{v: fit_predict(v, rows, tune) for v in variants}}
        preds = at_bars(preds, variants, args.also_up_min)
        groups: dict[str, list[int]] = defaultdict(list)
        kinds: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(tune):
            groups[f"{r['split']} {r['view']}"].append(i)
            kinds[r["clip"].split("__")[0]].append(i)
        table(groups, tune, preds)
        print("\nby kind:")
        table(kinds, tune, preds)
        if args.every_hand:
            print("\nby hand:")
            table({s: [i for i, r in enumerate(tune) if r["side"] == s] for s in ("left", "right")}, tune, preds)
    if args.save:
        save(rows, args.save)


SAVED = "mlp16"


def save(rows: list[dict[str, Any]], path: Path) -> None:
    """Fit `SAVED` on every training row and write its weights (JSON) for `palm_lift.PalmLifter`."""
    factory, with_ours = VARIANTS[SAVED]
    assert not with_ours, "the rule's reading stands alone"
    m = factory().fit(design(rows, False), np.array([r["true_z"] for r in rows]))
    r6 = lambda a: np.round(np.asarray(a, float), 6).tolist()  # noqa: E731
    out = {
        "trained": f"bench/palm_lift.py ({SAVED}) on {len(rows)} right-hand guide frames of "
                   f"{len({r['clip'] for r in rows})} random-arm clips (bench/guide_lift_data.py --n 400 --seed 29, "
                   "palms up / down; --palm-roll --n 200 --seed 291, palms rolled -180..180 deg about the forearm)",
        "mu": r6(m.mu), "sd": r6(m.sd), "ym": r6(m.ym), "ys": r6(m.ys), "p": [r6(a) for a in m.p],
        "hidden": m.hidden, "wd": m.wd, "epochs": m.epochs,
    }
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    check = PalmLifter(json.loads(path.read_text())).predict(design(rows[:50], False))
    print(f"wrote {path} ({path.stat().st_size} bytes); reload max diff "
          f"{float(np.max(np.abs(check - np.clip(m.predict(design(rows[:50], False)), -1, 1)))):.2e}")


if __name__ == "__main__":
    main()
