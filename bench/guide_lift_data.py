"""Random-angle guiding-arm clips for a learned elbow lifter (issue #7, session 29).

Each clip: a tune body standing upright for 1 s, then the right arm through three random guiding arms (elbow
uniform in [--elbow-min, --elbow-max], the forearm's azimuth 30-95 deg right of forward and elevation -40..+40 deg:
the guide's horizontal / bent / high / low positions and everything between, palm up or down at random, the upper arm
on the guide's side of the forearm line with a jittered reference), each held 0.6 s and blended 0.6 s into the next,
with a random 0-20 deg bow and the left hand at the abdomen. The camera is drawn from the scratch views (tune bodies,
yaw only in <= -50, -40, -30, -20..-5, 5, 20..33, 53..60; height 1.2-1.9 m, distance 1.2-2.0 m). labels.json carries
`right_elbow_angle` per frame (continuous), and the clip's `guide.gesture` interval marks the random-arm part (so
bench/guide_elbow_cues.py can read it too). Perceive the clips with `counterwatch eval DIR --fps 5 --overrides
pipelines/eval_sim.yaml --json` (records observations.jsonl per clip), then fit / measure with bench/guide_lift.py.

    PYTHONPATH=. .venv/bin/python bench/guide_lift_data.py --out /work/scratch29_lift/train --n 120 --seed 1
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from simulator.clip import RenderOptions, camera_for, render_clip
from simulator.pose import arm_bent, d
from simulator.scenarios import ABDOMEN, Label, Scenario, standing
from simulator.suite import TUNE_BODIES

# The scratch yaws the ground rules allow (the others are held-out / validation views), as sampling ranges.
YAW_RANGES = [(-60.0, -50.0), (-40.0, -40.0), (-30.0, -30.0), (-20.0, -5.0), (5.0, 5.0), (20.0, 33.0), (53.0, 60.0)]
HOLD, MOVE, REST = 0.6, 0.6, 1.0


def yaw_band(yaw: float) -> str:
    """Bands for leave-one-band-out: far right of the clerk, near right, front, near left, far left."""
    if yaw <= -35:
        return "<=-40"
    if yaw <= -15:
        return "-30..-15"
    if yaw <= 10:
        return "-10..5"
    if yaw <= 40:
        return "20..33"
    return "53..60"


def rolled_palm(fore: np.ndarray, roll_deg: float) -> np.ndarray:
    """The palm's facing rolled `roll_deg` about the forearm from the most upward one (0: up as far as the forearm
    allows, +-180: down; + toward the forearm's right)."""
    f = fore / np.linalg.norm(fore)
    up = np.array([0.0, 0.0, 1.0]) - f[2] * f
    up /= np.linalg.norm(up)
    side = np.cross(f, up)
    r = np.radians(roll_deg)
    return np.cos(r) * up + np.sin(r) * side


def toward_camera(view: tuple[float, float, float]) -> tuple[float, float]:
    """The forearm's (azimuth, elevation), body frame, along the line of sight from a nominal right shoulder (0.18 m
    right, 1.4 m up) to the camera at `view` (height, distance, yaw; yaw < 0 is on the clerk's right: azimuth -yaw)."""
    h, dist, yaw = view
    y = np.radians(yaw)
    to_cam = np.array([-np.sin(y) * dist - 0.18, np.cos(y) * dist, h - 1.4])
    return (float(np.degrees(np.arctan2(to_cam[0], to_cam[1]))),
            float(np.degrees(np.arctan2(to_cam[2], np.hypot(to_cam[0], to_cam[1])))))


def random_arm(rng: np.random.Generator, elbow_range: tuple[float, float], palm_roll: bool = False,
               aim: tuple[float, float] | None = None):
    """A random guiding arm; `palm_roll`: the palm rolled uniformly -180..180 deg about the forearm (every facing,
    session 29's palm study) instead of exactly up or down; `aim`: the forearm along this (azimuth, elevation) within
    +-12 / +-10 deg (the arm at the camera, session 29 elbow3) instead of azimuth 30-95, elevation -40..40."""
    elbow = float(rng.uniform(*elbow_range))
    az, el = float(rng.uniform(30, 95)), float(rng.uniform(-40, 40))
    if aim is not None:
        az, el = aim[0] + float(rng.uniform(-12, 12)), aim[1] + float(rng.uniform(-10, 10))
    ref = (float(rng.uniform(-0.1, 0.5)), float(rng.uniform(-0.5, 0.1)), -1.0)
    palm_up = bool(rng.random() < 0.6)
    meta = {"elbow": elbow, "az": az, "el": el, "palm_up": palm_up}
    palm = (0, 0, 1) if palm_up else (0, 0, -1)
    if palm_roll:
        meta["roll"] = float(rng.uniform(-180, 180))
        palm = tuple(rolled_palm(d(az, el), meta["roll"]))
    return arm_bent("R", d(az, el), elbow, ref=ref, palm=palm, curl=0.0, spread=0.0), meta


