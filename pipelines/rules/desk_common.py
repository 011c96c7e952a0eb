"""Shared vocabulary and helpers of the desk rules (no rule is registered here).

The desk rules read only `Observation.desk_objects` (filled by vision/desk_change.py) and the context:
labels are detector classes ("cup", "cell phone", ...), the heuristic "papers"/"seal", "unknown object",
the slot reports "slot_missing:<slot>" / "slot_moved:<slot>", and "chair_out" (the client chair, chair.reset).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from calibration.check import slot_out_of_view
from calibration.config import CounterConfig, Polygon, box_share_on, lowest_y, polygon_area
from pipelines.context import point_in_polygon
from pipelines.engine import CHINA, Rule, RuleContext, RuleParams
from pipelines.events import Event, Severity
from pipelines.geometry import hand_for_wrist
from pipelines.rules._body import L_INDEX, L_WR, R_INDEX, R_WR, Body, box_center
from pipelines.temporal import Clock, IncidentTracker, Timing
from vision.desk.chair import CHAIR_OUT  # the client chair away from its zone: chair.reset's, no desk item
from vision.observation import Observation
from vision.results import Box, Detection
from vision.roi import box_area, box_holds, box_inside_share, overlap_of_smaller

SLOT_MISSING, SLOT_MOVED = "slot_missing:", "slot_moved:"
PHONE_LABELS = ["cell phone", "mobile phone"]
DRINK_LABELS = ["cup", "mug", "coffee cup", "bottle", "wine glass"]
PERSONAL_LABELS = [
    "handbag", "backpack", "suitcase", "umbrella", "tie", "towel", "scarf", "hat",
    "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake",
    "snack", "food",
]
SECURE_LABELS = ["papers", "seal", "book"]  # documents and seals that must go into the cabinet
# What the desk detector could not name ("box" is the Open Images SSD's answer for any packaged-looking
# item): not a work item, not an allowed item in its slot, so on a staffed desk it is a personal item.
UNKNOWN_LABELS = ["unknown object", "box"]
# Papers lie flat on the counter, so their box lies on the desk zone (0.77-1.00 of it on every papers area of the
# four tune splits); "papers" boxed mostly off the zone stand up from the desk: an item the heuristic misnamed (an
# umbrella at the frame's edge, 0.11-0.33 on the zone, session 26), unnamed for the rules.
PAPERS_MIN_ON_DESK = 0.5
# An unnamed object lying flat on the desk zone (this share of its box on it) where the frame's bottom edge cuts it.
FLAT_ON_DESK = 0.95


class DeskTiming(Timing, RuleParams):
    """The IncidentTracker timing fields, overridable per counter under `rules.<id>`."""

    def timing(self) -> Timing:
        return Timing(**self.model_dump(include=set(Timing.model_fields)))


def desk_ran(obs: Observation) -> bool:
    """Desk objects are meaningful only on frames where the desk stage ran and the camera delivered."""
    return obs.camera_ok and "desk" in obs.ran


def desk_closed(obs: Observation, counter: CounterConfig) -> bool:
    """After closing time, before opening, or a day off (wall clock known). Breaks count as open: the desk
    must be secured at lunch as well. After hours every item on the desk is desk.end_of_day's."""
    if obs.wall_time is None:
        return False
    now = datetime.fromtimestamp(obs.wall_time, CHINA)
    hours = counter.hours
    return now.weekday() not in hours.weekdays or not (hours.open <= now.time() < hours.close)


def is_personal(label: str, counter: CounterConfig) -> bool:
    if label in PERSONAL_LABELS or label in UNKNOWN_LABELS:
        return True
    return label in DRINK_LABELS and not counter.exceptions.water_cup_allowed


def owner(d: Detection, obs: Observation, ctx: RuleContext) -> str | None:
    """The one rule that answers for a foreign object on this frame, so one object raises one event:
    after hours desk.end_of_day; clerk away: papers/seal are post.leave_secure, anything else with nobody
    at the counter item.unattended; clerk at the post (or not known): a phone is phone.on_desk, a personal
    or unnamed item desk.personal_items. None: nobody's (work items, an allowed cup): desk.clutter counts it."""
    if desk_closed(obs, ctx.counter):
        return "desk.end_of_day"
    if clerk_present(obs, ctx) is False:
        if d.label in SECURE_LABELS or beside_papers(d, obs):
            return "post.leave_secure"
        return None if client_present(obs, ctx) else "item.unattended"
    if d.label in PHONE_LABELS:
        return "phone.on_desk"
    if standing_papers(d, ctx.counter):
        return "desk.personal_items"
    if is_personal(d.label, ctx.counter) and not slot_item_from_below(d, obs, ctx.counter):
        return "desk.personal_items"
    return None


