"""Per-frame measurements several behaviour rules read, computed once per Observation.

`measure(obs, ctx)` caches a `FrameMeasures` in `ctx.values["measures"]` (the engine clears the values
every frame), so phone.call, phone.use, eat.food, drink.in_front, chin_on_hand and fidget share one
set of hand-to-face distances instead of each recomputing them. Distances are in shoulder widths (sw).
It also holds the camera-model measures at the clerk's shoulders (height above the floor, the image length
of an upright 36 cm), computed once per frame with one CameraModel per counter, and `StandingMemory`, the
one reading of "standing now or a moment ago" the posture rules share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from pipelines.engine import RuleContext
from pipelines.geometry import UP, CameraModel
from pipelines.rules._body import (
    L_EAR,
    L_EL,
    L_SH,
    NOSE,
    R_EAR,
    R_EL,
    R_SH,
    Body,
    P,
    calibrated,
    dist,
    shoulder_width_m,
    shoulders_on_plane,
)
from pipelines.temporal import SlowBaseline
from vision.observation import Observation
from vision.results import Detection, HandResult

PHONE_LABELS = frozenset({"cell phone", "mobile phone", "phone", "Mobile phone"})
DRINK_LABELS = frozenset({"cup", "bottle", "wine glass", "Mug", "Coffee cup", "Bottle", "Drink"})
FOOD_LABELS = frozenset({
    "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake",
    "food", "snack", "wrapper", "Food", "Snack", "Fast food", "Baked goods",
})
SIDES = ("left", "right")


@dataclass
class HandMeasure:
    side: str
    points: list[P]
    centre: P | None = None
    d_mouth: float | None = None  # nearest hand point to the mouth (sw)
    d_ear: float | None = None  # ... to this side's ear
    d_chin: float | None = None
    height_sw: float | None = None  # hand centre above the shoulder line (+ up)
    lateral_sw: float | None = None  # hand centre from the nose toward this side's ear (+ outward)
    nose_dx_sw: float | None = None  # hand centre from the nose along the image x (+ right; needs no ear)
    elbow_low_sw: float | None = None  # elbow below the hand centre (+ = the forearm points up)
    arm_drop_deg: float | None = None  # upper arm (shoulder -> elbow) below the image horizontal: 90 hanging, 0 level
    hand: HandResult | None = None  # the hand model's landmarks matched to this pose wrist
    curled: int = 0  # fingers the hand model reads as curled (a grip on something)
    objects: list[Detection] = field(default_factory=list)  # detector finds within ~0.4 sw of the hand

    def has(self, labels: frozenset[str]) -> list[Detection]:
        return [d for d in self.objects if d.label in labels]

    def at_mouth(self, radius_sw: float, max_lateral_sw: float = 0.2, max_height_sw: float = 0.6) -> bool:
        """The hand in front of the mouth: near it, not off to the ear's side, not up at the temple."""
        if self.d_mouth is None or self.d_mouth > radius_sw:
            return False
        lateral_ok = self.lateral_sw is None or abs(self.lateral_sw) <= max_lateral_sw
        return lateral_ok and (self.height_sw is None or self.height_sw <= max_height_sw)


@dataclass
class FrameMeasures:
    body: Body | None
    sw: float | None = None
    hands: dict[str, HandMeasure] = field(default_factory=dict)
    mouth_objects: list[Detection] = field(default_factory=list)  # detector finds at the mouth

    def hand_above(self, height_sw: float) -> bool:
        """Some hand's centre above the shoulder line plus `height_sw` (shoulder widths; negative: below it)."""
        return any(h.height_sw is not None and h.height_sw > height_sw for h in self.hands.values())


def _box_dist(d: Detection, p: P) -> float:
    x1, y1, x2, y2 = d.box
    dx = max(x1 - p[0], 0.0, p[0] - x2)
    dy = max(y1 - p[1], 0.0, p[1] - y2)
    return (dx * dx + dy * dy) ** 0.5


def measure(obs: Observation, ctx: RuleContext) -> FrameMeasures:
    cached = ctx.values.get("measures")
    if isinstance(cached, FrameMeasures):
        return cached
    m = _measure(obs, ctx)
    ctx.values["measures"] = m
    return m


