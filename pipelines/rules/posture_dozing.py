"""posture.dozing: eyes closed over N s, or nodding off (打瞌睡; 003 D.1, 002 (6)).

Eyes count as closed only while the face is roughly level (pitch < `pitch_down_deg`): looking down at
papers narrows the eye opening as seen from a camera in front, so those frames are unknown, not closed.
Nodding off counts too: `min_nods` nods in `nod_window_s`. A nod is read from the pose, not the face pitch
(a camera above the clerk reads an upright head as pitched 10-30° down, and the face model loses a sunk
head): the nose sinks `nod_drop_sw` below its own recent upright height (the highest over
`nod_baseline_s` up to the sink's lowest point, so a head that only rises is no nod), then jerks back
up by `nod_rise_sw` within `nod_rise_s`, while the shoulders stay put
(jumping up moves them too; a slow stand-up after leaning in is not told apart yet). Heights are in
shoulder widths above mid-shoulders.
Eyes are not judged while the clerk stands (shoulders at standing height, with a calibrated camera): a
camera below head height reads a standing clerk's open eyes as slits.
"""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

from pydantic import Field

from pipelines.engine import RuleContext, register
from pipelines.events import Severity
from pipelines.rules._base import TimedParams, TrackedRule, body_of
from pipelines.rules._body import L_WR, NOSE, R_WR, STANDING_SHOULDER_M, Body
from pipelines.rules._frame import (
    MAX_CLERK_SHOULDER_DOC,
    MAX_CLERK_SHOULDER_M,
    FrameMeasures,
    measure,
    shoulder_height_m,
    someone_nearer,
    upright_36cm_px,
)
from vision.observation import Observation


class Params(TimedParams):
    min_duration: float = Field(5.0, ge=0, description="N: eyes closed this long (s)")
    grace: float = Field(1.5, ge=0, description="eyes open this briefly (a blink reversed) does not break it")
    ear_closed: float = Field(0.15, gt=0, description="eye aspect ratio below which the eyes are closed")
    pitch_down_deg: float = Field(20.0, description="above this pitch the eyes are not judged")
    nod_drop_sw: float = Field(0.08, gt=0, description="the nose sinks this far below its upright height (sw)")
    nod_rise_sw: float = Field(0.12, gt=0, description="... then comes back up this far (sw) ...")
    nod_rise_s: float = Field(1.0, gt=0, description="... within this many seconds")
    nod_baseline_s: float = Field(6.0, gt=0, description="the upright height: the highest over this many seconds")
    nod_steady_sw: float = Field(1.5, gt=0, description="shoulders moving more than this during the jerk: not a nod")
    min_nods: int = Field(2, ge=1)
    nod_hold_s: float = Field(10.0, gt=0, description="nodding off lasts this long after the last nod")
    nod_window_s: float = Field(60.0, gt=0)
    nod_absent_s: float = Field(
        2.0, ge=0, description="the nod count ends once the clerk has been away from the post this long"
    )
    min_standing_shoulder_m: float = Field(
        STANDING_SHOULDER_M, gt=0,
        description="shoulders this high above the floor (calibrated camera): standing, eyes not judged"
    )
    raised_hand_sw: float = Field(
        -0.4, description="a hand above this (vs the shoulder line) within the nod: a bite or a touch, not a nod"
    )
    min_width_m: float = Field(
        0.25, gt=0, description="nod lengths: the shoulder width taken as no less than this many metres' worth"
    )
    max_body_width_m: float = Field(MAX_CLERK_SHOULDER_M, gt=0, description=MAX_CLERK_SHOULDER_DOC)
    raised_hand_min_vis: float = Field(
        0.5, ge=0, le=1, description="... a raised hand counts only with its wrist seen this well (else a pose guess)"
    )
    # a hand is seen on its way up: every other raised-wrist run on the four tune splits (380) starts from that wrist
    # seen at 0.40 or more on the frame before; the pose's guess of a wrist by the shoulder under a deep-sunk head
    # (tune_sweep dozing_nod (1.3 m, 1.75 m, 25 deg) m_short, the hands hidden on the desk) starts from 0.02-0.03
    raised_hand_from_vis: float = Field(
        0.2, ge=0, le=1,
        description="... and only when that wrist was seen this well on the frame before the raised run"
    )
    raised_hand_lead_s: float = Field(
        0.3, ge=0,
        description="... and only when up from this long before the dip's deepest point on (the head meets the hand)"
    )