def slot_item_from_below(d: Detection, obs: Observation, counter: CounterConfig, edge_px: float = 2.0) -> bool:
    """An unnamed object that may be the item of a slot calibrated outside the frame, moved into view: the frame's
    bottom edge cuts it (the desk runs on under the frame, where such a slot lies from a low, close camera) and its box
    lies flat on the desk zone (`FLAT_ON_DESK` of it). Such a slot's item is never seen in its slot, so taken out and
    left on the desk in front of the clerk it is a new object the desk stage cannot pair: from (1.25 m, 1.1 m, +-5)
    the evaluator pad (its and the acrylic stand's slots below the frame) was a "box" 65-90 x 85 px cut by the bottom
    edge, 0.99 of it on the zone, a desk.personal_items false alarm (allowed_item_displaced, session 28). A bag standing
    there rises above the zone's far outline: 0.38-0.45 at those views, 0.47-0.86 on the four tune splits ((1.3 m,
    1.2 m, 35): 0.85-0.86). Nobody's then (desk.clutter counts it); a flat unnamed item of the clerk's put at the near
    edge of such a view is missed. A named item (a phone, a snack, a bag) is not touched."""
    if d.label not in UNKNOWN_LABELS or counter.zones.desk is None:
        return False
    size = (counter.camera.width, counter.camera.height)  # the slots' polygons are drawn in camera pixels
    if not any(slot_out_of_view(s.polygon, size) for s in counter.slots):  # as `calibration check` warns of them
        return False
    h = obs.image_size[1] if obs.image_size[0] else counter.camera.height
    return d.box[3] >= h - edge_px and box_share_on(d.box, counter.zones.desk) >= FLAT_ON_DESK


def standing_papers(d: Detection, counter: CounterConfig) -> bool:
    """"Papers" whose box lies mostly off the desk zone (under `PAPERS_MIN_ON_DESK`): not a sheet lying on the desk
    but something standing on or beside it that the heuristic named papers, an unnamed (personal) item."""
    poly = counter.zones.desk
    return d.label == "papers" and poly is not None and box_share_on(d.box, poly) < PAPERS_MIN_ON_DESK


def beside_papers(d: Detection, obs: Observation, reach: float = 0.5) -> bool:
    """An unnamed object no larger than papers lying within `reach` x their long side of them on this frame: a part of
    the same documents that something in front splits off (at (1.2 m, 1.95 m, 30) the evaluator pad hides the sheet's
    middle; its corner beside the pad, 16 x 11 px 13 px from the rest, read as a weak "box" for item.unattended)."""
    if d.label not in UNKNOWN_LABELS:
        return False
    size = (d.box[2] - d.box[0]) * (d.box[3] - d.box[1])
    for p in obs.desk_objects:
        if p.label != "papers" or size > (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]):
            continue
        gap = max(p.box[0] - d.box[2], d.box[0] - p.box[2], p.box[1] - d.box[3], d.box[1] - p.box[3], 0.0)
        if gap <= reach * max(p.box[2] - p.box[0], p.box[3] - p.box[1]):
            return True
    return False


def owned_by(rule_id: str, obs: Observation, ctx: RuleContext) -> list[Detection]:
    return [d for d in foreign_objects(obs) if owner(d, obs, ctx) == rule_id]


