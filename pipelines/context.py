"""Shared per-frame context the rules read: who is at the post, is a client there, is the sign up.

`ContextDeriver` is called by the engine once per Observation, before the rules. It is stateful
because the slow stages (person detector, object detector, markers) do not run on every frame:
their last result is remembered for a few seconds, so a rule never reads "no phone" just because
the detector skipped this frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from calibration.config import CounterConfig
from pipelines.engine import RuleContext
from pipelines.rules._body import L_EAR, L_HIP, L_SH, NOSE, R_EAR, R_HIP, R_SH, Body, box_center
from vision.observation import Marker, Observation
from vision.results import Detection, PoseResult

Polygon = list[tuple[float, float]]


class ContextParams(BaseModel):
    """How the context is derived (per pipeline; the defaults suit a camera facing one clerk)."""

    memory_s: float = Field(3.0, gt=0, description="how long a slow stage's last result stays valid")
    person_min_score: float = Field(0.5, ge=0, le=1)
    pose_min_score: float = Field(0.3, ge=0, le=1, description="pose below this counts as nobody")
    client_call_window_s: float = Field(
        180.0, ge=0, description="a queue call means a client is at the window for this long (no client zone)"
    )
    sign_memory_s: float = Field(10.0, gt=0, description="the sign stays 'shown' this long after last seen")
    head_down_sw: float = Field(
        0.35, description="head this little above mid-shoulders (shoulder widths): lying on the desk"
    )
    head_down_memory_s: float = Field(
        1.5, ge=0, description="lying on the desk this recently still silences fidget/slouch/eating"
    )


def point_in_polygon(p: tuple[float, float], poly: Polygon) -> bool:
    """Even-odd ray casting; no OpenCV so that replay stays model- and cv2-free."""
    x, y = p
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


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
        self.sign_seen_t = float("-inf")
        self.head_down_t = float("-inf")
        self.calls_seen = False

    def __call__(self, obs: Observation, ctx: RuleContext) -> None:
        t, z, v = obs.t, self.counter.zones, ctx.values
        if "people" in obs.ran:
            self.people = _Memory(t, [d for d in obs.people if d.score >= self.p.person_min_score])
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
        height = head_height_sw(v["body"])
        if height is not None and height <= self.p.head_down_sw:
            self.head_down_t = t
        v["head_down"] = t - self.head_down_t <= self.p.head_down_memory_s

        # Who is at the post. A colleague covering (B角) is a person in the post zone: staffed.
        if not obs.camera_ok:
            ctx.clerk_present = None  # an outage is never an empty post
        elif pose_in_post or in_post:
            ctx.clerk_present = True
        elif "pose" in obs.ran or people is not None:
            ctx.clerk_present = False
        else:
            ctx.clerk_present = None
        v["staffed_by"] = "pose" if pose_in_post else ("person_box" if in_post else None)

        # Client at the window: a person in the client zone, or a recent queue call.
        self.calls_seen = self.calls_seen or bool(ctx.calls)
        clerk_box = _clerk_box(in_post, anchor)
        clients = [d for d in people or [] if z.client is not None and d is not clerk_box and _in_zone(d, z.client)]
        zone_known = z.client is not None and people is not None
        called = bool(ctx.calls_since(self.p.client_call_window_s))
        if clients or called:
            ctx.client_present = True
        elif zone_known or self.calls_seen:
            ctx.client_present = False
        else:
            ctx.client_present = None
        v["clients"] = clients

        # Visitors: people near the post who are neither the clerk nor a client (串岗、扎堆聊天).
        v["visitors"] = [
            d for d in people or [] if d is not clerk_box and d not in clients and _near_post(d, z.post, obs.image_size)
        ] if people is not None else None

        # Pause sign: the ArUco marker (in the sign zone when one is drawn), remembered for a while.
        if "markers" in obs.ran and any(self._is_sign(m) for m in obs.markers):
            self.sign_seen_t = t
        sign = t - self.sign_seen_t <= self.p.sign_memory_s
        v["sign_shown"] = sign
        v["paused"] = sign or ctx.terminal_paused

    def _is_sign(self, m: Marker) -> bool:
        want = self.counter.sign_aruco_id
        if want is not None and m.marker_id != want:
            return False
        zone = self.counter.zones.sign
        if zone is None or not m.corners:
            return True
        cx = sum(c[0] for c in m.corners) / len(m.corners)
        cy = sum(c[1] for c in m.corners) / len(m.corners)
        return point_in_polygon((cx, cy), zone)


def _in_zone(d: Detection, zone: Polygon) -> bool:
    """A person box is in a zone when its centre is (the feet are often hidden by the desk)."""
    return point_in_polygon(box_center(d.box), zone)


def _clerk_box(in_post: list[Detection], anchor: tuple[float, float] | None) -> Detection | None:
    """The person box that is the clerk: the one holding the pose anchor, else the biggest in the post."""
    if anchor is not None:
        holding = [d for d in in_post if d.box[0] <= anchor[0] <= d.box[2] and d.box[1] <= anchor[1] <= d.box[3]]
        if holding:
            return max(holding, key=lambda d: d.score)
    return max(in_post, key=lambda d: (d.box[2] - d.box[0]) * (d.box[3] - d.box[1])) if in_post else None


def _near_post(d: Detection, post: Polygon | None, size: tuple[int, int]) -> bool:
    """Within half a post-width of the post zone (a neighbour leaning over, a colleague standing by)."""
    if post is None:
        return True
    xs, ys = [p[0] for p in post], [p[1] for p in post]
    margin = 0.5 * (max(xs) - min(xs))
    cx, cy = box_center(d.box)
    return min(xs) - margin <= cx <= max(xs) + margin and min(ys) - margin <= cy <= max(ys) + margin
