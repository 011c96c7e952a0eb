"""gaze.away: not facing the client while serving, or looking around (左顾右盼; 001 第七条5).

The client sits on the camera's side of the counter, facing the clerk's front. A camera off to one side
(calibrated `yaw_deg`) sees a clerk facing the client turned by that angle, so the face yaw is judged
against the clerk's front (face yaw + camera yaw): turned more than `max_yaw_deg` for `min_duration` s is
away. A head turned far enough loses the face model; the pose's nose then still shows the turn, as its
sideways shift from the clerk's usual place over the shoulders (against a slow baseline), judged against what a
`max_yaw_deg` turn that way shows in this view (`nose_turn`; the camera model: the nose swings on a 10 cm arm,
so a camera aside sees a turn toward it and one away from it slide the nose by 2:1), and not while the nose sank
below its usual height (bowing to the papers slides it too, seen from aside), nor while the shoulders' image span
is more than `max_span_change` off its usual value (a head turn leaves it; a misfitted shoulder moves the
mid-shoulder reference: a client between the camera and the clerk at (1.3 m, 2.0 m, -20 deg) read 70 px on the
first frame and 130-172 px after, and the nose "turned" for 4 s while the clerk faced the client), nor while the
mid-shoulders moved off their usual place (`max_shoulder_shift`: a lean or a reach carries the head forward, which
from high and aside slides the nose as a turn does; a turn leaves the shoulders in place). The usual places start
as the median of the first `seed_s` seconds seen, not one frame that may be a misfit. A pose whose
shoulders read wider than `max_body_width_m` at the clerk is a visitor nearer the camera: not judged. Looking
around: the head sweeps left and right (`min_sweeps` turns of `sweep_deg` within `sweep_window_s`). Looking down
at papers or the keyboard (pitch) is work, not looking away. Only while a client is present.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np
from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.geometry import FORWARD, LATERAL
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_SH, NOSE, R_SH, dist
from pipelines.rules._frame import MAX_CLERK_SHOULDER_DOC, MAX_CLERK_SHOULDER_M, camera, someone_nearer
from pipelines.temporal import SlowBaseline
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0)
    grace: float = Field(2.0, ge=0)
    # turned to a colleague beside the post the head reads 37-48 deg off the front at every tune view, away 57-68
    max_yaw_deg: float = Field(50.0, gt=0)
    sweep_deg: float = Field(30.0, gt=0)
    min_sweeps: int = Field(3, ge=2)
    sweep_window_s: float = Field(8.0, gt=0)
    nose_turn: float = Field(
        0.8, gt=0, description="no face: the nose this share of the sideways slide a max_yaw_deg turn shows here"
    )
    max_nose_sink_sw: float = Field(
        0.05, gt=0, description="... unless the nose sank this much (shoulder widths) below its usual height: reading"
    )
    nose_ahead_m: float = Field(0.1, gt=0, description="how far the nose sits in front of the head's turning axis")
    min_turn_px: float = Field(
        3.0, gt=0, description="a turn that way slides the nose less than this here: not read from the nose"
    )
    max_span_change: float = Field(0.25, gt=0, description="no face: the shoulders' image span this share off its "
                                                         "usual value: the nose's reference is not read")
    # tune / tune_wide, frames whose nose read a turn with the face lost: the turned-away clips moved the
    # mid-shoulders 0.005-0.047 spans from their usual place, the handover reaches that read as turns 0.10-0.36
    max_shoulder_shift: float = Field(0.075, gt=0, description="no face: the mid-shoulders this many usual spans from "
                                                               "their usual place (a lean, a reach): not read")
    baseline_tau_s: float = Field(60.0, gt=0, description="time constant of the nose's usual place")
    seed_s: float = Field(1.0, ge=0, description="the usual places start as the median of the first this many "
                                                 "seconds seen (not one misfitted frame); no nose read before")
    max_body_width_m: float = Field(MAX_CLERK_SHOULDER_M, gt=0, description=MAX_CLERK_SHOULDER_DOC)
    # Renders at 54-57 deg (docs/rules.md, session 18): a head turned 60 deg away from the camera loses the face, the
    # pose's nose slides 0.13 of a max_yaw_deg turn or the pose collapses the shoulder line (its reference): 0/3
    # found; at 39-40 deg 2/2. Read by `counterwatch calibrate preview` only: the rule still judges (a turn toward
    # the camera is seen from any side).
    max_view_yaw_deg: float = Field(
        40.0, ge=0, le=90, description="calibrate preview: a turn away from a camera further aside is not measured"
    )


@register
class GazeAway(TrackedRule):
    rule_id = "gaze.away"
    needs = frozenset({"pose", "face", "people"})
    measured_by = "face"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.yaws: deque[tuple[float, float]] = deque()
        p: Params = self.params  # type: ignore[assignment]
        self.nose_usual = SlowBaseline(p.baseline_tau_s, p.seed_s)
        self.span_usual = SlowBaseline(p.baseline_tau_s, p.seed_s)  # the shoulders' span and middle (px)

    def _nose_turn(self, obs: Observation, ctx: RuleContext, p: Params) -> float | None:
        """How far the head turned, from the nose's sideways offset from mid-shoulders (pixels) minus its slow
        baseline, as a share of the offset a `max_yaw_deg` turn that way shows in this view. The nose sits ~10 cm in
        front of the neck: turning swings it sideways and back, so a camera aside sees a turn toward it as a long
        slide and a turn away as a short one (40 deg aside: 0.45 against 0.18 shoulder widths for the same turn)."""
        body = body_of(ctx)
        if body is None:
            return None
        # a turned clerk half hides the far shoulder: take the shoulders at a low visibility
        nose, ls, rs = body.pt(NOSE, 0.5), body.pt(L_SH, 0.1), body.pt(R_SH, 0.1)
        if nose is None or ls is None or rs is None or abs(ls[0] - rs[0]) < 1e-3:
            return None
        t, mx, my = ctx.clock.t, (ls[0] + rs[0]) / 2, (ls[1] + rs[1]) / 2
        x, y = nose[0] - mx, nose[1] - my
        usual_x, usual_y = self.nose_usual.update(t, (x, y))
        span = abs(ls[0] - rs[0])
        usual_span, usual_mx, usual_my = self.span_usual.update(t, (span, mx, my))
        if self.nose_usual.seeding(t):
            return None  # the usual places are not settled yet (their first seed_s seconds)
        if abs(span - usual_span) > p.max_span_change * usual_span:
            return None  # the shoulders' image span moved: a misfitted shoulder or a torso turn shifts the reference
        if math.hypot(mx - usual_mx, my - usual_my) > p.max_shoulder_shift * usual_span:
            # the shoulders moved with the head (leaning in, reaching across the desk): seen from high and aside the
            # head coming forward slides the nose sideways as a turn does, and a turn leaves the shoulders in place
            return None
        if (y - usual_y) / dist(ls, rs) > p.max_nose_sink_sw:
            return None  # the head bowed to the papers or the keyboard: it slides the nose too, seen from aside
        shift = x - usual_x
        cam = camera(obs, ctx)
        at = cam.on_plane(np.array(nose, dtype=float), cam.coronal_plane_normal(), np.zeros(3))
        shares = []
        for sign in (1.0, -1.0):  # + = toward the clerk's left
            yaw = math.radians(sign * p.max_yaw_deg)
            turned = p.nose_ahead_m * (math.sin(yaw) * LATERAL + (math.cos(yaw) - 1.0) * FORWARD)
            expected = float(cam.project(at + turned)[0] - cam.project(at)[0])
            if abs(expected) >= p.min_turn_px and expected * shift > 0:
                shares.append(shift / expected)
        return max(shares, default=0.0)

    def _sweeps(self, t: float, yaw: float, p: Params) -> int:
        self.yaws.append((t, yaw))
        while self.yaws and t - self.yaws[0][0] > p.sweep_window_s:
            self.yaws.popleft()
        turns, direction, anchor = 0, 0, self.yaws[0][1]
        for _, y in list(self.yaws)[1:]:
            if abs(y - anchor) >= p.sweep_deg:
                d = 1 if y > anchor else -1
                if d != direction:
                    turns += 1
                direction, anchor = d, y
        return turns

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        if ctx.client_present is None:
            return None, {}
        if someone_nearer(obs, ctx, p.max_body_width_m):
            return None, {}  # a visitor nearer the camera taken for the clerk: their head and face are not the clerk's
        f = obs.face
        turn = self._nose_turn(obs, ctx, p)
        if f is None:
            if ctx.clerk_present is False:
                return False, {}
            if turn is not None and ctx.client_present and turn >= p.nose_turn:
                return True, {"kind": "turned_away", "nose_turn": round(turn, 2)}
            return None, {}
        yaw = f.yaw + (self.counter.camera.yaw_deg or 0.0)  # against the clerk's front, not the camera
        sweeps = self._sweeps(ctx.clock.t, yaw, p)
        if not ctx.client_present:
            return False, {}
        if abs(yaw) > p.max_yaw_deg:
            return True, {"kind": "turned_away", "yaw_deg": round(yaw, 1)}
        if sweeps >= p.min_sweeps:
            return True, {"kind": "looking_around", "sweeps": sweeps}
        return False, {}