class ObjectKeys:
    """Stable keys for desk objects across frames (by box overlap), so each item is its own incident: a
    handbag and an umbrella are two events even when the detector cannot name either. The overlap is over
    the smaller box: a blob that grows or shrinks (a hand cuts it) is the same item.
    With `join_splits`, an item the desk stage splits into pieces keeps one key: a piece lying inside the box the
    item had before this frame shares its key when the piece that took the key no longer covers that box (tune_sweep
    (1.3 m, 1.75 m, 25): the handbag, 118 x 136 px, read as a 65 x 136 box and a 16 x 44 strip at its left edge from
    5.2 s, two incidents for one bag)."""

    def __init__(self, memory_s: float = 60.0, join_splits: bool = False) -> None:
        self.memory_s = memory_s
        self.join_splits = join_splits
        self.known: dict[str, tuple[tuple[float, float, float, float], float]] = {}  # key -> (box, last seen)
        self.count = 0

    def keys(self, dets: list[Detection], t: float) -> list[str]:
        self.known = {k: v for k, v in self.known.items() if t - v[1] <= self.memory_s}
        before = {k: box for k, (box, _) in self.known.items()}
        out: list[str] = []
        for d in dets:
            best = max(((k, overlap_of_smaller(d.box, box)) for k, (box, _) in self.known.items() if k not in out),
                       key=lambda kv: kv[1], default=(None, 0.0))
            key = best[0] if best[0] is not None and best[1] >= 0.3 else None
            box = d.box
            if key is None and self.join_splits:
                key = self._split_of(d.box, before, dets[:len(out)], out)
                if key is not None:  # the item is remembered whole (the pieces' span) for the next frame
                    prev = self.known[key][0]
                    box = (min(prev[0], box[0]), min(prev[1], box[1]), max(prev[2], box[2]), max(prev[3], box[3]))
            if key is None:
                self.count += 1
                key = f"object{self.count}"
            self.known[key] = (box, t)
            out.append(key)
        return out

    @staticmethod
    def _split_of(box: Box, before: dict[str, Box], taken: list[Detection], keys: list[str],
                  inside: float = 0.9, lost: float = 0.9) -> str | None:
        """The key of an item seen before this frame that this box is a piece of: the box lies inside the item's
        earlier box (`inside` of it) as does the piece that took its key, which covers under `lost` of that box."""
        for d, k in zip(taken, keys, strict=True):
            prev = before.get(k)
            if prev is None or box_area(box) >= box_area(prev):
                continue
            if (box_inside_share(box, prev) >= inside and box_inside_share(d.box, prev) >= inside
                    and box_area(d.box) < lost * box_area(prev)):
                return k
        return None


