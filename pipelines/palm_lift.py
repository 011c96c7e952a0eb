"""A learned reading of the right palm's facing (issue #7, session 29; guide.gesture's `palm_lifter`, off by default).

A one-hidden-layer MLP (16 tanh units, numpy at inference) reads the palm normal's up component (the cosine with world
up that `geometry.palm_up_score` reads by hand-built geometry) for the hand at the clerk's right wrist. Inputs
(`features`): the hand model's 21 image landmarks as wrist -> landmark vectors on `geometry.hand_vector`'s axes (depth
x HAND_DEPTH_SCALE, the palm centre's ray slope) turned into the world axes by the camera, over the palm span; its 21
world landmarks the same way (over their own palm span); the image normal as the Right-hand convention gives it
(`palm_normal_image` not flipped for a Left label) in world axes; MediaPipe's handedness label (+1 Right, -1 Left), its
score and their products with the normal's up component and the fingers' curl; the pose's right forearm direction
(`Frame.world`, the clerk's axes) and wrist visibility; the camera's pitch; the hand model's pointing flag. No yaw, no
body, no scene label. Weights: `palm_lift.json` beside this module, written by `bench/palm_lift.py --save` from the
random guiding arms of bench/guide_lift_data.py (tune bodies, scratch yaws only; palms exactly up / down and rolled
-180..180 deg about the forearm); how they were trained and measured: the JSON's `trained`, docs/rules.md
(guide.gesture, session 29).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipelines.geometry import (
    L_ELBOW,
    L_WRIST,
    R_ELBOW,
    R_WRIST,
    CameraModel,
    finger_curl,
    hand_vector,
    palm_normal_image,
    palm_span_px,
)
from vision.results import HandResult, PoseResult

MIRROR = np.array([-1.0, 1.0, 1.0])  # the world axes' lateral flip: a left hand read as the mirrored right one
# the model reads the true up component, so its bar is the simulator's own `palm_label` one ("up" above 0.5), not
# `palm_up_min`'s 0.7 (set for the hand-built cosine's spread); on the tune guides (433 frames) palm-up F1 0.994 at
# 0.5, 0.957 at 0.7 (docs/rules.md, guide.gesture, session 29)
UP_MIN = 0.5
WEIGHTS = Path(__file__).with_name("palm_lift.json")


def features(hand: HandResult, pose: PoseResult, cam: CameraModel, world: np.ndarray | None,
             side: str = "right") -> np.ndarray:
    """The model's inputs for the hand at the `side` wrist; `world`: the pose's world landmarks in the clerk's axes
    (`Frame.world`, None when not known). A left hand is mirrored (world x flipped) into a right one: its vectors
    and forearm flipped, its handedness label negated and its Right-convention normal flipped and negated (a mirror
    turns the cross product's sign), so the right hand's features are unchanged and a left hand reads like one."""
    left = side == "left"
    wrist, elbow = (L_WRIST, L_ELBOW) if left else (R_WRIST, R_ELBOW)
    pts = np.asarray(hand.landmarks, float)
    span = max(palm_span_px(hand), 1e-6)
    img = np.array([cam.to_world_axes(hand_vector(pts, k, cam)) for k in range(1, 21)]) / span
    w = np.asarray(hand.world, float) if len(hand.world) >= 21 else np.zeros((21, 3))
    wv = w[1:] - w[0]
    wspan = float(np.linalg.norm(wv[[4, 8, 12, 16]], axis=1).max()) or 1e-6
    wv = np.array([cam.to_world_axes(v) for v in wv]) / wspan
    n = palm_normal_image(hand, cam)
    n_raw = np.zeros(3) if n is None else cam.to_world_axes(-n if hand.handedness == "Left" else n)
    lab = 1.0 if hand.handedness == "Right" else -1.0
    curl, _ = finger_curl(hand)
    fore = np.zeros(3)
    if world is not None:
        v = world[wrist] - world[elbow]
        fore = v / (float(np.linalg.norm(v)) or 1e-6)
    if left:
        img, wv, fore, n_raw, lab = img * MIRROR, wv * MIRROR, fore * MIRROR, -(n_raw * MIRROR), -lab
    return np.concatenate([
        img.ravel(), wv.ravel(), n_raw, [lab, hand.score, lab * hand.score, lab * n_raw[1]], [curl, lab * curl],
        fore, [pose.landmarks[wrist].visibility, math.sin(math.radians(cam.pitch_deg))],
        [float(hand.index_pointing)],
    ])


class PalmLifter:
    """The MLP from its weights; `up` reads the palm normal's up component (-1..1)."""

    def __init__(self, weights: dict) -> None:
        self.mu, self.sd, self.ym, self.ys = (np.array(weights[k], float) for k in ("mu", "sd", "ym", "ys"))
        self.p = [np.array(a, float) for a in weights["p"]]

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(x) - self.mu) / self.sd
        out = (np.tanh(z @ self.p[0] + self.p[1]) @ self.p[2] + self.p[3]) * self.ys + self.ym
        return np.clip(out[:, 0], -1.0, 1.0)

    def up(self, hand: HandResult, pose: PoseResult, cam: CameraModel, world: np.ndarray | None,
           side: str = "right") -> float:
        if len(hand.landmarks) < 21 or len(pose.landmarks) < 33:
            return float("nan")
        return float(self.predict(features(hand, pose, cam, world, side))[0])


@lru_cache(maxsize=1)
def palm_lifter() -> PalmLifter:
    return PalmLifter(json.loads(WEIGHTS.read_text()))
