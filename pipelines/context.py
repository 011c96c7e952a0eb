"""Shared per-frame context the rules read: who is at the post, is a client there, is the sign up.

`ContextDeriver` is called by the engine once per Observation, before the rules. It is stateful
because the slow stages (person detector, object detector, markers) do not run on every frame:
their last result is remembered for a few seconds, so a rule never reads "no phone" just because
the detector skipped this frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from calibration.config import CounterConfig, point_in_polygon
from pipelines.engine import RuleContext
from pipelines.rules._body import (
    L_EAR,
    L_EL,
    L_HIP,
    L_SH,
    L_WR,
    NOSE,
    R_EAR,
    R_EL,
    R_HIP,
    R_SH,
    R_WR,
    STANDING_SHOULDER_M,
    Body,
    box_center,
    calibrated,
)
from pipelines.rules._frame import (
    LYING_HOLD_S,
    STANDING_MEMORY_S,
    camera,
    mid_shoulder_height_m,
    seated_reading,
)
from pipelines.temporal import toward
from vision.observation import Marker, Observation
from vision.results import Detection, HandResult, PoseResult
from vision.roi import clerk_box, overlap_of_smaller

Polygon = list[tuple[float, float]]


class ContextParams(BaseModel):
    """How the context is derived (per pipeline; the defaults suit a camera facing one clerk)."""

    memory_s: float = Field(3.0, gt=0, description="how long a slow stage's last result stays valid")
    person_min_score: float = Field(0.5, ge=0, le=1)
    client_min_width: float = Field(
        0.72, ge=0, description="a person box in the client zone this narrow (share of the clerk box's height) stands"
        " at the clerk's depth: not a client"
    )
    pose_min_score: float = Field(0.3, ge=0, le=1, description="pose below this counts as nobody")
    client_call_window_s: float = Field(
        180.0, ge=0, description="a queue call means a client is at the window for this long (no client zone)"
    )
    sign_memory_s: float = Field(10.0, gt=0, description="the sign stays 'shown' this long after last seen")
    sign_marker_memory_s: float = Field(
        30.0, gt=0, description="where the sign's marker was last read stays known this long (a desk object "
                                "holding it is the sign, wherever it stands)"
    )
    head_down_sw: float = Field(
        0.35, description="head this little above mid-shoulders (shoulder widths): lying on the desk"
    )
    head_down_memory_s: float = Field(
        1.5, ge=0, description="lying on the desk this recently still silences fidget/slouch/eating"
    )
    # Seen lying, the shoulders read 0.575-0.72 m under the usual seated height on every frame the desk stage boxed
    # the arms and head as an object (four scratch lies, tune bodies, 18-42 deg); a seated clerk MediaPipe fitted head
    # down read 0.22-0.24 (tune_sweep (1.5 m, 1.9 m, -50 deg), putting a handbag and an umbrella on the desk)
    on_desk_sink_m: float = Field(
        0.4, ge=0, description="a seated clerk with the head down and the shoulders this far (m) under their usual "
                               "seated height lies on the desk: the desk rules do not judge the desk then"
    )
    lying_hold_s: float = Field(
        LYING_HOLD_S, ge=0,
        description="a clerk last seen seated going down onto the desk stays present while unseen, "
                    "at most this long (s; posture.head_on_desk's lost_hold_s; 0: off)"
    )


def pose_anchor(pose: PoseResult) -> tuple[float, float] | None:
    """Where the clerk is: mid-shoulders, else the nose, else the hips."""
    body = Body(pose, min_vis=0.3)
    for a, b in ((L_SH, R_SH), (NOSE, NOSE), (L_HIP, R_HIP)):
        pa, pb = body.pt(a), body.pt(b)
        if pa and pb:
            return ((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2)
    return None


def head_height_sw(body: Body | None) -> float | None:
    """The highest head point (nose, ears) above mid-shoulders, in shoulder widths."""
    if body is None:
        return None
    sh, sw = body.shoulder_mid, body.shoulder_width
    head = [p for p in (body.pt(NOSE, 0.3), body.pt(L_EAR, 0.3), body.pt(R_EAR, 0.3)) if p is not None]
    if sh is None or sw is None or not head:
        return None
    return (sh[1] - min(p[1] for p in head)) / sw


@dataclass
class _Memory:
    t: float = float("-inf")
    items: list = field(default_factory=list)


class ContextDeriver:
    def __init__(self, counter: CounterConfig, params: ContextParams | None = None) -> None:
        self.counter, self.p = counter, params or ContextParams()
        self.people = _Memory()
        self.detections = _Memory()
        self.people_any = _Memory()
        self.sign_seen_t = float("-inf")
        # The sign can be judged "not shown" only where the camera could see it: the calibration read its marker
        # with the sign at its place, or its marker has been read on this stream. Without that record, where its
        # zone lies inside the frame: a zone running off the frame's edge (a close camera cuts the desk corner
        # off) may or may not hold the marker, and its outline cannot tell which.
        self.sign_ever_seen = False
        self.sign_marker: tuple[float, float, float] | None = None  # x, y, t where its marker was last read
        calibrated = counter.sign_marker
        self.sign_place_seen = (calibrated != "unread") if calibrated is not None else _zone_in_frame(
            counter.zones.sign, counter.camera.width, counter.camera.height)
        self.head_down_t = float("-inf")
        self.calls_seen = False
        self.lying_t: float | None = None  # when the clerk at the post was last seen going down onto the desk
        self.clerk_seen: Detection | None = None  # the clerk's box at the post, kept while lying there unseen
        self.lying_head: float | None = None  # ... the head's height over the shoulders then (sw)

    def __call__(self, obs: Observation, ctx: RuleContext) -> None:
        t, z, v = obs.t, self.counter.zones, ctx.values
        if "people" in obs.ran:
            self.people = _Memory(t, [d for d in obs.people if d.score >= self.p.person_min_score])
            self.people_any = _Memory(t, list(obs.people))
        if "detector" in obs.ran:
            self.detections = _Memory(t, list(obs.detections))
        people = self.people.items if t - self.people.t <= self.p.memory_s else None
        v["detections"] = self.detections.items if t - self.detections.t <= self.p.memory_s else None
        pose = obs.pose if obs.pose is not None and obs.pose.score >= self.p.pose_min_score else None
        anchor = pose_anchor(pose) if pose is not None else None
        pose_in_post = anchor is not None and (z.post is None or point_in_polygon(anchor, z.post))
        in_post = [d for d in people or [] if z.post is None or point_in_polygon(box_center(d.box), z.post)]
        # The behaviour rules judge the clerk: a pose while nobody is at the post (someone passing, or the
        # model fitting a body to the empty chair after the clerk left) is nobody's behaviour here. Lying on
        # the desk can take the shoulders out of the post zone; the person box still holds the post then.
        v["body"] = Body(pose) if pose is not None and (pose_in_post or in_post) and obs.camera_ok else None

        # Lying on the desk (趴台) is posture.head_on_desk's; it also drops the head below the raised
        # hands and tilts the shoulders, which fidget/slouch/eating would read as theirs. They consult
        # "head_down" (now or within head_down_memory_s, covering the move down and back up).
        v["head_height_sw"] = height = head_height_sw(v["body"])  # read by head_on_desk and slouch too
        head_low = height is not None and height <= self.p.head_down_sw
        if head_low:
            self.head_down_t = t
        v["head_down"] = t - self.head_down_t <= self.p.head_down_memory_s
        # Pause sign: the ArUco marker (in the sign zone when one is drawn), remembered for a while.
        if "markers" in obs.ran:
            for m in obs.markers:
                if m.corners and self._sign_id(m):
                    self.sign_marker = (*_centre(m.corners), t)
            if any(self._is_sign(m) for m in obs.markers):
                self.sign_seen_t = t
                self.sign_ever_seen = True
        # Where the marker was read, zone or not: seen from the side the sign stands partly outside its zone and
        # the desk detector may report it as an object (the desk rules drop an object holding this point).
        seen = self.sign_marker
        v["sign_marker_at"] = seen[:2] if seen and t - seen[2] <= self.p.sign_marker_memory_s else None
        sign = t - self.sign_seen_t <= self.p.sign_memory_s
        v["sign_shown"] = sign
        v["sign_in_view"] = self.sign_ever_seen or self.sign_place_seen
        v["paused"] = sign or ctx.terminal_paused

        # The clerk seen at the post (calibrated camera): stood lately?, how far the shoulders sank below their usual
        # seated height (one reading a frame, shared with posture.head_on_desk and posture.slouch).
        stood, sink = seated_reading(obs, ctx, STANDING_SHOULDER_M, STANDING_MEMORY_S) \
            if v["body"] is not None and calibrated(self.counter.camera) else (None, None)
        lying = self._lying(obs, ctx, pose, anchor, stood, head_low)

        # Who is at the post. A colleague covering (B角) is a person in the post zone: staffed.
        if not obs.camera_ok:
            ctx.clerk_present = None  # an outage is never an empty post
        elif pose_in_post or in_post:
            ctx.clerk_present = True
        elif lying:
            ctx.clerk_present = True  # lying on the desk, unseen (see _lying)
        elif "pose" in obs.ran or people is not None:
            ctx.clerk_present = False
        else:
            ctx.clerk_present = None
        v["staffed_by"] = "pose" if pose_in_post else ("person_box" if in_post else ("lying" if lying else None))
        # read by head_on_desk: also while a person box holds the post (the body folded over the desk may stay boxed
        # there for the whole lie, the pose lost), which staffed_by names first
        v["lying_head_sw"] = self.lying_head if lying else None
        # The clerk lies over the desk, held unseen or seen lying on it: the desk rules cannot judge the desk then
        # (the arms and head on it are no objects of the desk's).
        # Seen lying on it: seated, the head down and the shoulders sunk as deep as a lie brings them (a slump or a
        # head bent over papers sinks them far less).
        v["clerk_on_desk"] = lying or (stood is False and head_low and sink is not None
                                       and sink >= self.p.on_desk_sink_m)

        # Client at the window: a person in the client zone, or a recent queue call.
        self.calls_seen = self.calls_seen or bool(ctx.calls)
        clerk = clerk_box(in_post, anchor)
        if clerk is not None:
            self.clerk_seen = clerk
        elif not lying:
            self.clerk_seen = None
        clients = [d for d in people or [] if self._at_window(d, clerk, obs.image_size)]
        zone_known = z.client is not None and people is not None
        called = bool(ctx.calls_since(self.p.client_call_window_s))
        # what the camera shows, without the calls: a person at the window on the latest people run (None: no client
        # zone, or no recent run). A call keeps client_present for minutes; a chair left out is judged by this
        v["client_seen"] = bool(clients) if zone_known else None
        if clients or called:
            ctx.client_present = True
        elif zone_known or self.calls_seen:
            ctx.client_present = False
        else:
            ctx.client_present = None

        # Visitors (串岗、扎堆聊天): every person box near the post at any score (post.chatting applies its own
        # minimum: a visitor half hidden behind the clerk scores low), minus those overlapping the clerk's or
        # a client's box.
        seen = self.people_any.items if t - self.people_any.t <= self.p.memory_s else None
        # A clerk lying on the desk unseen (_lying) is not boxed at the post, but may be boxed beside it (the body
        # folded forward over the desk's edge): the box that held the post before stands for the clerk.
        taken = [b for b in (clerk if clerk is not None or not lying else self.clerk_seen, *clients) if b is not None]
        # Person boxes in the client zone other than the clerk's, at any score and width (read by the desk rules only
        # while a client is at the window: an object inside one is the client's hand on the desk). Seen from 55 deg
        # aside the client sits beside the camera, the frame's edge cutting their box to 0.37-0.50 of the clerk box's
        # height (under `client_min_width`), scored 0.34-0.66.
        v["client_boxes"] = None if seen is None else [
            d.box for d in seen if z.client is not None and _in_zone(d, z.client)
            and not (clerk is not None and overlap_of_smaller(d.box, clerk.box) > 0.5)
        ]
        v["visitor_boxes"] = [
            d for d in seen or [] if _near_post(box_center(d.box), z.post)
            and not any(overlap_of_smaller(d.box, b.box) > 0.5 for b in taken)
            and not self._at_window(d, clerk, obs.image_size)
        ] if seen is not None else None


    def _lying(self, obs: Observation, ctx: RuleContext, pose: PoseResult | None,
               anchor: tuple[float, float] | None, stood: bool | None, head_low: bool) -> bool:
        """Whether the clerk lies on the desk out of the models' sight: the pose model loses a clerk lying on the
        forearms (face and arms hidden) and the person detector does not box a body folded over the desk, so the
        post reads empty for as long as the clerk lies there. The last frame seen at the post tells it from leaving:
        a clerk going down onto the desk is seated (the shoulders below standing height, and not at it within the
        standing memory, 10 s) with the head at most `head_down_sw` over the shoulder line; a clerk leaving stands
        up first (shoulders at standing height, which also leaves a deep bow out). From such a frame on the clerk
        stays present while unseen (no pose, or a pose beside the post below standing height: the lying body refit
        with its shoulders slid out of the post zone), until seen again at the post (upright, or lying: then held
        anew), seen standing or away from the post, the pause sign or the terminal's pause (the clerk means to
        leave), or `lying_hold_s` after the last frame seen going down. Needs a calibrated camera (metres at the
        clerk); without one nothing is held."""
        t, v = obs.t, ctx.values
        if self.p.lying_hold_s <= 0 or not obs.camera_ok or not calibrated(self.counter.camera):
            self.lying_t = None
            return False
        if v["body"] is not None:  # the clerk seen at the post: going down, or not
            if stood is not None:
                self.lying_t, self.lying_head = (t, v["head_height_sw"]) if not stood and head_low else (None, None)
            return False
        if self.lying_t is None:
            return False
        if pose is not None and anchor is not None:  # a pose away from the post: the lying clerk refit beside it?
            seen = Body(pose)
            sh = seen.pt(L_SH), seen.pt(R_SH)
            up = sh[0] is not None and sh[1] is not None and mid_shoulder_height_m(
                camera(obs, ctx), sh[0], sh[1]) >= STANDING_SHOULDER_M
            if up or not _near_post(anchor, self.counter.zones.post):
                self.lying_t = None  # standing, or gone from the post: left
                return False
        if v["paused"] or t - self.lying_t > self.p.lying_hold_s:
            self.lying_t = None
            return False
        return True

    def _at_window(self, d: Detection, clerk: Detection | None, size: tuple[int, int]) -> bool:
        """A person box in the client zone, other than the clerk's, and not one standing at the clerk's depth: a client
        at the window is nearer the camera than the clerk and reads wider than `client_min_width` of the clerk box's
        height (0.84-2.0, drinking_client and gaze_client of the four tune splits); seen from 50 deg aside a visitor
        beside the clerk projects into the client zone at 0.43 (chatting_visitor and colleague_brief_visit there:
        0.26-0.61). A box the frame's bottom edge cuts is someone nearer the camera than the desk, whatever width is
        left of them."""
        z = self.counter.zones
        if z.client is None or d is clerk or not _in_zone(d, z.client):
            return False
        cut = d.box[3] >= size[1] - 0.02 * size[1]
        return cut or clerk is None or d.box[2] - d.box[0] >= self.p.client_min_width * (clerk.box[3] - clerk.box[1])

    def _sign_id(self, m: Marker) -> bool:
        """The sign's marker id (any marker when the counter sets none)."""
        want = self.counter.sign_aruco_id
        return want is None or m.marker_id == want

    def _is_sign(self, m: Marker) -> bool:
        if not self._sign_id(m):
            return False
        zone = self.counter.zones.sign
        if zone is None or not m.corners:
            return True
        return point_in_polygon(_centre(m.corners), zone)