class OtherPeople:
    """Desk objects that are a part of someone other than the clerk, remembered by place while they stay there
    (the person detector runs on few frames): a client reaching in from the camera's side (the object touches
    the frame's edge while a client is at the window: the client sits or stands beside the camera, and the desk
    stage has no pose of the client to mask), a client in front of the desk (`_before_desk`, while a client is at
    the window), a client's hands resting on the desk inside their person box (`_in_client_box`, while a client is at
    the window), or a visitor standing at the desk (the object lies inside a visitor's person box, or under it
    where the monitor hid the legs: `_with_legs`). An item of the clerk's touching the frame's edge waits until the
    client has gone."""

    def __init__(self, memory_s: float = 10.0, edge_px: float = 2.0, legs: float = 1.0, before: float = 0.35,
                 in_client: float = 0.5) -> None:
        self.objects = ObjectKeys(memory_s)
        self.in_client = in_client
        self.edge_px = edge_px
        self.legs = legs
        self.before = before
        self.marked: set[str] = set()

    def without(self, dets: list[Detection], obs: Observation, ctx: RuleContext) -> list[Detection]:
        """`dets` less the objects that are (or were, in that place) someone's arm, hand or body."""
        keys = self.objects.keys(dets, obs.t)
        self.marked &= set(self.objects.known)
        out = []
        for key, d in zip(keys, dets, strict=True):
            if key in self.marked or self._someone(d, obs, ctx):
                self.marked.add(key)
            else:
                out.append(d)
        return out

    def _someone(self, d: Detection, obs: Observation, ctx: RuleContext) -> bool:
        w, h = obs.image_size if obs.image_size[0] else (ctx.counter.camera.width, ctx.counter.camera.height)
        x1, y1, x2, y2 = d.box
        at_edge = x1 <= self.edge_px or y1 <= self.edge_px or x2 >= w - self.edge_px or y2 >= h - self.edge_px
        if client_present(obs, ctx) and (at_edge or self._before_desk(d.box, ctx.counter.zones.desk)
                                         or self._in_client_box(d.box, ctx.values.get("client_boxes") or [])):
            return True
        visitors = ctx.values.get("visitor_boxes") or []
        return any(overlap_of_smaller(d.box, self._with_legs(v.box)) >= 0.8 and box_area(v.box) > 2 * box_area(d.box)
                   for v in visitors)

    def _before_desk(self, box: Box, desk: Polygon | None) -> bool:
        """The box reaches below the desk zone's near outline (the zone's lowest point in each column, more than
        `edge_px` under it) along at least `before` of its bottom edge: a blob the zone's outline cut off, someone
        nearer the camera than the desk. Judged only while a client is at the window (`_someone`). From a steep side
        view the client's head over the desk's near corner is boxed that way, clear of the frame's edge, the person
        detector missing the client or scoring them 0.5: 0.52-0.86 of the bottom edge below the outline at
        (1.7 m, 1.65 m, -50) and (1.6 m, 1.8 m, -55) (session 24). Every object on the four tune splits reads 0
        but the client's head and wrist at (1.5 m, 1.9 m, -50) (0.38-0.48). An item standing right at the near edge
        can cross it too, where the outline runs steeply in the image: a cup at the near corner at -55 read 0.43, an
        umbrella lying across the desk 0.24 (renders with no client: not judged)."""
        if not desk:
            return False
        x1, _, x2, y2 = box
        n = 20
        lows = (lowest_y(desk, x1 + (x2 - x1) * i / n) for i in range(n + 1))
        below = sum(1 for low in lows if low is not None and y2 > low + self.edge_px)
        return below >= self.before * (n + 1)

    def _in_client_box(self, box: Box, clients: list[Box]) -> bool:
        """The object lies inside the box of a person at the window (`in_client` of it, at least half: its middle in
        the box, which is at least twice its area): the client's hands or forearms resting on the desk's corner
        nearest them. From 55-57 deg aside (phone_call_long / _short, m_heavy_tall, session 27) the client sits
        beside the camera, their hands on the far corner of the desk zone, still for the whole call, boxed as an
        unnamed object 0.65-0.94 inside the client's person box (which the person detector scores 0.34-0.66; the
        hands reach past the box's side at (1.8 m, 1.9 m, 55)). No desk object of the four tune splits lies 0.3 or
        more inside a person box of the client zone. Judged only while a client is at the window (`_someone`)."""
        return any(overlap_of_smaller(box, c) >= self.in_client and box_area(c) > 2 * box_area(box) for c in clients)

    def _with_legs(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A visitor's person box grown down by `legs` x its height: standing behind the desk, the monitor and the desk
        hide the legs, the detector boxes what shows above them, and the legs show again under the monitor's
        screen, just over the desk's back edge (read as a dark phone)."""
        x1, y1, x2, y2 = box
        return x1, y1, x2, y2 + self.legs * (y2 - y1)


def clerk_cuff(d: Detection, obs: Observation, reach_sw: tuple[float, float] = (0.5, 1.5), band_sw: float = 0.25,
               size_sw: float = 0.5) -> bool:
    """A small unnamed object (at most `size_sw` shoulder widths across) lying on the clerk's forearm where the pose
    put the wrist short of the hand: its centre within `band_sw` shoulder widths of the segment from a pose wrist to
    the hand model's wrist nearest it, `reach_sw` shoulder widths apart (misplaced, yet the same hand). The desk stage
    masks the limb up to the pose's wrist and the hand where the hand model sees it; the cuff between them (the pose's
    wrist 0.9 shoulder widths short at (1.5 m, 1.9 m, -50), the cuff 0.4 across) is no item; nor are the fingertips
    past the pose's hand points of a hand the hand model missed (`on_clerk_fingers`)."""
    return d.label in UNKNOWN_LABELS and on_clerk_hand(d.box, obs, reach_sw, band_sw, size_sw)


def on_clerk_hand(box: Box, obs: Observation, reach_sw: tuple[float, float] = (0.5, 1.5), band_sw: float = 0.25,
                  size_sw: float = 0.5) -> bool:
    """A box on a part of the clerk's hand the desk stage does not mask: the cuff between a misplaced pose wrist and
    the hand (`on_clerk_cuff`), or the fingertips of a hand the hand model missed (`on_clerk_fingers`)."""
    return on_clerk_cuff(box, obs, reach_sw, band_sw, size_sw) or on_clerk_fingers(box, obs)


def on_clerk_cuff(box: Box, obs: Observation, reach_sw: tuple[float, float] = (0.5, 1.5), band_sw: float = 0.25,
                  size_sw: float = 0.5) -> bool:
    """`clerk_cuff`'s place test for any box: also a slot report "moved" onto the cuff (desk_slots)."""
    if obs.pose is None or not obs.hands:
        return False
    body = Body(obs.pose, min_vis=0.0)  # the landmarks as fitted: a misplaced wrist is what this looks for
    sw = body.shoulder_width
    if sw is None or max(box[2] - box[0], box[3] - box[1]) > size_sw * sw:
        return False
    c = box_center(box)
    for i in (L_WR, R_WR):
        if (a := body.pt(i)) is None:
            continue
        hand = hand_for_wrist(obs.hands, a, reach_sw[1] * sw)  # the hand model's wrist nearest this pose wrist
        if hand is None:
            continue
        b = (hand.landmarks[0][0], hand.landmarks[0][1])
        if math.dist(a, b) >= reach_sw[0] * sw and _to_segment(c, a, b) <= band_sw * sw:
            return True
    return False


def on_clerk_fingers(box: Box, obs: Observation, past: float = 2.0, band_sw: float = 0.25) -> bool:
    """A box on the clerk's fingers beyond the pose's hand points, where the hand model found no hand at that wrist.
    A hand's fingers reach from its pose index point to `past` times the wrist-to-index step beyond it; the box must
    lie within the span of the fingers it touches (of one hand, or of both resting side by side) grown by `band_sw`
    shoulder widths, and its centre within `band_sw` of a wrist-to-fingertip segment. The desk stage masks a hand the
    hand model misses only along the pose's hand points, which stop short of the fingertips (about 20 px at (1.8 m,
    1.7 m, -40), session 24); the fingers of a hand resting on the desk then show as a small still change. From
    (1.8 m, 1.9 m, -50) (f_old_heavy and m_young_avg, session 28) such a change (16-42 px wide, 0.38-0.71 shoulder
    widths: one hand's fingertips or both hands') was an unnamed object, then the evaluator pad "moved" there after
    the clerk took the pad away (desk.displaced instead of desk.allowed_items). No desk object of the four tune splits
    meets this test; at `past` 3 and `band_sw` 0.4, 4 frames would (a cup beside a hand, 2 of its 30)."""
    if obs.pose is None:
        return False
    body = Body(obs.pose, min_vis=0.0)
    sw = body.shoulder_width
    if sw is None:
        return False
    band = band_sw * sw
    touched: list[tuple[tuple[float, float], tuple[float, float], Box]] = []
    for wrist, index in ((L_WR, L_INDEX), (R_WR, R_INDEX)):
        a, b = body.pt(wrist), body.pt(index)
        if a is None or b is None or hand_for_wrist(obs.hands, a, 1.5 * sw) is not None:
            continue  # a hand the hand model sees is masked whole
        tip = (b[0] + past * (b[0] - a[0]), b[1] + past * (b[1] - a[1]))
        span = (min(b[0], tip[0]) - band, min(b[1], tip[1]) - band, max(b[0], tip[0]) + band, max(b[1], tip[1]) + band)
        if box[0] < span[2] and span[0] < box[2] and box[1] < span[3] and span[1] < box[3]:
            touched.append((a, tip, span))
    if not touched:
        return False
    reach = (min(t[2][0] for t in touched), min(t[2][1] for t in touched),
             max(t[2][2] for t in touched), max(t[2][3] for t in touched))
    inside = reach[0] <= box[0] and reach[1] <= box[1] and box[2] <= reach[2] and box[3] <= reach[3]
    c = box_center(box)
    return inside and any(_to_segment(c, a, tip) <= band for a, tip, _ in touched)


def _to_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = b[0] - a[0], b[1] - a[1]
    n = ax * ax + ay * ay
    t = 0.0 if n == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * ax + (p[1] - a[1]) * ay) / n))
    return math.dist(p, (a[0] + t * ax, a[1] + t * ay))


