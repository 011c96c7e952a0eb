"""point.one_finger — pointing with the index finger alone (DB50/T 1603 B.6.2, D.1).

Active while one of the clerk's hands shows the index extended and the other three fingers curled, held
`min_duration` s (default 0.5 s, so a passing finger shape is not an incident). Frames where the hand stage
did not run are unknown and hold the state.

The finger shape is read from the hand model's metric world landmarks (free of the image's foreshortening) as
a *relative* test, not the fixed per-finger thresholds of HandResult.index_pointing: the index bends (summed
over its two joints) less than `index_max_bend_deg`, and each of the middle, ring and pinky fingers bends at
least `curl_margin_deg` more than the index. On the tune and tune_wide renders a pointing hand seen from the
side, (1.2 m, -10 deg), read index 50 deg / others 85-117 deg, so the fixed "index < 50, others > 90" missed it
all through the gesture; resting and typing hands bend all four fingers alike (margins near 0).

A clerk's hand is the one whose wrist lies nearest a pose wrist (within `hand_radius` of the image width; a
client's hand at the counter edge is not the clerk's). A hand fitted mirror-wise is not read (`mirrored`): on
tune_wide bow_22 at (1.5 m, 40 deg) the right wrist's hand came out as a second "Left" hand (handedness score
0.53, the real left one 0.99) with a pointing shape the labels do not have (relaxed fingers): the only false
"pointing" on tune and tune_wide.

A hand at the face is not pointing at anyone: a hand whose pose centre (wrist, index, pinky) lies within
`min_face_clearance` image shoulder widths of the nose, mouth or ears is not read (tune_side eating at (1.55 m,
1.45 m, -30 deg): the hand holding food at the mouth read a pointing shape at 0.81-0.85; pointing hands 2.0-2.4).

What no view shows: a finger pointed at a client who sits between the camera and the clerk points along the
line of sight, and the hand is either hidden behind the client or seen end-on; the rule stays silent there. Session-6
streams: at tune (1.3 m, -20 deg) no hand is found at the pointing wrist at all (the desk hand only); at tune_wide
(1.8 m, -40 deg) a hand is found there (score 0.99) but its fit reads the index the most bent of the four (index
90-96, middle 79-103, ring 43-56, pinky 72-83 deg, for a labelled index 13 / middle 101): no finger-shape test can
read that as pointing, and none should be loosened for it.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from pipelines.engine import RuleContext, RuleParams, register
from pipelines.geometry import hand_face_clearance
from pipelines.rules._base import TrackedRule
from pipelines.temporal import Timing
from vision.observation import Observation
from vision.results import FINGER_JOINTS, HandResult

FINGER_CHAINS = {name: joints for name, joints in FINGER_JOINTS.items() if name != "thumb"}
POSE_WRISTS = (("left", 15), ("right", 16))
INDEX_MAX_BEND_DEG = 55.0
CURL_MARGIN_DEG = 30.0


class PointParams(RuleParams, Timing):
    min_duration: float = Field(0.5, ge=0, description="seconds the one-finger point must hold")
    grace: float = Field(0.4, ge=0)
    update_every: float | None = Field(None, gt=0)
    index_max_bend_deg: float = Field(INDEX_MAX_BEND_DEG, gt=0, description="the index counts as extended below this")
    curl_margin_deg: float = Field(CURL_MARGIN_DEG, ge=0, description="each other finger bends this much more")
    hand_radius: float = Field(0.2, gt=0, description="a clerk's hand: its wrist within this share of the image "
                                                      "width of a pose wrist")
    match_handedness: bool = Field(True, description="skip a hand fitted mirror-wise (see `mirrored`)")
    min_face_clearance: float = Field(1.0, ge=0, description="a hand whose centre lies closer than this many image "
                                                            "shoulder widths to the nose, mouth or ears is at the "
                                                            "face (eating, a finger at the lips), not pointing at "
                                                            "anyone")


def _bend(pts: np.ndarray, chain: tuple[int, int, int, int]) -> float:
    """The finger's bend at its two distal joints, degrees (0 = straight)."""
    a, b, c, d = (pts[i] for i in chain)
    total = 0.0
    for u, v in ((b - a, c - b), (c - b, d - c)):
        nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
        if nu < 1e-9 or nv < 1e-9:
            return float("nan")
        total += math.degrees(math.acos(float(np.clip(u @ v / (nu * nv), -1.0, 1.0))))
    return total


