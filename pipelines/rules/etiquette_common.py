"""What the etiquette rules share: the camera model, the per-person upright baseline, a bow detector.

One `ClerkGeometry` per stream (`RuleContext.stream_state`) measures each frame once (`RuleContext.per_frame`),
whichever etiquette rule asks first (`clerk_frame`), so the rules stay independent of each other's enablement
and there is one baseline. `Frame.memo` caches derived values (forearm tilt, elbow angle, palm) the same way.

The baseline assumes the clerk starts upright (sitting or standing normally); it is refreshed from later
near-upright frames and re-learned when the clerk reads persistently "behind" vertical (the first frames
were not upright after all).
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from calibration.config import CounterConfig
from pipelines.engine import RuleContext
from pipelines.geometry import (
    FORWARD,
    L_HIP,
    L_SHOULDER,
    L_WRIST,
    R_HIP,
    R_SHOULDER,
    R_WRIST,
    SIDE,
    UP,
    UPPER_BODY,
    ArmScale,
    BowMeasure,
    CameraModel,
    UprightModel,
    image_points,
    learn_upright,
    measure_bow,
    pair_hands,
    rotate_forward,
    segment_length_lower_bound,
    visibility,
)
from pipelines.rules._body import calibrated
from pipelines.rules._frame import MAX_CLERK_SHOULDER_M, camera, mid_shoulder_height_m, someone_nearer
from pipelines.temporal import TIME_EPS
from vision.observation import Observation
from vision.results import Detection, HandResult, PoseResult

T = TypeVar("T")
FRAME_KEY = "etiquette.frame"  # RuleContext.values: this frame's Frame | None
GEOMETRY_KEY = "etiquette.geometry"  # RuleContext.memory: the stream's ClerkGeometry

BASELINE_FRAMES = 5  # frames needed before the first bow can be measured
# A bow rotates the upper body about the hips, so the learned upright body bent forward fits it: on the
# simulator renders the fit's residual stays below 0.13 of the torso length (p99 0.06 frontal, 0.11 at
# 45 deg yaw). Standing up, sitting down, turning away and walking off do not fit (0.6-2.3 while the
# clerk of leave_nosign_long stood up and walked away, where a bow was once reported): such frames
# carry no bow reading.
MISFIT = 0.25
RELEARN_FRAMES = 10  # a new posture (stood up, sat down) held this long, still, becomes the baseline
STOOD_RISE_SW = 0.6  # ... but shoulders risen this many shoulder widths up the image: stood up (about 1.1 on renders)
STOOD_STILL_FRAMES = 2  # and held still this many frames at the top: the standing baseline at once
STILL_FRACTION = 0.08  # of the shoulder width: how far the shoulders/ears may wander in a held posture
REFRESH_EVERY = 50
UPRIGHT_DEG = 3.0  # frames reading below this refresh the baseline
BEHIND_DEG = -6.0  # sustained readings below this mean the baseline was taken while bent


def pose_ok(pose: PoseResult | None) -> bool:
    if pose is None or len(pose.landmarks) < 33:
        return False
    return float(visibility(pose, (L_SHOULDER, R_SHOULDER)).min()) >= 0.3


@dataclass
class Frame:
    """One frame's measured geometry of the clerk."""

    pose: PoseResult
    cam: CameraModel
    bow: BowMeasure | None  # None until the upright baseline is learned, or when the body moved (below)
    world: np.ndarray | None  # (33, 3) world landmarks rotated into the clerk world axes (hip origin)
    moved: bool = False  # the posture does not fit a bend about the learned hips (standing up, leaving)
    upright_shoulder_m: float | None = None  # the learned upright shoulders' height above the floor
    arms: FrameArms | dict[str, ArmScale] = field(default_factory=dict)  # side -> metric arm, once learned
    memo: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """A derived per-frame value, computed once however many rules ask for it."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


RUN_WIDTHS = 300  # the shoulder widths a run keeps: its last minute at 5 fps


class RunningMedian:
    """The median of the last `size` values, kept sorted so that each value costs a bisect, not a sort."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.sorted: list[float] = []
        self.order: deque[float] = deque()  # the same values in arrival order, to drop the oldest

    def add(self, value: float) -> None:
        bisect.insort(self.sorted, value)
        self.order.append(value)
        if len(self.order) > self.size:
            del self.sorted[bisect.bisect_left(self.sorted, self.order.popleft())]

    def median(self) -> float | None:
        n, m = len(self.sorted), len(self.sorted) // 2
        if not n:
            return None
        return self.sorted[m] if n % 2 else (self.sorted[m - 1] + self.sorted[m]) / 2