def _measure(obs: Observation, ctx: RuleContext) -> FrameMeasures:
    body: Body | None = ctx.values.get("body")
    if body is None or body.shoulder_width is None or body.shoulder_mid is None:
        return FrameMeasures(body)
    m = FrameMeasures(body, body.shoulder_width)
    dets: list[Detection] = ctx.values.get("detections") or []
    if (mouth := body.mouth) is not None:
        m.mouth_objects = [d for d in dets if _box_dist(d, mouth) <= 0.35 * body.shoulder_width]
    for side in SIDES:
        m.hands[side] = hand_measure(body, side, obs.hands, dets)
    return m


def hand_measure(body: Body, side: str, hands: list[HandResult] | None, dets: list[Detection] | None = None
                 ) -> HandMeasure:
    """One hand's measures on this body (`measure` makes both for the rules; the pipeline makes one to ask a
    rule's own test of a hand before it spends a detector run on it). Empty without the shoulders or the hand."""
    ear_i, el_i, sh_i = (L_EAR, L_EL, L_SH) if side == "left" else (R_EAR, R_EL, R_SH)
    sw, sh = body.shoulder_width, body.shoulder_mid
    pts = body.hand_points(side, hands)
    hm = HandMeasure(side, pts)
    if not pts or sw is None or sh is None:
        return hm
    mouth, chin, nose = body.mouth, body.chin, body.pt(NOSE, 0.3)
    hm.centre = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
    ear = body.pt(ear_i, 0.3)
    for attr, target in (("d_mouth", mouth), ("d_ear", ear), ("d_chin", chin)):
        if target is not None:
            setattr(hm, attr, min(dist(p, target) for p in pts) / sw)
    hm.height_sw = (sh[1] - hm.centre[1]) / sw
    if nose is not None:
        hm.nose_dx_sw = (hm.centre[0] - nose[0]) / sw
    if nose is not None and ear is not None and abs(ear[0] - nose[0]) > 1e-6:
        outward = 1.0 if ear[0] > nose[0] else -1.0
        hm.lateral_sw = outward * (hm.centre[0] - nose[0]) / sw
    elbow = body.pt(el_i, 0.3)
    if elbow is not None:
        hm.elbow_low_sw = (elbow[1] - hm.centre[1]) / sw
        if (shoulder := body.pt(sh_i)) is not None:
            hm.arm_drop_deg = math.degrees(math.atan2(elbow[1] - shoulder[1], abs(elbow[0] - shoulder[0])))
    hm.hand = body.matched_hands(hands).get(side)  # the one paired with this wrist, as its points
    if hm.hand is not None:
        hm.curled = sum(1 for v in hm.hand.fingers.values() if v == "curled")
    hm.objects = [d for d in dets or [] if min(_box_dist(d, p) for p in pts) <= 0.4 * sw]
    return hm


# A seated or bowing clerk's shoulders span 0.25-0.65 m on the clerk's plane from any suite view; a visitor at the
# counter whom the pose model takes for the clerk reads 0.84-1.4 m (tune_wide stand_for_visitor_missed).
MAX_CLERK_SHOULDER_M = 0.75
MAX_CLERK_SHOULDER_DOC = "a pose whose shoulders read wider than this at the clerk is someone nearer the camera"


def someone_nearer(obs: Observation, ctx: RuleContext, max_width_m: float) -> bool:
    """The pose at the post is someone standing nearer the camera than the clerk's chair (a visitor at the counter
    the pose model took for a clerk it half lost): its shoulders read wider than `max_width_m` on the clerk's plane.
    Judged only with a calibrated camera (uncalibrated, metres at the clerk are typical values, not measured).
    The one visitor guard of the rules that read the clerk's own head and shoulders from the pose (gaze.away,
    posture.dozing, posture.slouch, handover.two_hands, stand.for_visitor: each passes its `max_body_width_m`, default
    MAX_CLERK_SHOULDER_M, and sets such a frame aside). post.chatting's visitors are another thing: person boxes
    beside the post that are neither the clerk's nor a client's (ContextDeriver's visitor_boxes), counted, not a pose
    to set aside."""
    body = ctx.values.get("body")
    if body is None or not calibrated(ctx.counter.camera):
        return False
    width = shoulder_width_m(body, camera(obs, ctx))
    return width is not None and width > max_width_m


def camera(obs: Observation, ctx: RuleContext) -> CameraModel:
    """This counter's camera model (one per stream, built on the first frame that asks)."""
    if ctx.camera is None:
        ctx.camera = CameraModel.from_config(ctx.counter.camera, obs.image_size)
    return ctx.camera


