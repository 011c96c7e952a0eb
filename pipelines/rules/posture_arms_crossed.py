"""posture.arms_crossed: arms folded across the chest (抱胸; 003 D.1).

Each wrist lies past the body's midline on the other side. In the image: at chest height (raised to or
above its elbow); hands clasped on the desk stay on their own side or below the elbows. A camera off to
one side foreshortens the shoulder line and tucks the far wrist under the near elbow, so the crossing is
also measured on the 3-D world landmarks, along the shoulder line (right to left shoulder): there each
wrist must lie `min_world_cross_sw` past the midline, a margin typing or clasped hands never reach.
Seen from 30-45 deg aside the crossed wrists both sit in front of the chest toward the camera's side, so the
far wrist barely passes the midline even in 3-D, but the two wrists have swapped order: the right wrist lies
`min_world_swap_sw` further toward the clerk's left than the left wrist on two frames running (hands apart or
clasped keep their order; fingers interlocked in front of the chest swing it -0.1..0.34 frame to frame).
From 20 deg aside and 2 m away the pose model itself swaps which wrist is which (both land on their own
sides, where clasped hands would be), while the hand model, which tells a left hand from a right by its shape,
finds each hand `min_hand_cross_sw` past the image midline on the other side. That reading counts only while the
pose keeps the wrists within `max_wrists_apart_sw` of each other (crossed arms bring them together in front of
the chest): hands resting apart on the desk, each on its own side by the pose, were read by the hand model with
their handedness swapped (0.5-0.8 past the midline in guide clips, the pose wrists 1.1-1.5 sw apart). That gap moves
with the pose's wrists (the -20 deg clip's held crossing, 1.2-2.2 s: 0.66 sw in an older recording, 0.97 re-perceived),
so the reading also counts while both hands lie no more than `max_hands_below_elbow_sw` under the pose's elbows, as
folded arms hold them (0.20-0.37 sw there in both recordings); resting hands it mislabels lie 0.88 sw or more under.
Folded forearms lie in front of the shoulder line, so from a camera yawed aside (the counter's calibrated `yaw_deg`)
both hands show shifted toward the clerk's far side along the image shoulder line, by their depth x tan(yaw): from 25
deg on the clerk's left the right hand, 0.44 sw past the midline in truth, read 0.24. The hand model's midline moves
with them by `fold_depth_sw` x tan(yaw) (0.5 sw: a real clerk's folded wrists lie ~0.2 m before the shoulder joints,
the simulator's 0.72-0.90 sw); a camera without a calibrated yaw is taken as facing the clerk (no shift).
From 50 deg aside the far elbow is hidden behind the body (visibility under 0.3), which left every frame unknown,
yet the image shows the crossing plainly: the right wrist lies `min_image_swap_sw` further toward the clerk's left
than the left wrist along the image shoulder line (crossed arms 0.52-1.29 wherever the pose reads the crossing,
every clip without crossed arms on the four tune splits at most 0.02, 1-s medians), each wrist below the shoulders
and, where its elbow is seen, raised to it (as in the image test). This cue needs no elbow.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_EL, L_SH, L_WR, R_EL, R_SH, R_WR
from vision.observation import Observation
from vision.results import HandResult


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0)
    grace: float = Field(2.0, ge=0)
    min_cross_sw: float = Field(0.05, description="each wrist this far past the midline (shoulder widths)")
    max_below_elbow_sw: float = Field(0.15, description="a wrist may sit this much below its elbow")
    min_world_cross_sw: float = Field(
        0.1, gt=0, description="3-D: each wrist this far past the midline along the shoulder line (shoulder widths)"
    )
    min_world_swap_sw: float = Field(
        0.35, gt=0, description="3-D: the right wrist this much further toward the clerk's left than the left one (sw)"
    )
    min_hand_cross_sw: float = Field(
        0.35, gt=0, description="hand model: its left and right hand each this far past the image midline (sw)"
    )
    max_wrists_apart_sw: float = Field(
        0.9, gt=0, description="... only while the pose's wrists are no further apart than this on their own sides (sw)"
    )
    max_hands_below_elbow_sw: float = Field(
        0.5, gt=0, description="... or while the hand model's hands lie no lower than this under the pose's elbows (sw)"
    )
    fold_depth_sw: float = Field(
        0.5, ge=0, description="hand model: folded forearms lie this far in front of the shoulder line (sw); seen from "
        "the calibrated yaw aside they shift toward the clerk's far side by this x tan(yaw), and the midline with them"
    )
    min_image_swap_sw: float = Field(
        0.3, gt=0, description="image: the right wrist this much further toward the clerk's left than the left one, "
        "along the image shoulder line (sw); needs no elbow"
    )


@register
class ArmsCrossed(TrackedRule):
    rule_id = "posture.arms_crossed"
    needs = frozenset({"pose"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.last_swap: float | None = None  # the world swap on the previous frame (None: not measured there)
        # folded forearms lie in front of the shoulder line: from a camera yawed aside they show shifted toward the
        # clerk's far side along the image shoulder line by their depth x tan(yaw) (shoulder widths; fixed per camera)
        yaw = math.radians(max(-60.0, min(60.0, self.counter.camera.yaw_deg or 0.0)))
        self.fold_shift = self.params.fold_depth_sw * math.tan(yaw)  # type: ignore[attr-defined]

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        last_swap, self.last_swap = self.last_swap, None
        body = body_of(ctx)
        if body is None:
            return False, {}
        ls, rs = body.pt(L_SH), body.pt(R_SH)
        lw, rw, le, re = (body.pt(i, 0.3) for i in (L_WR, R_WR, L_EL, R_EL))
        if ls is None or rs is None or not (lw and rw):
            return None, {}
        swapped = _image_swap(ls, rs, lw, rw, le, re, p)
        swap_ok = swapped is not None and swapped >= p.min_image_swap_sw
        if not (le and re):  # an elbow hidden (the far one, from far aside): only the image swap can tell
            return (True, {"image_swap_sw": round(swapped, 2)}) if swap_ok and swapped is not None else (None, {})
        sw = body.shoulder_width or 1.0
        midx = (ls[0] + rs[0]) / 2
        sign = 1.0 if ls[0] > rs[0] else -1.0  # +1: the subject's left is on the image's right
        l_cross = sign * (midx - lw[0]) / sw  # how far the left wrist went to the right side
        r_cross = sign * (rw[0] - midx) / sw
        raised = (lw[1] - le[1]) / sw <= p.max_below_elbow_sw and (rw[1] - re[1]) / sw <= p.max_below_elbow_sw
        chest = min(lw[1], rw[1]) > min(ls[1], rs[1])
        crossed = l_cross >= p.min_cross_sw and r_cross >= p.min_cross_sw and raised and chest
        ev: dict[str, Any] = {"cross_sw": round(min(l_cross, r_cross), 2)}
        if swapped is not None:
            ev["image_swap_sw"] = round(swapped, 2)
            crossed = crossed or swap_ok
        world = _world_cross(body.pose.world)
        if world is not None:
            ev["world_cross_sw"] = round(world, 2)
            crossed = crossed or world >= p.min_world_cross_sw
        swap = _world_swap(body.pose.world)
        if swap is not None:
            ev["world_swap_sw"] = round(swap, 2)
            # Two frames running: fingers interlocked in front of the chest swing it -0.1..0.34 frame to frame
            held = last_swap is not None and last_swap >= p.min_world_swap_sw
            crossed = crossed or (swap >= p.min_world_swap_sw and held)
        self.last_swap = swap
        cents = _hand_centroids(obs.hands)
        hands = _hand_cross(cents, rs, ls, self.fold_shift) if cents is not None else None
        if cents is not None and hands is not None:
            ev["hand_cross_sw"] = round(hands, 2)
            together = swap is None or swap >= -p.max_wrists_apart_sw  # apart, the hand model's labels are doubtful
            if not together and hands >= p.min_hand_cross_sw:
                # The pose's 3-D wrist gap on crossed arms it uncrosses moved 0.66 -> 0.97 sw between two
                # recordings of one held pose (the -20 deg clip); the hands' height did not: folded arms hold them at
                # the elbows (0.20-0.37 sw under), hands resting apart on the desk lie 0.88 sw or more under them.
                low = _hands_below_elbows(cents, le, re, sw)
                ev["hands_below_elbow_sw"] = round(low, 2)
                together = low <= p.max_hands_below_elbow_sw
            crossed = crossed or (hands >= p.min_hand_cross_sw and together)
        return crossed, ev


def _image_swap(ls: tuple[float, float], rs: tuple[float, float], lw: tuple[float, float], rw: tuple[float, float],
                le: tuple[float, float] | None, re: tuple[float, float] | None, p: Params) -> float | None:
    """How much further toward the clerk's left the right wrist lies than the left one along the image shoulder line
    (shoulder widths; about 0 for clasped hands, negative for hands apart); None unless both wrists are below the
    shoulders and each wrist whose elbow is seen is raised to it (hands crossed on the desk are not folded arms)."""
    a, b = np.asarray(rs, float), np.asarray(ls, float)
    axis = b - a
    width = float(np.hypot(*axis))
    if width < 1e-6 or min(lw[1], rw[1]) <= min(ls[1], rs[1]):
        return None
    if any(el is not None and (wr[1] - el[1]) / width > p.max_below_elbow_sw for wr, el in ((lw, le), (rw, re))):
        return None
    return _along(np.asarray(rw, float), a, b) - _along(np.asarray(lw, float), a, b)


def _along(p: np.ndarray, rs: np.ndarray, ls: np.ndarray) -> float:
    """Where p lies along the right-to-left shoulder line, from its midpoint, in shoulder widths (+ = clerk's left)."""
    axis = ls - rs
    return float((p - (ls + rs) / 2) @ axis / float(axis @ axis))


def _world_swap(world: list) -> float | None:
    """How much further toward the clerk's left the right wrist lies than the left wrist, along the 3-D shoulder
    line (shoulder widths): negative for hands apart, about 0 for hands together, positive for crossed arms."""
    if len(world) <= max(L_WR, R_WR):
        return None
    ls, rs, lw, rw = (np.asarray(world[i][:3], float) for i in (L_SH, R_SH, L_WR, R_WR))
    if float(np.linalg.norm(ls - rs)) < 1e-6:
        return None
    return _along(rw, rs, ls) - _along(lw, rs, ls)


def _hand_centroids(hands: list[HandResult] | None) -> dict[str, np.ndarray] | None:
    """The hand model's "Left" and "Right" hand centroids (image px); None unless it found one of each."""
    by_side = {h.handedness: h for h in hands or [] if h.landmarks}
    if len(by_side) < 2:
        return None
    return {s: np.mean([q[:2] for q in by_side[s].landmarks], axis=0) for s in ("Left", "Right")}


def _hand_cross(cents: dict[str, np.ndarray], rs: tuple[float, float], ls: tuple[float, float],
                shift: float = 0.0) -> float | None:
    """How far the hand model's less-crossed hand lies past the image midline on the other side (its centroid,
    shoulder widths along the image shoulder line; negative on its own side). `shift` (sw, + toward the clerk's
    left) undoes the parallax of hands in front of the chest seen from aside. None without a shoulder line."""
    if abs(ls[0] - rs[0]) + abs(ls[1] - rs[1]) < 1e-6:
        return None
    a, b = np.asarray(rs, float), np.asarray(ls, float)
    left, right = (_along(cents[s], a, b) + shift for s in ("Left", "Right"))
    return min(-left, right)


def _hands_below_elbows(cents: dict[str, np.ndarray], le: tuple[float, float], re: tuple[float, float],
                        sw: float) -> float:
    """How far the lower of the hand model's left and right hands (centroids) lies under the pose's elbows' mean
    height (shoulder widths, image; negative above them)."""
    lowest = max(float(cents[s][1]) for s in ("Left", "Right"))
    return (lowest - (le[1] + re[1]) / 2) / sw


def _world_cross(world: list) -> float | None:
    """How far the less-crossed wrist lies past the midline, along the 3-D shoulder line (shoulder widths);
    negative when a wrist stays on its own side. None without world landmarks."""
    if len(world) <= max(L_WR, R_WR):
        return None
    ls, rs = np.asarray(world[L_SH][:3], float), np.asarray(world[R_SH][:3], float)
    width = float(np.linalg.norm(ls - rs))
    if width < 1e-6:
        return None
    axis, mid = (ls - rs) / width, (ls + rs) / 2  # toward the subject's left
    left = float((np.asarray(world[L_WR][:3], float) - mid) @ axis) / width
    right = float((np.asarray(world[R_WR][:3], float) - mid) @ axis) / width
    return min(-left, right)