def shoulder_px(pose: PoseResult) -> float:
    """The shoulders' distance in the image (pixels)."""
    a, b = pose.landmarks[L_SHOULDER], pose.landmarks[R_SHOULDER]
    return float(math.hypot(a.x - b.x, a.y - b.y))


class UsualWidth:
    """The clerk's usual image shoulder width: the median over the last `size` frames with both wrists at least
    `below_m` under the shoulders. A raised arm (a phone at the ear, a greeting) can make the pose read the torso
    side-on (3-16 px for a usual 60 from (1.8 m, 1.7 m, -40 deg)), so a frame's own width is no scale then.
    Kept once per stream and read through `usual_width_px`."""

    def __init__(self, below_m: float = 0.15, size: int = RUN_WIDTHS) -> None:
        self.below_m = below_m
        self.widths = RunningMedian(size)

    def learn(self, frame: Frame | None) -> None:
        if frame is None or frame.world is None:
            return
        w = frame.world
        if all(w[wr][1] < w[sh][1] - self.below_m for sh, wr in ((R_SHOULDER, R_WRIST), (L_SHOULDER, L_WRIST))):
            self.widths.add(shoulder_px(frame.pose))

    def px(self) -> float | None:
        return self.widths.median()


USUAL_WIDTH_FRAMES = RUN_WIDTHS  # the usual width is the median over the last minute at 5 fps


def usual_width_px(obs: Observation, frame: Frame | None, ctx: RuleContext, below_m: float = 0.15,
                   nearer_m: float = MAX_CLERK_SHOULDER_M) -> float | None:
    """This frame's usual image shoulder width of the clerk, from one `UsualWidth` per stream and per parameter pair
    (greet.raise_hand and handover.two_hands share one at their defaults), learnt once a frame whichever rule asks
    first; a frame whose pose is someone nearer the camera (`someone_nearer`, `nearer_m`) is not the clerk's width.
    Ask on every frame the rule measures, so the width sees the same frames whichever rules are enabled."""
    key = ("usual_width", below_m, nearer_m)

    def learn() -> float | None:
        widths = ctx.stream_state(key, lambda: UsualWidth(below_m, USUAL_WIDTH_FRAMES))
        if frame is not None and not someone_nearer(obs, ctx, nearer_m):
            widths.learn(frame)
        return widths.px()

    return ctx.per_frame(key, learn)


class ShoulderRun:
    """The shoulders over a run of frames, kept as running figures (median shoulder width, the lowest and highest
    mid-shoulder line, the last `STOOD_STILL_FRAMES` shoulder points) so that each frame costs the same however
    long the run lasts: a clerk moving in a posture no bend explains can keep one going for minutes."""

    def __init__(self) -> None:
        self.start(None)

    def start(self, pose: PoseResult | None) -> None:
        # bounded: the median of the last minute is the run's width as well
        self.width_median = RunningMedian(RUN_WIDTHS)
        self.y_min, self.y_max, self.y_last = math.inf, -math.inf, math.nan
        self.last: deque[np.ndarray] = deque(maxlen=STOOD_STILL_FRAMES)
        if pose is not None:
            self.add(pose)

    def add(self, pose: PoseResult) -> None:
        pts = np.array([[pose.landmarks[i].x, pose.landmarks[i].y] for i in (L_SHOULDER, R_SHOULDER)])
        self.width_median.add(float(np.linalg.norm(pts[0] - pts[1])))
        self.y_last = float(pts[:, 1].mean())
        self.y_min, self.y_max = min(self.y_min, self.y_last), max(self.y_max, self.y_last)
        self.last.append(pts)

    @property
    def widths(self) -> list[float]:
        """The run's last RUN_WIDTHS shoulder widths, sorted."""
        return self.width_median.sorted

    def median_width(self) -> float:
        return self.width_median.median() or 0.0


