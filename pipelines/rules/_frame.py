"""Per-frame measurements several behaviour rules read, computed once per Observation.

`measure(obs, ctx)` caches a `FrameMeasures` in `ctx.values["measures"]` (the engine clears the values
every frame), so phone.call, phone.use, eat.food, drink.in_front, chin_on_hand and fidget share one
set of hand-to-face distances instead of each recomputing them. Distances are in shoulder widths (sw).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.engine import RuleContext
from pipelines.rules._body import HAND_POINTS, L_EAR, L_EL, NOSE, R_EAR, R_EL, Body, P, dist
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
    elbow_low_sw: float | None = None  # elbow below the hand centre (+ = the forearm points up)
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
    head_height_sw: float | None = None  # highest head point above mid-shoulders (sw)
    hands: dict[str, HandMeasure] = field(default_factory=dict)
    mouth_objects: list[Detection] = field(default_factory=list)  # detector finds at the mouth


def _box_dist(d: Detection, p: P) -> float:
    x1, y1, x2, y2 = d.box
    dx = max(x1 - p[0], 0.0, p[0] - x2)
    dy = max(y1 - p[1], 0.0, p[1] - y2)
    return (dx * dx + dy * dy) ** 0.5


def _matched_hand(body: Body, side: str, hands: list[HandResult], sw: float) -> HandResult | None:
    wrist = body.pt(HAND_POINTS[side][0], 0.3)
    if wrist is None:
        return None
    near = [h for h in hands if h.landmarks and dist(h.landmarks[0][:2], wrist) < 0.6 * sw]
    return min(near, key=lambda h: dist(h.landmarks[0][:2], wrist)) if near else None


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
    sw, sh = body.shoulder_width, body.shoulder_mid
    m = FrameMeasures(body, sw)
    head = [p for p in (body.pt(NOSE, 0.3), body.pt(L_EAR, 0.3), body.pt(R_EAR, 0.3)) if p is not None]
    if head:
        m.head_height_sw = (sh[1] - min(p[1] for p in head)) / sw
    dets: list[Detection] = ctx.values.get("detections") or []
    mouth, chin, nose = body.mouth, body.chin, body.pt(NOSE, 0.3)
    if mouth is not None:
        m.mouth_objects = [d for d in dets if _box_dist(d, mouth) <= 0.35 * sw]
    for side, ear_i, el_i in (("left", L_EAR, L_EL), ("right", R_EAR, R_EL)):
        pts = body.hand_points(side, obs.hands)
        hm = HandMeasure(side, pts)
        m.hands[side] = hm
        if not pts:
            continue
        hm.centre = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        ear = body.pt(ear_i, 0.3)
        for attr, target in (("d_mouth", mouth), ("d_ear", ear), ("d_chin", chin)):
            if target is not None:
                setattr(hm, attr, min(dist(p, target) for p in pts) / sw)
        hm.height_sw = (sh[1] - hm.centre[1]) / sw
        if nose is not None and ear is not None and abs(ear[0] - nose[0]) > 1e-6:
            outward = 1.0 if ear[0] > nose[0] else -1.0
            hm.lateral_sw = outward * (hm.centre[0] - nose[0]) / sw
        elbow = body.pt(el_i, 0.3)
        if elbow is not None:
            hm.elbow_low_sw = (elbow[1] - hm.centre[1]) / sw
        hm.hand = _matched_hand(body, side, obs.hands, sw)
        if hm.hand is not None:
            hm.curled = sum(1 for v in hm.hand.fingers.values() if v == "curled")
        hm.objects = [d for d in dets if min(_box_dist(d, p) for p in pts) <= 0.4 * sw]
    return m