def finger_bends(hand: HandResult) -> dict[str, float] | None:
    """Bend of each long finger, from the metric world landmarks; None without them (the image landmarks read a
    pointing shape into 4-6 times more resting and eating hands on the tune renders)."""
    if len(hand.world) < 21:
        return None
    pts = np.asarray(hand.world, float)
    return {name: _bend(pts, chain) for name, chain in FINGER_CHAINS.items()}


def one_finger(hand: HandResult, index_max_deg: float = INDEX_MAX_BEND_DEG,
               margin_deg: float = CURL_MARGIN_DEG) -> bool:
    """Index extended and the other three clearly more bent; a hand without world landmarks falls back to the
    perception stage's own flag (HandResult.index_pointing)."""
    bends = finger_bends(hand)
    if bends is None or not all(math.isfinite(v) for v in bends.values()):
        return hand.index_pointing
    others = min(bends["middle"], bends["ring"], bends["pinky"])
    return bends["index"] < index_max_deg and others - bends["index"] >= margin_deg


def clerk_side(obs: Observation, hand: HandResult, radius: float) -> str | None:
    """'left'/'right': the pose wrist nearest this hand's wrist, within `radius` (fraction of the image width);
    None for a hand away from both (a client's). 'unknown' without a pose to compare with."""
    pose = obs.pose
    if pose is None or len(pose.landmarks) < 33 or not hand.landmarks:
        return "unknown"
    limit = radius * max(obs.image_size[0], 1)
    x, y = hand.landmarks[0][0], hand.landmarks[0][1]
    dist, side = min((math.hypot(pose.landmarks[i].x - x, pose.landmarks[i].y - y), s) for s, i in POSE_WRISTS)
    return side if dist <= limit else None


def clerks_hand(obs: Observation, hand: HandResult, radius: float = 0.2) -> bool:
    """A hand near one of the clerk's wrists (a client's hand at the counter edge is not the clerk's)."""
    return clerk_side(obs, hand, radius) is not None


@register
class OneFingerPointing(TrackedRule):
    rule_id: ClassVar[str] = "point.one_finger"
    needs: ClassVar[frozenset[str]] = frozenset({"hands"})
    measured_by: ClassVar[str | None] = "hands"
    Params: ClassVar[type[RuleParams]] = PointParams

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        pointing = [h for h in obs.hands if self._clerk_points(obs, h, obs.hands)]
        if not pointing:
            return False, {}
        score = round(max(h.score for h in pointing), 2)
        return True, {"hands": sorted({h.handedness for h in pointing}), "score": score}

    def _clerk_points(self, obs: Observation, hand: HandResult, hands: list[HandResult]) -> bool:
        p: PointParams = self.params  # type: ignore[assignment]
        side = clerk_side(obs, hand, p.hand_radius)
        if side is None:
            return False
        if p.match_handedness and mirrored(hand, side, hands):
            return False  # fitted mirror-wise: its finger reading is not trusted
        if side != "unknown" and obs.pose is not None:
            clearance = hand_face_clearance(obs.pose, side)
            if clearance is not None and clearance < p.min_face_clearance:
                return False  # at the face: a hand holding food at the mouth read index 44-52 / others 81-138 deg
        return one_finger(hand, p.index_max_bend_deg, p.curl_margin_deg)


def mirrored(hand: HandResult, side: str, hands: list[HandResult]) -> bool:
    """A hand fitted mirror-wise: its handedness names the other side than the wrist it sits at, and another hand
    in the frame carries that same handedness with a higher score (two 'left' hands: the doubtful one is the fit
    at the right wrist). A lone hand whose label disagrees is kept: the pose's own wrist sides can be swapped
    (the zidane.jpg photo: the pointing left hand sits nearest the pose's 'right' wrist)."""
    if side == "unknown" or hand.handedness.lower() == side:
        return False
    return any(h is not hand and h.handedness == hand.handedness and h.score > hand.score for h in hands)