def _centre(corners: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(c[0] for c in corners) / len(corners), sum(c[1] for c in corners) / len(corners)


def _zone_in_frame(zone: Polygon | None, width: int, height: int, margin_px: float = 2.0) -> bool:
    """The zone is not cut by the frame (no zone: the marker stage searches the whole frame). A zone the
    calibration clipped at the frame's edge holds only part of the sign, often none of its marker. Clipping
    leaves a stretch of the outline along the edge (two neighbouring vertices on it); a zone that only
    touches the edge at one corner is whole (from 1.8 m high and 40° aside the sign zone's front corner
    reaches the last row while the sign stands well inside the frame). A vertex beyond the frame is cut."""
    if not zone:
        return True

    def edges(x: float, y: float) -> set[str]:
        return {e for e, on in (("l", x < margin_px), ("r", x > width - 1 - margin_px),
                                ("t", y < margin_px), ("b", y > height - 1 - margin_px)) if on}

    outside = any(not (-0.5 <= x <= width - 0.5 and -0.5 <= y <= height - 0.5) for x, y in zone)
    on = [edges(x, y) for x, y in zone]
    return not outside and not any(on[i] & on[i - 1] for i in range(len(on)))


def _in_zone(d: Detection, zone: Polygon) -> bool:
    """A person box is in a zone when its centre is (the feet are often hidden by the desk)."""
    return point_in_polygon(box_center(d.box), zone)


def _near_post(point: tuple[float, float], post: Polygon | None) -> bool:
    """Within half a post-width of the post zone's bounding box (a neighbour leaning over, a colleague standing by,
    the lying clerk refit beside the post)."""
    if post is None:
        return True
    xs, ys = [p[0] for p in post], [p[1] for p in post]
    margin = 0.5 * (max(xs) - min(xs))
    cx, cy = point
    return min(xs) - margin <= cx <= max(xs) + margin and min(ys) - margin <= cy <= max(ys) + margin



@dataclass
class HandActivity:
    """What the pose alone says each hand is doing, so the pipeline runs the hand model and the object
    detector only when a rule could read their answer. Margins are looser than the rules' own thresholds
    (the rules measure the hand centre from the hand model, this sees only the pose's wrist and fingers).
    A typing or writing clerk (forearms down on the desk, hands apart) sets none of these."""

    near_face: set[str] = field(default_factory=set)  # sides with a hand point near the nose
    held_front: set[str] = field(default_factory=set)  # held up in front of the chest (phone.use's pose)
    forearm_up: set[str] = field(default_factory=set)  # wrist not below its elbow by more than FOREARM_UP_SW
    gesturing: bool = False  # a forearm level or raised, or a wrist moved away from where it rested
    together: bool = False  # both wrists close together (finger fidgeting)
    neck_clamp: tuple[tuple[float, float], tuple[float, float]] | None = None  # (ear, shoulder) of a tilted head


class HandGate:
    """Per stream: turns each pose into a `HandActivity`. Gestures are told by the wrist leaving its resting
    place (a slow average of where it was, in shoulder widths from mid-shoulders), because absolute
    positions do not separate them from typing once the camera is yawed: a wrist on the desk then reads
    0.8 shoulder widths outside its shoulder."""

    FOREARM_UP_SW = -0.15  # held in front: wrist at most this far below its elbow (typing reads -0.2..-0.6)
    RAISED_SW = 0.0  # gesturing: wrist at least level with its elbow
    IN_FRONT_SW = 0.9  # held in front: wrist this close to the nose horizontally ...
    ABOVE_SHOULDER_SW = 0.25  # ... and at most this far above the shoulder line
    MOVED_SW = 0.35  # gesturing: wrist this far from its resting place
    REST_TAU_S = 8.0  # time constant of the resting place
    TOGETHER_SW = 0.45
    CLAMP_GAP_SW, CLAMP_TILT_DEG = 0.6, 10.0  # looser than phone.neck_clamp's 0.45 sw and 15 degrees

    def __init__(self, near_face_sw: float = 1.0) -> None:
        self.near_face_sw = near_face_sw
        self.rest: dict[str, tuple[float, ...]] = {}  # per side: the wrist's slow baseline (resting place)
        self.t: float | None = None

    def reset(self) -> None:
        self.rest, self.t = {}, None

    def __call__(self, body: Body, t: float, last_hands: list[HandResult] | None = None) -> HandActivity:
        """`last_hands`: the hand model's latest result; its fingertips, matched to a wrist the way the rules
        match them (`Body.hand_points`), reach further than the pose's hand points."""
        import math

        act = HandActivity()
        sw, nose, mid = body.shoulder_width, body.pt(NOSE), body.shoulder_mid
        if sw is None or sw <= 0 or mid is None:
            return act
        dt = 0.0 if self.t is None else max(0.0, t - self.t)
        if dt > 2.0:
            self.rest = {}
        self.t = t
        sh = {"left": body.pt(L_SH), "right": body.pt(R_SH)}
        for side, (el_i, wr_i) in (("left", (L_EL, L_WR)), ("right", (R_EL, R_WR))):
            pts = body.hand_points(side, last_hands)
            wr, el, s = body.pt(wr_i), body.pt(el_i), sh[side]
            if nose is not None and pts and min(math.dist(p, nose) for p in pts) <= self.near_face_sw * sw:
                act.near_face.add(side)
            if wr is None:
                continue
            lift = (el[1] - wr[1]) / sw if el is not None else None
            if lift is not None and lift >= self.FOREARM_UP_SW:
                act.forearm_up.add(side)
            if side in act.forearm_up and nose is not None and s is not None \
                    and abs(wr[0] - nose[0]) <= self.IN_FRONT_SW * sw and (s[1] - wr[1]) / sw <= self.ABOVE_SHOULDER_SW:
                act.held_front.add(side)
            rel = ((wr[0] - mid[0]) / sw, (wr[1] - mid[1]) / sw)
            rest = self.rest.get(side, rel)
            moved = math.dist(rel, rest) >= self.MOVED_SW
            self.rest[side] = toward(rest, rel, dt, self.REST_TAU_S)
            act.gesturing = act.gesturing or moved or (lift is not None and lift >= self.RAISED_SW)
        lw, rw = body.pt(L_WR), body.pt(R_WR)
        act.together = lw is not None and rw is not None and math.dist(lw, rw) / sw <= self.TOGETHER_SW
        le, re = body.pt(L_EAR, 0.3), body.pt(R_EAR, 0.3)
        if le and re and sh["left"] and sh["right"]:
            tilt = math.degrees(math.atan2(abs(le[1] - re[1]), abs(le[0] - re[0]) + 1e-6))
            gaps = {"left": math.dist(le, sh["left"]), "right": math.dist(re, sh["right"])}
            side = min(gaps, key=gaps.__getitem__)
            if tilt >= self.CLAMP_TILT_DEG and gaps[side] / sw <= self.CLAMP_GAP_SW:
                act.neck_clamp = ((le if side == "left" else re), sh[side])  # type: ignore[assignment]
        return act
