"""A learned 2D -> 3D reading of the guiding elbow (issue #7, session 29): fit and measure honestly.

The "simple baseline" idea (Martinez et al. 2017) at the size of one arm: from the pose's 2D joints (shoulders,
elbows, wrists, hips), their visibility and MediaPipe's world landmarks, a small model trained on the simulator's exact
joints predicts either
- `angle`: the elbow angle itself, or
- `depth`: each arm segment's out-of-image component, s = the sine of the segment's angle out of the plane
  perpendicular to the elbow's ray (+ away from the camera); the angle then follows exactly from s and the 2D joints
  (the segment lies in the plane through the camera centre and its two image points: `angle_from_depth`), so the
  model learns only the depth the image lacks, not the angle's prior.
Models: ridge regression and a one-hidden-layer MLP (numpy). Features: `features` (keypoints only) or with the
current estimator's cues (`--cues`).

Training data: bench/guide_lift_data.py's random-angle clips (continuous elbow 60-180 deg), perceived by `counterwatch
eval` (recorded streams). Measures (a) leave-one-body-out and leave-one-yaw-band-out on those clips, lifter against
`geometry.elbow_angle` (what the rule reads) and a constant (the training mean); (b) trained on all of them, the
guide frames of the given recorded tune clips, per view. Reads recorded streams only; never perceives.

    PYTHONPATH=. .venv/bin/python bench/guide_lift.py --train /work/scratch29_lift/train \
        --tune /work/suite27/tune /work/suite27/tune_wide /work/suite27/tune_side /work/suite27/tune_sweep
"""

from __future__ import annotations

import argparse
import json
import pickle
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench._guide_frames import guide_frames, to_model
from pipelines.elbow_lift import (
    JOINTS,
    RE,
    RS,
    RW,
    WEIGHTS,
    Lifter,
    angle_from_depth,
    cam_rays,
    features,
    lifter_agrees,
)
from pipelines.geometry import (
    CameraModel,
    elbow_angle,
    elbow_angle_2d,
    elbow_angle_on_plane,
    elbow_angle_relative_depth,
    elbow_angle_world,
    elbow_upper_roots,
    forearm_ratio,
)
from pipelines.rules.etiquette_guide import GuideParams, elbow_excess_px, elbow_joint_sigma_deg

BONES = ("upperarm01.R", "lowerarm01.R", "wrist.R")  # labels.json joints: the right shoulder, elbow, wrist
CUE_KEYS = ("ours", "d2", "lift", "third", "near", "far", "ratio")


def segment_depth(cam: CameraModel, uv_e: np.ndarray, p_e: np.ndarray, p_x: np.ndarray) -> float:
    """The true segment elbow -> x (camera-axes 3D points) as the sine of its angle out of the plane perpendicular to
    the elbow's ray (`uv_e`'s), + away from the camera."""
    d = cam_rays(cam, uv_e[None])[0]
    u = p_x - p_e
    return float(u @ d / np.linalg.norm(u))


def clip_rows(d: Path) -> list[dict[str, Any]]:
    rows = []
    for cam_l, o, clerk, fr in guide_frames(d):
        cam, pose = fr.cam, fr.pose
        if len(pose.world) < 33:
            continue
        arm = fr.arms.get("right") if fr.arms is not None else None
        uv = np.array([[pose.landmarks[i].x, pose.landmarks[i].y] for i in JOINTS], float)
        vis = np.array([pose.landmarks[i].visibility for i in JOINTS], float)
        world = np.array([pose.world[i] for i in JOINTS], float)
        # the skeleton's joints (the label is their bone angle; the keypoints make 163 for a straight 170, session 26)
        kp = [(to_model(clerk["joints_3d"][n]) - cam.C) @ cam.R.T for n in BONES]
        kp2 = np.array([clerk["joints_2d"][n][:2] for n in BONES], float)
        plane = elbow_angle_on_plane(pose, cam, "right")
        d2 = elbow_angle_2d(pose, "right")
        lift = elbow_angle_relative_depth(pose, "right")
        third = plane.value if plane is not None else elbow_angle_world(pose, "right")
        r: dict[str, Any] = {
            "clip": d.parent.name + "/" + d.name, "body": d.name.split("__")[1], "yaw": float(cam_l["yaw_deg"]),
            "view": "/".join(d.name.split("__")[2:]), "kind": d.name.split("__")[0], "t": o.t,
            "truth": float(clerk["right_elbow_angle"]), "ours": elbow_angle(pose, cam, "right", arm).value,
            # the rule's sigma of that reading: the cue's own spread and the elbow joint's expected misplacement
            "ours_sigma": float(np.hypot(elbow_angle(pose, cam, "right", arm).sigma,
                                         elbow_joint_sigma_deg(fr, elbow_excess_px(fr)))),
            "d2": d2, "lift": d2 if lift is None else lift, "third": d2 if third is None else third,
            # the true segments' out-of-image sines at the pose's elbow ray and at the labelled joint's
            "s_upper": segment_depth(cam, uv[RE], kp[1], kp[0]), "s_fore": segment_depth(cam, uv[RE], kp[1], kp[2]),
            "s_upper_j": segment_depth(cam, kp2[1], kp[1], kp[0]), "s_fore_j": segment_depth(cam, kp2[1], kp[1], kp[2]),
            "uv": uv, "vis": vis, "world": world, "cam": cam, "kp2": kp2,
        }
        roots = elbow_upper_roots(pose, cam, arm, "right") if arm is not None else None
        r["near"], r["far"] = (d2, d2) if roots is None else roots
        r["ratio"] = forearm_ratio(pose, cam, arm, "right") if arm is not None else 1.0
        r["x"] = features(uv, vis, world, cam)
        rows.append(r)
    return rows


