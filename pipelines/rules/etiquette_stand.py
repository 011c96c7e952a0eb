"""stand.for_visitor — stand up and bow slightly for a visitor when no client is served (003 B.11.1).

A visitor: a person box in the client zone (its bottom centre inside it), not the clerk, while no queue
call came in the last `served_window_s` (a called client is being served, not visiting). A box holding the clerk's
mid-shoulders is the clerk's, unless it stands in front of the post while a box of the clerk's (holding them, not in
front) overlaps it less than `max_visitor_clerk_iou`: a visitor between the camera and the clerk (session 22).
The context's "client present" cannot be used here: it means exactly "a person in the client zone", which a visitor is
too. Person boxes come from the full-frame detector every few frames (`people_every`), so a sighting is
remembered `memory_s`; the visit starts at the first sighting and counts once it lasted `arrive_s`.

Then, from `lookback_s` before that first sighting, the clerk should within `respond_s` stand (shoulders at
least `min_standing_shoulder_m` above the floor on the calibrated camera; uncalibrated, `rise_m` above the
shoulder height before the visit) and bow at least `min_bow_deg`. The bow of a clerk who just stood up is
measured against the clerk's own standing posture, learned from the first still standing frames (the
etiquette baseline is the seated one until the clerk has held still for seconds, and people bow straight
after standing). One event per visit: pass, or violation with what was missing; a bow that could not be
measured (no still standing frame before it) is reported as such and does not fail a clerk who stood.

Idle (no event, ever) without a client zone: a camera that does not see where a visitor stands cannot
judge. On the simulator's views the zone is null at (1.25 m, 1.1 m, 0 deg), a sliver of the image edge at
(1.35 m, 1.5 m, 0 deg) and (1.6 m, 1.3 m, 30 deg), where a visitor at the counter stands beside or behind
the camera: there the visit is never seen. A visitor the person detector does not box (the back of a head at the
frame's edge, a back filling the frame: tune_side (1.55 m, 1.45 m, -30 deg)) is seen by the desk stage's change against
the reference, off the clerk's masks and cut by the frame's border (`_near_visitor`; a region cut by both the frame's
top and its bottom, someone standing between the camera and the desk, counts from a smaller share of the frame).
Nothing tells a visiting inspector from a walk-in client without a ticket.

A clerk who stood and whose pose then went unseen for `bow_hidden_s` (the visitor passing in front, the bow leaning the
clerk behind the visitor's head) may have bowed unseen: with no bow seen, the bow is unknown (`bowed: null`, a pass on
the stand), not missing.

A visitor between the camera and the clerk (tune_wide (1.8 m, 1.7 m, -40 deg), session-5 streams; the session-6
ones keep the pose on the clerk): the pose follows the visitor, whose shoulders read wider at the clerk's plane than a
clerk's could (`_frame.someone_nearer`, `max_body_width_m`). Such frames are not the clerk's pose: standing is read
from the clerk's own person box instead (not in front of the post, in the post zone: its top, back-projected onto
the clerk's plane, at least `min_standing_top_m` above the floor), a reading held `memory_s` like a visitor's
sighting; no bow is read there, so a clerk seen standing only by the box passes on the stand. A visit whose window
had the clerk unseen (neither pose nor box) on at least as many frames as seen, with no stand seen, is reported as
`info` with `verdict: unknown` instead of a violation.
"""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from calibration.config import CounterConfig
from pipelines.context import point_in_polygon
from pipelines.engine import Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.geometry import (
    FORWARD,
    L_SHOULDER,
    R_SHOULDER,
    UP,
    UprightModel,
    learn_upright,
    measure_bow,
)
from pipelines.rules._body import STANDING_SHOULDER_M, box_center, calibrated
from pipelines.rules._frame import MAX_CLERK_SHOULDER_DOC, MAX_CLERK_SHOULDER_M, camera, someone_nearer
from pipelines.rules.etiquette_common import (
    FRAME_EDGE_PX,
    IN_FRONT_M,
    Frame,
    clerk_frame,
    in_front_of_post,
    r1,
    shoulder_height_m,
)
from pipelines.temporal import TIME_EPS, Clock, instant_event
from vision.observation import NearChange, Observation
from vision.results import Detection
from vision.roi import box_holds, box_iou