def scenario(rng: np.random.Generator, name: str, elbow_range: tuple[float, float], n_arms: int = 3,
             palm_roll: bool = False, aim: tuple[float, float] | None = None, p_aim: float = 0.0,
             aim_elbow: tuple[float, float] = (150.0, 180.0)):
    """`aim`, `p_aim`: each arm points at the camera (`aim`, elbow in `aim_elbow`) with probability `p_aim`."""
    keys = [(0.0, standing()), (REST, standing())]
    arms, t = [], REST
    for _ in range(n_arms):
        at = aim is not None and bool(rng.random() < p_aim)
        arm, meta = random_arm(rng, aim_elbow if at else elbow_range, palm_roll, aim if at else None)
        meta["at_camera"] = at
        pitch = float(rng.uniform(0, 20))
        t += MOVE
        keys.append((t, standing(pitch, arm_r=arm, arm_l=ABDOMEN)))
        t += HOLD
        keys.append((t, standing(pitch, arm_r=arm, arm_l=ABDOMEN)))
        arms.append(dict(meta, pitch=pitch))
    dur = t
    sc = Scenario(name, "random guiding arm (lifter training)", dur, keys,
                  labels=[Label("guide.gesture", REST + MOVE, dur, "compliant", {"random": True})], standing=True)
    return sc, arms


def random_view(rng: np.random.Generator, yaw_ranges: list[tuple[float, float]] | None = None
                ) -> tuple[float, float, float]:
    ranges = yaw_ranges or YAW_RANGES
    lo, hi = ranges[int(rng.integers(len(ranges)))]
    yaw = float(rng.uniform(lo, hi)) if hi > lo else lo
    return round(float(rng.uniform(1.2, 1.9)), 2), round(float(rng.uniform(1.2, 2.0)), 2), round(yaw, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0, help="first clip index (to extend a set)")
    ap.add_argument("--elbow-min", type=float, default=60.0)
    ap.add_argument("--elbow-max", type=float, default=180.0)
    ap.add_argument("--fps", type=float, default=5.0)
    ap.add_argument("--palm-roll", action="store_true", help="palms rolled -180..180 deg about the forearm "
                    "(clips named palm_NNNN): every facing, for bench/palm_lift.py")
    ap.add_argument("--everyday", default="", help="comma-separated simulator.scenarios names: render each --n "
                    "times (clips named ev_SCENARIO_NNNN) at the random scratch views instead of random arms: "
                    "the clerk's everyday hands with their true palm normals, for bench/palm_lift.py --every-hand")
    ap.add_argument("--yaws", default="", help="comma-separated yaw ranges LO:HI or single yaws, each a subset of "
                    "the scratch yaws (default: all of YAW_RANGES, each range drawn equally often)")
    ap.add_argument("--at-camera", type=float, default=0.0, help="probability that an arm points its forearm at the "
                    "camera (+-12 deg azimuth, +-10 elevation; only at yaws < 0, the clerk's right), elbow in "
                    "--at-camera-elbow (session 29 elbow3: the straight arm the 2D cannot tell from a bent one)")
    ap.add_argument("--at-camera-elbow", default="150:180")
    ap.add_argument("--prefix", default="", help="clip name prefix (default lift / palm)")
    args = ap.parse_args()
    if args.everyday:
        everyday(args)
        return
    yaws = [parse_range(r) for r in args.yaws.split(",") if r]
    for lo, hi in yaws:
        if not any(a <= lo and hi <= b for a, b in YAW_RANGES):
            ap.error(f"yaw range {lo}:{hi} is not within the scratch yaws {YAW_RANGES}")
    for i in range(args.start, args.start + args.n):
        rng = np.random.default_rng([args.seed, i])
        body = TUNE_BODIES[i % len(TUNE_BODIES)]
        h, dist, yaw = random_view(rng, yaws)
        name = f"{args.prefix or ('palm' if args.palm_roll else 'lift')}_{i:04d}"
        sc, arms = scenario(rng, name, (args.elbow_min, args.elbow_max), palm_roll=args.palm_roll,
                            aim=toward_camera((h, dist, yaw)) if yaw < 0 and args.at_camera > 0 else None,
                            p_aim=args.at_camera,
                            aim_elbow=parse_range(args.at_camera_elbow))
        out = args.out / f"{name}__{body}__h{h:g}_d{dist:g}_y{yaw:g}"
        if render_once(sc, out, body, (h, dist, yaw), rng, args.fps):
            (out / "arms.json").write_text(json.dumps({"arms": arms, "band": yaw_band(yaw)}))


def parse_range(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition(":")
    return float(lo), float(hi or lo)


def render_once(sc: Scenario, out: Path, body: str, view: tuple[float, float, float], rng: np.random.Generator,
                fps: float) -> bool:
    """Render `sc` into `out` from the view (height, distance, yaw) unless it is there already; True if rendered."""
    if (out / "labels.json").exists():
        return False
    t0 = time.time()
    h, dist, yaw = view
    cam = camera_for(sc, height_m=h, yaw_deg=yaw, distance_m=dist)
    render_clip(sc, out, RenderOptions(body=body, camera=cam, seed=int(rng.integers(1 << 30)), fps=fps))
    print(f"{out.name} {time.time() - t0:.1f}s", flush=True)
    return True


def everyday(args: argparse.Namespace) -> None:
    """--everyday: the named scenarios' own poses (desk, typing, papers, phone, greeting, guide...) at random views."""
    from simulator.scenarios import SCENARIOS

    for k, name in enumerate(n for n in args.everyday.split(",") if n):
        sc = SCENARIOS[name]
        for i in range(args.start, args.start + args.n):
            rng = np.random.default_rng([args.seed, k, i])
            body = TUNE_BODIES[(i + k) % len(TUNE_BODIES)]
            h, dist, yaw = random_view(rng)
            render_once(sc, args.out / f"ev_{name}_{i:04d}__{body}__h{h:g}_d{dist:g}_y{yaw:g}", body, (h, dist, yaw),
                        rng, args.fps)


if __name__ == "__main__":
    main()
