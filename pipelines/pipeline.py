"""One counter's pipeline: frames → Observation → Events (+ the counter's status when it changes).

Perception runs only as often as the enabled rules need it (`Engine.needs`), gated by what the pose
shows each hand doing (`HandGate`: near the face, held up in front, raised or moved away from its resting
place, hands together); a typing or writing clerk, forearms down on the desk, wakes none of them:
- pose on every analysed frame (the clerk; everything else is placed relative to it); when it finds nobody
  while the person detector's last run (within the context memory) boxed someone at the post, the detector runs
  on this frame and pose again on the clerk's box (`vision.pose.person_crop`); when it finds someone evidently not
  the clerk (a client or visitor nearer the camera: shoulders too wide on the clerk's plane, or off the clerk's box
  and inside another person's), pose again on the clerk's box, kept when that pose is the clerk's
  (`_pose_the_clerk`); the face crop and the hand gate follow whichever pose is kept;
- face every frame when dozing / gaze rules are armed (else every `face_every` frames); with no
  etiquette rule armed (their bow measure reads the face pitch of every frame) it runs every frame
  only while the head moves and at most every `face_period_s` while it holds still, the last result
  carried in between (dozing and gaze judge seconds);
- hands when a hand is active for an armed rule (near the face: phone/eating/drinking/hair; raised or
  moved from its resting place: the etiquette gestures; hands together: finger fidgeting) and on the
  desk stage's frames (it masks the hands), else every `hands_idle_s` and `hands_idle_frames`;
- the object detector every `detector_every` frames on a crop around the hands and face plus a tight
  crop per active hand, only while a hand is near the face or holds something up in front (phone, cup,
  food), or the head is clamped to a shoulder (phone.neck_clamp), plus phone.use's wider crop reaching past
  the fingers of a hand held up while the gaze is down (`held_crop_sw`); the person detector (clients,
  colleagues) every `people_every`;
- ArUco markers (the pause sign) every `markers_every` frames, in the sign zone when there is one;
  on the person detector's frames, for stand.for_visitor with a client zone, the desk stage's whole-frame change
  against the reference cut by the frame's border ("near": a visitor the detector does not box);
  desk change detection every `desk_every` ("desk"; "chair" alone, a hall camera for chair.reset, runs it for the
  client chair's zone only: no slots, objects or classifier).
Motion gating: when the frame barely changed since the last analysed one, the heavy stages are
skipped and their last results carried forward (`extra["carried"]` lists them).

The same object runs rules-only on recorded Observations (`step_observation`), so `replay` and the
live path share one code path. Model wrappers are imported lazily: replay needs no model.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from calibration.config import CounterConfig
from pipelines.background import BackgroundStage
from pipelines.context import ContextDeriver, ContextParams, HandActivity, HandGate, point_in_polygon
from pipelines.engine import Engine
from pipelines.events import Event
from pipelines.geometry import CameraModel
from pipelines.messages import CounterState, CounterStatus, QueueCall, TerminalState
from pipelines.rules._body import HAND_POINTS, L_EAR, NOSE, R_EAR, Body, box_center, calibrated, shoulder_width_m
from pipelines.rules._frame import MAX_CLERK_SHOULDER_M, PHONE_LABELS, hand_measure
from pipelines.rules.phone_use import FACE_ON, View, held_in_front, held_view, looking_down
from pipelines.temporal import Clock
from vision.observation import Marker, Observation
from vision.phone_slab import SlabParams, dark_slabs
from vision.roi import box_holds, region_around

log = logging.getLogger(__name__)

# `_pose_the_clerk`'s head test: the clerk's usual head length is the median of this many recent whole-frame poses
# kept as theirs (three at least), learnt only once no pose was set aside for HEAD_LEARN_QUIET_S
HEAD_SAMPLES, HEAD_MIN_SAMPLES, HEAD_LEARN_QUIET_S = 10, 3, 2.0
# Rules that read hand shapes on every frame (the etiquette gestures); a rule may also declare "gesture".
GESTURE_RULES = frozenset({"greet.raise_hand", "guide.gesture", "point.one_finger", "handover.two_hands"})
FACE_EVERY_FRAME_RULES = frozenset({"posture.dozing", "gaze.away"})
# The etiquette geometry (pipelines/rules/etiquette_common.ClerkGeometry) reads the face pitch of every frame
# for the bow measure: a carried face lags a nod by several degrees and changed a bow event on a suite clip.
FACE_PITCH_RULES = frozenset({"bow.angle", "greet.raise_hand", "guide.gesture", "handover.two_hands",
                              "stand.for_visitor"})


class PipelineSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting in an edge config must not pass silently

    detector_model: str = "coral.ssd_mobilenet_v2_coco"
    pose_complexity: int = Field(1, ge=0, le=2)
    face_every: int = Field(5, ge=1, description="analysed frames between face runs when no face rule is armed")
    detector_every: int = Field(3, ge=1, description="analysed frames between object-detector runs on hand crops")
    people_every: int = Field(10, ge=1, description="analysed frames between full-frame person detections")
    markers_every: int = Field(5, ge=1)
    markers_reread: int = Field(
        3, ge=0, description="markers runs after the last one that read a marker during which the blurred second "
        "read stays on with the clerk at the post (the sign left up); with the post empty it is always on"
    )
    desk_every: int = Field(25, ge=1)
    desk_background: bool = Field(
        False, description="run the desk stage on its own niced thread, its result joining the first observation after "
        "it is done (the edge runtime's default: a desk run then holds no analysis slot); off, inline and replayable"
    )
    min_score: float = Field(0.3, ge=0, le=1)
    people_edge_hint: float = Field(
        0.15, ge=0, le=1, description="a person box this sure touching a side edge is looked at again on the square "
        "side of the frame (a visitor half out of the frame scores ~0.2 on the squeezed whole frame; 0 = off)"
    )
    motion_gate: float = Field(0.002, ge=0, description="share of changed pixels below which heavy stages skip")
    clerk_head_ratio: float = Field(
        2.4, ge=0, description="a pose whose nose stands this many times the clerk's usual height over the "
        "mid-shoulders is not the clerk's (a visitor's head over the clerk's shoulders, a pose torn between two "
        "people): judged on the clerk's box pose, and on whole-frame poses within clerk_head_hold_s of a pose set "
        "aside as someone else's (0 = off)"
    )
    clerk_head_hold_s: float = Field(
        3.0, ge=0, description="... seconds after a pose set aside as someone else's that whole-frame poses are judged"
    )
    settle_frames: int = Field(2, ge=0, description="still frames still analysed before results are carried")
    max_carry: int = Field(10, ge=1, description="at most this many frames carried before a fresh run")
    hand_crop_sw: float = Field(
        1.0, ge=0, description="side of the extra per-hand detector crop (shoulder widths; 0 = no per-hand crop)"
    )
    held_crop_sw: float = Field(
        2.0, ge=0, description="phone.use: side of one more detector crop per hand held up in front with the gaze "
        "down (shoulder widths; 0 = none)"
    )
    held_crop_fwd_sw: float = Field(
        0.35, description="... centred this far beyond the wrist towards the fingers (a phone held up stands above "
        "the fingers: a crop centred on the hand cuts it in half)"
    )
    held_gaze_slack_deg: float = Field(
        5.0, ge=0, description="... run while the face pitches this much less than phone.use's pitch_down_deg"
    )
    held_gaze_slack_sw: float = Field(
        0.15, ge=0, description="... or, without a face, the nose this much higher than its head_drop_sw"
    )
    held_every: int = Field(
        1, ge=0, description="... run every this many analysed frames, also between the detector's runs (kept only "
        "when it finds a phone; 0 = only with the detector)"
    )
    held_phone_score: float = Field(
        0.2, ge=0, le=1, description="... where a phone is kept from this score (the SSDs score a handset seen "
        "from the back 0.2-0.6)"
    )
    held_slab: SlabParams | None = Field(
        default_factory=SlabParams, description="... where a near-black handset-shaped patch is also reported (a "
        "handset's back or edge, which the SSDs score 0.00-0.09 from 20-50 degrees aside; None: not looked for)"
    )
    held_slab_margin_sw: float = Field(
        0.5, ge=0, description="... looked for in the held crop grown by this much on every side (shoulder widths), "
        "kept when centred in the crop: a handset held up stands above the fingers the crop is centred beyond, and one "
        "cut by the crop's edge is no slab"
    )
    held_slab_only: bool = Field(
        True, description="... and a slab-only look (no SSD run; kept only when it finds one) at a hand phone.use "
        "holds up in front that the look's gate skips (from aside the wrist hangs below its elbow, away from the face)"
    )
    near_face_sw: float = Field(1.0, gt=0, description="a wrist this close to the nose (shoulder widths) wakes hands")
    face_period_s: float = Field(
        0.35, ge=0, description="face rules armed: seconds between face runs, the last result carried between"
    )
    face_still_sw: float = Field(
        0.05, ge=0, description="... and only while the nose stays within this many shoulder widths of that run"
    )
    hands_idle_s: float = Field(
        1.0, ge=0, description="seconds between hand runs while no hand is active for an armed rule (0 = every frame)"
    )
    hands_idle_frames: int = Field(
        5, ge=0, description="... and at least this many analysed frames: an overloaded camera that analyses fewer "
        "frames than its fps does not run hands on each of them (dearer frames would deepen the overload)"
    )
    status_hold_s: float = Field(3.0, ge=0, description="a new counter state must hold this long before it is sent")
    context: ContextParams = Field(default_factory=ContextParams)


class CounterPipelineImpl:
    """Satisfies edge.pipeline.CounterPipeline. `wall_clock=False` analyses a clip: Observation.t is the
    clip time passed as `t_wall`, wall_time stays None (clips count as working hours)."""

    def __init__(
        self,
        counter: CounterConfig,
        shared_models: dict[str, Any] | None = None,
        settings: PipelineSettings | None = None,
        *,
        wall_clock: bool = True,
        perception: bool = True,
        source: str = "counter config",
        only_rules: list[str] | None = None,
    ) -> None:
        self.counter = counter
        self.s = settings or PipelineSettings()
        self.engine = Engine(counter, only=only_rules, source=source)
        self.derive = ContextDeriver(counter, self.s.context)
        self.wall_clock = wall_clock
        # Stateless models (the object detector) are loaded into the caller's dict so that every pipeline
        # given the same dict shares one; the per-stream MediaPipe graphs stay in `self.models`.
        self.shared: dict[str, Any] = shared_models if shared_models is not None else {}
        self.models: dict[str, Any] = {}
        self.perception = perception
        self.t0: float | None = None
        self.frame_index = 0
        self.last_obs: Observation | None = None
        self.prev_small: np.ndarray | None = None
        self.still_run = 0  # consecutive analysed frames below the motion gate
        self.status: CounterStatus | None = None
        self._pending_state: tuple[CounterState, float] | None = None
        self.open_events: dict[str, Event] = {}
        self.desk_detector: Any = None
        self.desk_bg: BackgroundStage | None = None  # `desk_background`: made on the first desk run
        ids = {r.rule_id for r in self.engine.rules}
        self.needs = self.engine.needs
        self.gesture_armed = bool(ids & GESTURE_RULES) or "gesture" in self.needs
        self.face_every_frame = bool(ids & FACE_EVERY_FRAME_RULES)
        self.face_carry = not ids & FACE_PITCH_RULES
        self.neck_clamp_armed = "phone.neck_clamp" in ids
        self.fidget_armed = "posture.fidget" in ids
        self.earphone_labels = _earphone_labels(self.engine)
        self.phone_use = _rule_params(self.engine, "phone.use")
        self.camera_model: CameraModel | None = None  # phone.use's view of a held hand (`_held_view`)
        self.hand_gate = HandGate(self.s.near_face_sw)
        self.face_t = float("-inf")
        self.face_nose: tuple[float, float] | None = None
        self.hands_t = float("-inf")
        self.hands_i = -(10**9)  # frame index of the last hand run
        self.markers_runs_since = 10**9  # markers runs since the last that read a marker (`_sign_may_show`)
        self.people_seen: tuple[float, list] = (float("-inf"), [])  # (t, person finds) of the last person run
        # `_clerk_box`'s split of `people_seen` into the clerk's box and the other confident ones, made once per run
        self.clerk_split: tuple[Any, Any, list] = (None, None, [])
        # `_pose_the_clerk`: the clerk's usual nose-to-mid-shoulders length (px) over recent whole-frame poses kept as
        # theirs, and when a pose was last set aside as someone else's
        self.clerk_head_px: deque[float] = deque(maxlen=HEAD_SAMPLES)
        self.other_t = float("-inf")
        self.detected: tuple[int, list] = (-(10**9), [])  # (frame index, finds) of the last detector frame

    # ---- inbound messages -------------------------------------------------------------------
    def on_call(self, call: QueueCall) -> None:
        """A queue call. Live calls carry unix time; they are moved onto the stream clock."""
        if self.wall_clock and self.t0 is not None:
            call = replace(call, time=call.time - self.t0)
        self.engine.on_call(call)

    on_queue_call = on_call  # the name edge.pipeline.deliver_inbound looks for

    def on_terminal(self, state: TerminalState) -> None:
        self.engine.on_terminal(state)

    # ---- frames -----------------------------------------------------------------------------
    def process(self, frame_bgr: np.ndarray, t_wall: float) -> tuple[Observation, list[Event], CounterStatus | None]:
        obs = self.perceive(frame_bgr, t_wall)
        events, status = self.step_observation(obs)
        return obs, events, status

    def camera_lost(self, t_wall: float) -> tuple[Observation, list[Event], CounterStatus | None]:
        """The camera delivered no frame: an outage (camera_offline), never an empty post."""
        t, wall = self._times(t_wall)
        obs = Observation(self.counter.counter_id, self.frame_index, t, wall, camera_ok=False)
        self.frame_index += 1
        self.prev_small = None
        self.face_t = self.hands_t = float("-inf")
        self.hands_i = -(10**9)
        self.people_seen = (float("-inf"), [])
        self.hand_gate.reset()
        return (obs, *self.step_observation(obs))

    def step_observation(self, obs: Observation) -> tuple[list[Event], CounterStatus | None]:
        """Rules only: one (live or recorded) Observation through the engine."""
        events = self.engine.step(obs, self.derive)
        self._track_open(events)
        return events, self._status(obs)

    def finish(self) -> list[Event]:
        events = self.engine.finish()
        self._track_open(events)
        return events

    def close(self) -> None:
        """Release the per-stream MediaPipe graphs: an unclosed graph keeps ~100 MB of native memory, so a
        process analysing clip after clip (counterwatch eval) grew by ~200 MB per clip. The shared models
        (the caller's dict) stay loaded for the next pipeline."""
        models, self.models = self.models, {}
        for model in models.values():
            close = getattr(model, "close", None)
            if close is not None:
                close()
        if self.desk_bg is not None:
            self.desk_bg.close()
            self.desk_bg = None
        self.desk_detector = None

    # ---- perception -------------------------------------------------------------------------
    def _times(self, t_wall: float) -> tuple[float, float | None]:
        if not self.wall_clock:
            return t_wall, None
        if self.t0 is None:
            self.t0 = t_wall
        return t_wall - self.t0, t_wall

    def perceive(self, frame: np.ndarray, t_wall: float) -> Observation:
        from vision.timing import StageTimer

        t, wall = self._times(t_wall)
        h, w = frame.shape[:2]
        obs = Observation(self.counter.counter_id, self.frame_index, t, wall, image_size=(w, h))
        i = self.frame_index
        self.frame_index += 1
        if not self.perception:
            return obs

        timer = StageTimer()
        with timer.stage("motion"):
            obs.motion = self._motion(frame)
        image = _Frame(frame)
        prev = self.last_obs
        # Carry results only once the scene has been still for `settle_frames` analysed frames: the
        # video-mode trackers lag a fast move by a frame or two, and carrying the first still frame
        # would freeze that lagging pose for the whole hold (a hand reaching the ear left "on the desk").
        # A fresh run every `max_carry` frames keeps a long still stretch from drifting.
        self.still_run = self.still_run + 1 if prev is not None and obs.motion < self.s.motion_gate else 0
        # Nor is a pose carried that was someone else's and the clerk's box gave none for (`_pose_the_clerk`): the
        # crop graph misses the odd frame, and a still scene would freeze that client's pose (and the face and hands
        # that follow it) for up to `max_carry` frames.
        still = (prev is not None and t - prev.t < 2.0 and self.still_run > self.s.settle_frames
                 and (self.still_run - self.s.settle_frames) % self.s.max_carry != 0
                 and not ("pose_other" in prev.extra and "pose_from" not in prev.extra))
        needs = self.needs
        # People before pose: a pose lost on this frame is looked for again inside the clerk's fresh box.
        if "people" in needs and i % self.s.people_every == 0:
            self._people(image, obs, timer)
        if "pose" in needs or not needs:
            if still and prev is not None and "pose" in prev.ran:
                obs.pose, carried = prev.pose, ["pose"]
            else:
                with timer.stage("pose"):
                    obs.pose = self._call("pose", "process", image, roi=self._post_roi(w, h))
                carried = []
                if obs.pose is None and "people" not in obs.ran and self._clerk_crop(t, w, h) is not None:
                    # Someone was at the post at the last person run: box them on this frame. The crop is that
                    # sensitive to the box (a box 2 s old, from before the clerk leaned back, lost the pose on
                    # most frames a fresh one recovered); a clerk gone leaves no box, and the extra runs stop.
                    # Not recorded as a person run: presence and clients keep their own cadence (recorded, it
                    # ended a stale "clerk at the post" early on time-compressed handovers between colleagues).
                    with timer.stage("pose_people"):
                        self.people_seen = (t, self._detect_people(image))
                if obs.pose is None and (roi := self._clerk_crop(t, w, h)) is not None:
                    # The whole-frame model lost the clerk the person detector still boxes (leaning back): pose
                    # again on that box, in a graph of its own so the whole-frame graph's tracking never sees a
                    # crop. Only on such frames: a found pose costs nothing extra.
                    with timer.stage("pose_crop"):
                        obs.pose = self._call("pose_crop", "process", image, roi=roi)
                    if obs.pose is not None:
                        obs.extra["pose_from"] = "person_box"
                        obs.extra["pose_box"] = [round(v, 1) for v in roi]
                elif obs.pose is not None:
                    self._pose_the_clerk(image, obs, t, w, h, timer)
            obs.ran.append("pose")
        else:
            carried = []
        body = Body(obs.pose, min_vis=0.3) if obs.pose is not None else None

        if "face" in needs and (self.face_every_frame or i % self.s.face_every == 0):
            # Carry the last face only while the head holds still: a nod or a turn (bow, dozing, gaze) runs it.
            nose = body.pt(NOSE) if body is not None else None
            sw = body.shoulder_width if body is not None else None
            head_still = (nose is not None and sw is not None and self.face_nose is not None
                          and float(np.hypot(nose[0] - self.face_nose[0], nose[1] - self.face_nose[1]))
                          <= self.s.face_still_sw * sw)
            recent = (self.face_every_frame and self.face_carry and head_still
                      and 0 <= t - self.face_t < self.s.face_period_s)
            if (still or recent) and prev is not None and "face" in prev.ran:
                obs.face = prev.face
                carried.append("face")
            else:
                with timer.stage("face"):
                    obs.face = self._call("face", "process", image, roi=self._head_roi(body, w, h))
                self.face_t, self.face_nose = t, nose
            obs.ran.append("face")

        last_hands = prev.hands if prev is not None and "hands" in prev.ran and t - prev.t < 2.0 else None
        act = self.hand_gate(body, t, last_hands) if body is not None else None
        # "chair": the desk stage for the client chair alone (chair.reset on a hall camera)
        desk_due = bool(needs & {"desk", "chair"}) and bool(self.counter.reference_image) and i % self.s.desk_every == 0
        if "hands" in needs and (desk_due or self._hands_wanted(act, t, i)):  # the desk stage masks the hands
            if still and prev is not None and "hands" in prev.ran:
                obs.hands = list(prev.hands)
                carried.append("hands")
            else:
                with timer.stage("hands"):
                    obs.hands = self._call("hands", "process", image)
                self.hands_t, self.hands_i = t, i
            obs.ran.append("hands")

        if "detector" in needs and body is not None and act is not None:
            self._objects(image, body, obs, act, i, w, h, timer)

        if "markers" in needs and i % self.s.markers_every == 0:
            with timer.stage("markers"):
                obs.markers = self._read_markers(frame, obs.pose, w, h)
            obs.ran.append("markers")

        # (a background desk run under way reads and updates the stage's reference: the near look skips that frame)
        if ("near" in needs and "people" in obs.ran and self.counter.zones.client is not None
                and self.counter.reference_image and not (self.desk_bg is not None and self.desk_bg.busy())):
            det = self._desk_detector()
            if det is not None:
                with timer.stage("near"):
                    obs.near = det.near_changes(frame, obs.pose, obs.hands if "hands" in obs.ran else None,
                                                client=self.counter.zones.client)
                obs.ran.append("near")

        if desk_due:
            det = self._desk_detector()
            # the sign's marker (read on this frame, before the desk) cuts the sign out of what lies beside it
            markers = obs.markers if "markers" in obs.ran else None
            if det is not None and self.s.desk_background:
                if self.desk_bg is None:
                    self.desk_bg = BackgroundStage(f"analyse-desk-{self.counter.counter_id}")
                self.desk_bg.submit(obs.t, det.process, frame.copy(), obs.pose, list(obs.hands), t=obs.t,
                                    markers=markers)
            elif det is not None:
                with timer.stage("desk"):
                    obs.desk_objects = det.process(frame, obs.pose, obs.hands, t=obs.t, markers=markers)
                obs.ran.append("desk")
        if self.desk_bg is not None and (done := self.desk_bg.take()) is not None:
            run_t, obs.desk_objects, ms = done  # a background run finished: its finds join this observation
            obs.ran.append("desk")
            obs.extra["desk_t"] = round(run_t, 3)
            timer.ms["desk"] = ms

        if carried:
            obs.extra["carried"] = carried
        obs.timings_ms = timer.as_dict()
        self.last_obs = obs
        return obs

    def _call(self, name: str, method: str, frame: _Frame, **kwargs: Any) -> Any:
        """model.method on the frame converted to RGB once (every model wrapper takes `rgb=True`)."""
        return getattr(self._model(name), method)(frame.rgb, rgb=True, **kwargs)

    def _model(self, name: str) -> Any:
        """Per-counter models (pose/hands/face track one person across frames, so they are never shared);
        the stateless detector is taken from, or loaded into, the shared dict. A model the caller put in
        the shared dict is used as given (tests inject fakes that way)."""
        if name in self.shared:
            return self.shared[name]
        if name == "detector":
            from vision.detector import load_detector

            return self.shared.setdefault(name, load_detector(self.s.detector_model))
        if name not in self.models:
            if name in ("pose", "pose_crop"):  # pose_crop: created on the first lost pose, ~100 MB
                from vision.pose import PoseEstimator

                self.models[name] = PoseEstimator(complexity=self.s.pose_complexity)
            elif name == "hands":
                from vision.hands import HandTracker

                self.models[name] = HandTracker()
            elif name == "face":
                from vision.face import FaceAnalyzer

                self.models[name] = FaceAnalyzer()
            else:
                raise KeyError(name)
        return self.models[name]

    def _desk_detector(self) -> Any:
        if self.desk_detector is None:
            try:
                import cv2

                from vision.desk_change import DeskChangeDetector
            except ImportError:
                log.warning("vision.desk_change is not available: desk stage skipped")
                self.desk_detector = False
                return None
            ref = cv2.imread(str(self.counter.reference_image))
            if ref is None:
                raise ValueError(
                    f"reference_image {self.counter.reference_image!r} cannot be read. "
                    "Fix: re-capture it with `counterwatch calibrate` or remove reference_image from the counter file."
                )
            self.desk_detector = DeskChangeDetector(ref, self.counter, items="desk" in self.needs)
        return self.desk_detector or None

    def _motion(self, frame: np.ndarray) -> float:
        """Share of pixels that changed by > 12 grey levels since the last analysed frame (at 1/8 size)."""
        small = frame[::8, ::8].mean(axis=2) if frame.ndim == 3 else frame[::8, ::8].astype(float)
        prev, self.prev_small = self.prev_small, small
        if prev is None or prev.shape != small.shape:
            return 1.0
        return float((np.abs(small - prev) > 12).mean())

    def _hands_wanted(self, act: HandActivity | None, t: float, i: int) -> bool:
        """Hands run while a hand does something an armed rule reads from the hand model, else at an idle
        rate: a gesture made without the arm's pose giving it away (a finger pointing on the desk) is still
        seen, just later."""
        if act is not None:
            if act.near_face:
                return True
            if self.gesture_armed and act.gesturing:
                return True
            if self.fidget_armed and act.together:
                return True
        if self.s.hands_idle_s <= 0:
            return True
        return not 0 <= t - self.hands_t < self.s.hands_idle_s and i - self.hands_i >= self.s.hands_idle_frames

    def _object_rois(
        self, body: Body, obs: Observation, act: HandActivity, w: int, h: int, view: View
    ) -> list[tuple[float, float, float, float]]:
        """Crops for the object detector, only where a rule can use a find: one crop around both hands and
        the face plus a tight crop per hand that is at the face or held up in front (phone, cup, food); the
        detector scales every crop to its input size (300 px for the SSD), so a hand crop of ~1 shoulder
        width enlarges a phone or cup held in it 3-4x, which is what makes a small object detectable at all.
        A head clamped to a shoulder gets a crop of that ear and shoulder (phone.neck_clamp); earphones a
        crop of the head when the detector knows such a class. A typing clerk gets no crop at all."""
        rois = []
        sw = body.shoulder_width
        # A hand at the face: phone.call, eat.food, drink.in_front, smoke, chin_on_hand read objects there. A
        # hand held up in front: only phone.use, and only while the gaze is down (its condition).
        reading = (self.phone_use is not None and bool(act.held_front)
                   and self._looking_down(body, obs, view))
        active = [side for side in HAND_POINTS if side in act.near_face or (reading and side in act.held_front)]
        if active:
            pts = [p for side in HAND_POINTS for p in body.hand_points(side, obs.hands)]
            nose = body.pt(NOSE)
            if nose is not None:
                pts.append(nose)
            if pts and (roi := region_around(pts, w, h, margin=0.25, min_size=200.0)) is not None:
                rois.append(roi)
            if self.s.hand_crop_sw > 0 and sw is not None:
                side_px = max(self.s.hand_crop_sw * sw, 64.0)
                for side in active:
                    hp = body.hand_points(side, obs.hands)
                    roi = region_around(hp, w, h, margin=0.0, min_size=side_px) if hp else None
                    if roi is not None and roi[2] - roi[0] >= 8 and roi[3] - roi[1] >= 8:  # not off the frame edge
                        rois.append(roi)
        head: list[tuple[float, float]] = []
        if self.neck_clamp_armed and act.neck_clamp is not None:
            head += list(act.neck_clamp)
        if self.earphone_labels and self._detector_knows(self.earphone_labels):
            head += [p for p in (body.pt(L_EAR, 0.2), body.pt(R_EAR, 0.2)) if p is not None]
        roi = region_around(head, w, h, margin=0.25, min_size=sw) if head and sw is not None else None
        if roi is not None and not any(_contains(r, roi) for r in rois):
            rois.append(roi)
        return rois

    def _objects(self, image: _Frame, body: Body, obs: Observation, act: HandActivity, i: int, w: int, h: int,
                 timer: Any) -> None:
        """The object detector on its cadence, phone.use's held look (with it, and alone between its runs) and the
        slab-only look, all on one view of the held hand and one pick of the hands to look at."""
        from vision.detector import is_person, nms_detections

        on_run = i % self.s.detector_every == 0
        on_held = self.s.held_every > 0 and i % self.s.held_every == 0
        if not (on_run or on_held):
            return
        view = self._held_view(body, w, h)  # phone.use's view of a hand held up in front (every look asks it)
        look_sides, slab_sides = self._held_sides(body, obs, act, view)
        unit = (body.shoulder_width or 0.0) / view.k  # the body's width; only a held crop (sw known) uses it
        if on_run:
            rois = self._object_rois(body, obs, act, w, h, view)
            held = self._held_crops(body, look_sides, w, h, view)  # phone.use's look beyond the fingers: phones only
            if rois or held:
                with timer.stage("detector"):
                    dets = [d for roi in rois for d in self._call("detector", "detect", image, roi=roi,
                                                                           min_score=self.s.min_score)]
                    dets += self._held_look(image, held, unit)
                # one object found again in an overlapping crop: keep its best-scoring box
                obs.detections = nms_detections([d for d in dets if not is_person(d)], iou=0.5)
                obs.ran.append("detector")
            self.detected = (i, obs.detections if "detector" in obs.ran else [])
        elif held := self._held_crops(body, look_sides, w, h, view):
            # phone.use's look between the detector's runs: a handset seen from the back scores 0.0-0.34 frame to
            # frame, and every 3rd frame can miss it. Recorded only when it finds a phone, beside what the last run
            # found (on the last detector frame), so the other rules' finds stand as they were.
            with timer.stage("detector"):
                phones = self._held_look(image, held, unit)
            if phones:
                last_i, last = self.detected
                kept = last if last_i == i - i % self.s.detector_every else []  # not `carried`: the stage list
                obs.detections = nms_detections([*kept, *phones], iou=0.5)
                obs.ran.append("detector")
        # a hand phone.use's own test holds up in front that the look's gate skips (from aside the wrist hangs below
        # its elbow, away from the face: tune_side phone_in_hand (1.55 m, 1.45 m, -30)): the slab alone looks there
        if (self.s.held_slab_only and self.s.held_slab is not None
                and (extra := self._held_crops(body, slab_sides, w, h, view))):
            with timer.stage("held_slab"):  # no detector run: its own stage, so the bench counts no SSD
                slabs = [d for roi in extra for d in self._slabs(image, roi, unit)]
            if slabs:  # recorded as the look between runs records its phones: beside the last run's finds
                if "detector" not in obs.ran:
                    last_i, last = self.detected
                    obs.detections = list(last) if last_i == i - i % self.s.detector_every else []
                    obs.ran.append("detector")
                obs.detections = nms_detections([*obs.detections, *slabs], iou=0.5)

    def _held_sides(self, body: Body, obs: Observation, act: HandActivity, view: View) -> tuple[set, set]:
        """The hands phone.use's extra looks crop, while the gaze is down: (the held look's, the slab-only look's).
        The held look: per hand held up in front (the pose path's frames), a crop beyond the fingers
        (`_held_crops`), where a phone held up and read stands: the hand-centred crop cuts it in half, and the SSD
        finds a handset better with the hand and chest around it (tune splits, phone_in_hand's held frames: COCO
        "cell phone" >= 0.2 in 8 of 12 clips here, 1 of 12 in the 1-sw hand crop; 0 of ~100
        eating/drinking/fidget/handover/do-nothing clips' hands held in front). Only the phones found there count,
        from `held_phone_score`. Its own reason to run the detector: from aside a hand held up in front is neither
        near the face nor over its elbow (the other crops' hands). The slab-only look: the hands phone.use's own
        test holds that the held look skips (`held_slab_only`)."""
        if self.phone_use is None or self.s.held_crop_sw <= 0 or body.shoulder_width is None:
            return set(), set()
        # the gate's held_front hands, and those phone.use's own test takes as held up in front that are near the
        # face (a head bent over the phone) or have the wrist over the elbow as the gate wants: from aside the gate's
        # image-x test misses a hand held in front, which shows beside the nose (phone_use.held_view)
        held = {side for side in HAND_POINTS if self._held_for_phone_use(body, obs, side, view)}
        look = act.held_front | {side for side in held if side in act.near_face or side in act.forearm_up}
        slab_only = held - look  # that test alone is no SSD run's worth (83 clips' more frames, do_nothing: session 14)
        if not (look or slab_only) or not self._looking_down(body, obs, view):
            return set(), set()
        return look, slab_only

    def _held_crops(self, body: Body, sides: set, w: int, h: int, view: View) -> list:
        """A crop of `held_crop_sw` per hand of `sides`, centred `held_crop_fwd_sw` beyond the wrist along the
        hand (`_held_sides` names the hands)."""
        if not sides:
            return []
        sw = body.shoulder_width / view.k  # the body's width, not the side-on shoulder line's
        rois = []
        for side in sorted(sides):
            wrist = body.pt(HAND_POINTS[side][0], 0.3)
            tips = [p for i in HAND_POINTS[side][1:] if (p := body.pt(i, 0.3)) is not None]
            if wrist is None or not tips:
                continue
            dx, dy = (sum(p[0] for p in tips) / len(tips) - wrist[0], sum(p[1] for p in tips) / len(tips) - wrist[1])
            k = self.s.held_crop_fwd_sw * sw / max((dx * dx + dy * dy) ** 0.5, 1e-3)
            centre = (wrist[0] + dx * k, wrist[1] + dy * k)
            roi = region_around([centre], w, h, margin=0.0, min_size=max(self.s.held_crop_sw * sw, 64.0))
            if roi is not None and roi[2] - roi[0] >= 8 and roi[3] - roi[1] >= 8:
                rois.append(roi)
        return rois

    def _held_look(self, image: _Frame, rois: list, unit_px: float) -> list:
        """The phones the detector finds in the held look's crops, from `held_phone_score`, and the dark
        handset-shaped patches there (`held_slab`; `unit_px`: the body's shoulder width)."""
        found = [d for roi in rois for d in self._call("detector", "detect", image, roi=roi,
                                                       min_score=self.s.held_phone_score) if d.label in PHONE_LABELS]
        if self.s.held_slab is not None:
            found += [d for roi in rois for d in self._slabs(image, roi, unit_px)]
        return found

    def _slabs(self, image: _Frame, roi: tuple[float, float, float, float], unit_px: float) -> list:
        """(`held_slab` set) The slabs whose centre lies in this held crop, searched in the crop grown by
        `held_slab_margin_sw` on every side: the crop is centred beyond the pose's fingers, which often point along
        the grip rather than up the handset, and a handset standing over the crop's edge was cut by it (scratch
        (1.5 m, 1.5 m, -20) m_short: its top 3-4 px out on 13 of 14 held frames; docs/rules.md phone.use, session 27).
        The centre test keeps out what only the wider window takes in whole (the head's hair above the crop)."""
        m = self.s.held_slab_margin_sw * unit_px
        window = (roi[0] - m, roi[1] - m, roi[2] + m, roi[3] + m)
        return [d for d in dark_slabs(image.bgr, window, unit_px, self.s.held_slab)
                if box_holds(roi, box_center(d.box))]

    def _held_view(self, body: Body, w: int, h: int) -> View:
        """phone.use's view of a hand held up in front of this body (`phone_use.held_view`)."""
        if self.phone_use is None:
            return FACE_ON
        return held_view(body, self._camera(w, h), self.phone_use)

    def _held_for_phone_use(self, body: Body, obs: Observation, side: str, view: View) -> bool:
        """phone.use's own held_in_front on this frame's pose and hands (one test, in the rule module)."""
        hands = obs.hands if "hands" in obs.ran else None
        return self.phone_use is not None and held_in_front(hand_measure(body, side, hands), self.phone_use, view)

    def _camera(self, w: int, h: int) -> CameraModel:
        """This counter's camera model for a w x h frame (built once; phone.use's held view and the pose check)."""
        if self.camera_model is None or (self.camera_model.cx, self.camera_model.cy) != (w / 2, h / 2):
            self.camera_model = CameraModel.from_config(self.counter.camera, (w, h))
        return self.camera_model

    def _looking_down(self, body: Body, obs: Observation, view: View) -> bool:
        """phone.use's gaze test from `held_gaze_slack_deg` below its pitch_down_deg, or `held_gaze_slack_sw` more
        nose drop; unknown counts as down (the rule judges the gaze on the frames after)."""
        face = obs.face if "face" in obs.ran else None
        p = self.phone_use
        return looking_down(body, face, p, pitch_deg=p.pitch_down_deg - self.s.held_gaze_slack_deg,
                            slack_sw=self.s.held_gaze_slack_sw, view=view) is not False

    def _detector_knows(self, labels: frozenset[str]) -> bool:
        known = getattr(self._model("detector"), "labels", None)
        return bool(known) and bool(labels & set(known))

    def _read_markers(self, frame: np.ndarray, pose: Any, w: int, h: int) -> list[Marker]:
        """The markers in the sign zone, in frame pixels (only a marker inside it counts, ContextDeriver._is_sign:
        that zone alone is searched)."""
        from vision.markers import detect_markers
        from vision.roi import crop

        zone, (ox, oy) = crop(frame, self._sign_roi(w, h))
        found = detect_markers(zone, getattr(self.counter, "sign_aruco_dict", "DICT_4X4_50"),
                               second_look=self._sign_may_show(pose))
        self.markers_runs_since = 0 if found else self.markers_runs_since + 1
        return [Marker(m.marker_id, [(x + ox, y + oy) for x, y in m.corners]) for m in found]

    def _sign_may_show(self, pose: Any) -> bool:
        """Whether the markers stage's blurred second read (vision/markers.py) is worth its cost on this frame: the
        sign stands while the post is empty (no clerk's shoulders in the post zone) and is left up after the clerk
        returns only if it was read just before (a marker on one of the last `markers_reread` markers runs)."""
        if self.markers_runs_since < self.s.markers_reread:
            return True
        mid = pose.mid_shoulders() if pose is not None else None
        if mid is None:
            return True
        post = self.counter.zones.post
        return post is not None and not point_in_polygon(mid, post)

    def _sign_roi(self, w: int, h: int) -> tuple[float, float, float, float] | None:
        """The sign zone grown by half its size (a marker straddling the zone's edge stays whole)."""
        zone = self.counter.zones.sign
        if not zone:
            return None
        xs, ys = [p[0] for p in zone], [p[1] for p in zone]
        mx, my = 0.5 * (max(xs) - min(xs)), 0.5 * (max(ys) - min(ys))
        from vision.roi import clip_box

        box = clip_box((min(xs) - mx, min(ys) - my, max(xs) + mx, max(ys) + my), w, h)
        return box if box[2] - box[0] >= 16 and box[3] - box[1] >= 16 else None

    def _people(self, image: _Frame, obs: Observation, timer: Any) -> None:
        """The person run of this frame (clients, colleagues, the clerk's box)."""
        with timer.stage("people"):
            obs.people = self._detect_people(image, self.s.people_edge_hint)
        obs.ran.append("people")
        self.people_seen = (obs.t, obs.people)

    def _detect_people(self, image: _Frame, edge_hint: float = 0.0) -> list:
        """The person boxes the detector finds on the whole frame (and, with edge_hint, on a side it cuts)."""
        from vision.detector import detect_people

        return detect_people(self._model("detector"), image.rgb, self.s.min_score, edge_hint, rgb=True)

    def _clerk_crop(self, t: float, w: int, h: int) -> tuple[float, float, float, float] | None:
        """Where to look for a lost pose: the clerk's person box from the last person run (within the context's
        memory, as presence reads it), the biggest confident box centred in the post zone, grown a little."""
        from vision.pose import person_crop

        clerk, _ = self._clerk_box(t)
        return person_crop(clerk.box, w, h) if clerk is not None else None

    def _clerk_box(self, t: float) -> tuple[Any, list]:
        """The clerk's person box of the last person run within the context's memory (the biggest confident box
        centred in the post zone; None without one) and that run's other confident boxes."""
        from vision.roi import clerk_box

        seen_t, people = self.people_seen
        if not people or not 0 <= t - seen_t <= self.s.context.memory_s:
            return None, []
        if self.clerk_split[0] is not self.people_seen:  # a new person run: split it once, not on every frame
            post = self.counter.zones.post
            sure = [d for d in people if d.score >= self.s.context.person_min_score]
            clerk = clerk_box(d for d in sure if post is None or point_in_polygon(box_center(d.box), post))
            self.clerk_split = (self.people_seen, clerk, [d for d in sure if d is not clerk])
        return self.clerk_split[1], self.clerk_split[2]

    def _pose_the_clerk(self, image: _Frame, obs: Observation, t: float, w: int, h: int, timer: Any) -> None:
        """The whole-frame pose is found but evidently someone else's (BlazePose jumped to a client or visitor
        standing nearer the camera while the clerk stays at the post): pose the clerk's box in the crop graph and
        keep that pose when it is the clerk's. Someone else's: shoulders wider than a clerk's on the clerk's plane
        (calibrated camera; the rules' `someone_nearer` test), or the mid-shoulders outside the clerk's grown
        box and inside another person's. Every rule, the face crop and the hand gate then follow the clerk; the
        whole-frame graph keeps its own tracking (it may jump back on its own). Only on such frames: a clerk's
        pose costs one box test."""
        from vision.pose import person_crop

        clerk, others = self._clerk_box(t)
        if clerk is None or (roi := person_crop(clerk.box, w, h)) is None:
            return
        why = self._someone_else(Body(obs.pose, min_vis=0.3), roi, others, w, h)
        if why is None:
            # Behind a visitor the detector may box visitor and clerk as one, and the whole-frame pose then tears
            # between the two (the nose on the visitor's head, the shoulders near the clerk's): such a pose passes the
            # box test, but its head stands 3.8-5 times the clerk's usual length over the shoulders (kept poses of the
            # four tune splits: 2.26 at most, a clerk rising). Judged only soon after a pose was set aside.
            px = _head_px(obs.pose)
            ratio, since = self._head_ratio(px), t - self.other_t
            if ratio is not None and ratio > self.s.clerk_head_ratio > 0 and since <= self.s.clerk_head_hold_s:
                why = "head"
            elif since > HEAD_LEARN_QUIET_S and (ratio is None or ratio <= self.s.clerk_head_ratio) and px is not None:
                self.clerk_head_px.append(px)
        if why is None:
            return
        self.other_t = t
        obs.extra["pose_other"] = why  # counted in the suite: frames whose whole-frame pose was set aside
        with timer.stage("pose_crop"):
            crop = self._call("pose_crop", "process", image, roi=roi)
        if crop is None or self._someone_else(Body(crop, min_vis=0.3), clerk.box, [], w, h, inside=True) is not None \
                or ((ratio := self._head_ratio(_head_px(crop))) is not None and ratio > self.s.clerk_head_ratio > 0):
            # the box gave no clerk's pose (the one box of visitor and clerk posed the visitor: their head over the
            # clerk's shoulders, 2.5-3.2 times the usual length): the rules' own guard sets a wide whole-frame pose
            # aside; a torn one nothing else would, so it is dropped
            if why == "head":
                obs.pose = None
            return
        obs.pose = crop
        obs.extra["pose_from"] = "person_box"
        obs.extra["pose_box"] = [round(v, 1) for v in roi]

    def _head_ratio(self, px: float | None) -> float | None:
        """A pose's nose-to-mid-shoulders length (`_head_px`) over the clerk's usual one; None before that is learnt."""
        if px is None or len(self.clerk_head_px) < HEAD_MIN_SAMPLES:
            return None
        return px / float(np.median(self.clerk_head_px))

    def _someone_else(self, body: Body, box: tuple[float, float, float, float], others: list, w: int, h: int,
                      inside: bool = False) -> str | None:
        """Why this pose is not the clerk's ("wide", "elsewhere") or None. `inside`: a pose from the clerk's box
        must also have its mid-shoulders in that box (a crop grown into a client's edge may pose the client)."""
        mid = body.shoulder_mid
        if mid is None:
            return None  # too little of it to judge: kept as found
        if calibrated(self.counter.camera):
            width = shoulder_width_m(body, self._camera(w, h))
            if width is not None and width > MAX_CLERK_SHOULDER_M:
                return "wide"
        if inside:
            return None if box_holds(box, mid) else "elsewhere"
        if not box_holds(box, mid) and any(box_holds(d.box, mid) for d in others):
            return "elsewhere"
        return None

    def _post_roi(self, w: int, h: int) -> tuple[float, float, float, float] | None:
        return None  # whole frame: BlazePose tracks the most prominent person, the clerk facing the camera

    def _head_roi(self, body: Body | None, w: int, h: int) -> tuple[float, float, float, float] | None:
        if body is None or body.pt(NOSE) is None:
            return None
        sw = body.shoulder_width or 0.25 * w
        nx, ny = body.pt(NOSE)  # type: ignore[misc]
        return region_around([(nx - sw, ny - sw), (nx + sw, ny + sw)], w, h, margin=0.0)

    # ---- status -----------------------------------------------------------------------------
    def _track_open(self, events: Iterable[Event]) -> None:
        for ev in events:
            if ev.type == "end":
                self.open_events.pop(ev.id, None)
            else:
                self.open_events[ev.id] = ev

    def _state(self, obs: Observation) -> CounterState:
        ctx = self.engine.ctx
        if not obs.camera_ok:
            return "camera_offline"
        if not ctx.in_hours:
            return "off_hours"
        if ctx.clerk_present is False:
            return "paused" if ctx.values.get("paused") else "empty"
        if ctx.clerk_present is None and self.status is not None:
            return self.status.state
        return "serving" if ctx.client_present else "idle"

    def _status(self, obs: Observation) -> CounterStatus | None:
        """The new status when the state changed and held `status_hold_s` (an outage is reported at once)."""
        state = self._state(obs)
        clock = Clock(obs.t, obs.wall_time if obs.wall_time is not None else obs.t)
        if self.status is not None and state == self.status.state:
            self._pending_state = None
            if len(self.open_events) != self.status.open_events:
                self.status = replace(self.status, open_events=len(self.open_events))
            return None
        if self._pending_state is None or self._pending_state[0] != state:
            self._pending_state = (state, clock.wall)
        since = self._pending_state[1]
        if state != "camera_offline" and self.status is not None and clock.wall - since < self.s.status_hold_s:
            return None
        self.status = CounterStatus(self.counter.counter_id, state, since, len(self.open_events))
        self._pending_state = None
        return self.status


class _Frame:
    """An analysed frame in both colour orders: BGR as decoded (motion, markers, desk read it), and RGB, what
    every model takes, converted on first use and then shared by all the stages of the frame (each model
    wrapper used to convert its own copy: pose, hands and the person detector the whole frame)."""

    def __init__(self, bgr: np.ndarray) -> None:
        self.bgr = bgr

    @cached_property
    def rgb(self) -> np.ndarray:
        import cv2

        return cv2.cvtColor(self.bgr, cv2.COLOR_BGR2RGB)


def _head_px(pose: Any) -> float | None:
    """Nose to mid-shoulders (px); None unless all three are seen (visibility 0.3)."""
    body = Body(pose, min_vis=0.3)
    n, m = body.pt(NOSE), body.shoulder_mid
    if n is None or m is None:
        return None
    return float(np.hypot(n[0] - m[0], n[1] - m[1]))


def _contains(outer: tuple[float, float, float, float], inner: tuple[float, float, float, float]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def _rule_params(engine: Engine, rule_id: str) -> Any:
    """The armed rule's parameters (None when it is not armed)."""
    return next((rule.params for rule in engine.rules if rule.rule_id == rule_id), None)


def _earphone_labels(engine: Engine) -> frozenset[str]:
    """The classes the armed earphones rule looks for (empty when it is not armed)."""
    params = _rule_params(engine, "earphones")
    return frozenset(getattr(params, "labels", ()) or ())


def make_pipeline(
    counter_cfg: CounterConfig,
    shared_models: dict[str, Any] | None = None,
    models: dict[str, Any] | None = None,
    **kwargs: Any,
) -> CounterPipelineImpl:
    """The edge runtime's factory (edge.pipeline passes `models=`; `shared_models` is the same thing)."""
    return CounterPipelineImpl(counter_cfg, shared_models=shared_models or models, **kwargs)

