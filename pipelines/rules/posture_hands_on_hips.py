"""posture.hands_on_hips: hands on hips (叉腰) while standing (003 D.1; 004 (一)3).

A wrist at its hip with the elbow well out beyond the shoulder, the wrist not on the desk. Needs the
hips in view; seated behind the desk MediaPipe still guesses hips near the hands on the desk, which
the desk-zone check rules out. With the camera's height and distance calibrated, the shoulders must also stand
`min_standing_shoulder_m` above the floor (as bow.angle and posture.slouch judge standing): from high and 40° aside
a seated clerk nodding off had the pose refit hips beside the desk zone, a guessed wrist at the waist (shoulders
1.02 m; every tune/tune_wide hands-on-hips clerk stood at 1.29-1.53 m). Seen 30-35° aside the hand at the waist
lands up to `wide_radius_sw` off the hip in the image, as a guiding arm seen from high and aside does: between
`hip_radius_sw` and that, the pose's 3-D world landmarks must put the wrist at the hip or waist. From 50° aside and
high a guiding arm held out lands on the hip in the image itself (0.1-0.3 sw): the hand on the hip bends the arm
(3-D elbow angle 101-140° in every tune split), a guiding or hanging arm is near straight (147° or more), so an arm
straighter than `max_elbow_deg` is no hand on the hip.
Hands in pockets or behind the back are not told apart from hands hanging down by the pose alone: not measured.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from pipelines.context import point_in_polygon
from pipelines.engine import RuleContext, register
from pipelines.geometry import angle_between, world_points
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_EL, L_HIP, L_SH, L_WR, R_EL, R_HIP, R_SH, R_WR, STANDING_SHOULDER_M, dist
from pipelines.rules._frame import shoulder_height_m
from vision.observation import Observation
from vision.results import PoseResult


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0)
    grace: float = Field(2.0, ge=0)
    hip_radius_sw: float = Field(0.35, gt=0, description="wrist this close to the hip joint or the waist above it")
    waist_up: float = Field(0.3, ge=0, le=1, description="the waist: this share of the way from hip joint to shoulder")
    wide_radius_sw: float = Field(
        0.5, gt=0, description="... or this close in the image when the 3-D landmarks agree (world_radius_sw)"
    )
    world_radius_sw: float = Field(
        0.75, gt=0, description="wrist this close to the hip or waist in world shoulder widths (3-D pose landmarks)"
    )
    elbow_out_sw: float = Field(0.25, description="elbow this far outside its shoulder")
    max_elbow_deg: float = Field(
        145.0, gt=0, le=180, description="the elbow angle at most this (3-D pose landmarks; a straight arm: 180)"
    )
    both_hands: bool = False
    min_standing_shoulder_m: float = Field(
        STANDING_SHOULDER_M, gt=0,
        description="standing: shoulders this high above the floor (calibrated camera height/distance)"
    )


@register
class HandsOnHips(TrackedRule):
    rule_id = "posture.hands_on_hips"
    needs = frozenset({"pose"})
    measured_by = "pose"
    Params = Params

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        body = body_of(ctx)
        if body is None or ctx.values.get("head_down"):
            return False, {}  # lying on the desk: the hips the model guesses sit by the hands
        sw = body.shoulder_width
        ls, rs = body.pt(L_SH), body.pt(R_SH)
        if sw is None or ls is None or rs is None or not body.visible(L_HIP, R_HIP):
            return None, {}
        midx = (ls[0] + rs[0]) / 2
        desk = self.counter.zones.desk
        hips = (body.pt(L_HIP), body.pt(R_HIP))
        if desk is not None and any(h is not None and point_in_polygon(h, desk) for h in hips):
            return False, {}  # seated: the hips the model reports are guesses behind the desk
        standing_m = shoulder_height_m(obs, ctx)
        if standing_m is not None and standing_m < p.min_standing_shoulder_m:
            return False, {}  # seated: hips on the hips' side of the desk zone are guesses too
        sides = []
        for side, sh, el, wr, hip, sh_i in (
                ("left", ls, L_EL, L_WR, L_HIP, L_SH), ("right", rs, R_EL, R_WR, R_HIP, R_SH)):
            e, w, h = body.pt(el, 0.3), body.pt(wr, 0.3), body.pt(hip)
            if not (e and w and h):
                continue
            out = (abs(e[0] - midx) - abs(sh[0] - midx)) / sw
            on_desk = desk is not None and point_in_polygon(w, desk)  # seated hands on the desk, hips behind it
            # the hand rests on the waist (the top of the hip bone), above the hip joint the model marks
            waist = (h[0] + p.waist_up * (sh[0] - h[0]), h[1] + p.waist_up * (sh[1] - h[1]))
            near = min(dist(w, h), dist(w, waist)) / sw
            at_hip = near <= p.hip_radius_sw
            if not at_hip and near <= p.wide_radius_sw:
                # seen from aside a hand at the waist projects a little off the hip, and so does a guiding arm
                # seen from high and aside: the 3-D landmarks tell them apart (docs/rules.md, session 7)
                wn = _world_near(body.pose, sh_i, wr, hip, p.waist_up)
                at_hip = wn is not None and wn <= p.world_radius_sw
            if at_hip and out >= p.elbow_out_sw and not on_desk and not _straight(body.pose, sh_i, el, wr, p):
                sides.append(side)
        ok = len(sides) == 2 if p.both_hands else bool(sides)
        return ok, {"sides": sides}


def _world_near(pose: PoseResult, sh: int, wr: int, hip: int, waist_up: float) -> float | None:
    """Wrist to hip joint or waist in the pose's 3-D world landmarks, in world shoulder widths (None without them)."""
    pts = world_points(pose, (sh, wr, hip, L_SH, R_SH))
    if pts is None:
        return None
    s, w, h, ls, rs = pts
    width = float(np.linalg.norm(ls - rs))
    if width < 1e-6:
        return None
    waist = h + waist_up * (s - h)
    return min(float(np.linalg.norm(w - h)), float(np.linalg.norm(w - waist))) / width


def _straight(pose: PoseResult, sh: int, el: int, wr: int, p: Params) -> bool:
    """The arm near straight at the elbow in the 3-D world landmarks (a guiding or hanging arm, not a hand on the
    hip); False without them."""
    pts = world_points(pose, (sh, el, wr))
    if pts is None:
        return False
    angle = angle_between(pts[0] - pts[1], pts[2] - pts[1])
    return angle == angle and angle > p.max_elbow_deg  # nan (a degenerate arm) is not judged