def foreign_objects(obs: Observation) -> list[Detection]:
    """Objects that are not slot or chair reports."""
    return [d for d in obs.desk_objects if not d.label.startswith((SLOT_MISSING, SLOT_MOVED)) and d.label != CHAIR_OUT]


def clerk_present(obs: Observation, ctx: RuleContext) -> bool | None:
    if ctx.clerk_present is not None:
        return ctx.clerk_present
    if "pose" in obs.ran:
        return obs.pose is not None
    return None


def client_present(obs: Observation, ctx: RuleContext) -> bool:
    """The context's answer when known; else a person box centred in the client zone (none = nobody)."""
    if ctx.client_present is not None:
        return ctx.client_present
    zone = ctx.counter.zones.client
    if zone is None:
        return False
    return any(point_in_polygon(((b.box[0] + b.box[2]) / 2, (b.box[1] + b.box[3]) / 2), zone) for b in obs.people)


def desk_area(counter: CounterConfig, image_size: tuple[int, int]) -> float:
    poly = counter.zones.desk
    if poly is None:
        w, h = image_size if image_size[0] else (counter.camera.width, counter.camera.height)
        return float(w * h)
    return polygon_area(poly) or 1.0


def describe(dets: list[Detection]) -> dict[str, Any]:
    return {
        "items": sorted({d.label for d in dets}),
        "boxes": [[round(v, 1) for v in d.box] for d in dets][:8],
        "max_score": round(max((d.score for d in dets), default=0.0), 3),
    }