ARM_LENGTH_FRAMES = 300  # the arm lengths come from about the last minute (5 fps): a new clerk takes over
ARM_LENGTH_MIN_FRAMES = 3
# Each frame gives each arm segment's length as if it lay in the image plane, which foreshortening only
# shortens: a high percentile of those is the length (tune/tune_wide guide clips: upper arm 0.98-1.08, forearm
# 0.95-1.16 of the simulator's true keypoint lengths; the 100th percentile lets single bad landmarks in).
ARM_LENGTH_PERCENTILE = 90.0


class ArmLengths:
    """One arm's upper-arm and forearm lengths in metres, learned from the frames a bend about the hips
    explains (so the shoulder's depth is known)."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.upper: deque[float] = deque(maxlen=ARM_LENGTH_FRAMES)
        self.fore: deque[float] = deque(maxlen=ARM_LENGTH_FRAMES)

    def add(self, pose: PoseResult, cam: CameraModel, shoulder_depth: float) -> None:
        if float(visibility(pose, SIDE[self.side]).min()) < 0.5:
            return
        s, e, w = image_points(pose, SIDE[self.side])
        self.upper.append(segment_length_lower_bound(cam, s, e, shoulder_depth))
        self.fore.append(segment_length_lower_bound(cam, e, w, shoulder_depth))

    def scale(self, shoulder_depth: float) -> ArmScale | None:
        if len(self.upper) < ARM_LENGTH_MIN_FRAMES:
            return None
        return ArmScale(shoulder_depth, float(np.percentile(self.upper, ARM_LENGTH_PERCENTILE)),
                        float(np.percentile(self.fore, ARM_LENGTH_PERCENTILE)))


class FrameArms:
    """This frame's metric arms, side -> ArmScale (None until its lengths are learned), worked out when a rule
    first asks: the lengths are percentiles over the last minute, and only the guide gesture reads them. Ask
    within the frame's step (the lengths move on with the next frame)."""

    def __init__(self, lengths: dict[str, ArmLengths], depths: dict[str, float]) -> None:
        self.lengths, self.depths = lengths, depths
        self.done: dict[str, ArmScale | None] = {}

    def get(self, side: str, default: ArmScale | None = None) -> ArmScale | None:
        if side not in self.done:
            self.done[side] = self.lengths[side].scale(self.depths[side]) if side in self.lengths else None
        found = self.done[side]
        return default if found is None else found

    def __contains__(self, side: object) -> bool:
        return isinstance(side, str) and self.get(side) is not None

    def __getitem__(self, side: str) -> ArmScale:
        found = self.get(side)
        if found is None:
            raise KeyError(side)
        return found

    def resolved(self) -> dict[str, ArmScale]:
        """Both arms worked out now (to keep them past this frame's step)."""
        return {side: arm for side in self.lengths if (arm := self.get(side)) is not None}


def shoulder_depth(cam: CameraModel, model: UprightModel, bow_deg: float, side: str) -> float:
    """Depth along the optical axis of the learned upright shoulder bent forward by this frame's bow."""
    k = UPPER_BODY.index(L_SHOULDER if side == "left" else R_SHOULDER)
    p = model.hip + rotate_forward(model.offsets[k:k + 1], np.radians([bow_deg]))[0, 0]
    return float((p - cam.C) @ cam.R[2])


