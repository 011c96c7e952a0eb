"""Etiquette accuracy metrics from exact labels: angle MAE, 15/30/45 classification, pass/fail, F1.

Pure functions over (predicted, labelled) pairs, used by bench/etiquette_accuracy.py and by any
`counterwatch eval` that has per-frame angle labels (the simulator's labels.json).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipelines.rules.etiquette_common import classify_bow
from pipelines.rules.etiquette_guide import GuideParams


def mae(pred: Sequence[float | None], truth: Sequence[float]) -> tuple[float, int, int]:
    """(mean absolute error over the frames that have a prediction, frames used, frames missed)."""
    pairs = [(p, t) for p, t in zip(pred, truth, strict=True) if p is not None and math.isfinite(p)]
    if not pairs:
        return float("nan"), 0, len(truth)
    return sum(abs(p - t) for p, t in pairs) / len(pairs), len(pairs), len(truth) - len(pairs)


def bow_class_accuracy(peaks: Sequence[float | None], truth_deg: Sequence[float], tolerance: float) -> float:
    """Share of bows whose measured peak falls in the labelled class (15/30/45 +- tolerance)."""
    if not truth_deg:
        return float("nan")
    ok = sum(p is not None and classify_bow(p, tolerance) == classify_bow(t, tolerance)
             for p, t in zip(peaks, truth_deg, strict=True))
    return ok / len(truth_deg)


@dataclass(frozen=True)
class Binary:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def accuracy(self) -> float:
        n = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / n if n else float("nan")

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else float("nan")


def binary(pred: Iterable[bool], truth: Iterable[bool]) -> Binary:
    tp = fp = fn = tn = 0
    for p, t in zip(pred, truth, strict=True):
        tp += p and t
        fp += p and not t
        fn += t and not p
        tn += not p and not t
    return Binary(tp, fp, fn, tn)


# ------------------------------------------------------------------------- counterwatch eval: per clip

ETIQUETTE_RULES = ("bow.angle", "guide.gesture", "greet.raise_hand", "point.one_finger", "handover.two_hands",
                   "stand.for_visitor")
# the rules' own default thresholds, so the per-frame figures judge what the rules judge
PALM_UP_MIN = GuideParams.model_fields["palm_up_min"].default
TOGETHER_MIN = GuideParams.model_fields["fingers_together_min"].default
SPREAD_TOGETHER_DEG = 8.0  # labelled mean angle between adjacent fingers at or below which they are together
# labelled index/middle bend below which "together" is judged (gestures: 13 deg; resting hands: 26-31 deg)
FINGERS_EXTENDED_DEG = 20.0
GREET_WINDOW_S = 5.0


def view_key(camera: dict[str, Any]) -> str:
    """A viewpoint name from labels.json's camera block: height, distance, yaw."""
    def g(k: str) -> str:
        return f"{float(camera.get(k, 0.0)):g}"
    return f"h{g('height_m')} d{g('distance_m')} yaw{g('yaw_deg')}"


def raised_right(clerk: dict[str, Any]) -> bool:
    """Labelled right-hand raise: the wrist above the shoulder or the forearm at least 45 deg above level."""
    return bool(clerk.get("right_wrist_above_shoulder")) or clerk.get("right_forearm_elevation", -90.0) >= 45.0


def greeted_label(intervals: list[dict[str, Any]], call_t: float) -> bool | None:
    """Did the labels say the clerk raised the hand to greet this call? A greet.raise_hand interval from the call
    is either a raise (performed, or a violation of form: spread fingers) or "no greeting"; None when unlabelled.
    The kinematic test alone (forearm 45 deg up) also counted a cup at the mouth or a phone at the ear."""
    for iv in intervals:
        if iv["rule"] == "greet.raise_hand" and abs(float(iv["start"]) - call_t) < 1e-6:
            return (iv.get("detail") or {}).get("why") != "no greeting"
    return None


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def lifter_readings(frames: list[tuple[int, float | None, float | None, float]], params: Any) -> list[float | None]:
    """What guide.gesture's `elbow_lifter` reads on each guide frame (`frames`: labelled guide interval, lifted, cue,
    cue sigma): per interval the rule's choice (`etiquette_guide.hold_elbow` on the medians) between the lifter's
    reading and the cue's."""
    from pipelines.rules.etiquette_guide import hold_elbow

    def med(vals: list[float | None]) -> float | None:
        vals = [v for v in vals if v is not None and np.isfinite(v)]
        return float(np.median(vals)) if vals else None

    source = {}
    for span in {f[0] for f in frames}:
        fs = [f for f in frames if f[0] == span]
        source[span] = hold_elbow(med([f[1] for f in fs]), med([f[2] for f in fs]), med([f[3] for f in fs]),
                                  params)[2]
    return [f[1] if source[f[0]] == "lifter" else f[2] for f in frames]