class KeyedIncidents:
    """One IncidentTracker per key (an item kind, a slot): a bag all morning is one event with updates."""

    def __init__(self, rule_id: str, counter: CounterConfig, timing: Timing, severity: Severity = "minor") -> None:
        self.rule_id, self.counter, self.timing, self.severity = rule_id, counter, timing, severity
        self.trackers: dict[str, IncidentTracker] = {}
        self.last_clock: Clock | None = None

    def step(self, clock: Clock, active: dict[str, dict[str, Any]] | None) -> list[Event]:
        """`active`: key -> evidence for the keys whose condition holds; None = not measured this frame."""
        self.last_clock = clock
        events: list[Event] = []
        if active is not None:
            for key in active:
                if key not in self.trackers:
                    self.trackers[key] = IncidentTracker(
                        self.rule_id, self.counter.counter_id, self.timing, severity=self.severity,
                        hall_id=self.counter.hall_id,
                    )
        for key, tracker in self.trackers.items():
            state = None if active is None else key in active
            events += tracker.step(clock, state, (active or {}).get(key, {}))
        return events

    def finish(self) -> list[Event]:
        if self.last_clock is None:
            return []
        return [e for tr in self.trackers.values() for e in tr.finish(self.last_clock)]


class DeskStageRule(Rule):
    """A rule on the desk stage's output: on each frame the stage ran and `judged` allows, `active` names the keys
    whose condition holds, each with its evidence; every key is its own incident (KeyedIncidents)."""

    needs: ClassVar[frozenset[str]] = frozenset({"desk"})
    severity: ClassVar[Severity] = "minor"

    def __init__(self, counter: CounterConfig, params: Any) -> None:
        super().__init__(counter, params)
        self.incidents = KeyedIncidents(self.rule_id, counter, params.timing(), severity=self.severity)

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]] | None:
        """key -> evidence for the keys whose condition holds; None = cannot be judged on this frame."""
        raise NotImplementedError

    def judged(self, obs: Observation, ctx: RuleContext) -> bool:
        return desk_ran(obs)

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        return self.incidents.step(ctx.clock, self.active(obs, ctx) if self.judged(obs, ctx) else None)

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self.incidents.finish()


class DeskRule(DeskStageRule):
    """A rule on the items on the desk (slots, personal items, things left): `owned` gives the foreign objects it
    answers for, and the desk is not judged while the clerk lies over it."""

    def __init__(self, counter: CounterConfig, params: Any) -> None:
        super().__init__(counter, params)
        self.others = OtherPeople()

    def owned(self, obs: Observation, ctx: RuleContext) -> list[Detection]:
        """The foreign objects this rule answers for (`owner`), without a client's or a visitor's arm or body
        (`OtherPeople`) and without the pause sign: an object holding the point where the context last read the
        sign's marker (the sign put up on the desk, seen from the side)."""
        at = ctx.values.get("sign_marker_at")
        found = self.others.without(foreign_objects(obs), obs, ctx)  # all of them: the places are remembered
        return [d for d in found if owner(d, obs, ctx) == self.rule_id and not (at and box_holds(d.box, at))
                and not clerk_cuff(d, obs)]

    def judged(self, obs: Observation, ctx: RuleContext) -> bool:
        # The clerk lying over the desk (the context's "clerk_on_desk") hides it, and the arms and head on it are
        # read as objects (an unnamed blob, once a "donut"): out of the pose model's sight no pose masks them, and in
        # its sight the folded arms and the head lie outside the limbs it masks. The desk cannot be judged then.
        return desk_ran(obs) and not ctx.values.get("clerk_on_desk")


def min_duration(default: float) -> Any:
    return Field(default, ge=0, description="seconds the condition must hold")