def load(dirs: list[Path], cache: Path | None) -> list[dict[str, Any]]:
    """The rows of every perceived clip in `dirs`, each tagged `src` (its training dir); `cache`: a pickle file of
    them all, or a directory holding one pickle per training dir (named after the dir's path)."""
    if cache is not None and cache.is_dir():
        return [r for d in dirs for r in load([d], cache / (str(d.resolve()).strip("/").replace("/", "_") + ".pkl"))]
    if cache is not None and cache.exists():
        return pickle.loads(cache.read_bytes())
    rows = []
    for d in dirs:
        for c in sorted(c for c in d.iterdir() if (c / "observations.jsonl").exists()):
            rows += [dict(r, src=str(d)) for r in clip_rows(c)]
    if cache is not None:
        cache.write_bytes(pickle.dumps(rows))
    return rows


# ----------------------------------------------------------------------------------------------------- models

class Ridge:
    def __init__(self, lam: float = 1.0) -> None:
        self.lam = lam

    def fit(self, x: np.ndarray, y: np.ndarray) -> Ridge:
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-6
        self.ym = y.mean(0)
        z = (x - self.mu) / self.sd
        self.w = np.linalg.solve(z.T @ z + self.lam * np.eye(z.shape[1]), z.T @ (y - self.ym))
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mu) / self.sd) @ self.w + self.ym


class MLP:
    """One hidden tanh layer, full-batch Adam with weight decay; inputs and targets standardised."""

    def __init__(self, hidden: int = 32, wd: float = 1e-3, epochs: int = 1500, lr: float = 1e-2, seed: int = 0):
        self.hidden, self.wd, self.epochs, self.lr, self.seed = hidden, wd, epochs, lr, seed

    def fit(self, x: np.ndarray, y: np.ndarray) -> MLP:
        rng = np.random.default_rng(self.seed)
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-6
        y = y.reshape(len(y), -1)
        self.ym, self.ys = y.mean(0), y.std(0) + 1e-6
        z, t = (x - self.mu) / self.sd, (y - self.ym) / self.ys
        n, k = z.shape
        p = [rng.normal(0, 1 / np.sqrt(k), (k, self.hidden)), np.zeros(self.hidden),
             rng.normal(0, 1 / np.sqrt(self.hidden), (self.hidden, t.shape[1])), np.zeros(t.shape[1])]
        m = [np.zeros_like(a) for a in p]
        v = [np.zeros_like(a) for a in p]
        for it in range(1, self.epochs + 1):
            h = np.tanh(z @ p[0] + p[1])
            out = h @ p[2] + p[3]
            g_out = 2 * (out - t) / n
            g2 = h.T @ g_out + self.wd * p[2]
            g3 = g_out.sum(0)
            gh = (g_out @ p[2].T) * (1 - h * h)
            g0 = z.T @ gh + self.wd * p[0]
            g1 = gh.sum(0)
            for j, g in enumerate((g0, g1, g2, g3)):
                m[j] = 0.9 * m[j] + 0.1 * g
                v[j] = 0.999 * v[j] + 0.001 * g * g
                p[j] -= self.lr * (m[j] / (1 - 0.9 ** it)) / (np.sqrt(v[j] / (1 - 0.999 ** it)) + 1e-8)
        self.p = p
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mu) / self.sd
        out = np.tanh(z @ self.p[0] + self.p[1]) @ self.p[2] + self.p[3]
        out = out * self.ys + self.ym
        return out[:, 0] if out.shape[1] == 1 else out


