"""posture.slouch: leaning forward / back, slumped or sitting sideways (003 B.2.2, D.1; 001 第七条3).

Where the camera sees the hips (`hips_in_view: true`; visible, and not inside the desk zone) the torso
angle comes from the 3-D world landmarks, turned from the camera's axes into the
counter's with the calibrated camera pitch and yaw (a camera looking down 25° otherwise adds 25° of
"lean"): pitch forward/back and roll sideways. Behind a counter the model only guesses the hips, and
on simulated upright clerks that guess swung the lean by ±15-35°, so by default only the shoulder
line is judged, which cannot see leaning forward or back. The shoulder line's roll (leaning on one arm) is
measured against the slope a level shoulder line has in this view (a camera off to one side and above
sees level shoulders sloping), not in views that foreshorten the shoulders (side views), and only while
both hands are below the shoulders (raising an arm to the face lifts its shoulder); it must pass the threshold
against the clerk's own usual slope too (learnt from the frames under it; 30-35° aside that model is rough).
Slumping forward (rounded back) is read against the clerk's own upright posture, not a fixed angle: a slow
baseline (time constant `baseline_tau_s`) of the ear height above the shoulders and of where the shoulders
sit in the image. Slumped = the ears sink `ear_drop_sw` toward the shoulders AND the shoulders themselves
sink `shoulder_drop_sw` (shoulder widths of the baseline). Reading with the head bowed lowers the ears but
not the shoulders; bowing over a phone or papers held low leans the torso forward, which a camera above reads as the
shoulders sinking 0.10-0.15 sw (every slump of the four tune splits: 0.19 or more). The view does not matter, as
both are measured in this camera's own image (in a shoulder
width floored at `min_width_m` worth at the clerk: seen from 45-60° aside the shoulder line is short and
swings as the torso turns). Leaning back
against the chair = the ears rise `ear_rise_sw` over the shoulders AND the nose rises `nose_rise_sw` (the
head tips back with the torso) while the shoulders do not rise as standing up would raise them, nor narrow
by `max_width_loss` as turning away does, and with no hand up past `head_cue_hand_sw` (a hand propping the chin
lifts the head). Looking
up lifts the nose but hardly the ears. Seen close and low from in front the head cue falls short and the shoulder
line narrows as the clerk moves away from the near camera (read as a turn): there the face tipping back `tip_back_deg`
over its usual pitch (the face stage's), its yaw steady, with the nose and a little the ears up, the shoulders not
sunk and no hand up, is leaning back too. Seen from 30-45 deg aside that head cue turns the other way (the ears
sink toward the shoulders), but the shoulders themselves slide sideways and up in the image as they move back:
there (`min_back_view`) leaning back = the mid-shoulders `lean_back_m` behind their usual place, solved through
the camera model, with the head not bowed and no hand up at the face (a raised arm shifts its shoulder), and
sliding straight back: the solve has no "up", so shoulders rising (getting up from the chair, reaching over the
desk) read as a diagonal slide, sideways more than `max_back_side_ratio` of backward (0.48-0.81 for every such
reading past 0.045 m on tune/tune_wide; every lean at most 0.33), and, solved as backward and upward instead, keeping
`min_back_up_share` of the backward reading (an arm lifting its shoulder slides it straight up: seen 20 deg aside
that read as backward with a sideways share under the ratio). In the
same views the shoulder line's roll when slumping onto one forearm reads under `max_shoulder_tilt_deg` (8-10 deg
for ~20) or not at all (the line narrows), while the mid-shoulders slide `lean_side_m` sideways: that is a lean
too (not while the head is down on the desk: posture.head_on_desk's, nor while a hand is up past `side_hand_sw`: a
hand at the chin, a phone held up or a reach shifts its own shoulder; leaning on one arm keeps both hands low,
0.8 sw or more below the shoulder line in every tune/tune_wide lean; nor, as for the tilt, while the line is
`max_tilt_width_loss` narrower than usual: a fit that lost a shoulder as the head sank moves the line's middle,
nor while the ears have sunk `side_ear_drop_sw` toward the shoulders: the frame a nod ends still holds its slide).
A pose whose shoulders read wider than `max_body_width_m` at the clerk belongs to someone nearer the camera (a
visitor at the counter) and is not judged. Only while seated: with a calibrated camera, the shoulders below
standing height (`min_standing_shoulder_m`, as the bow rule judges it; a view from above and to one side
shows a seated clerk's hips off the desk zone), else the hips not seen above the desk.
A bow lasts seconds; `min_duration` keeps it out. Lying on the desk
(posture.head_on_desk) is not also a slouch: the rule is silent while the head is down.
After the post stood empty `reset_absent_s`, the usual posture is learnt afresh from the first seated frame of
whoever sits down (a colleague covering sits where they sit, not where the clerk sat).
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from typing import Any, NamedTuple

import numpy as np
from pydantic import Field

from pipelines.context import point_in_polygon
from pipelines.engine import RuleContext, register
from pipelines.geometry import FORWARD, LATERAL, UP, CameraModel, world_torso_vector
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_EAR, L_HIP, L_SH, NOSE, R_EAR, R_HIP, R_SH, STANDING_SHOULDER_M, calibrated
from pipelines.rules._frame import (
    LYING_SINK_DOC,
    LYING_SINK_M,
    MAX_CLERK_SHOULDER_DOC,
    MAX_CLERK_SHOULDER_M,
    STANDING_MEMORY_S,
    camera,
    measure,
    seated_reading,
    shoulder_centre,
    slumped_not_lying,
    someone_nearer,
    upright_36cm_px,
)
from pipelines.temporal import SlowBaseline
from vision.observation import Observation


class Slump(NamedTuple):
    """This frame against the clerk's slow upright baseline; lengths in (floored) shoulder widths."""

    ear_drop_sw: float  # the ears sank toward the shoulders by
    shoulder_drop_sw: float  # the shoulders sank by
    nose_up_sw: float | None  # the nose rose by (None: not seen)
    turned: bool  # the shoulder line `max_width_loss` narrower than usual: turned away, no head cue read
    narrowed: bool  # ... `max_tilt_width_loss` narrower: its slope is no roll, its middle no slide