@register
class Dozing(TrackedRule):
    rule_id = "posture.dozing"
    needs = frozenset({"pose", "face"})
    measured_by = "face"
    Params = Params
    severity: ClassVar[Severity] = "major"

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        # t, nose height over the shoulders (in `scale`), shoulder-mid x, y (px), scale (px), a hand raised
        self.heights: deque[tuple[float, float, float, float, float, bool]] = deque()
        self.nods: deque[float] = deque()
        self.absent_since: float | None = None
        # per side, on the last frame with a pose: the wrist's visibility, whether it read raised, whether that counted
        self.wrists: dict[str, tuple[float, bool, bool]] = {}

    def _nod(self, t: float, body: Body | None, p: Params, upright_36cm: float, hand_up: bool) -> None:
        """Lengths are in shoulder widths floored at what `min_width_m` looks like at the clerk (`upright_36cm`,
        from the camera model), as posture.slouch measures: seen from high and 40° aside, the shoulder line of a
        sinking head collapsed to half its width, which doubled every length in it (the shoulders read as
        jumping, and the nod was lost). A dip while a hand is raised toward the face is a bite, a sip or a
        hand at the hair (the head meets the hand, and the hand's arm lifts its shoulder), not a nod."""
        while self.nods and t - self.nods[0] > p.nod_window_s:
            self.nods.popleft()
        nose = body.pt(NOSE, 0.3) if body is not None else None
        sh, sw = (body.shoulder_mid, body.shoulder_width) if body is not None else (None, None)
        if nose is None or sh is None or sw is None:
            return
        scale = max(sw, upright_36cm * p.min_width_m / 0.36)
        h = (sh[1] - nose[1]) / scale
        now = (t, h, sh[0], sh[1], scale, hand_up)
        self.heights.append(now)
        while self.heights and t - self.heights[0][0] > p.nod_baseline_s:
            self.heights.popleft()
        recent = [x for x in self.heights if t - x[0] <= p.nod_rise_s]
        t_low, low = min(((x[0], x[1]) for x in recent), key=lambda x: x[1])
        # before the sink: a rise alone is no nod
        t_up, upright = max(((x[0], x[1]) for x in self.heights if x[0] <= t_low), key=lambda x: x[1])
        unit = max(x[4] for x in recent)
        moved = max(abs(x[2] - sh[0]) + abs(x[3] - sh[1]) for x in recent) / unit
        apart = not self.nods or t - self.nods[-1] > p.nod_rise_s  # one jerk is one nod
        # The head meets the hand: a bite, a sip or a hand at the hair has the hand up at the dip's deepest point
        # (since the upright height) or after it. A hand read up only while the head was still sinking is no reason:
        # seen 53-57 deg aside the pose guesses the near wrist up by the shoulder while the head sinks and puts it
        # back on the desk by the bottom of the nod.
        t_deep = min((x for x in self.heights if x[0] >= t_up), key=lambda x: x[1])[0]
        since = max(t - 2 * p.nod_rise_s, t_deep - p.raised_hand_lead_s)
        busy = any(x[5] for x in self.heights if x[0] >= since)
        if (low <= upright - p.nod_drop_sw and h - low >= p.nod_rise_sw and moved <= p.nod_steady_sw and apart
                and not busy):
            self.nods.append(t)
            self.heights.clear()
            self.heights.append(now)

    def condition(self, obs: Observation, ctx: RuleContext) -> tuple[bool | None, dict[str, Any]]:
        p: Params = self.params  # type: ignore[assignment]
        t = ctx.clock.t
        absent = ctx.clerk_present is False
        if absent:
            # Nods belong to a clerk at the post; leaving ends the count. A brief loss is no leave: a head sunk
            # deep, seen from far and 50 deg aside, lost the pose and the person box for 0.4 s mid-nod.
            self.absent_since = t if self.absent_since is None else self.absent_since
            if t - self.absent_since >= p.nod_absent_s:
                self.nods.clear()
                self.heights.clear()
        else:
            self.absent_since = None
        body = body_of(ctx)
        if someone_nearer(obs, ctx, p.max_body_width_m):
            # A visitor at the counter, nearer the camera, whom the pose model took for the clerk: the jump from the
            # clerk's head to theirs is no nod, and the face it finds may be theirs too.
            return None, {}
        hand_up = body is not None and self._hand_raised(body, measure(obs, ctx), p)
        self._nod(t, body, p, upright_36cm_px(obs, ctx) or 0.0, hand_up)
        if len(self.nods) >= p.min_nods and t - self.nods[-1] <= p.nod_hold_s:
            return (None, {}) if absent else (True, {"kind": "nodding", "nods": len(self.nods)})
        f = obs.face
        if f is None:
            return (False if ctx.clerk_present is False else None), {}
        # A standing clerk (serving face to face) is not dozing. Standing up close to a camera set below head
        # height puts the eyes above the lens, and the face model then reads open eyes as narrow slits
        # (simulated stand-ups: 0.04-0.11 against 0.29 seated).
        standing = (h := shoulder_height_m(obs, ctx)) is not None and h >= p.min_standing_shoulder_m
        if f.pitch >= p.pitch_down_deg or standing:
            return None, {}
        closed = f.eye_aspect_ratio < p.ear_closed
        return closed, ({"kind": "eyes_closed", "eye_aspect_ratio": round(f.eye_aspect_ratio, 3)} if closed else {})


    def _hand_raised(self, body: Body, m: FrameMeasures, p: Params) -> bool:
        """A hand above `raised_hand_sw` whose wrist the pose model sees (visibility >= `raised_hand_min_vis`). Seen
        from high and 40 deg aside a sinking head hides the hands resting on the desk, and the pose then guesses a
        wrist up by the head (visibility 0.31-0.35, 0.4 sw above the hands' real place): that blocked the first nod.
        A hand really raised to the mouth or the hair is seen (0.79-0.99 in every such tune_wide clip from there).
        A guess can also read well seen (0.51-0.86 by the shoulder from 1.3 m high and 25 deg aside, as a bite's hand
        at that view), but it appears from an unseen wrist: a run of raised frames counts only when its wrist was
        seen (`raised_hand_from_vis`) on the frame before the run, on its way up."""
        up = False
        for side in ("left", "right"):
            wrist = body.pose.landmarks[L_WR if side == "left" else R_WR]
            h = m.hands.get(side)
            raised = (h is not None and h.height_sw is not None and h.height_sw > p.raised_hand_sw
                      and wrist.visibility >= p.raised_hand_min_vis)
            before = self.wrists.get(side)  # none yet: counts, as before the check
            counts = raised and (before is None or (before[2] if before[1] else before[0] >= p.raised_hand_from_vis))
            self.wrists[side] = (wrist.visibility, raised, counts)
            up = up or counts
        return up