class ClerkGeometry:
    def __init__(self, counter: CounterConfig, cam: CameraModel | None = None) -> None:
        self.counter = counter
        self.cam = cam  # built on the first frame when not given (the rules pass the stream's: _frame.camera)
        self.model: UprightModel | None = None
        self.pool: deque[tuple[PoseResult, float | None]] = deque(maxlen=120)
        self.behind: list[tuple[PoseResult, float | None]] = []
        # the latest frames no bend explains (the run's length and shape are in `run`)
        self.moved: deque[tuple[PoseResult, float | None]] = deque(maxlen=RELEARN_FRAMES)
        self.since_refresh = 0
        self.last_fit: PoseResult | None = None  # the last frame a bend about the learned hips explained
        self.run = ShoulderRun()  # the shoulders from `last_fit` through the moved frames (`_stood_up`)
        self.arm_lengths = {side: ArmLengths(side) for side in ("left", "right")}

    def camera(self, obs: Observation) -> CameraModel:
        if self.cam is None:
            self.cam = CameraModel.from_config(self.counter.camera, obs.image_size)
        return self.cam

    def measure(self, obs: Observation) -> Frame | None:
        """This frame's geometry (feeds the baseline: call once per frame; rules go through `clerk_frame`)."""
        if not obs.camera_ok or "pose" not in obs.ran or not pose_ok(obs.pose):
            return None
        assert obs.pose is not None
        cam = self.camera(obs)
        face_pitch = obs.face.pitch if obs.face is not None else None
        world = None
        if len(obs.pose.world) >= 33:
            world = cam.to_world_axes(np.array(obs.pose.world, float))
        if self.model is None:
            self.pool.append((obs.pose, face_pitch))
            if len(self.pool) >= BASELINE_FRAMES:
                self._learn(list(self.pool))
            return Frame(obs.pose, cam, None, world)
        bow = measure_bow(obs.pose, cam, self.model, face_pitch)
        if bow.misfit > MISFIT:
            self._moved(obs.pose, face_pitch)
            return Frame(obs.pose, cam, None, world, moved=True)
        self.moved.clear()
        self.last_fit = obs.pose
        depths = {}
        for side, lengths in self.arm_lengths.items():
            depths[side] = shoulder_depth(cam, self.model, bow.angle, side)
            lengths.add(obs.pose, cam, depths[side])
        arms = FrameArms(self.arm_lengths, depths)
        self._maintain(obs.pose, face_pitch, bow)
        return Frame(obs.pose, cam, bow, world, upright_shoulder_m=upright_shoulder_m(self.model), arms=arms)

    def _moved(self, pose: PoseResult, face_pitch: float | None) -> None:
        """Frames that no bend explains: once the clerk holds still in the new posture (stood up, sat
        down), that posture becomes the upright baseline."""
        if not self.moved:
            self.run.start(self.last_fit)  # from the seat
        self.moved.append((pose, face_pitch))
        self.run.add(pose)
        if self._stood_up():
            recent = self._at_top()
            self.pool.clear()
            self.pool.extend(recent)
            self._learn([(p, None) for p, _ in recent])  # no head-pitch baseline from so few frames (see _at_top)
            self.moved.clear()
            self.behind = []
            return
        recent = list(self.moved)
        if len(recent) < RELEARN_FRAMES:
            return
        pts = np.array([[[p.landmarks[i].x, p.landmarks[i].y] for i in UPPER_BODY] for p, _ in recent])
        width = float(np.median(np.linalg.norm(pts[:, 0] - pts[:, 1], axis=1))) or 1.0
        wander = float(np.abs(pts - np.median(pts, axis=0)).max())
        if wander <= STILL_FRACTION * width:
            self.pool.clear()
            self.pool.extend(recent)
            self._learn(recent)
            self.moved.clear()
            self.behind = []

    def _stood_up(self) -> bool:
        """The moved frames rose (the shoulders went up the image by `STOOD_RISE_SW` shoulder widths from the last
        fitted frame) and the last `STOOD_STILL_FRAMES` hold still at the top: the clerk has just stood up. People
        bow straight after standing, so the standing posture becomes the baseline at once instead of after
        `RELEARN_FRAMES`."""
        if len(self.moved) <= STOOD_STILL_FRAMES:
            return False
        r = self.run
        width = r.median_width() or 1.0
        last = np.array(r.last)
        still = float(np.abs(last - last.mean(axis=0)).max()) <= STILL_FRACTION * width
        return still and r.y_max - r.y_last >= STOOD_RISE_SW * width and r.y_last <= r.y_min + STILL_FRACTION * width

    def _at_top(self) -> list[tuple[PoseResult, float | None]]:
        """The last still frames whose shoulders reached the top of the rise (within half the still tolerance):
        the standing baseline. The still test lets the first of them still be rising (up to 0.16 shoulder widths
        below the top), and a clerk rising leans forward: that frame in the baseline made MediaPipe's world torso
        angle and the head pitch read the following bow 7-10 deg low (tune stand_for_visitor, frontal)."""
        r = self.run
        tol = 0.5 * STILL_FRACTION * (r.median_width() or 1.0)
        frames = list(self.moved)[-STOOD_STILL_FRAMES:]
        heights = [float(pts[:, 1].mean()) for pts in r.last]
        # The top of these still frames, not of the whole run: a clerk who rose higher on the way up and settled
        # lower would otherwise leave no frame within the tolerance (an empty baseline).
        top = min(heights)
        return [f for f, y in zip(frames, heights, strict=True) if y <= top + tol]

    def _learn(self, frames: list[tuple[PoseResult, float | None]]) -> None:
        assert self.cam is not None
        self.model = learn_upright([p for p, _ in frames], self.cam, [f for _, f in frames if f is not None])
        self.since_refresh = 0

    def _maintain(self, pose: PoseResult, face_pitch: float | None, bow: BowMeasure) -> None:
        if abs(bow.angle) < UPRIGHT_DEG:
            self.pool.append((pose, face_pitch))
            self.since_refresh += 1
            if self.since_refresh >= REFRESH_EVERY:
                self._learn(list(self.pool))
        if bow.angle < BEHIND_DEG:
            self.behind.append((pose, face_pitch))
            if len(self.behind) >= BASELINE_FRAMES * 2:
                self.pool.clear()
                self.pool.extend(self.behind)
                self._learn(self.behind)
                self.behind = []
        else:
            self.behind = []