class Params(TimedParams):
    min_duration: float = Field(15.0, ge=0)
    grace: float = Field(3.0, ge=0)
    max_lean_forward_deg: float = Field(25.0, description="torso pitched forward from vertical (camera-corrected)")
    max_lean_back_deg: float = Field(20.0, description="torso pitched back from vertical (camera-corrected)")
    max_lean_side_deg: float = Field(15.0, description="torso rolled sideways from vertical")
    max_shoulder_tilt_deg: float = Field(12.0, description="shoulder line from level, as this camera sees level")
    tilt_tau_s: float = Field(
        60.0, gt=0, description="the tilt must pass max_shoulder_tilt_deg against the usual one too, learnt this slowly"
    )
    min_foreshortening: float = Field(
        0.75, ge=0, le=1, description="shoulder tilt judged only when the view shows at least this share of the width"
    )
    raised_hand_sw: float = Field(-0.4, description="a hand above this (vs the shoulder line) lifts its shoulder")
    hips_in_view: bool = Field(
        False, description="the camera sees the clerk's hips (no counter between): judge the 3-D torso lean"
    )
    min_hip_visibility: float = Field(0.6, ge=0, le=1)
    smooth_s: float = Field(1.0, ge=0, description="judge the median of the measures over this many seconds")
    ear_drop_sw: float = Field(0.15, gt=0, description="slumped: ears this much lower over the shoulders than usual")
    shoulder_drop_sw: float = Field(0.17, gt=0, description="... and the shoulders this much lower than usual")
    lying_head_sw: float = Field(
        0.2, description="head this low over the shoulders is lying on the desk (head_on_desk's), not a slump"
    )
    lying_sink_m: float = Field(LYING_SINK_M, ge=0, description=LYING_SINK_DOC)
    # From 40 deg aside a clerk lying on the desk was fitted with the head 0.30-0.42 sw over shoulders sunk 0.63 m
    # below their usual seated height: the slump cue read it (ears 0.6, shoulders 1.9-2.0 sw down). Slumps sink
    # 0.03-0.15 m with the head in that band.
    lying_deep_sink_m: float = Field(
        0.2, ge=0, description="with the head down (the context's head_down) though read over lying_head_sw, the "
        "shoulders sunk this far (m) below their usual seated height are lying on the desk, not a slump"
    )
    tilt_needs_face: bool = Field(
        True, description="no shoulder tilt read while the face stage ran and found no face (the head turned away)"
    )
    ear_rise_sw: float = Field(0.1, gt=0, description="leaning back: ears this much higher over the shoulders ...")
    nose_rise_sw: float = Field(0.2, gt=0, description="... and the nose this much higher than usual ...")
    max_shoulder_rise_sw: float = Field(
        0.15, gt=0, description="... while the shoulders rise less than this (standing up raises them) ..."
    )
    max_tilt_width_loss: float = Field(
        0.25, ge=0, le=1,
        description="shoulder line this share narrower than usual (a turn, a fit that lost a shoulder): no tilt read",
    )
    max_width_loss: float = Field(
        0.1, ge=0, le=1, description="... and the shoulder line narrows by less than this share (turning narrows it)"
    )
    baseline_tau_s: float = Field(60.0, gt=0, description="time constant of the clerk's usual (upright) posture")
    min_standing_shoulder_m: float = Field(
        STANDING_SHOULDER_M, gt=0,
        description="standing: shoulders this high above the floor (calibrated camera height/distance)"
    )
    standing_memory_s: float = Field(
        STANDING_MEMORY_S, ge=0, description="... now or within this many seconds (a bow follows)"
    )
    min_width_m: float = Field(
        0.25, gt=0, description="slump/lean lengths: the shoulder width taken as no less than this many metres' worth"
    )
    max_body_width_m: float = Field(MAX_CLERK_SHOULDER_M, gt=0, description=MAX_CLERK_SHOULDER_DOC)
    lean_back_m: float = Field(
        0.08, gt=0, description="leaning back: the shoulders this far behind their usual place (camera model) ..."
    )
    lean_side_m: float = Field(
        0.1, gt=0, description="leaning on one arm: the shoulders this far sideways from their usual place (ditto)"
    )
    max_shift_m: float = Field(
        0.3, gt=0, description="... either, but not further (a jump that far is another person's pose, or leaving)"
    )
    # A hand propping the chin lifts the head: seen 57 deg aside the ears read 0.2-0.3 sw and the nose 0.3 sw up, the
    # head cue, with the hand 0.87-0.92 sw over the shoulder line; on every leaning_back clip of the tune splits and the
    # session-18 renders the hands stay at or under 0.11 sw while the head cue is near (1-s medians).
    head_cue_hand_sw: float | None = Field(
        0.45, description="leaning back by the head cue (ears and nose up) not while a hand is above this (vs the "
        "shoulder line, sw): a hand at the chin lifts the head; None: always"
    )
    back_hand_sw: float = Field(
        0.0, description="... and not while a hand is above this (vs the shoulder line: at the face, the hair)"
    )
    min_back_view: float = Field(
        0.3, ge=0, description="... judged where 10 cm backward shows at least this share of 10 cm upright's length"
    )
    # Seen from high and far on the right (1.7 m, 1.8 m, -42 deg) a nod collapses the shoulder line for ~1 s and drags
    # its middle 0.10-0.13 m sideways; on the frame it opens again the 1-s median still holds that slide, with the
    # ears' median 0.28-0.31 sw sunk. Leans on one arm keep the ears' median at or under 0.11 sw on every frame the
    # slide reads past lean_side_m (four tune splits, session-22 renders).
    side_ear_drop_sw: float = Field(
        0.2, description="the sideways slide is not read while the ears have sunk this far toward the shoulders (sw)"
    )
    side_hand_sw: float = Field(
        -0.4, description="the sideways slide is not read while a hand is above this (vs the shoulder line, sw)"
    )
    max_back_side_ratio: float = Field(
        0.4, ge=0, description="leaning back: the sideways slide at most this share of the backward one (else rising)"
    )
    min_back_up_share: float = Field(
        0.35, ge=0, description="... and at least this share of it stays backward when the rest of the slide is taken"
        " as upward (a shoulder lifted by an arm, rising) instead of sideways"
    )
    # Seen close and low from in front (about 1.15-1.3 m high, 1.0-1.2 m away, within 15 deg of facing the clerk) the
    # head cue falls short (ears 0.07-0.11 sw, nose 0.16-0.21 sw up) and the shoulder line narrows 8-10% as the clerk
    # moves away from a near camera, which the turn guard reads as a turn; the face, though, tips back 26-34 deg with
    # its yaw steady. Clips without a slouch on the four tune splits tip it at most 19.5 deg with that nose rise.
    tip_back_deg: float = Field(
        23.0, gt=0, description="leaning back: the face pitched up this far over its usual pitch (degrees) ..."
    )
    tip_nose_rise_sw: float = Field(
        0.15, ge=0, description="... with the nose this much higher than usual (however the shoulder line narrows) ..."
    )
    tip_ear_rise_sw: float = Field(
        0.025, description="... the ears risen at least this much (sw; looking up lifts the nose, hardly the ears) ..."
    )
    tip_max_yaw_deg: float = Field(
        10.0, ge=0, description="... the face turned less than this from its usual yaw (a turned head: no tip back) ..."
    )
    tip_max_sink_sw: float = Field(
        0.05, description="... the shoulders sunk less than this (sw), and no hand above back_hand_sw"
    )
    reset_absent_s: float = Field(
        5.0, ge=0, description="the post empty this long: whoever sits down next starts a new usual posture (s)"
    )