def design(rows: list[dict[str, Any]], cues: bool) -> np.ndarray:
    x = np.array([r["x"] for r in rows])
    if cues:
        c = np.array([[r[k] for k in CUE_KEYS] for r in rows], float)
        c[:, :-1] = np.cos(np.radians(c[:, :-1]))
        x = np.hstack([x, c])
    return x


def predict_angles(model: Any, rows: list[dict[str, Any]], target: str, cues: bool) -> np.ndarray:
    y = model.predict(design(rows, cues))
    if target == "angle":
        return np.clip(y, 0.0, 180.0)
    return np.array([angle_from_depth(r["cam"], r["uv"][[RS, RE, RW]], s[0], s[1])
                     for r, s in zip(rows, y, strict=True)])


def targets(rows: list[dict[str, Any]], target: str) -> np.ndarray:
    if target == "angle":
        return np.array([r["truth"] for r in rows])
    return np.array([[r["s_upper"], r["s_fore"]] for r in rows])


VARIANTS = {  # name -> (model factory, target, with the estimator's cues); "ens" = mean of ridge-angle, mlp16-depth
    "ridge-angle": (lambda: Ridge(10.0), "angle", False),
    "ridge-depth": (lambda: Ridge(10.0), "depth", False),
    "mlp-angle": (lambda: MLP(), "angle", False),
    "mlp-depth": (lambda: MLP(), "depth", False),
    "mlp-depth+cues": (lambda: MLP(), "depth", True),
    "mlp-angle+cues": (lambda: MLP(), "angle", True),
    "mlp16-depth": (lambda: MLP(16, 1e-2, 800), "depth", False),
    "mlp16-angle": (lambda: MLP(16, 1e-2, 800), "angle", False),
}
ENS = ("ridge-angle", "mlp16-depth")


def hold_key(r: dict[str, Any]) -> tuple[str, float]:
    """A hold: a clip's consecutive frames at one labelled angle (a tune guide clip holds one)."""
    return r["clip"], round(r["truth"], 1)


def gated(rows: list[dict[str, Any]], pred: np.ndarray, sigma: float) -> np.ndarray:
    """What guide.gesture reads with `elbow_lifter` (session 29, elbow2): per hold, the lifter's frames where its
    median agrees with the cue median's within their combined sigma (`elbow_lift.lifter_agrees`), else the cue's."""
    return gated_by(rows, pred, sigma)


GATE: dict[str, Any] = {"sigma": None, "k": None, "shipped": WEIGHTS}  # gated's lifter sigma / agreement (None:
# the shipped weights' / the rule's); the shipped weights' file


def shipped(rows: list[dict[str, Any]]) -> np.ndarray:
    """The shipped weights' (pipelines/elbow_lift.json) reading of each row, as `Lifter.angle`."""
    lf = Lifter(json.loads(GATE["shipped"].read_text()))
    x = design(rows, False)
    s = lf.mlp_depth(x)
    return 0.5 * (lf.ridge_angle(x) + np.array([angle_from_depth(r["cam"], r["uv"][[RS, RE, RW]], a, b)
                                                for r, (a, b) in zip(rows, s, strict=True)]))


def fit_predict(name: str, tr: list[dict[str, Any]], te: list[dict[str, Any]]) -> np.ndarray:
    if name == "shipped":
        return shipped(te)
    if name == "shipped-gated":
        return gated_by(te, shipped(te), Lifter(json.loads(GATE["shipped"].read_text())).sigma_deg, GATE["k"])
    if name == "gated":  # the ensemble as the rule reads it, with the shipped sigma (or --gate-sigma / --gate-k)
        return gated_by(te, fit_predict("ens", tr, te), GATE["sigma"] or float(json.loads(WEIGHTS.read_text())[
            "sigma_deg"]), GATE["k"])
    if name == "ens":
        return 0.5 * (fit_predict(ENS[0], tr, te) + fit_predict(ENS[1], tr, te))
    factory, target, cues = VARIANTS[name]
    m = factory().fit(design(tr, cues), targets(tr, target))
    return predict_angles(m, te, target, cues)