# A box holding the clerk's mid-shoulders is a visitor standing between the camera and the clerk, not the clerk's own,
# when it stands in front of the post and a box of the clerk's (holding them too, not in front) overlaps it less than
# this. Session 22 (docs/rules.md): such visitors' boxes overlap the clerk's 0.16-0.26 (IoU, the least-overlapping
# clerk box per detector run; renders at (1.6 m, 1.6 m, -30 deg) and (1.7 m, 1.8 m, -30 deg)); two boxes of the clerk
# overlap 0.41 or more (every pair over tune_side, tune_sweep, tune_wide as first read, and the session's renders).
MAX_VISITOR_CLERK_IOU = 1 / 3

# A visitor the person detector does not box (session 26, tune_side (1.55 m, 1.45 m, -30 deg): the back of a head at
# the frame's bottom-left; a back filling two thirds of the frame): the desk stage's change against the reference, off
# the clerk's masks, cut by the frame's border (`Observation.near`). On the person detector's frames of tune, tune_side,
# tune_wide and tune_sweep (suite25) with no queue call, such regions of the visitor clips cover 0.12-0.30 of the frame
# (0.20-0.30 where the detector missed the visitor); of the others at most 0.174 (an umbrella put on the desk near the
# camera, tune_side), else 0.09 or less. An item on the desk is cut by the frame's bottom only where the desk runs off
# it; the visitor's body runs on below the frame: the back of a head covers 0.49-0.50 of the bottom rows, a back 0.12,
# the umbrella 0.02 (0.24 at (1.6 m, 1.15 m, -15 deg), where it covers 0.15 of the frame).
NEAR_MIN_AREA = 0.19
NEAR_MIN_BOTTOM = 0.08
NEAR_MIN_CLIENT = 0.5

# A visitor standing at the counter beyond the frame's side edge (session 27, renders at 25-58 deg: the SSD scores the
# visitor's strip 0.07-0.12 on the frame, 0.21 on the edge look, so no box): a near region cut by the side alone (the
# feet in view), at least this share of the frame's height tall and at most this share of its width wide, mostly in the
# client zone. Visitors 0.54-0.74 tall, 0.064-0.089 wide; over every person-detector frame of the four tune splits no
# side-only region in the client zone is that tall (served clients at 25 deg 0.33-0.35 tall, 0.16 wide; colleagues
# beside the post lie outside the client zone).
NEAR_STRIP_MIN_HEIGHT = 0.5
NEAR_STRIP_MAX_WIDTH = 0.15

# A visitor standing between the camera and the desk, head to below the frame (session 28, renders at (1.5 m, 1.35 m,
# -30 deg), (1.7 m, 1.75 m, -15 deg), (1.55 m, 1.65 m, -40 deg)): a near region cut by both the frame's top and its
# bottom, mostly in the client zone. Nothing on a desk reaches the top of a frame that looks down on it; a body
# standing nearer the camera than the desk runs on past both edges. Such visitor regions cover 0.134-0.30 of the frame
# (0.134-0.143 where the detector boxed only the clerk); over every person-detector frame of the four tune splits the
# only other region cut by both edges is a colleague beside the post at 25 deg (0.079, none of it in the client zone).
NEAR_THROUGH_MIN_AREA = 0.10

# A clerk who stood and whose pose then went unseen this long (the visitor passing in front, the bow leaning the clerk
# behind the visitor's head): a bow may have come and gone unseen (the simulated 15-deg bow reads 8 deg or more for
# about 1.4 s; a slight bow in service lasts about a second). Such a clerk's bow is unknown, not missing (session 28:
# (1.55 m, 1.65 m, -40 deg), pose lost 2.4-3.6 s across the whole bow, was a violation for a missing bow).
BOW_HIDDEN_S = 1.0

# The top of the clerk's person box on the clerk's plane (m above the floor), per view of tune and tune_wide: seated
# p95 1.41-1.44 (p99 up to 1.52 at (1.8 m, -40 deg); a hand raised above the head lifts it to 1.57), standing p5
# 1.43-1.58, median 1.62-1.65 (lower only deep in a bow: 1.38 at 45 deg).
STANDING_TOP_M = 1.5