def clerk_frame(obs: Observation, ctx: RuleContext) -> Frame | None:
    """This frame's clerk geometry, from the stream's one `ClerkGeometry`, measured once a frame whichever etiquette
    rule asks first. Ask on every frame the rule runs, so the baseline sees the same frames whichever are enabled."""
    geom = ctx.stream_state(GEOMETRY_KEY, lambda: ClerkGeometry(ctx.counter, camera(obs, ctx)))
    return ctx.per_frame(FRAME_KEY, lambda: geom.measure(obs))


def upright_shoulder_m(model: UprightModel) -> float:
    """Height above the floor of the shoulder centre of the learned upright body (the baseline posture:
    it does not drop during a bow, so it tells a standing clerk from a seated one all through it)."""
    return float(model.hip[1] + model.offsets[:2, 1].mean())


def is_standing(frame: Frame, counter: CounterConfig, min_shoulder_m: float | None) -> bool | None:
    """Standing, from the shoulders' height above the floor: the learned upright shoulders when there is
    a baseline (a bow does not lower them), else this frame's (before the baseline is learned, and while
    the body moves: standing up, sitting down). None when the check is off or the camera's height and
    distance are not calibrated (metres would be guesses)."""
    if min_shoulder_m is None or not calibrated(counter.camera):
        return None
    height = frame.upright_shoulder_m if frame.upright_shoulder_m is not None else shoulder_height_m(frame)
    return height >= min_shoulder_m


def clerk_hand(frame: Frame, hands_or_obs: Observation | list[HandResult], side: str) -> HandResult | None:
    """The hand at the clerk's `side` wrist, once per frame (see `assign_hands`)."""
    hands = hands_or_obs.hands if isinstance(hands_or_obs, Observation) else hands_or_obs
    return frame.cached("hands", lambda: assign_hands(frame, hands)).get(side)


def assign_hands(frame: Frame, hands: list[HandResult]) -> dict[str, HandResult]:
    """Hands to the clerk's wrists one-to-one: a hand near a wrist (within a quarter of the image width),
    nearest first, with MediaPipe's handedness as the tie-break (a label that disagrees with the side costs
    a tenth of that radius). Matching each wrist on its own gave one hand to both wrists when the hands rest
    together on the desk, and the side-based palm sign then read the left palm as up (do-nothing clips)."""
    max_px = 0.25 * frame.cam.cx
    wrists = {side: (frame.pose.landmarks[i].x, frame.pose.landmarks[i].y)
              for side, i in (("left", L_WRIST), ("right", R_WRIST))}
    return pair_hands(wrists, hands, max_px, 0.1 * max_px)


