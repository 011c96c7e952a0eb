"""The guiding elbow's cues against the simulator's labels, per guide frame (issue #7, session 26).

For every frame inside a guide.gesture interval of the given recorded clips: the labelled elbow angle, the estimator's
reading (`geometry.elbow_angle`, as `etiquette_eval.clip_samples` measures it) and each cue behind it (the 2D angle, the
relative-depth lift, the arm-plane back-projection, MediaPipe's world angle, the length-based reading with the upper
arm's elbow on the near and on the far root), whether the length-based cue was taken (forearm under
FORE_FORESHORTENED of its length across the line of sight), and the learned arm lengths against the labelled ones.
Prints a summary per yaw band and clip kind (mean absolute error per cue); `--frames` prints every frame too.
Rules-only: it reads the recorded streams, never perceives (point it at tune clips: a held-out split read per frame is
no longer held out).

    PYTHONPATH=. .venv/bin/python bench/guide_elbow_cues.py /work/suite26v/tune*/guide_* [--frames]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench._guide_frames import guide_frames, to_model
from pipelines.geometry import (
    FORE_FORESHORTENED,
    SIDE,
    elbow_angle,
    elbow_angle_2d,
    elbow_angle_on_plane,
    elbow_angle_relative_depth,
    elbow_angle_world,
    elbow_upper_roots,
    forearm_ratio,
)

R_SHOULDER_KP, R_ELBOW_KP, R_WRIST_KP = 6, 8, 10  # labels.json keypoint order (COCO + feet)
CUES = ("ours", "d2", "lift", "plane", "world", "near", "far")


def clip_rows(d: Path) -> list[dict[str, Any]]:
    rows = []
    for cam_l, o, clerk, fr in guide_frames(d):
        cam, pose = fr.cam, fr.pose
        arm = fr.arms.get("right") if fr.arms is not None else None
        kp = [to_model(clerk["keypoints_3d"][i]) for i in (R_SHOULDER_KP, R_ELBOW_KP, R_WRIST_KP)]
        plane = elbow_angle_on_plane(pose, cam, "right")
        r: dict[str, Any] = {
            "clip": d.parent.name + "/" + d.name, "kind": d.name.split("__")[0].removeprefix("guide_"),
            "yaw": float(cam_l["yaw_deg"]), "t": o.t, "truth": float(clerk["right_elbow_angle"]),
            "ours": elbow_angle(pose, cam, "right", arm).value, "d2": elbow_angle_2d(pose, "right"),
            "lift": elbow_angle_relative_depth(pose, "right"), "plane": None if plane is None else plane.value,
            "world": elbow_angle_world(pose, "right"), "metric": False,
            "vis": float(min(pose.landmarks[i].visibility for i in SIDE["right"])),
        }
        if arm is not None:
            ratio = forearm_ratio(pose, cam, arm, "right")
            roots = elbow_upper_roots(pose, cam, arm, "right")
            r.update(ratio=ratio, metric=ratio < FORE_FORESHORTENED,
                     near=None if roots is None else roots[0], far=None if roots is None else roots[1],
                     upper_ratio=arm.upper_m / float(np.linalg.norm(kp[1] - kp[0])),
                     fore_ratio=arm.fore_m / float(np.linalg.norm(kp[2] - kp[1])),
                     shoulder_depth_err=arm.shoulder_depth - float((kp[0] - cam.C) @ cam.R[2]))
        rows.append(r)
    return rows


def band(yaw: float) -> str:
    return "yaw <= -15" if yaw <= -15 else ("-10..0" if yaw <= 0 else "20..40")


def mae(rows: list[dict[str, Any]], key: str) -> float:
    errs = [abs(r[key] - r["truth"]) for r in rows if r.get(key) is not None]
    return float(np.mean(errs)) if errs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clips", nargs="+", type=Path)
    ap.add_argument("--frames", action="store_true", help="print every frame")
    args = ap.parse_args()
    rows = [r for d in args.clips for r in clip_rows(d)]
    if args.frames:
        keys = ("t", "truth", *CUES, "ratio", "metric", "vis")
        for r in rows:
            cells = " ".join("-" if r.get(k) is None else f"{r[k]:.2f}" if isinstance(r[k], float) else str(r[k])
                             for k in keys)
            print(r["clip"], cells)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(band(r["yaw"]), r["kind"])].append(r)
    print(f"{'yaw band':11s} {'kind':12s} {'n':>3} " + " ".join(f"{c:>6}" for c in CUES)
          + "  metric%  signed(ours)")
    for (b, kind), rr in sorted(groups.items()):
        signed = float(np.mean([r["ours"] - r["truth"] for r in rr]))
        print(f"{b:11s} {kind:12s} {len(rr):3d} " + " ".join(f"{mae(rr, c):6.1f}" for c in CUES)
              + f"  {100 * np.mean([r['metric'] for r in rr]):6.0f}  {signed:+8.1f}")


if __name__ == "__main__":
    main()