def clip_samples(obs: list, labels: dict[str, Any], counter: Any, events: list) -> tuple[str, dict[str, list]]:
    """Per-frame and per-gesture (prediction, truth) pairs of one clip, from the simulator's exact labels.

    obs: the clip's Observation stream; labels: labels.json as loaded; events: the Event messages the
    rules emitted on it (all outcomes, info included). Returns (viewpoint, samples)."""
    from pipelines.elbow_lift import lifter
    from pipelines.geometry import (
        CameraModel,
        PalmSigns,
        elbow_angle,
        elbow_angle_world,
        fingers_together_score,
        hand_for_wrist,
        naive_world_bow,
        palm_up_score_world,
    )
    from pipelines.palm_lift import UP_MIN as LIFTER_UP_MIN
    from pipelines.palm_lift import palm_lifter
    from pipelines.rules.etiquette_bow import BowParams
    from pipelines.rules.etiquette_common import L_WRIST, R_WRIST, ClerkGeometry, classify_bow, clerk_hand
    from pipelines.rules.etiquette_guide import elbow_excess_px, elbow_joint_sigma_deg

    s: dict[str, list] = defaultdict(list)
    view = view_key(labels.get("camera") or {})
    fps = float(labels.get("fps") or 10.0)
    frames = {int(round(f["t"] * fps)): f for f in labels.get("frames", [])}
    intervals = labels.get("intervals", [])
    rules = set(labels.get("rules", []))
    ends = [e for e in events if e.type == "end" and e.rule_id in ETIQUETTE_RULES]
    bow_params = counter.rules.get("bow.angle", {})
    tol = float(bow_params.get("tolerance_deg", BowParams.model_fields["tolerance_deg"].default))
    if labels.get("scenario") == "do_nothing":
        s["do_nothing_gesture_events"].append(len(ends))
    geom = ClerkGeometry(counter)
    signs = PalmSigns()  # the side's sign held over a flickering label, per wrist
    cam = None
    per_frame: list[tuple[float, dict | None, float | None, float | None]] = []  # (t, clerk, ours, naive)
    guide_spans = [(i["start"], i["end"]) for i in intervals if i["rule"] == "guide.gesture"]
    lift_frames: list[tuple[int, float | None, float | None, float]] = []  # (span, lifted, cue, cue sigma)
    for o in obs:
        f = frames.get(int(round(o.t * fps)))
        clerk = next((p for p in (f or {}).get("persons", []) if p.get("role") == "clerk"), None)
        fr = geom.measure(o)
        if fr is None or clerk is None:
            per_frame.append((o.t, clerk, None, None))
            continue
        cam = cam or CameraModel.from_config(counter.camera, o.image_size)
        ours = fr.bow.angle if fr.bow is not None else None
        per_frame.append((o.t, clerk, ours, naive_world_bow(fr.pose)))
        if "bow.angle" in rules:
            s["bow_true"].append(clerk["bow_angle"])
            s["bow_ours"].append(ours)
            s["bow_naive"].append(per_frame[-1][3])
        if any(a <= o.t <= b for a, b in guide_spans):
            s["elbow_true"].append(clerk["right_elbow_angle"])
            cue = elbow_angle(fr.pose, cam, "right", fr.arms.get("right"))
            s["elbow_ours"].append(cue.value)
            s["elbow_naive"].append(elbow_angle_world(fr.pose, "right"))
            # guide.gesture's `elbow_lifter`: the lifter's reading where its hold median agrees with the cue
            # median's, else the cue's (decided per labelled guide interval below, as the rule does per hold)
            span = next(i for i, (a, b) in enumerate(guide_spans) if a <= o.t <= b)
            lift_frames.append((span, lifter().angle(fr.pose, cam), cue.value,
                                float(np.hypot(cue.sigma, elbow_joint_sigma_deg(fr, elbow_excess_px(fr))))))
        if "hands" not in o.ran:
            continue
        for side in ("right", "left"):
            hand = clerk_hand(fr, o.hands, side)
            lm = fr.pose.landmarks[L_WRIST if side == "left" else R_WRIST]
            palm = signs.score(o.t, hand, cam, side, lm)
            if hand is None:
                continue
            s["palm_true"].append(clerk[f"{side}_palm"] == "up")
            s["palm_ours"].append(palm >= PALM_UP_MIN)
            nearest = hand_for_wrist(o.hands, (lm.x, lm.y), max_px=0.25 * cam.cx)  # each wrist on its own
            s["palm_naive"].append(nearest is not None and palm_up_score_world(nearest, cam, side) >= PALM_UP_MIN)
            if side == "right" and any(a <= o.t <= b for a, b in guide_spans):  # guide.gesture's `palm_lifter`
                lifted = palm_lifter().up(hand, fr.pose, cam, fr.world)
                s["palm_lifter_true"].append(clerk["right_palm"] == "up")
                s["palm_lifter"].append(lifted >= LIFTER_UP_MIN)  # NaN: not up
                s["palm_lifter_geometry"].append(palm >= PALM_UP_MIN)  # today's reading on the same frames
            if max(clerk[f"{side}_index_bend"], clerk[f"{side}_middle_bend"]) < FINGERS_EXTENDED_DEG:
                s["together_true"].append(clerk[f"{side}_finger_spread"] <= SPREAD_TOGETHER_DEG)
                s["together_ours"].append(fingers_together_score(hand) >= TOGETHER_MIN)
    s["elbow_lifter"] += lifter_readings(lift_frames, GuideParams(**{
        k: v for k, v in (counter.rules.get("guide.gesture") or {}).items() if k in GuideParams.model_fields}))
    for iv in intervals:
        a, b = iv["start"], iv["end"]
        if iv["rule"] == "bow.angle":
            truth = (iv.get("detail") or {}).get("class", "none")
            hits = [e for e in ends if e.rule_id == "bow.angle" and _overlap(e.clip_start, e.clip_end, a, b) >= -1.0]
            ours = hits[0].evidence.get("class", "unclassified") if hits else "unclassified"
            peak = max((c["bow_angle"] for t, c, _, _ in per_frame if c and a <= t <= b), default=0.0)
            held = [n for t, c, _, n in per_frame
                    if c and n is not None and a <= t <= b and c["bow_angle"] >= peak - 0.5]
            naive = classify_bow(float(np.median(held)), tol) if held else "unclassified"
            key = "class" if truth in ("greeting", "thanks", "apology") else "near_miss"
            s[f"{key}_true"].append(truth if truth in ("greeting", "thanks", "apology") else "unclassified")
            s[f"{key}_ours"].append(ours)
            s[f"{key}_naive"].append(naive)
        elif iv["rule"] == "guide.gesture":
            hits = [e for e in ends
                    if e.rule_id == "guide.gesture" and _overlap(e.clip_start, e.clip_end, a, b) >= -1.0]
            best = max(hits, key=lambda e: _overlap(e.clip_start, e.clip_end, a, b), default=None)
            s["guide_true"].append(iv.get("kind") != "violation")
            s["guide_pred"].append(None if best is None else best.outcome == "pass")
    if "greet.raise_hand" in rules:
        greets = [e for e in ends if e.rule_id == "greet.raise_hand"]
        for call in labels.get("queue_calls", []):
            t0 = float(call["time"])
            raised = greeted_label(intervals, t0)
            if raised is None:  # no label for this call: the kinematic definition
                raised = any(c is not None and raised_right(c) for t, c, _, _ in per_frame
                             if t0 <= t <= t0 + GREET_WINDOW_S)
            ev = [e for e in greets if e.evidence.get("ticket") == str(call.get("ticket", ""))]
            s["greet_true"].append(raised)
            s["greet_pred"].append(bool(ev) and bool(ev[0].evidence.get("greeted"))
                                   and ev[0].evidence.get("hand") == "right")
    return view, dict(s)


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 3)