def shoulder_height_m(frame: Frame) -> float:
    """Height of the shoulder centre above the floor (back-projected onto the coronal plane), once per frame:
    bow, guide, handover and stand each ask (through is_standing or directly)."""
    ls, rs = (frame.pose.landmarks[i] for i in (L_SHOULDER, R_SHOULDER))
    return frame.cached("shoulder_height_m", lambda: mid_shoulder_height_m(frame.cam, (ls.x, ls.y), (rs.x, rs.y)))


def hip_world(frame: Frame) -> np.ndarray | None:
    if frame.world is None:
        return None
    return (frame.world[L_HIP] + frame.world[R_HIP]) / 2


@dataclass
class BowEpisode:
    start_t: float
    start_wall: float
    peak: float = 0.0
    peak_t: float = 0.0
    samples: list[tuple[float, float]] = field(default_factory=list)  # (t, angle)
    straightness: list[float] = field(default_factory=list)
    sigmas: list[float] = field(default_factory=list)
    cues_at_peak: dict[str, Any] = field(default_factory=dict)


MOVED_FRAMES = 2  # frames in a row no bend explains that end a bow in progress (a posture change, not a slip)


class BowDetector:
    """upright -> forward bend -> back to upright, on a median-smoothed angle.

    A bend that lasts longer than `max_duration` is leaning (reading, writing), not a bow."""

    def __init__(self, start_deg: float, end_deg: float, min_peak: float, min_duration: float,
                 max_duration: float, smooth: int = 3, settle_s: float = 1.0) -> None:
        self.start_deg, self.end_deg, self.min_peak = start_deg, end_deg, min_peak
        self.min_duration, self.max_duration = min_duration, max_duration
        self.recent: deque[float] = deque(maxlen=max(1, smooth))
        self.ep: BowEpisode | None = None
        self.leaning = False
        self.settle_s, self.settle_until = settle_s, float("-inf")
        self.moved_run = 0  # consecutive frames the body moved

    def step(self, t: float, wall: float, bow: BowMeasure | None, moved: bool = False) -> BowEpisode | None:
        """Feed one frame; returns a completed bow episode when the clerk is back upright.

        A frame where the body moved (stood up, sat down, walked) drops any bend in progress and opens a
        settling time: MediaPipe's video smoothing lags a posture change, so the first fitted frames after
        it overshoot (the clerk sitting back down read +11 deg for a frame). Inside a bow it takes
        `MOVED_FRAMES` such frames in a row: a posture change lasts, while the fit can slip for one frame as
        the clerk straightens up (tune_sweep's 45-deg bow at (1.5 m, 1.9 m, -50 deg): 43.5 at the peak, 10.9,
        one unfitted frame, then 1.4; the bow was dropped)."""
        if moved:
            self.moved_run += 1
            self.settle_until = t + self.settle_s
            if self.ep is None or self.moved_run >= MOVED_FRAMES:
                self.ep, self.leaning = None, False
                self.recent.clear()
            return None
        self.moved_run = 0
        if bow is None:
            return None
        self.recent.append(bow.angle)
        a = float(np.median(self.recent))
        if self.leaning:
            if a < self.end_deg:
                self.leaning = False
            return None
        if self.ep is None:
            if a > self.start_deg and t >= self.settle_until:
                self.ep = BowEpisode(t, wall)
            else:
                return None
        ep = self.ep
        ep.samples.append((t, a))
        ep.sigmas.append(bow.sigma)
        if bow.straightness is not None:
            ep.straightness.append(bow.straightness)
        if a > ep.peak:
            ep.peak, ep.peak_t = a, t
            ep.cues_at_peak = {k: round(c.value, 1) for k, c in bow.cues.items()}
        if t - ep.start_t > self.max_duration:
            self.ep, self.leaning = None, True
            return None
        if a < self.end_deg:
            self.ep = None
            dur = t - ep.start_t
            if ep.peak >= self.min_peak and dur >= self.min_duration:
                return ep
        return None