@register
class Slouch(TrackedRule):
    rule_id = "posture.slouch"
    needs = frozenset({"pose"})
    measured_by = "pose"
    Params = Params

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.recent: deque[tuple[float, dict[str, float]]] = deque()
        # ear height (sw), shoulder-mid y (px), sw (px), nose height (sw), shoulder-mid x (px): the clerk's usual
        # upright posture
        self.upright = SlowBaseline(self.params.baseline_tau_s)  # type: ignore[attr-defined]
        self.usual_tilt = SlowBaseline(self.params.tilt_tau_s)  # type: ignore[attr-defined]
        self.usual_face = SlowBaseline(self.params.baseline_tau_s)  # type: ignore[attr-defined]  # face pitch, yaw
        self.empty_since: float | None = None  # the post has stood empty since (ContextDeriver's clerk_present)
        self.renew = False  # learn the usual posture afresh at the next seated frame

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        if ctx.clerk_present is False:
            self.empty_since = ctx.clock.t if self.empty_since is None else self.empty_since
            self.renew = self.renew or ctx.clock.t - self.empty_since >= p.reset_absent_s
        elif ctx.clerk_present:
            self.empty_since = None
        body = body_of(ctx)
        if body is None:
            return False, {}
        height = ctx.values.get("head_height_sw")  # ContextDeriver's, of this body
        # read once a frame (shared with head_on_desk): the lying test, the renewal and the slump ask whether the
        # clerk stands; `sink`: how far the shoulders sank (lying on the desk or a slump)
        stood, sink = seated_reading(obs, ctx, p.min_standing_shoulder_m, p.standing_memory_s)
        deep = sink is not None and sink >= p.lying_deep_sink_m  # sunk as far as lying, wherever the head was fitted
        if ctx.values.get("head_down") and (height is None or height <= p.lying_head_sw or deep) and not \
                slumped_not_lying(height, sink, p.lying_sink_m):
            return False, {}  # lying on the desk is posture.head_on_desk's, though it tilts the torso too
        ls, rs = body.pt(L_SH), body.pt(R_SH)
        if ls is None or rs is None:
            return None, {}
        cam = camera(obs, ctx)
        metric = calibrated(self.counter.camera)  # metres at the clerk mean something (else typical values)
        if someone_nearer(obs, ctx, p.max_body_width_m):
            return None, {}  # a visitor's pose: neither a posture of the clerk's nor part of their usual one
        ev: dict[str, float] = {}
        raised = measure(obs, ctx).hand_above(p.raised_hand_sw)
        lms = body.pose.landmarks
        if self.renew and not self._standing(stood, lms, p):
            # After an absence the person sitting down (the clerk back, or a colleague covering) sits where they sit:
            # the shoulders' usual place, height and width are theirs, learnt from this first seated frame on.
            self.upright, self.renew = SlowBaseline(p.baseline_tau_s), False
            self.usual_tilt = SlowBaseline(p.tilt_tau_s)
            self.usual_face = SlowBaseline(p.baseline_tau_s)
            self.recent.clear()
        slump = self._slump(body, ctx.clock.t, p, upright_36cm_px(obs, ctx) or 0.0)
        # A shoulder line much narrower than usual is a turn, or (seen from high and aside) a fit that lost one
        # shoulder as the head sank: its slope is no roll (steep tune_wide views read a nod as a 16° tilt).
        narrowed = slump is not None and slump.narrowed
        # The face stage ran and found no face: the head is turned away (to a visitor beside the post); seen from aside
        # the torso turning with it slopes the shoulder line as a lean would, while a clerk leaning on one arm faces on.
        turned_away = p.tilt_needs_face and "face" in obs.ran and obs.face is None
        if not raised and not narrowed and not turned_away and (tilt := _shoulder_roll(
                cam, ls, rs, p.min_foreshortening, shoulder_centre(obs, ctx), upright_36cm_px(obs, ctx))) is not None:
            ev["shoulder_tilt_deg"] = tilt
            ev["tilt_vs_usual_deg"] = tilt - self._usual_tilt(ctx.clock.t, tilt, p)
        if slump is not None and not self._standing(stood, lms, p):
            ev.update(ear_drop_sw=slump.ear_drop_sw, shoulder_drop_sw=slump.shoulder_drop_sw)
            if slump.nose_up_sw is not None and not slump.turned:  # the head cue's (turning swings the head)
                ev["nose_rise_sw"] = slump.nose_up_sw
            if slump.nose_up_sw is not None:  # the tip-back cue's (the line narrows as the clerk leans away)
                ev["nose_up_sw"] = slump.nose_up_sw
            if "face" in obs.ran and obs.face is not None:
                ev["tip_back_deg"], ev["tip_yaw_deg"] = self._face_tip(ctx.clock.t, obs.face.pitch, obs.face.yaw, p)
            # a hand up at the face or hair lifts and shifts its own shoulder: the shoulder line's slide is no lean
            moved = None if not metric or measure(obs, ctx).hand_above(p.back_hand_sw) else _moved_back_m(
                cam, body.shoulder_mid, self.upright.usual, p.min_back_view)
            if moved is not None:
                ev["back_m"], ev["side_m"], ev["back_up_m"] = moved
        v = world_torso_vector(body.pose) if len(body.pose.world) >= 25 else None
        if v is not None and p.hips_in_view and self._hips_off_desk(lms, p):
            vw = cam.to_world_axes(v)
            up = float(vw @ UP)
            pitch = math.degrees(math.atan2(float(vw @ FORWARD), up))
            roll = math.degrees(math.atan2(abs(float(vw @ LATERAL)), up))
            ev.update(lean_pitch_deg=pitch, lean_roll_deg=roll)
        # One frame's pose can swing the angles by 30° (a colleague walking past, an arm crossing the body):
        # judge the median over `smooth_s` so that a single-frame spike is not a lean.
        t = ctx.clock.t
        self.recent.append((t, ev))
        while self.recent and t - self.recent[0][0] > p.smooth_s:
            self.recent.popleft()
        med = {k: statistics.median(e[k] for _, e in self.recent if k in e) for k in ev}
        if not med:
            return None, {}
        bad = self._slouched(med, obs, ctx, narrowed)
        return bad, {k: round(v, 2 if k.endswith("_m") else 1) for k, v in med.items()}

    def _slouched(self, med: dict[str, float], obs: Observation, ctx: RuleContext, narrowed: bool) -> bool:
        """The verdict on the smoothed readings: any one cue (see the module's docstring) is a slouch."""
        p: Params = self.params  # type: ignore[assignment]
        tilt, pitch, roll = med.get("shoulder_tilt_deg"), med.get("lean_pitch_deg"), med.get("lean_roll_deg")
        ear_drop, shoulder_drop = med.get("ear_drop_sw"), med.get("shoulder_drop_sw")
        nose_rise, back, side = med.get("nose_rise_sw"), med.get("back_m"), med.get("side_m")
        back_up = med.get("back_up_m")
        tip, tip_yaw, nose_up = med.get("tip_back_deg"), med.get("tip_yaw_deg"), med.get("nose_up_sw")
        rel_tilt = med.get("tilt_vs_usual_deg")
        hand_above = measure(obs, ctx).hand_above
        rolled = tilt is not None and abs(tilt) > p.max_shoulder_tilt_deg and (
            rel_tilt is None or abs(rel_tilt) > p.max_shoulder_tilt_deg)
        torso_leans = (pitch is not None and (pitch > p.max_lean_forward_deg or -pitch > p.max_lean_back_deg)) or (
            roll is not None and roll > p.max_lean_side_deg)
        heads = ear_drop is not None and shoulder_drop is not None
        sunk = heads and ear_drop >= p.ear_drop_sw and shoulder_drop >= p.shoulder_drop_sw
        head_back = heads and nose_rise is not None and (
            -ear_drop >= p.ear_rise_sw and nose_rise >= p.nose_rise_sw and -shoulder_drop < p.max_shoulder_rise_sw
            and (p.head_cue_hand_sw is None or not hand_above(p.head_cue_hand_sw)))
        # nor is a backward slide read off a line that lost a shoulder or turned (a clerk turned to a client, posed
        # in the person box, collapsed it 57 -> 2-39 px and its middle read 0.08 m back); leaning back narrows it 8-10 %
        moved_back = back is not None and p.lean_back_m <= back <= p.max_shift_m and (
            nose_rise is None or nose_rise >= 0.0) and abs(side or 0.0) <= p.max_back_side_ratio * back and (
            back_up is not None and back_up >= p.min_back_up_share * back) and not narrowed
        tipped_back = heads and tip is not None and tip_yaw is not None and nose_up is not None and (
            tip >= p.tip_back_deg and tip_yaw <= p.tip_max_yaw_deg and nose_up >= p.tip_nose_rise_sw
            and -ear_drop >= p.tip_ear_rise_sw and shoulder_drop < p.tip_max_sink_sw
            and -shoulder_drop < p.max_shoulder_rise_sw and not hand_above(p.back_hand_sw))
        # a line that lost a shoulder (a nod seen 50 deg aside) drags its middle: no slide; nor just after, the ears
        # still sunk, while the median holds it
        slid = side is not None and p.lean_side_m <= abs(side) <= p.max_shift_m and (
            not ctx.values.get("head_down") and not narrowed and (ear_drop is None or ear_drop < p.side_ear_drop_sw)
            and not hand_above(p.side_hand_sw))
        return bool(rolled or torso_leans or sunk or head_back or moved_back or tipped_back or slid)

    def _usual_tilt(self, t: float, tilt: float, p: Params) -> float:
        """This clerk's usual shoulder slope (degrees; 0 until a level-looking frame is seen), learnt only from
        frames under `max_shoulder_tilt_deg`, so a lean held for minutes, or one from the first frame, is not
        learnt. Seen 30-35 deg aside the level-line model is rough: a clerk sitting straight read 12-14 deg
        while turning the head to a visitor or placing items (tune_side), so the tilt must pass the threshold
        both as seen and against this usual slope."""
        if abs(tilt) <= p.max_shoulder_tilt_deg:
            return self.usual_tilt.update(t, (tilt,))[0]
        return self.usual_tilt.usual[0] if self.usual_tilt.usual is not None else 0.0

    def _face_tip(self, t: float, pitch: float, yaw: float, p: Params) -> tuple[float, float]:
        """(how far the face pitched up over its usual pitch, how far its yaw is from the usual one), degrees; the
        usual pair learnt only from frames not tipped back `tip_back_deg` (a lean held long is not learnt)."""
        usual = self.usual_face.look(t, (pitch, yaw))
        tip = usual[0] - pitch  # the face's pitch is + looking down
        if tip < p.tip_back_deg:
            self.usual_face.learn(t, (pitch, yaw))
        return tip, abs(yaw - usual[1])

    def _slump(
        self, body: Any, t: float, p: Params, upright_36cm: float
    ) -> Slump | None:
        """This frame against the slow baseline of this clerk; the baseline then moves toward this frame.
        Lengths are in shoulder widths, but the width is floored at what `min_width_m` looks like at the clerk
        (`upright_36cm`: the image length of an upright 36 cm there, from the camera model): seen from 45-60°
        to the side the shoulder line is short and swings with every turn of the torso, which inflated every
        vertical movement measured in it (a clerk writing read as slumped). Face-on the floor stays below
        the shoulder width and changes nothing."""
        sh, sw = body.shoulder_mid, body.shoulder_width
        ears = [q for q in (body.pt(L_EAR, 0.3), body.pt(R_EAR, 0.3)) if q is not None]
        if sh is None or sw is None or not ears:
            return None
        scale = max(sw, upright_36cm * p.min_width_m / 0.36)
        ear = (sh[1] - sum(q[1] for q in ears) / len(ears)) / scale
        nose_pt = body.pt(NOSE, 0.3)
        nose = (sh[1] - nose_pt[1]) / scale if nose_pt is not None else None
        # an unseen nose holds its baseline; starting afresh, the ears' height stands in for it
        held = ear if self.upright.fresh(t) or self.upright.usual is None else self.upright.usual[3]
        e0, y0, sw0, n0, _ = self.upright.update(t, (ear, sh[1], sw, nose if nose is not None else held, sh[0]))
        return Slump(e0 - ear, (sh[1] - y0) / scale, None if nose is None else nose - n0,
                     sw < (1.0 - p.max_width_loss) * sw0, sw < (1.0 - p.max_tilt_width_loss) * sw0)

    def _standing(self, stood: bool | None, lms: list, p: Params) -> bool:
        """Standing (a bow, a greeting), not seated at the counter. With the camera's height and distance
        calibrated, `stood` (this frame's `StandingMemory` reading): the shoulders back-projected onto the clerk's
        coronal plane stand `min_standing_shoulder_m` above the floor, now or within `standing_memory_s` (a bow
        lowers them for a moment). Otherwise: the hips are seen, and not behind the desk (a view that shows a
        seated clerk's hips off the desk zone reads as standing, so this is the fallback only)."""
        return stood if stood is not None else self._hips_off_desk(lms, p)

    def _hips_off_desk(self, lms: list, p: Params) -> bool:
        """The hips seen, and not inside the desk zone (seated behind the counter the model still reports
        hips, guessed behind the desk: not a measure)."""
        if min(lms[L_HIP].visibility, lms[R_HIP].visibility) < p.min_hip_visibility:
            return False
        desk = self.counter.zones.desk
        return desk is None or not any(point_in_polygon((lms[i].x, lms[i].y), desk) for i in (L_HIP, R_HIP))