def mid_shoulder_height_m(cam: CameraModel, ls: P, rs: P) -> float:
    """Height of the mid-shoulders above the floor (m), back-projected onto the clerk's coronal plane, from the two
    shoulder pixels (the etiquette rules' Frame: etiquette_common.shoulder_height_m caches it per frame)."""
    return _mid_height_m(cam.on_plane(np.array([ls, rs], dtype=float), cam.coronal_plane_normal(), np.zeros(3)))


def _mid_height_m(shoulders: np.ndarray) -> float:
    """The one formula behind both shoulder heights: the middle of both shoulders on the clerk's coronal plane
    ((2, 3) metres), its height above the floor. The behaviour rules' `shoulder_height_m` feeds it the body's
    memoised shoulders_on_plane (the shoulder width reads them too), the etiquette rules `mid_shoulder_height_m`."""
    return float(shoulders.mean(axis=0) @ UP)


def _shoulders(ctx: RuleContext) -> tuple[P, P] | None:
    body: Body | None = ctx.values.get("body")
    ls, rs = (body.pt(L_SH), body.pt(R_SH)) if body is not None else (None, None)
    return (ls, rs) if ls is not None and rs is not None else None


def shoulder_height_m(obs: Observation, ctx: RuleContext) -> float | None:
    """This frame's mid-shoulder height above the floor (m), as bow.angle judges standing; None without both
    shoulders of the clerk's body seen, or unless the camera's height and distance are calibrated (else
    metres would be guesses). Once per frame."""
    def height() -> float | None:
        body: Body | None = ctx.values.get("body")
        cal = calibrated(ctx.counter.camera)
        pts = shoulders_on_plane(body, camera(obs, ctx)) if cal and body is not None else None
        return _mid_height_m(pts) if pts is not None else None

    return ctx.per_frame("shoulder_m", height)


def upright_36cm_px(obs: Observation, ctx: RuleContext) -> float | None:
    """Image length of an upright 36 cm segment at the clerk's shoulders (on the coronal plane): a shoulder
    width's worth of height as this camera sees it there, whichever way the torso is turned. None without
    both shoulders seen. Once per frame."""
    def length() -> float | None:
        centre = shoulder_centre(obs, ctx)
        if centre is None:
            return None
        cam = camera(obs, ctx)
        return float(np.hypot(*(cam.project(centre + 0.36 * UP) - cam.project(centre))))

    return ctx.per_frame("upright_36cm_px", length)


def shoulder_centre(obs: Observation, ctx: RuleContext) -> np.ndarray | None:
    """The mid-shoulder pixel back-projected onto the clerk's coronal plane (world metres); None without both
    shoulders seen. Once per frame (upright_36cm_px and slouch's shoulder roll start from it)."""
    def centre() -> np.ndarray | None:
        sh = _shoulders(ctx)
        if sh is None:
            return None
        cam, (ls, rs) = camera(obs, ctx), sh
        mid = np.array([(ls[0] + rs[0]) / 2, (ls[1] + rs[1]) / 2])
        return cam.on_plane(mid, cam.coronal_plane_normal(), np.zeros(3))

    return ctx.per_frame("shoulder_centre", centre)


class StandingMemory:
    """Standing now or within a memory (a bow lowers the shoulders for a moment after standing up)."""

    def __init__(self) -> None:
        self.stood_t = float("-inf")  # shoulders last seen at standing height

    def __call__(self, t: float, height_m: float | None, min_m: float, memory_s: float,
                 seated_m: float | None = None, seated_band_m: float = 0.0) -> bool | None:
        """None when this frame's shoulder height is unknown (not seen, camera not calibrated). With the clerk's
        learned seated shoulder height `seated_m`, shoulders at `min_m` or over but less than `seated_band_m` above
        it are a tall clerk still seated (leaning back), not standing."""
        if height_m is None:
            return None
        if height_m >= min_m and (seated_m is None or height_m - seated_m >= seated_band_m):
            self.stood_t = t
        return t - self.stood_t <= memory_s