def hold_time(ep: BowEpisode, band: float) -> float:
    """Seconds the angle stayed within `band` degrees of the peak."""
    near = [t for t, a in ep.samples if a >= ep.peak - band]
    return (max(near) - min(near)) if near else 0.0


def classify_bow(angle: float, tolerance: float) -> str:
    """greeting (15) / thanks (30) / apology (45) within +-tolerance, else 'unclassified'."""
    best = min(BOW_CLASSES.items(), key=lambda kv: abs(kv[1] - angle))
    return best[0] if abs(best[1] - angle) <= tolerance else "unclassified"


BOW_CLASSES = {"greeting": 15.0, "thanks": 30.0, "apology": 45.0}


def r1(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 1)


class Episodes:
    """A per-frame trigger turned into episodes: confirmed after `min_on` s, closed after `off_grace` s
    without the trigger. Collects each frame's measurements while the trigger holds."""

    def __init__(self, min_on: float, off_grace: float) -> None:
        self.min_on, self.off_grace = min_on, off_grace
        self.start: tuple[float, float] | None = None  # (t, wall)
        self.last_on: tuple[float, float] | None = None
        self.rows: list[dict[str, Any]] = []

    @property
    def active(self) -> bool:
        return self.start is not None

    def step(self, t: float, wall: float, on: bool | None, row: dict[str, Any] | None = None
             ) -> tuple[tuple[float, float], tuple[float, float], list[dict[str, Any]]] | None:
        """Returns (start, end, rows) when a confirmed episode closes."""
        if on:
            if self.start is None:
                self.start, self.rows = (t, wall), []
            self.last_on = (t, wall)
            self.rows.append(row or {})
            return None
        if self.start is None or self.last_on is None:
            return None
        if on is None and t - self.last_on[0] <= self.off_grace * 3:  # unknown frames hold the state
            return None
        if t - self.last_on[0] < self.off_grace:
            return None
        return self.close()

    def resume(self, start: tuple[float, float], rows: list[dict[str, Any]]) -> None:
        """The episode just begun continues an earlier one that closed (`start`, its `rows` before this one's)."""
        self.start, self.rows = start, rows + self.rows

    def close(self) -> tuple[tuple[float, float], tuple[float, float], list[dict[str, Any]]] | None:
        start, end, rows = self.start, self.last_on, self.rows
        self.start, self.last_on, self.rows = None, None, []
        if start is None or end is None or end[0] - start[0] < self.min_on - TIME_EPS:
            return None
        return start, end, rows


def median_of(rows: list[dict[str, Any]], key: str) -> float | None:
    vals = [r[key] for r in rows if r.get(key) is not None and math.isfinite(r[key])]
    return float(np.median(vals)) if vals else None


# A person box whose bottom lies this close to the frame's bottom edge runs off it: the feet are below the frame.
FRAME_EDGE_PX = 10.0
# A person box whose foot lies this far in front of the post (m) stands between the camera and the clerk's desk.
IN_FRONT_M = 0.2


def in_front_of_post(d: Detection, obs: Observation, counter: CounterConfig, cam: CameraModel,
                     in_front_m: float = IN_FRONT_M, frame_edge_px: float = FRAME_EDGE_PX) -> bool:
    """A person box standing in front of the clerk's post: its bottom, back-projected to the floor, lies `in_front_m`
    or more in front of the post, or it reaches the frame's bottom edge within `frame_edge_px` (the feet are below
    the frame, nearer the camera than that edge's floor point). True on an uncalibrated camera (no metres)."""
    if not calibrated(counter.camera):
        return True
    x1, _, x2, y2 = d.box
    if y2 >= obs.image_size[1] - frame_edge_px:
        return True
    floor = cam.on_plane(np.array([(x1 + x2) / 2, y2]), UP, np.zeros(3))
    return float(floor @ FORWARD) >= in_front_m