def mae(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(a) - np.asarray(b)))) if len(a) else float("nan")


def crossval(rows: list[dict[str, Any]], key: str, variants: list[str]) -> None:
    groups = sorted({r[key] for r in rows})
    print(f"\n(a) leave-one-{key}-out on the random-angle clips (MAE deg; n frames; truth range)")
    cols = ["const", "ours", "d2", *variants]
    print(f"{'held out':18s} {'n':>5} " + " ".join(f"{c:>14s}" for c in cols))
    tot: dict[str, list[float]] = defaultdict(list)
    for g in groups:
        tr = [r for r in rows if r[key] != g]
        te = [r for r in rows if r[key] == g]
        truth = np.array([r["truth"] for r in te])
        res = {"const": mae(np.full(len(te), np.mean([r["truth"] for r in tr])), truth),
               "ours": mae([r["ours"] for r in te], truth), "d2": mae([r["d2"] for r in te], truth)}
        for v in variants:
            res[v] = mae(fit_predict(v, tr, te), truth)
        for c in cols:
            tot[c] += [res[c]] * len(te)
        print(f"{g:18s} {len(te):5d} " + " ".join(f"{res[c]:14.1f}" for c in cols), flush=True)
    print(f"{'all (frame-weighted)':18s} {len(rows):5d} " + " ".join(f"{np.mean(tot[c]):14.1f}" for c in cols))