def summarise(samples: dict[str, list]) -> dict[str, Any]:
    """One viewpoint's figures (ours, naive, n) from the merged clip samples."""
    g = samples.get
    out: dict[str, Any] = {}
    if g("bow_true"):
        o, n = mae(g("bow_ours"), g("bow_true")), mae(g("bow_naive"), g("bow_true"))
        out["bow_mae_deg"] = {"ours": _num(o[0]), "naive": _num(n[0]), "n": o[1], "no_reading": o[2]}
    if g("elbow_true"):
        o, n = mae(g("elbow_ours"), g("elbow_true")), mae(g("elbow_naive"), g("elbow_true"))
        out["elbow_mae_deg"] = {"ours": _num(o[0]), "naive": _num(n[0]), "n": o[1], "no_reading": o[2]}
        if g("elbow_lifter"):
            lf = mae(g("elbow_lifter"), g("elbow_true"))
            out["elbow_lifter_mae_deg"] = {"ours": _num(lf[0]), "naive": None, "n": lf[1], "no_reading": lf[2]}
    for key in ("class", "near_miss"):
        if g(f"{key}_true"):
            t = g(f"{key}_true")
            out[f"bow_{key}_accuracy"] = {
                "ours": _num(sum(p == q for p, q in zip(g(f"{key}_ours"), t, strict=True)) / len(t)),
                "naive": _num(sum(p == q for p, q in zip(g(f"{key}_naive"), t, strict=True)) / len(t)), "n": len(t)}
    if g("guide_true"):
        t, p = g("guide_true"), g("guide_pred")
        out["guide_passfail_accuracy"] = {"ours": _num(sum(a is b for a, b in zip(p, t, strict=True)) / len(t)),
                                          "naive": None, "n": len(t), "not_detected": sum(a is None for a in p)}
    if g("palm_true"):
        o, n = binary(g("palm_ours"), g("palm_true")), binary(g("palm_naive"), g("palm_true"))
        out["palm_up_f1"] = {"ours": _num(o.f1), "naive": _num(n.f1), "n": len(g("palm_true")), "ours_counts": vars(o)}
    if g("palm_lifter_true"):
        o, n = binary(g("palm_lifter"), g("palm_lifter_true")), binary(g("palm_lifter_geometry"), g("palm_lifter_true"))
        out["palm_lifter_up_f1"] = {"ours": _num(o.f1), "naive": None, "n": len(g("palm_lifter_true")),
                                    "geometry": _num(n.f1), "ours_counts": vars(o)}
    if g("together_true"):
        o = binary(g("together_ours"), g("together_true"))
        out["fingers_together_f1"] = {"ours": _num(o.f1), "naive": None, "n": len(g("together_true")),
                                      "ours_counts": vars(o)}
    if g("greet_true"):
        o = binary(g("greet_pred"), g("greet_true"))
        out["greeting_detection_f1"] = {"ours": _num(o.f1), "naive": None, "n": len(g("greet_true")),
                                        "ours_counts": vars(o)}
    if g("do_nothing_gesture_events") is not None:
        out["gesture_events_on_do_nothing"] = {"ours": sum(g("do_nothing_gesture_events")), "naive": None,
                                               "n": len(g("do_nothing_gesture_events"))}
    return out