def _cut_by(n: NearChange, obs: Observation) -> tuple[bool, bool, bool]:
    """Which of the frame's edges cut the near region `n`: (a side, the top, the bottom). Its box is the desk stage's
    work pixels scaled to the frame, so an edge is within 1 % of the frame."""
    w, h = obs.image_size
    x1, y1, x2, y2 = n.box
    return x1 <= 0.01 * w or x2 >= 0.99 * w, y1 <= 0.01 * h, y2 >= 0.99 * h


class StandParams(RuleParams):
    arrive_s: float = Field(1.5, ge=0, description="the visitor must stay this long")
    respond_s: float = Field(10.0, gt=0, description="seconds to stand up and bow")
    min_standing_shoulder_m: float | None = Field(
        STANDING_SHOULDER_M, gt=0, description="standing: the shoulders this high above the floor (calibrated camera; "
                                "None = use rise_m over the level before the visit)")
    rise_m: float = Field(0.25, gt=0, description="uncalibrated: shoulder rise that means standing")
    min_bow_deg: float = Field(8.0, gt=0)
    served_window_s: float = Field(300.0, ge=0, description="a queue call this recent means a client is served")
    memory_s: float = Field(2.5, gt=0, description="a person sighting holds this long (the detector runs "
                                                   "every few frames)")
    lookback_s: float = Field(1.0, ge=0, description="the clerk's response counts from this long before the "
                                                     "first sighting (the detector saw the visitor late)")
    in_front_m: float = Field(IN_FRONT_M, description="a visitor's box bottom on the floor at least this far in front "
                                                      "of the post (calibrated camera)")
    frame_edge_px: float = Field(FRAME_EDGE_PX, ge=0, description="a box this close to the frame's bottom: feet out "
                                                                  "of frame")
    still_m: float = Field(0.03, gt=0, description="standing still: shoulder height within this of the last frame")
    standing_baseline_frames: int = Field(1, ge=1, description="still standing frames that make the standing "
                                                                "posture the bow is measured against")
    max_body_width_m: float = Field(MAX_CLERK_SHOULDER_M, gt=0, description=MAX_CLERK_SHOULDER_DOC)
    max_visitor_clerk_iou: float = Field(
        MAX_VISITOR_CLERK_IOU, ge=0, le=1, description="a box holding the clerk's mid-shoulders, in front of the post, "
                                                       "is a visitor between the camera and the clerk when a box of "
                                                       "the clerk's (holding them, not in front) overlaps it less than "
                                                       "this (IoU)")
    near_min_area: float | None = Field(
        NEAR_MIN_AREA, gt=0, le=1, description="no box in the client zone: a change against the reference cut by "
                                              "the frame's border (Observation.near), off the clerk's masks, this "
                                              "share of the frame or more is a visitor between the camera and the "
                                              "desk (None: boxes only)")
    near_min_bottom: float = Field(NEAR_MIN_BOTTOM, ge=0, le=1, description="... covering at least this share of the "
                                                                            "frame's bottom rows")
    near_min_client: float = Field(NEAR_MIN_CLIENT, ge=0, le=1, description="... with at least this share of it "
                                                                            "inside the client zone")
    near_strip_min_height: float | None = Field(
        NEAR_STRIP_MIN_HEIGHT, gt=0, le=1, description="or a region cut by the frame's side alone, this share of the "
                                                      "frame's height tall (someone standing beyond the side edge; "
                                                      "None: not read)")
    near_strip_max_width: float = Field(NEAR_STRIP_MAX_WIDTH, gt=0, le=1, description="... and at most this share of "
                                                                                      "its width wide")
    near_through_min_area: float | None = Field(
        NEAR_THROUGH_MIN_AREA, gt=0, le=1, description="or a region cut by both the frame's top and its bottom "
                                                      "(someone standing between the camera and the desk), this share "
                                                      "of the frame or more, covering `near_min_bottom` of the bottom "
                                                      "rows (None: not read)")
    bow_hidden_s: float | None = Field(
        BOW_HIDDEN_S, gt=0, description="a clerk who stood and whose pose then went unseen this long (s) has a bow "
                                        "that may have gone unseen: no bow seen is `bowed: null`, not a missing bow "
                                        "(None: a bow not seen is missing)")
    min_standing_top_m: float = Field(
        STANDING_TOP_M, gt=0, description="while the pose follows someone nearer the camera: the clerk stands when "
                                          "the top of their own person box, back-projected onto the clerk's plane, is "
                                          "this high above the floor (calibrated camera)")