# Lying on the desk brings the shoulders down toward it; slumping sinks them a little. On the frames with the head
# down but still over the shoulder line (0-0.2 sw), seated, of the four tune splits: lying clerks 0.161-0.89 m below
# their usual seated height (smallest: tune_side -30 deg, half-way down, the pose lost next), slumps 0.10-0.133 m
# (largest: tune_sweep (1.6 m, 1.15 m, -15 deg), seen close from above, the forward lean reads as sink). The midpoint
# leaves 1.4 cm either side; a lying clerk the pose model loses right after such a frame is carried over whatever
# it read (posture.head_on_desk), so the threshold decides only clerks who stay in view.
LYING_SINK_M = 0.147
# The same reading cut deeper for other uses: posture.slouch's lying_deep_sink_m (0.2, lying wherever the head was
# fitted) and the context's on_desk_sink_m (0.4, the desk not judged: a clerk fitted head-down reads 0.22-0.24).
LYING_SINK_DOC = "a head down with the shoulders sunk less than this (m) below their usual seated height is a slump"
# Standing now or this recently (s): the head down after it is a bow, not lying or a slump (seated_reading's memory,
# shared by posture.head_on_desk, posture.slouch and the context's lying hold).
STANDING_MEMORY_S = 10.0
# A very tall clerk's seated shoulders can read over STANDING_SHOULDER_M: a 1.99 m long-torsoed body (m_xtall, scratch
# renders) reads 1.05-1.11 m upright and up to 1.178 m leaning back seen from above and aside, 0.082 m over its
# learned seated height. So seated_reading counts a frame over the cut as standing only once the shoulders are also
# this far over the clerk's own seated height (when one is learnt): standing frames of the four tune splits read
# 0.111 m over it at the least (a rising frame; 0.137 next), steady standing 0.2-0.5 m. The band sits 3.8 cm over the
# highest seated reading and 8 cm under steady standing; a frame half-way up may read seated, which the standing
# memory (STANDING_MEMORY_S) covers for the bow after it. Every band from 0.09 to 0.15 gives the same clips.
SEATED_BAND_M = 0.12
# A clerk seen going down onto the desk and then lost to the models still lies there this long (s):
# posture.head_on_desk's lost_hold_s and the context's lying_hold_s, so that the two agree.
LYING_HOLD_S = 600.0


class SeatedShoulders:
    """The clerk's usual seated shoulder height above the floor (m, calibrated camera), learnt slowly from frames with
    the head up (over `head_up_sw` sw above the shoulders) and not standing; `sink_m` is how far below it they are
    now. Kept once per stream and read through `seated_reading`."""

    def __init__(self, tau_s: float = 60.0, head_up_sw: float = 0.35) -> None:
        self.base, self.head_up_sw = SlowBaseline(tau_s), head_up_sw

    def usual_m(self, t: float) -> float | None:
        """The learned seated shoulder height (m); None before any, or after more than `tau_s` unseen seated."""
        base = self.base
        return None if base.usual is None or base.fresh(t) else base.usual[0]

    def sink_m(self, t: float, height_m: float | None, head_sw: float | None, standing: bool | None) -> float | None:
        """None without a calibrated shoulder height, or while standing."""
        if height_m is None or standing:
            return None
        usual = self.base.look(t, (height_m,))[0]
        if head_sw is not None and head_sw > self.head_up_sw:
            self.base.learn(t, (height_m,))
        return usual - height_m


def seated_reading(
    obs: Observation, ctx: RuleContext, min_standing_m: float, memory_s: float
) -> tuple[bool | None, float | None]:
    """This frame's (standing now or within `memory_s`, how far the shoulders sank below their usual seated height;
    standing: the shoulders `min_standing_m` over the floor and, once a seated height is learnt, SEATED_BAND_M over it),
    from one `StandingMemory` and one `SeatedShoulders` per stream and per parameter pair, updated once a frame
    whichever rule asks first (posture.head_on_desk and posture.slouch; by default they share one pair).
    Call it on every frame with the clerk's body, so the memories see the same frames whichever rules are enabled."""
    key = ("seated", min_standing_m, memory_s)

    def read() -> tuple[bool | None, float | None]:
        standing, seated = ctx.stream_state(key, lambda: (StandingMemory(), SeatedShoulders()))
        t, height_m = ctx.clock.t, shoulder_height_m(obs, ctx)
        stood = standing(t, height_m, min_standing_m, memory_s, seated.usual_m(t), SEATED_BAND_M)
        return stood, seated.sink_m(t, height_m, ctx.values.get("head_height_sw"), stood)

    return ctx.per_frame(key, read)


def slumped_not_lying(head_sw: float | None, sink_m: float | None, lying_sink_m: float) -> bool:
    """A head down but still over the shoulder line, the shoulders sunk less than `lying_sink_m`: a slump."""
    return head_sw is not None and head_sw > 0.0 and sink_m is not None and sink_m < lying_sink_m