def merge(into: dict[str, list], samples: dict[str, list]) -> None:
    for k, v in samples.items():
        into.setdefault(k, []).extend(v)


ROW_NAMES = {
    "bow_mae_deg": "bow angle MAE (deg, every frame of the bow clips)",
    "bow_class_accuracy": "15/30/45 classification accuracy",
    "bow_near_miss_accuracy": "near misses (8/22 deg) left unclassified",
    "elbow_mae_deg": "guiding elbow MAE (deg)",
    "elbow_lifter_mae_deg": "guiding elbow MAE, what guide.gesture's `elbow_lifter` reads (the learned lifter where its"
                            " guide median agrees with the cue median's, else the cue; deg)",
    "guide_passfail_accuracy": "guide pass/fail accuracy",
    "palm_up_f1": "palm-up F1 (frames with a hand)",
    "palm_lifter_up_f1": "palm-up F1, learned palm reading (right hand on guide frames; a prototype the rule does not "
                         "use by default)",
    "fingers_together_f1": "fingers-together F1 (extended fingers)",
    "greeting_detection_f1": "greeting detection F1 (per queue call)",
    "gesture_events_on_do_nothing": "gesture events on do-nothing clips",
}


def print_etiquette(etq: dict[str, Any], console: Any) -> None:
    """Per-viewpoint tables of `report["etiquette"]` (rich console)."""
    from rich.table import Table

    def f(x: Any) -> str:
        return "—" if x is None else (f"{x:.3g}" if isinstance(x, float) else str(x))

    for view, rows in etq.get("views", {}).items():
        table = Table(title=f"etiquette, viewpoint {view}")
        for col in ("measure", "ours", "naive world landmarks", "n"):
            table.add_column(col)
        for key, name in ROW_NAMES.items():
            if key in rows:
                r = rows[key]
                table.add_row(name, f(r["ours"]), f(r["naive"]), f(r["n"]))
        console.print(table)