# 18 cm either way along the shoulders (_shoulder_roll); the point, 10 cm back,
# sideways and up (_moved_back_m): projected together, as one array, once a frame each.
_ROLL_OFFSETS = np.stack([0.18 * LATERAL, -0.18 * LATERAL])
_MOVE_OFFSETS = np.stack([np.zeros(3), -0.1 * FORWARD, 0.1 * LATERAL, 0.1 * UP])


def _shoulder_roll(
    cam: CameraModel, ls: tuple[float, float], rs: tuple[float, float], min_foreshortening: float,
    centre: np.ndarray | None = None, full: float | None = None,
) -> float | None:
    """Sideways roll of the shoulder line (degrees, signed), against how a level line looks here.

    The mid-shoulder pixel is put on the clerk's coronal plane and a level 36 cm segment through it is
    projected back: its vertical image offset is what a level line shows in this view (a camera above
    and to one side sees level shoulders sloping). The measured offset minus that, over the segment's
    unforeshortened image length, is the sine of the roll. None when the view foreshortens the
    shoulder line below `min_foreshortening` (a side view: the slope is then mostly depth, not roll)."""
    sign = 1.0 if ls[0] >= rs[0] else -1.0  # the left shoulder is normally on the image right
    if centre is None:  # the frame's (_frame.shoulder_centre / upright_36cm_px) when the rule has them
        mid = np.array([(ls[0] + rs[0]) / 2, (ls[1] + rs[1]) / 2])
        centre = cam.on_plane(mid, cam.coronal_plane_normal(), np.zeros(3))
    if full is None:
        full = float(np.hypot(*(cam.project(centre + 0.36 * UP) - cam.project(centre))))  # 36 cm seen face-on
    a, b = cam.project(centre + _ROLL_OFFSETS)  # one projection for both ends
    if full < 1e-6 or abs(float(a[0] - b[0])) / full < min_foreshortening:
        return None
    expected_dy = sign * float(a[1] - b[1])
    measured_dy = ls[1] - rs[1]
    width = max(abs(ls[0] - rs[0]) / max(abs(float(a[0] - b[0])) / full, 1e-6), 1e-6)  # shoulder px, face-on
    return math.degrees(math.asin(max(-1.0, min(1.0, (measured_dy - expected_dy * width / full) / width))))