@register
class StandForVisitor(Rule):
    rule_id: ClassVar[str] = "stand.for_visitor"
    needs: ClassVar[frozenset[str]] = frozenset({"pose", "people", "near"})
    Params: ClassVar[type[RuleParams]] = StandParams

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        super().__init__(counter, params)
        self.p = StandParams.model_validate(params.model_dump())
        self.seen_t: float | None = None  # the last person sighting in the client zone
        self.seen_near = False  # ... made by the border-cut change alone (`_near_visitor`), no box
        self.present_since: float | None = None
        self.visit: dict[str, Any] | None = None  # the arrival being judged
        self.visitor_gone = True
        # the clerk's recent frames: (t, shoulder height, standing, bow angle or None)
        self.recent: deque[tuple[float, float | None, bool | None, float | None]] = deque()
        self.standing_model: UprightModel | None = None
        self.still_standing: list[Any] = []
        self.last_height: float | None = None
        self.tallest = 0.0  # the highest shoulders since the clerk stood up
        self.unseen: deque[float] = deque()  # frames whose pose was someone nearer the camera, not the clerk
        self.clerk_box: tuple[float, float] | None = None  # (t, top m): the clerk's person box at the last detection

    def stages(self) -> frozenset[str]:
        """The border-cut change ("near") only while `near_min_area` reads it and a client zone exists."""
        if self.p.near_min_area is None or self.counter.zones.client is None:
            return self.needs - {"near"}
        return self.needs

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        if self.counter.zones.client is None:
            return []  # cannot see where a visitor would stand
        frame = clerk_frame(obs, ctx)
        t = ctx.clock.t
        nearer = someone_nearer(obs, ctx, self.p.max_body_width_m)
        self._read_clerk_box(obs, ctx)
        box_standing = None
        if nearer:  # the pose follows a visitor between the camera and the clerk: the clerk's pose is not seen
            frame = None
            box_standing = self._box_standing(t)
            if box_standing is None:
                self.unseen.append(t)
        self._track_clerk(frame, t, box_standing)
        here = self._visitor_present(obs, ctx, t, pose_is_clerk=not nearer)
        if not here:
            self.present_since, self.visitor_gone = None, True
        elif self.present_since is None:
            self.present_since = t
        if (self.visit is None and here and self.visitor_gone and self.present_since is not None
                and t - self.present_since >= self.p.arrive_s):
            self.visit = {"t": self.present_since, "wall": ctx.clock.wall - (t - self.present_since),
                          "seated": self._level_before(self.present_since), "near": self.seen_near}
            self.visitor_gone = False
        if self.visit is None:
            return []
        r = self._response(self.visit, t)
        if not self._time_up(t) and not (r["stood_at"] is not None and r["bowed"]):
            return []
        return self._judge(ctx, r)

    # --- the clerk -------------------------------------------------------------------------------
    def _track_clerk(self, frame: Frame | None, t: float, box_standing: bool | None = None) -> None:
        horizon = self.p.respond_s + self.p.arrive_s + self.p.lookback_s + self.p.memory_s + 5.0
        while self.recent and t - self.recent[0][0] > horizon:
            self.recent.popleft()
        while self.unseen and t - self.unseen[0] > horizon:
            self.unseen.popleft()
        if frame is None:
            self.last_height = None
            if box_standing is not None:  # standing or not from the clerk's box: no height, no bow
                self.recent.append((t, None, box_standing, None))
                if not box_standing:
                    self.standing_model, self.still_standing, self.tallest = None, [], 0.0
            return
        height = shoulder_height_m(frame)
        standing = self._standing(height)
        bow = self._standing_bow(frame, height, standing)
        self.recent.append((t, height, standing, bow))
        self.last_height = height

    def _standing(self, height: float) -> bool | None:
        if self.p.min_standing_shoulder_m is None or not calibrated(self.counter.camera):
            return None  # judged against the level before the visit (_response)
        return height >= self.p.min_standing_shoulder_m

    def _standing_bow(self, frame: Frame, height: float, standing: bool | None) -> float | None:
        """The bow of a standing clerk: the etiquette baseline's own reading once it knows the standing
        posture, else against the standing posture learned here from the first still standing frames."""
        if not standing:
            self.standing_model, self.still_standing, self.tallest = None, [], 0.0
            return None
        self.tallest = max(self.tallest, height)
        if frame.bow is not None and frame.upright_shoulder_m is not None and frame.upright_shoulder_m >= (
                self.p.min_standing_shoulder_m or 0.0):
            return frame.bow.angle
        if self.standing_model is None:
            # still and at full height: a bow in progress lowers the shoulders (as this camera projects them)
            still = (self.last_height is not None and abs(height - self.last_height) <= self.p.still_m
                     and height >= self.tallest - self.p.still_m)
            self.still_standing = self.still_standing + [frame.pose] if still else []
            if len(self.still_standing) >= self.p.standing_baseline_frames:
                self.standing_model = learn_upright(self.still_standing, frame.cam)
            return None
        return float(measure_bow(frame.pose, frame.cam, self.standing_model).angle)

    def _read_clerk_box(self, obs: Observation, ctx: RuleContext) -> None:
        """The top of the clerk's own person box (m above the floor on the clerk's plane) at this detector run: a box
        not in front of the post (`in_front_of_post`) whose centre lies in the post zone, the most confident one.
        Not read on an uncalibrated camera (the height would be a guess), nor for a box cut by the frame's top
        unless even that cut reads standing."""
        if "people" not in obs.ran or not calibrated(self.counter.camera):
            return
        post, model = self.counter.zones.post, camera(obs, ctx)
        self.clerk_box = None
        for d in sorted(obs.people, key=lambda d: -d.score):
            if self._in_front(d, obs, ctx) or (post is not None and not point_in_polygon(box_center(d.box), post)):
                continue  # the visitor's box, or someone beside the post
            top = float(model.on_plane(np.array([box_center(d.box)[0], d.box[1]]), FORWARD, np.zeros(3)) @ UP)
            if d.box[1] <= self.p.frame_edge_px and top < self.p.min_standing_top_m:
                return  # the box runs off the frame's top: the head is higher than that, by how much is unknown
            self.clerk_box = (obs.t, top)
            return

    def _box_standing(self, t: float) -> bool | None:
        """Standing, from the clerk's person box (its top at least `min_standing_top_m` high), while the pose
        follows someone nearer; the reading holds `memory_s` (the detector runs every few frames)."""
        if self.clerk_box is None or t - self.clerk_box[0] > self.p.memory_s:
            return None
        return self.clerk_box[1] >= self.p.min_standing_top_m

    def _level_before(self, t: float) -> float | None:
        before = [h for (tt, h, _, _) in self.recent if tt < t and h is not None]
        return float(np.median(before[-20:])) if before else None

    def _response(self, v: dict[str, Any], now: float) -> dict[str, Any]:
        """What the clerk did since the visit began (minus the look-back), up to `now`."""
        frames = [r for r in self.recent if r[0] >= v["t"] - self.p.lookback_s]
        stood_at, rise, bow, bow_seen = None, 0.0, 0.0, False
        for tt, height, standing, angle in frames:
            known = v["seated"] is not None and height is not None  # a box reading has no height
            if known:
                rise = max(rise, height - v["seated"])
            risen = known and height - v["seated"] >= self.p.rise_m
            up = standing if standing is not None else risen
            if up and stood_at is None:
                stood_at = tt
            if up and angle is not None:
                bow_seen, bow = True, max(bow, angle)
        # the longest stretch after the stand with no pose read (a bow can only be measured on the pose)
        posed = [tt for tt, height, _, _ in frames if height is not None and stood_at is not None and tt >= stood_at]
        hidden = max((b - a for a, b in zip(posed, posed[1:] + [now], strict=False)), default=0.0)
        return {"stood_at": stood_at, "rise": rise, "bow": bow, "bow_seen": bow_seen,
                "bowed": bow_seen and bow >= self.p.min_bow_deg, "hidden": hidden,
                "bow_hidden": self.p.bow_hidden_s is not None and hidden >= self.p.bow_hidden_s - TIME_EPS}

    def _time_up(self, t: float) -> bool:
        """`respond_s` has passed since the visitor arrived: the first sighting less `lookback_s`, the same moment
        the response is counted from (the person detector runs every few frames and sees an arrival late; timing
        the window from the sighting gave the clerk up to a detector period more, and the simulator's 5-s
        missed-visit clips ended before it closed)."""
        assert self.visit is not None
        return t - (self.visit["t"] - self.p.lookback_s) >= self.p.respond_s

    # --- the visitor -----------------------------------------------------------------------------
    def _visitor_present(self, obs: Observation, ctx: RuleContext, t: float, pose_is_clerk: bool = True) -> bool:
        if ctx.calls_since(self.p.served_window_s):
            self.seen_t = None
            return False
        if "people" in obs.ran:
            clerk = None  # mid-shoulders: a box holding them is the clerk's own
            if pose_is_clerk and obs.pose is not None and len(obs.pose.landmarks) >= 33:
                a, b = obs.pose.landmarks[L_SHOULDER], obs.pose.landmarks[R_SHOULDER]
                clerk = ((a.x + b.x) / 2, (a.y + b.y) / 2)
            if any(self._in_client_zone(d, obs, ctx, clerk) for d in obs.people):
                self.seen_t, self.seen_near = t, False
            elif self._near_visitor(obs):
                self.seen_t, self.seen_near = t, True
            else:
                self.seen_t = None
        return self.seen_t is not None and t - self.seen_t <= self.p.memory_s

    def _near_visitor(self, obs: Observation) -> bool:
        """Someone between the camera and the desk whom the detector did not box: a change against the reference cut
        by the frame's border (`Observation.near`), at least `near_min_area` of the frame, covering `near_min_bottom`
        of its bottom rows (a body runs on below the frame, an item on the desk does not), mostly in the client
        zone; or a tall thin strip cut by the frame's side alone (`_side_strip`); or a region cut by both the frame's
        top and bottom (`_through`)."""
        if self.p.near_min_area is None or "near" not in obs.ran:
            return False
        return any(n.client >= self.p.near_min_client and (
            n.area >= self.p.near_min_area and n.bottom >= self.p.near_min_bottom or self._side_strip(n, obs)
            or self._through(n, obs)) for n in obs.near)

    def _through(self, n: NearChange, obs: Observation) -> bool:
        """`n` is someone standing between the camera and the desk, head to below the frame: cut by the frame's top and
        its bottom, at least `near_through_min_area` of the frame, covering `near_min_bottom` of its bottom rows. An
        item on the desk does not reach the top of a frame that looks down on the desk."""
        if self.p.near_through_min_area is None:
            return False
        _, top, bottom = _cut_by(n, obs)
        return top and bottom and n.area >= self.p.near_through_min_area and n.bottom >= self.p.near_min_bottom

    def _side_strip(self, n: NearChange, obs: Observation) -> bool:
        """`n` is someone standing at the counter beyond the frame's side edge: cut by the side, not the bottom (the
        feet in view), at least `near_strip_min_height` of the frame tall and at most `near_strip_max_width` wide."""
        if self.p.near_strip_min_height is None:
            return False
        w, h = obs.image_size
        x1, y1, x2, y2 = n.box
        side, _, below = _cut_by(n, obs)
        return (side and not below and y2 - y1 >= self.p.near_strip_min_height * h
                and x2 - x1 <= self.p.near_strip_max_width * w)

    def _before_clerk(self, d: Detection, obs: Observation, ctx: RuleContext, clerk: tuple[float, float]) -> bool:
        """`d`, a box holding the clerk's mid-shoulders, is someone standing between the camera and the clerk: in
        front of the post, while another box holds them too, not in front, overlapping it less than
        `max_visitor_clerk_iou` (the clerk's own box; a second detection of the clerk overlaps the first far more)."""
        if not self._in_front(d, obs, ctx):
            return False
        return any(o is not d and box_holds(o.box, clerk) and box_iou(o.box, d.box) < self.p.max_visitor_clerk_iou
                   and not self._in_front(o, obs, ctx) for o in obs.people)

    def _in_client_zone(self, d: Detection, obs: Observation, ctx: RuleContext,
                        clerk: tuple[float, float] | None) -> bool:
        """A visitor's box: not the clerk's own (holding the clerk's mid-shoulders: every such box, so a duplicate
        detection of the clerk is no visitor, unless `_before_clerk`: someone between the camera and the clerk), its
        bottom centre in the client zone, in front of the counter. A box
        whose bottom lies within `frame_edge_px` of the frame's bottom (the feet below the frame, as `in_front` reads
        it) is tested at the top of that band: a zone drawn on the image ends on its last row, and the half-open
        zone test leaves every point on that bottom edge, and below it, outside (tune_sweep (1.5 m, 1.9 m, -50 deg):
        the visitor between camera and clerk, box bottom 480 for a zone ending at 479, was never a visit)."""
        zone = self.counter.zones.client
        assert zone is not None
        x1, _, x2, y2 = d.box
        holds_clerk = clerk is not None and box_holds(d.box, clerk)
        if clerk is not None and holds_clerk and not self._before_clerk(d, obs, ctx, clerk):
            return False
        if not point_in_polygon(((x1 + x2) / 2, min(y2, obs.image_size[1] - 1.0 - self.p.frame_edge_px)), zone):
            return False
        return holds_clerk or self._in_front(d, obs, ctx)  # `_before_clerk` found such a box in front already

    def _in_front(self, d: Detection, obs: Observation, ctx: RuleContext) -> bool:
        """A visitor stands in front of the counter (`in_front_of_post`). From a high camera the client zone's
        image region also covers colleagues beside or behind the clerk (tune_wide (1.8 m, -40 deg): -0.5..-0.1 m),
        who are no visitors at the counter."""
        return in_front_of_post(d, obs, self.counter, camera(obs, ctx), self.p.in_front_m, self.p.frame_edge_px)

    def _judge(self, ctx: RuleContext, r: dict[str, Any]) -> list[Event]:
        """Close the visit on the clerk's response `r` (`_response` of it, now)."""
        v, self.visit = self.visit, None
        assert v is not None
        stood = r["stood_at"] is not None
        start = v["t"] - self.p.lookback_s
        seen = sum(1 for rec in self.recent if rec[0] >= start)
        unseen = sum(1 for u in self.unseen if u >= start)
        if not stood and unseen >= seen:
            # the clerk was hidden (the pose on the visitor) for most of the window, or not at the post at all (an
            # empty post is post.empty's): whether they would have stood is unknown
            # (a visitor seen only as a change cut by the frame's border stands between the camera and the post)
            why = ("the pose followed a person nearer the camera" if unseen else
                   "someone between the camera and the post hid the clerk" if v.get("near") else "no clerk at the post")
            return instant_event(self.rule_id, self.counter.counter_id, Clock(v["t"], v["wall"]), ctx.clock,
                                 outcome="info", evidence={"verdict": "unknown", "clerk_seen_frames": seen,
                                                           "clerk_unseen_frames": unseen, "why": why},
                                 hall_id=self.counter.hall_id)
        missing = ["stand"] if not stood else []
        bow_unknown = stood and not r["bowed"] and r["bow_hidden"]  # the pose went unseen long enough to hide a bow
        if not r["bowed"] and (r["bow_seen"] or not stood) and not bow_unknown:
            missing.append("bow")
        evidence = {
            "stood": stood, "bowed": r["bowed"] if r["bow_seen"] and not bow_unknown else None, "missing": missing,
            "clerk_box_frames": sum(1 for rec in self.recent if rec[0] >= start and rec[1] is None),
            "shoulder_rise_m": round(r["rise"], 3), "bow_deg": r1(r["bow"]) if r["bow_seen"] else None,
            "latency_s": round(max(r["stood_at"] - v["t"], 0.0), 2) if stood else None,
        }
        if bow_unknown:
            evidence["pose_unseen_s"] = round(r["hidden"], 2)
        return instant_event(self.rule_id, self.counter.counter_id, Clock(v["t"], v["wall"]), ctx.clock,
                             outcome="violation" if missing else "pass", evidence=evidence,
                             hall_id=self.counter.hall_id)

    def finish(self, ctx: RuleContext) -> list[Event]:
        """At the end of the stream a visit is judged if the clerk has stood (what was seen of the bow
        decides), or if the time to respond ran out; otherwise it is left unjudged."""
        if self.visit is None:
            return []
        r = self._response(self.visit, ctx.clock.t)
        if self._time_up(ctx.clock.t) or r["stood_at"] is not None:
            return self._judge(ctx, r)
        return []

