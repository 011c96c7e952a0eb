"""Palm-up and fingers-together readings per clerk hand frame against the simulator's labels (issue #7, session 28).

For every frame of the given recorded clips where `etiquette_eval.clip_samples` pairs a clerk hand (`clerk_hand`), one
JSON line: the view, the clip, t, the side, the labelled palm normal (world z up) and class, our cosine (`score`:
`geometry.PalmSigns`, as the eval reads it; `score_alone`: `palm_up_score` of the frame alone), the normal from the
image landmarks with the label's sign and its angle to the labelled one, MediaPipe's label and score, the hand's
distance from its pose wrist and from the other one (palm spans) and their visibility, the fingers' curl, the hand's
distance from the labelled wrist of either side (pixels: which hand it really is), the finger spread (ours, labelled,
the fingers' image length), the 21 image and world landmarks and the camera (f, cx, cy, R) for offline variants.
Rules-only: it reads the recorded streams and never perceives (point it at tune clips or scratch renders only).

    PYTHONPATH=. .venv/bin/python bench/palm_frames.py /work/suite27/tune*/* > palm_frames.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.clip import counter_for
from pipelines.geometry import (
    PalmSigns,
    angle_between,
    finger_curl,
    finger_spread_deg,
    palm_normal_image,
    palm_span_px,
    palm_up_score,
    world_up_in_camera,
)
from pipelines.rules.etiquette_common import L_WRIST, R_WRIST, ClerkGeometry, clerk_hand
from vision.observation import read_observations


def to_model(p: list[float]) -> np.ndarray:
    """labels.json's world (x lateral, y backward, z up) -> the geometry module's (x, y up, z forward)."""
    return np.array([p[0], p[2], -p[1]], float)


def clip_rows(d: Path, extra: Callable[..., dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The clip's rows; `extra(hand, frame, side, held_score)` adds fields to each (bench/palm_lift.py's inputs)."""
    labels = json.loads((d / "labels.json").read_text())
    cam_l = labels.get("camera")
    if not cam_l or not labels.get("frames") or not (d / "observations.jsonl").exists():
        return []
    obs = read_observations(str(d / "observations.jsonl"))
    geom = ClerkGeometry(counter_for(d / "counter.yaml" if (d / "counter.yaml").exists() else None,
                                     int(cam_l["width"]), int(cam_l["height"])))
    fps = float(labels["fps"])
    frames = {int(round(f["t"] * fps)): f for f in labels["frames"]}
    view = f"h{cam_l['height_m']:g} d{cam_l['distance_m']:g} yaw{cam_l['yaw_deg']:g}"
    rows, signs = [], PalmSigns()
    for o in obs:
        f = frames.get(int(round(o.t * fps)))
        clerk = next((p for p in (f or {}).get("persons", []) if p.get("role") == "clerk"), None)
        fr = geom.measure(o)
        if fr is None or clerk is None or "hands" not in o.ran:
            continue
        cam = fr.cam
        for side in ("right", "left"):
            hand = clerk_hand(fr, o.hands, side)
            lm = fr.pose.landmarks[L_WRIST if side == "left" else R_WRIST]
            held = signs.score(o.t, hand, cam, side, lm)  # as the eval reads it
            if hand is None:
                continue
            s = "R" if side == "right" else "L"
            lo = fr.pose.landmarks[R_WRIST if side == "left" else L_WRIST]
            true_n = cam.to_camera_axes(to_model(clerk[f"{side}_palm_normal"]))
            n = palm_normal_image(hand, cam)
            score = palm_up_score(hand, cam, side, lm)  # this frame alone
            j2 = clerk.get("joints_2d", {})
            h0 = np.asarray(hand.landmarks[0][:2], float)
            d_own = float(np.linalg.norm(h0 - j2[f"wrist.{s}"])) if f"wrist.{s}" in j2 else None
            other = "L" if s == "R" else "R"
            d_other = float(np.linalg.norm(h0 - j2[f"wrist.{other}"])) if f"wrist.{other}" in j2 else None
            curl, across = finger_curl(hand)
            spread = finger_spread_deg(hand)
            pts = np.asarray(hand.landmarks, float)
            flen = float(np.mean([np.linalg.norm(pts[b, :2] - pts[a, :2]) for a, b in ((5, 8), (9, 12), (13, 16),
                                                                                        (17, 20))]))
            up = world_up_in_camera(cam)
            rows.append({
                "split": d.parent.name, "view": view, "yaw": float(cam_l["yaw_deg"]), "clip": d.name,
                "scenario": labels.get("scenario"), "t": round(o.t, 2), "side": side,
                "true_z": float(clerk[f"{side}_palm_normal"][2]), "true_cls": clerk[f"{side}_palm"],
                "score": None if not math.isfinite(held) else round(held, 3),
                "score_alone": None if not math.isfinite(score) else round(score, 3),
                "n_label": None if n is None else round(float(n @ up), 3),
                "err_label": None if n is None else round(angle_between(n, true_n), 1),
                "n_cam": None if n is None else [round(float(x), 3) for x in n],
                "true_cam": [round(float(x), 3) for x in true_n],
                "label": hand.handedness, "label_score": round(float(hand.score), 3),
                "pointing": bool(hand.index_pointing),
                "spans": round(float(np.hypot(h0[0] - lm.x, h0[1] - lm.y)) / max(palm_span_px(hand), 1e-9), 2),
                "other_spans": round(float(np.hypot(h0[0] - lo.x, h0[1] - lo.y)) / max(palm_span_px(hand), 1e-9), 2),
                "other_vis": round(float(lo.visibility), 2),
                "span_px": round(palm_span_px(hand), 1), "wrist_vis": round(float(lm.visibility), 2),
                "curl": round(curl, 3), "n_across": None if n is None else round(float(n[:2] @ across), 3),
                "d_own_px": None if d_own is None else round(d_own, 1),
                "d_other_px": None if d_other is None else round(d_other, 1),
                "spread": None if spread is None else round(spread, 2), "finger_px": round(flen, 1),
                "true_spread": float(clerk[f"{side}_finger_spread"]),
                "lm": [[round(float(x), 5) for x in q] for q in hand.landmarks],
                "world": [[round(float(x), 5) for x in q] for q in hand.world],
                "cam": [cam.f, cam.cx, cam.cy, [[float(x) for x in row] for row in cam.R]],
                "extended": max(clerk[f"{side}_index_bend"], clerk[f"{side}_middle_bend"]) < 20.0,
                "guide": any(iv["rule"] == "guide.gesture" and iv["start"] <= o.t <= iv["end"]
                             for iv in labels.get("intervals", [])),
                **(extra(hand, fr, side, held) if extra is not None else {}),
            })
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clips", nargs="+", type=Path)
    args = ap.parse_args()
    for d in args.clips:
        if not (d / "labels.json").exists():
            continue
        for r in clip_rows(d):
            sys.stdout.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