def _moved_back_m(
    cam: CameraModel, now: tuple[float, float] | None, usual: tuple[float, ...] | None, min_view: float
) -> tuple[float, float, float] | None:
    """How far the mid-shoulders moved backward (metres, + = away from the desk) from their usual place, read
    through the camera model: the image offsets of 10 cm backward and 10 cm sideways at the clerk are solved for
    from the pixel shift. A camera 30-40 degrees aside sees leaning back as a sideways and upward slide of the
    shoulders (where the head-over-shoulders cue turns the other way); face-on, backward is along the optical
    axis and hardly moves a pixel, so the view must show 10 cm backward at least `min_view` as long as 10 cm
    upright (else None). Returns (backward, sideways, backward when the rest of the shift is taken as upward)."""
    if now is None or usual is None:
        return None
    base = np.array([usual[4], usual[1]])
    centre = cam.on_plane(base, cam.coronal_plane_normal(), np.zeros(3))
    origin, back, side, up_px = cam.project(centre + _MOVE_OFFSETS)  # one projection for the four points
    back, side = back - origin, side - origin
    up = float(np.hypot(*(up_px - origin)))
    if up < 1e-6 or float(np.hypot(*back)) < min_view * up:
        return None
    # [back side] @ (b, s) = shift, by Cramer's rule (np.linalg on a 2x2 cost more than the rest of the frame's maths)
    (bx, by), (sx, sy) = back.tolist(), side.tolist()
    det = bx * sy - sx * by
    ux, uy = (up_px - origin).tolist()
    det_up = bx * uy - ux * by
    if abs(det) < 1e-6 or abs(det_up) < 1e-6:
        return None
    dx, dy = now[0] - usual[4], now[1] - usual[1]
    back_up = 0.1 * (dx * uy - ux * dy) / det_up  # the same shift with its rest taken as upward (a rise)
    return 0.1 * (dx * sy - sx * dy) / det, 0.1 * (bx * dy - dx * by) / det, back_up