def gated_by(rows: list[dict[str, Any]], pred: np.ndarray, sigma: float, k: float | None = None) -> np.ndarray:
    """`gated` with a given lifter sigma and agreement (k sigmas; default the rule's)."""
    out = np.array([r["ours"] for r in rows], float)
    holds: dict[tuple[str, float], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        holds[hold_key(r)].append(i)
    k = GuideParams().elbow_lifter_agree_sigmas if k is None else k
    for idx in holds.values():
        if lifter_agrees(float(np.median(pred[idx])), float(np.median(out[idx])),
                         float(np.median([rows[i]["ours_sigma"] for i in idx])), sigma, k):
            out[idx] = pred[idx]
    return out


def compare(rows: list[dict[str, Any]], base: set[str], ks: list[float]) -> None:
    """The shipped recipe (the ensemble fitted on the `base` training dirs' rows only) against the same ensemble
    fitted on every training row, on the SAME folds (leave-one-body-out, leave-one-yaw-band-out: each fold's test rows
    are every row of the held-out body / band, from every dir); lifter alone and gated (each with its own sigma: the
    shipped one, and the RMS of the new fit's hold-median errors leave-one-body-out, as `save` writes). Test rows
    reported for every dir and for the base dirs alone."""
    shipped_sigma = float(json.loads(WEIGHTS.read_text())["sigma_deg"])
    truth = np.array([r["truth"] for r in rows])
    ours = np.array([r["ours"] for r in rows])
    for key in ("body", "band"):
        old, new = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
        for g in sorted({r[key] for r in rows}):
            te = [i for i, r in enumerate(rows) if r[key] == g]
            trs = [r for r in rows if r[key] != g]
            old[te] = fit_predict("ens", [r for r in trs if r["src"] in base], [rows[i] for i in te])
            new[te] = fit_predict("ens", trs, [rows[i] for i in te])
        if key == "body":
            sig_new = float(np.sqrt(np.mean(np.square(hold_errors(rows, new)))))
            print(f"\nnew fit's sigma (hold medians, leave-one-body-out, every dir): {sig_new:.2f} "
                  f"(shipped {shipped_sigma:.2f}; old recipe on these folds "
                  f"{np.sqrt(np.mean(np.square(hold_errors(rows, old)))):.2f})")
        preds = {"ours": ours, "old": old, "new": new}
        for k in ks:
            preds[f"old-g{k:g}"] = gated_by(rows, old, shipped_sigma, k)
            preds[f"new-g{k:g}"] = gated_by(rows, new, sig_new, k)
        cols = list(preds)
        subsets = [("every dir", lambda r: True), ("base dirs", lambda r: r["src"] in base)]
        subsets += [(src, lambda r, src=src: r["src"] == src) for src in sorted({r["src"] for r in rows} - base)]
        for subset, keep in subsets:
            print(f"\n(c) leave-one-{key}-out, test rows of {subset} (MAE deg): old = the shipped recipe, new = "
                  "refit on every dir; -gK: gated at K sigmas")
            print(f"{'held out':12s} {'n':>5} " + " ".join(f"{c:>9s}" for c in cols))
            sel = np.array([keep(r) for r in rows])
            for g in [*sorted({r[key] for r in rows}), "all"]:
                m = sel & (np.array([r[key] == g for r in rows]) if g != "all" else True)
                if m.sum():
                    print(f"{g:12s} {int(m.sum()):5d} " + " ".join(f"{mae(preds[c][m], truth[m]):9.1f}" for c in cols))
            for lo, hi in ((60, 90), (105, 135), (155, 181)):
                m = sel & (truth >= lo) & (truth < hi)
                if m.sum():
                    print(f"{f'truth {lo}-{hi}':12s} {int(m.sum()):5d} "
                          + " ".join(f"{np.mean(preds[c][m] - truth[m]):+9.1f}" for c in cols) + "  (signed)")


def band(yaw: float) -> str:
    from bench.guide_lift_data import yaw_band

    return yaw_band(yaw)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=Path, nargs="+", required=True)
    ap.add_argument("--tune", type=Path, nargs="*", default=[])
    ap.add_argument("--variants", default="ridge-angle,ridge-depth,mlp16-angle,mlp16-depth,ens,gated")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the training rows (dir/train_rows.pkl)")
    ap.add_argument("--no-cv", action="store_true")
    ap.add_argument("--base", type=Path, nargs="*", default=[],
                    help="the shipped weights' training dirs: compare their recipe with a refit on every --train dir")
    ap.add_argument("--trained", default="bench/guide_lift_data.py --n 400 --seed 29: tune bodies, scratch yaws, "
                    "elbow uniform 60-180", help="--save: how the training clips were made (the JSON's `trained`)")
    ap.add_argument("--shipped", type=Path, default=WEIGHTS, help="the weights of the variants shipped, shipped-gated")
    ap.add_argument("--gate-sigma", type=float, default=None, help="gated's lifter sigma (default the shipped)")
    ap.add_argument("--gate-k", type=float, default=None,
                    help="gated's and shipped-gated's agreement sigmas (default the rule's)")
    ap.add_argument("--agree", default="1", help="comma-separated agreement sigmas for --base's gated columns")
    ap.add_argument("--save", type=Path, default=None,
                    help="write the ensemble's weights (JSON: pipelines/elbow_lift.json for the rule's elbow_lifter)")
    args = ap.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    GATE.update(sigma=args.gate_sigma, k=args.gate_k, shipped=args.shipped)
    rows = load(args.train, args.cache)
    for r in rows:
        r["band"] = band(r["yaw"])
    truth = np.array([r["truth"] for r in rows])
    print(f"training rows: {len(rows)} frames of {len({r['clip'] for r in rows})} clips; truth {truth.min():.0f}-"
          f"{truth.max():.0f}, mean {truth.mean():.1f}")
    # the depth representation's own floor: the true sines through the pose's 2D joints / the labelled 2D joints
    oracle = [angle_from_depth(r["cam"], r["uv"][[RS, RE, RW]], r["s_upper"], r["s_fore"]) for r in rows]
    oracle_kp = [angle_from_depth(r["cam"], r["kp2"], r["s_upper_j"], r["s_fore_j"]) for r in rows]
    print(f"floor: true depths + pose 2D joints {mae(oracle, truth):.1f}; true depths + the skeleton's 2D joints "
          f"{mae(oracle_kp, truth):.1f}")
    if args.base:
        compare(rows, {str(d) for d in args.base}, [float(k) for k in args.agree.split(",")])
    if not args.no_cv:
        crossval(rows, "body", variants)
        crossval(rows, "band", variants)
    if args.tune:
        tune = [r for d in args.tune for c in sorted(d.glob("guide_*")) for r in clip_rows(c)]
        print(f"\n(b) trained on all {len(rows)} random-angle frames; the tune splits' guide frames per view (MAE deg)")
        cols = ["ours", "d2", *variants]
        preds = {"ours": np.array([r["ours"] for r in tune]), "d2": np.array([r["d2"] for r in tune])}
        for v in variants:
            preds[v] = fit_predict(v, rows, tune)
        by_view: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(tune):
            by_view[f"{r['clip'].split('/')[0]} {r['view']}"].append(i)
        print(f"{'split view':34s} {'n':>4} " + " ".join(f"{c:>14s}" for c in cols))
        t = np.array([r["truth"] for r in tune])
        for view, idx in sorted(by_view.items()):
            print(f"{view:34s} {len(idx):4d} " + " ".join(f"{mae(preds[c][idx], t[idx]):14.1f}" for c in cols))
        print(f"{'all':34s} {len(tune):4d} " + " ".join(f"{mae(preds[c], t):14.1f}" for c in cols))
        preds["const"] = np.full(len(tune), float(np.mean([r["truth"] for r in rows])))
        print(f"{'(const: the training mean)':34s} {len(tune):4d} {mae(preds['const'], t):14.1f}")
        # what the rule judges: the median over each guide's hold, within 120 +- 15 or not (no sigma, no unknown)
        clips: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(tune):
            clips[r["clip"]].append(i)
        print("per clip, the hold's median within 120 +- 15 as labelled (compliant: inside; straight arm 170: "
              "outside); mean |error| of the clips' medians:")
        for c in ["const", *cols]:
            right = [(abs(float(np.median(preds[c][idx])) - 120) <= 15) == (float(t[idx[0]]) < 150)
                     for idx in clips.values()]
            errs = [abs(float(np.median(preds[c][idx])) - float(np.median(t[idx]))) for idx in clips.values()]
            wrong = [abs(float(np.median(preds[c][idx])) - 120) > 15 for k, idx in clips.items() if t[idx[0]] >= 150]
            print(f"  {c:16s} right {sum(right):3d} / {len(right)} (straight arm read outside: {sum(wrong)} / "
                  f"{len(wrong)}); clip-median error {np.mean(errs):.1f}")
        kinds: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(tune):
            kinds[r["kind"]].append(i)
        print("by kind (MAE; signed mean):")
        for k, idx in sorted(kinds.items()):
            print(f"  {k:18s} {len(idx):4d} " + " ".join(
                f"{c}={mae(preds[c][idx], t[idx]):.1f}/{np.mean(preds[c][idx] - t[idx]):+.1f}" for c in cols))
    if args.save:
        save(rows, args.save, args.trained)


def hold_errors(rows: list[dict[str, Any]], pred: np.ndarray) -> list[float]:
    """The error of each hold's median (consecutive frames of a clip at one labelled angle: what the rule medians)."""
    holds: dict[tuple[str, float], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        holds[(r["clip"], round(r["truth"], 1))].append(i)
    return [float(np.median(pred[i]) - rows[i[0]]["truth"]) for i in holds.values() if len(i) >= 3]


def save(rows: list[dict[str, Any]], path: Path, how: str) -> None:
    """Fit the ensemble on every row and write its weights (JSON); its sigma is the RMS error of the hold medians in
    leave-one-body-out (views seen in training, the body not: as on a counter whose view the training covers), the
    leave-one-yaw-band-out figure beside it."""
    sig = {}
    for key in ("body", "band"):
        errs = []
        for g in sorted({r[key] for r in rows}):
            te = [r for r in rows if r[key] == g]
            errs += hold_errors(te, fit_predict("ens", [r for r in rows if r[key] != g], te))
        sig[key] = (float(np.sqrt(np.mean(np.square(errs)))), len(errs))
    rg = VARIANTS["ridge-angle"][0]().fit(design(rows, False), targets(rows, "angle"))
    ml = VARIANTS["mlp16-depth"][0]().fit(design(rows, False), targets(rows, "depth"))
    r6 = lambda a: np.round(np.asarray(a, float), 6).tolist()  # noqa: E731
    out = {
        "trained": f"bench/guide_lift.py on {len(rows)} frames of {len({r['clip'] for r in rows})} clips "
                   f"({how}); sigma_deg: RMS of {sig['body'][1]} hold medians' errors, leave-one-body-out",
        "sigma_deg": round(sig["body"][0], 2), "sigma_band_out_deg": round(sig["band"][0], 2),
        "ridge_angle": {"mu": r6(rg.mu), "sd": r6(rg.sd), "w": r6(rg.w), "ym": float(rg.ym), "lam": rg.lam},
        "mlp_depth": {"mu": r6(ml.mu), "sd": r6(ml.sd), "ym": r6(ml.ym), "ys": r6(ml.ys), "p": [r6(a) for a in ml.p],
                      "hidden": ml.hidden, "wd": ml.wd, "epochs": ml.epochs},
    }
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {path}: hold-median sigma {sig['body'][0]:.1f} deg (leave-one-body-out), {sig['band'][0]:.1f} "
          "(leave-one-yaw-band-out)")


if __name__ == "__main__":
    main()
