"""guide.gesture — each guiding gesture measured against DB50/T 1603 B.6.1 and classified (B.6.2).

A gesture: the right wrist swung out to the side (or forward, raised or with the forearm lifted with the palm up,
or swung from rest with the forearm lifted), held `min_hold_s`.
When it ends, one event reports every measured value (medians over the held frames) and its own
pass/fail: elbow angle (target 120°), upper arm ~10 cm from the torso, palm up, fingers together,
fingertips leading along the forearm, left hand at the abdomen, body bowed ~15°, and the position
class (horizontal 请进 / bent arm 里边请 / high 请往前走 / low 请坐). Each criterion is True (passed), False (a
confident failure) or None (unknown: not measured, or too uncertain in this view to tell pass from fail). Outcome:
violation when any criterion failed confidently (listed in `failed`), else pass, with the unknown ones listed in
`unknown`. The palm is judged only when it reads clearly up (>= `palm_up_min`) or down (<= `palm_down_max`); in
between it is seen edge-on. The elbow angle, the finger spread, the fingertip lead and the upper-arm gap carry a sigma
for this view (the elbow cue's own, `elbow_angle`; the fingers' and the forearm's image lengths in pixels; the gap's
measured error): a reading outside the tolerance by no more than `confident_sigmas` of them is unknown, not failed.
The elbow also stays unknown when the length-based reading with the upper arm's depth sign the other way passes.
The elbow's reading is the learned lifter's (`elbow_lifter`, its measured sigma) where its hold median agrees with the
cue median's within their combined sigma, else the cue median's (`elbow_angle`, with its own sigma).
The fingertip lead is unknown with the forearm pointing far out of the image, the gap when the hold may be a high guide.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from calibration.config import CounterConfig
from pipelines.elbow_lift import lifter, lifter_agrees
from pipelines.engine import Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.geometry import (
    FINGER_RAYS,
    FORE_FORESHORTENED,
    L_HIP,
    L_WRIST,
    R_ELBOW,
    R_HIP,
    R_SHOULDER,
    R_WRIST,
    SIDE,
    TOGETHER_FULL_DEG,
    TOGETHER_NONE_DEG,
    PalmSigns,
    angle_between,
    elbow_angle,
    elbow_angle_world,
    elbow_upper_roots,
    finger_spread_deg,
    fingers_together_score,
    forearm_from_vertical,
    forearm_ratio,
    hand_elevation_deg,
    palm_up_score,
    upper_arm_gap_m,
    visibility,
)
from pipelines.palm_lift import UP_MIN, palm_lifter
from pipelines.rules._body import STANDING_SHOULDER_M
from pipelines.rules.etiquette_common import (
    UPRIGHT_DEG,
    Episodes,
    Frame,
    clerk_frame,
    clerk_hand,
    is_standing,
    median_of,
    r1,
)
from pipelines.temporal import Clock, instant_event
from vision.observation import Observation
from vision.results import HandResult

REST_FRAMES = 50  # the resting lateral reading: the median of the last 10 s of upright standing frames (5 fps)


class GuideParams(RuleParams):
    min_hold_s: float = Field(0.5, ge=0)
    # 0.12 fired on a seated clerk's hands on the desk (MediaPipe world lateral 0.12-0.16 m, do-nothing suite clip):
    # seated clerks are now out (standing gate), so 0.15 catches the low guide (请坐, wrist 0.15-0.20 m out, read
    # 0.16-0.21); 0.12 fired on two 45-deg bows, which max_bow_deg keeps out
    lateral_m: float = Field(0.15, gt=0, description="wrist this far out to the right of the shoulder: a gesture")
    # MediaPipe's lateral offset carries a bias of the view that holds at rest too (a hanging arm seen from 1.8 m high,
    # 40 deg aside reads 0.14 m out for a true 0.04, and a bow tips it over lateral_m): a guide also swings the wrist
    # this far out from where it hung while the clerk stood upright (tune + tune_wide: bows 0.01-0.07, guides
    # 0.10-0.48 but one low guide at (1.8 m, -40 deg) 0.05)
    swing_m: float = Field(0.09, ge=0, description="and this far out from its resting reading (0: off)")
    # seen from 30-40 deg on the clerk's left MediaPipe reads a guiding wrist 0.08-0.13 m out for a true 0.19-0.31
    # (tune + tune_wide): a lifted forearm with the swing is a gesture too. Standing frames swung from rest without a
    # guide (bows, hands let go from the front) hung their forearm at 150-176 deg; those guides read 71-123
    # and with the palm up: from 35-40 deg on the clerk's left the low guide's wrist reads forward, 0.08 m from rest
    # or less (true 0.15-0.18 m out), its forearm 114-123 deg and its palm 0.84-0.87 (tune_side, tune_wide)
    lifted_forearm_deg: float | None = Field(135.0, gt=0, lt=180, description="or swung `swing_m` from rest, or the "
                                             "palm up, with the forearm at most this far from pointing up (None: off)")
    # a clerk who sat down, left or shifted keeps an old resting reading otherwise (the last REST_FRAMES upright
    # standing frames, however long ago); the suite's clips are 5-10 s long, so no suite figure moves
    rest_max_age_s: float = Field(60.0, gt=0, description="resting readings older than this are forgotten: the "
                                  "next swing is judged on the absolute lateral_m until the clerk is seen at rest")
    max_bow_deg: float = Field(30.0, gt=0, description="no gesture starts while the body bows deeper than this (a "
                               "guide comes with a ~15 deg bow; in a deep bow the hanging arms swing out)")
    forward_m: float = Field(0.40, gt=0, description="or this far forward with the palm up")
    raised_below_shoulder_m: float = Field(0.28, gt=0, description="or raised to within this of the shoulder, palm up")
    elbow_target_deg: float = Field(120.0, gt=0, lt=180)
    elbow_tolerance_deg: float = Field(15.0, gt=0)
    # tune + tune_wide: the compliant bent guide at (1.6 m, 30) read 90 +- 9, the raised one at (1.3 m, -20) 88 +- 16
    # and the bent one at (1.8 m, -40) 159 +- 9, each with a length-based root at 108-125
    elbow_depth_alternative: bool = Field(True, description="the elbow fails only if the length-based reading "
                                          "(`geometry.elbow_upper_roots`) fails too with the upper arm toward the "
                                          "camera and with it away: no cue settles that depth sign")
    # session 29: a learned 2D -> 3D reading (pipelines/elbow_lift.py, trained on random-angle simulator arms) in
    # place of the cue median where the two agree (docs/rules.md, guide.gesture, session 29 and its elbow2 note: alone
    # it shrinks a straight arm pointing at the camera toward its training mean, tune_wide (1.8 m, -40) 170 -> 123)
    elbow_lifter: bool = Field(True, description="read the hold's elbow with the learned lifter (`elbow_lift.lifter`) "
                               "instead of `geometry.elbow_angle` where their hold medians agree "
                               "(`elbow_lifter_agree_sigmas`); its sigma is then the lifter's measured one")
    elbow_lifter_agree_sigmas: float = Field(1.0, ge=0, description="the lifter's hold median replaces the cue "
                                             "median's only within this many of their combined sigmas of it "
                                             "(hypot of the cue's and the lifter's); else the cue's reading stands")
    elbow_lifter_sigma_deg: float | None = Field(None, gt=0, description="the lifter's sigma (None: the RMS "
                                                 "error measured with it, elbow_lift.json's sigma_deg)")
    # session 29: a learned reading of the palm's up component (pipelines/palm_lift.py, trained on random simulator
    # arms with every palm facing) in place of `palm_up_score`; off by default (docs/rules.md, guide.gesture)
    palm_lifter: bool = Field(False, description="judge the hold's palm with the learned model "
                              "(`palm_lift.palm_lifter`, up at >= palm_lift.UP_MIN), which takes the handedness label "
                              "as an input (`palm_needs_label_agree` not asked); the gesture still opens on "
                              "`palm_up_score`")
    # the bar below which the arm lengths are not learned either (etiquette_common.ArmLengths). tune_wide (1.5 m, 40
    # deg): the compliant bent guide's arm scored 0.29-0.43, its elbow and wrist sat 19 / 11 px off, read 75 for 120
    min_arm_visibility: float = Field(0.5, ge=0, le=1, description="the elbow is judged only while MediaPipe scores "
                                      "the right shoulder, elbow and wrist visible at least this much (median over "
                                      "the hold; the least visible of the three): below, the joints are guessed; "
                                      "the left hand at the abdomen likewise on the left arm's three joints")
    # the hand's axis rises 28-51 deg (median per hold) on the high guides of the four tune splits and at most 24 on
    # every other guide frame (per frame: the high guides' 5th percentile 29.6, the others' 99th 23.4); the pose reads
    # the raised wrist 0.13-0.17 m under the shoulder from -15..-40 deg yaw, so its height alone misses them
    high_hand_deg: float | None = Field(26.0, description="a frame is in the high position (请往前走) also when the "
                                        "right hand's axis rises this far above the horizontal "
                                        "(`geometry.hand_elevation_deg`); None: the wrist's height alone")
    gap_target_m: float = Field(0.10, ge=0)
    gap_tolerance_m: float = Field(0.08, gt=0)
    # with the hand's depth scaled (geometry.HAND_DEPTH_SCALE) palms up read 0.78 / 0.93 at their 25th / 50th
    # percentile and side-on palms 0.36 / 0.53 at their 90th / 95th (tune + tune_wide); palm-up F1 rose in all six
    # views at 0.70 and at 0.75
    palm_up_min: float = Field(0.7, ge=-1, le=1, description="cosine of palm normal with up")
    # which hand it is decides the palm normal's sign, from MediaPipe's label or the wrist the hand sits on. In the
    # guide holds of tune, tune_wide and tune_side where they disagree, neither was right: the 8 frames labelled Left
    # at 0.9-0.99 read the truly up palm at -0.92..0.41, and tune_wide's compliant horizontal guide at (1.8 m, 1.7 m,
    # -40 deg), labelled Left at 0.66-0.85 on every frame, read -0.97 and failed; under 0.8 the wrist decides, and on
    # renders at 42 deg it read two palm-down guides up (0.73-0.98)
    palm_needs_label_agree: bool = Field(True, description="a hand whose handedness label disagrees with the wrist "
                                         "it sits on gives no palm reading (False: geometry.palm_up_score's "
                                         "label-or-side choice)")
    palm_down_max: float = Field(-0.4, ge=-1, le=1, description="at or below: the palm is down (a failed check); "
                                 "between this and palm_up_min the palm is seen edge-on and the check is unknown")
    fingers_together_min: float = Field(0.6, ge=0, le=1)
    fingertip_max_deg: float = Field(35.0, gt=0, description="hand direction vs forearm in the image")
    bow_target_deg: float = Field(15.0, ge=0)
    bow_tolerance_deg: float = Field(8.0, gt=0)
    # 003 B.6 guides while standing (with a 15 deg bow); a seated clerk lowering a greeting hand or reaching
    # across the desk is not guiding (those were the suite's false guides). None: any posture.
    confident_sigmas: float = Field(1.0, ge=0, description="a measured criterion fails only this many of its sigmas "
                                    "beyond its tolerance; nearer, it is unknown (0: the plain tolerance)")
    min_standing_shoulder_m: float | None = Field(
        STANDING_SHOULDER_M, gt=0,
        description="guides count only while standing: the upright shoulders at least this high above the floor")
    # from 1.8 m high and 30-50 deg on the clerk's right MediaPipe reads a standing clerk's hanging wrist 0.15-0.23 m
    # out (tune splits: 51 fired frames with the arm truly hanging, 50 before any resting reading, forearm 138-157
    # deg from up, hand axis -58..-90 where a hand was seen); the guides whose episode opened so (-40: bent,
    # wrong elbow) lift the forearm to 105 (12 frames) or point the hand out (-20..-25 on 4 frames)
    hand_out_deg: float | None = Field(-35.0, ge=-90, le=90, description="an episode with no resting reading to "
                                       "swing from is a gesture only if on two frames or more the forearm is "
                                       "lifted (`lifted_forearm_deg`), the palm up or the hand's axis "
                                       "(`geometry.hand_elevation_deg`) at least this far above the horizontal; "
                                       "else the arm hung all through it (None: off)")


def fingertip_lead_deg(frame: Frame, hand: HandResult) -> float | None:
    """Angle between the hand (wrist -> middle fingertip) and the forearm (elbow -> wrist) in the image."""
    if len(hand.landmarks) < 13:
        return None
    el, wr = frame.pose.landmarks[R_ELBOW], frame.pose.landmarks[R_WRIST]
    fore = np.array([wr.x - el.x, wr.y - el.y])
    h = np.array(hand.landmarks[12][:2]) - np.array(hand.landmarks[0][:2])
    return angle_between(fore, h)


# MediaPipe's pose joints sit 3.9-5.7 px from the simulator's exact keypoints on the tune guide frames (shoulder,
# elbow, wrist): the noise on each end of the forearm's image segment
JOINT_PX = 5.0


def forearm_direction_sigma_deg(frame: Frame) -> float:
    """Standard deviation of the forearm's direction in the image: two joints with JOINT_PX noise each across its
    image length. A forearm pointing along the line of sight (a raised guide seen from below the hand, tune_wide
    (1.8 m, -40 deg): 10-15 px long) has no direction to compare the hand with."""
    el, wr = frame.pose.landmarks[R_ELBOW], frame.pose.landmarks[R_WRIST]
    length = float(np.hypot(wr.x - el.x, wr.y - el.y))
    return float(np.degrees(np.arctan2(JOINT_PX * np.sqrt(2.0), max(length, 1e-6))))


# MediaPipe's right elbow against the simulator's keypoint on guide frames, by the elbow's own visibility score
# (tune + renders of the tune bodies at 35-50 deg yaw): RMS 4 px at >= 0.9, 7 at 0.8-0.9, 12 at 0.7-0.8, 14 at
# 0.6-0.7, 20 at 0.5-0.6, 18 under 0.5. The far-side arm's elbow (the bent guide from 30-50 deg on the clerk's left)
# is guessed 10-29 px off while scored 0.5-0.8, so the score's 0.5 bar alone does not flag it.
ELBOW_PX_SLOPE = 40.0  # px of error per unit of visibility under ELBOW_PX_FULL_VIS
ELBOW_PX_FULL_VIS = 0.9
ELBOW_PX_MAX = 20.0


def elbow_excess_px(frame: Frame) -> float:
    """The elbow joint's expected image error beyond JOINT_PX (which the cues' own sigmas already hold): it grows as
    MediaPipe's visibility score for the elbow falls."""
    vis = frame.pose.landmarks[R_ELBOW].visibility
    px = min(ELBOW_PX_MAX, JOINT_PX + ELBOW_PX_SLOPE * max(0.0, ELBOW_PX_FULL_VIS - vis))
    return float(np.sqrt(max(px * px - JOINT_PX * JOINT_PX, 0.0)))


def elbow_joint_sigma_deg(frame: Frame, excess_px: float) -> float:
    """The elbow angle's standard deviation from the elbow's excess image error: moving the joint moves the 2D angle
    by about error / segment length on each side of it."""
    s, e, w = (frame.pose.landmarks[i] for i in (R_SHOULDER, R_ELBOW, R_WRIST))
    upper = max(float(np.hypot(s.x - e.x, s.y - e.y)), 1.0)
    fore = max(float(np.hypot(w.x - e.x, w.y - e.y)), 1.0)
    return float(np.degrees(excess_px / np.sqrt(2.0) * np.hypot(1.0 / upper, 1.0 / fore)))


def gap_sigma_m(frame: Frame, excess_px: float) -> float:
    """The upper-arm gap's standard deviation: its measured error (GAP_SIGMA_M) and the elbow's excess image error
    along one image axis, in metres at the clerk's distance (the clerk stands at the world origin)."""
    dist = float(np.hypot(frame.cam.C[0], frame.cam.C[2]))
    return float(np.hypot(GAP_SIGMA_M, excess_px / np.sqrt(2.0) * dist / frame.cam.f))


# A hand landmark's noise relative to its finger's base, fitted to the spread error on the tune + tune_wide guide
# frames (fingers together, true spread 0-3 deg): mean read +9.2 / 4.1 / 3.5 / 3.2 deg for fingers 0-20 / 20-30 /
# 30-40 / 40-60 px long in the image; atan(2 px / length) gives 7.6 / 4.6 / 3.3 / 2.3 at 15 / 25 / 35 / 50 px.
HAND_PX = 2.0


# The upper-arm gap comes from MediaPipe's world landmarks, whose error holds for a whole gesture (frame-to-frame sd
# <= 0.007 m on the compliant holds): its sigma is that error's size, the RMS of each tune guide's median gap against
# the same lateral offset of the simulator's joints, 0.043 m (17 clips; tune_wide 0.063). `gap_sigma_m` adds the
# elbow's expected misplacement (`elbow_excess_px`).
GAP_SIGMA_M = 0.043


def finger_spread_sigma_deg(hand: HandResult) -> float | None:
    """Standard deviation of the mean adjacent-finger angle (`finger_spread_deg`) from the fingers' image length:
    a hand far away or pointing at the camera has fingers too short in the image to tell together from apart."""
    if len(hand.landmarks) < 21:
        return None
    pts = np.asarray(hand.landmarks, float)[:, :2]
    length = float(np.mean([np.linalg.norm(pts[b] - pts[a]) for a, b in FINGER_RAYS]))
    return float(np.degrees(np.arctan2(HAND_PX, max(length, 1e-6))))


def judge(value: float | None, sigma: float | None, low: float, high: float, k: float) -> bool | None:
    """True inside [low, high]; False outside it by more than k sigmas (a confident failure); else None (unknown:
    not measured, or this view cannot tell a compliant reading from a failed one)."""
    if value is None:
        return None
    if low <= value <= high:
        return True
    miss = low - value if value < low else value - high
    return False if sigma is None or miss > k * sigma else None


def max_spread_deg(together_min: float) -> float:
    """The mean finger spread at which `fingers_together_score` falls to `together_min` (0.6 -> 8 deg)."""
    return TOGETHER_NONE_DEG - together_min * (TOGETHER_NONE_DEG - TOGETHER_FULL_DEG)


def hold_elbow(lifted: float | None, cue: float | None, cue_sigma: float | None,
               p: GuideParams) -> tuple[float | None, float | None, str]:
    """The hold's elbow reading (degrees, sigma, source) from the medians of the lifter's and the cues' readings: the
    lifter's where `elbow_lifter` is on and the two agree (`lifter_agrees`), with its measured sigma (which already
    holds MediaPipe's joint errors); else the cues'."""
    lift_sigma = lifter().sigma_deg if p.elbow_lifter_sigma_deg is None else p.elbow_lifter_sigma_deg
    if p.elbow_lifter and lifter_agrees(lifted, cue, cue_sigma, lift_sigma, p.elbow_lifter_agree_sigmas):
        return lifted, lift_sigma, "lifter"
    return cue, cue_sigma, "cue"


def position_class(w: np.ndarray, elbow: float) -> str:
    hip_y = (w[L_HIP][1] + w[R_HIP][1]) / 2
    if w[R_WRIST][1] >= w[R_SHOULDER][1] - 0.05:
        return "high"
    if w[R_WRIST][1] <= hip_y + 0.05:
        return "low"
    return "bent" if elbow < 100 else "horizontal"


def wrist_lateral_m(w: np.ndarray) -> float:
    """How far the right wrist is out to the right of the right shoulder (world landmarks, metres; +X is the clerk's
    left, so out to the right is -X)."""
    return float(w[R_SHOULDER][0] - w[R_WRIST][0])


def guide_row(frame: Frame, obs: Observation, p: GuideParams, bow: float | None,
              rest_lateral: float | None = None) -> dict[str, Any] | None:
    """This frame's measurements if it holds a guiding gesture, else None. `rest_lateral`: the wrist's lateral reading
    while the clerk stood upright with the arm at rest (None: not learned yet, the absolute test alone)."""
    w = frame.world
    if w is None:
        return None
    lateral = wrist_lateral_m(w)
    forward = w[R_WRIST][2] - w[R_SHOULDER][2]
    hand = clerk_hand(frame, obs, "right")
    # the palm's sign from MediaPipe's handedness label, which must name the wrist the hand sits on
    # (`palm_needs_label_agree`; else the label, or the side when MediaPipe doubts the label: `palm_up_score`)
    wrist = frame.pose.landmarks[R_WRIST]
    palm = frame.cached("palm_up.right", lambda: palm_up_score(hand, frame.cam, "right", wrist)) if hand else None
    if p.palm_needs_label_agree and hand is not None and hand.handedness.lower() != "right":
        palm = None  # the label and the wrist disagree on which hand it is: the normal's sign is a guess
    judged = palm  # the palm the hold's check reads; whether a frame holds a gesture at all reads `palm`
    if p.palm_lifter and hand is not None:
        # trained on guiding arms only: off them (a hand on the desk, held in front) it read palms down as up (0.93
        # for -0.94) and opened five false guides on the tune splits, so it judges the hold's palm and opens nothing
        judged = frame.cached("palm_lift.right", lambda: palm_lifter().up(hand, frame.pose, frame.cam, frame.world))
        judged = judged if math.isfinite(judged) else None
    tilt = frame.cached("forearm.right", lambda: forearm_from_vertical(frame.pose, frame.cam, "right"))
    if tilt is not None and tilt < 25 and w[R_WRIST][1] > w[R_SHOULDER][1] - 0.15:
        return None  # a raised-hand greeting, not a guide
    if w[R_WRIST][1] > w[R_SHOULDER][1] + 0.35:
        return None
    palm_up = palm is not None and palm >= p.palm_up_min
    raised = w[R_WRIST][1] - w[R_SHOULDER][1] >= -p.raised_below_shoulder_m
    if bow is not None and bow > p.max_bow_deg:
        return None
    from_rest = rest_lateral is not None and lateral - rest_lateral >= p.swing_m
    lifted = p.lifted_forearm_deg is not None and tilt is not None and tilt <= p.lifted_forearm_deg
    swung = (lateral >= p.lateral_m and (rest_lateral is None or from_rest)) or (lifted and from_rest)
    if not (swung or (palm_up and (forward >= p.forward_m or raised or lifted))):
        return None
    arm = frame.arms.get("right")
    ratio = forearm_ratio(frame.pose, frame.cam, arm, "right") if arm else None  # the elbow's cue gate reads it too
    el = frame.cached("elbow.right", lambda: elbow_angle(frame.pose, frame.cam, "right", arm, ratio))
    roots = elbow_upper_roots(frame.pose, frame.cam, arm, "right") if arm else None
    excess = elbow_excess_px(frame)
    # the cue's own spread and the elbow joint's expected misplacement (`elbow_excess_px`)
    elbow_deg, elbow_sigma = el.value, float(np.hypot(el.sigma, elbow_joint_sigma_deg(frame, excess)))
    # the learned reading, judged at the hold (`_report`: used where its median agrees with the cue median's)
    lifted_deg = frame.cached("elbow_lift.right", lambda: lifter().angle(frame.pose, frame.cam)) \
        if p.elbow_lifter else None
    hip = (w[L_HIP] + w[R_HIP]) / 2
    lw = w[L_WRIST] - hip
    axis = hand_elevation_deg(hand, frame.cam) if hand is not None else None
    return {
        # the arm seen off its hanging pose (`hand_out_deg`): the forearm lifted or the palm up, and the hand's axis
        "off_hanging": bool(lifted or palm_up), "hand_axis_deg": axis, "rest_known": rest_lateral is not None,
        "elbow_deg": elbow_deg,
        "elbow_sigma_deg": elbow_sigma,
        "elbow_lift_deg": lifted_deg,
        "elbow_world_deg": elbow_angle_world(frame.pose, "right"),
        "arm_visibility": float(visibility(frame.pose, SIDE["right"]).min()),
        "left_arm_visibility": float(visibility(frame.pose, SIDE["left"]).min()),
        # of the length-based readings with the upper arm toward or away from the camera, the one nearer the target
        "elbow_alt_deg": None if roots is None else min(roots, key=lambda a: abs(a - p.elbow_target_deg)),
        "gap_m": upper_arm_gap_m(frame.pose, frame.cam, "right"),
        "gap_sigma_m": gap_sigma_m(frame, excess),
        "palm_up": judged,
        "fingers_together": fingers_together_score(hand) if hand else None,
        "finger_spread_deg": finger_spread_deg(hand) if hand else None,
        "finger_spread_sigma_deg": finger_spread_sigma_deg(hand) if hand else None,
        "fingertip_deg": fingertip_lead_deg(frame, hand) if hand else None,
        "fingertip_sigma_deg": forearm_direction_sigma_deg(frame) if hand else None,
        "forearm_ratio": ratio if hand else None,
        "left_x_m": float(lw[0]), "left_y_m": float(lw[1]), "left_z_m": float(lw[2]),
        "bow_deg": bow,
        "position": "high" if axis is not None and p.high_hand_deg is not None and axis >= p.high_hand_deg
        else position_class(w, el.value),
    }


# Frames of an episode that must show the arm off its hanging pose. Standing with the arm truly hanging (tune splits +
# session 24's renders, 3366 frames) the forearm read lifted on 1.8 % (walking in or out), the hand's axis at or
# over -35 deg on 3 % of the frames with a hand, the palm up on none: one such frame is noise.
OFF_HANGING_FRAMES = 2


def hung_throughout(rows: list[dict[str, Any]], hand_out_deg: float | None) -> bool:
    """An episode read only off the absolute lateral test (no resting reading on any frame) in which the arm never
    left its hanging pose: under OFF_HANGING_FRAMES frames with the forearm lifted, the palm up or the hand's axis
    at or over `hand_out_deg`."""
    if hand_out_deg is None or any(r["rest_known"] for r in rows):
        return False
    off = sum(1 for r in rows
              if r["off_hanging"] or (r["hand_axis_deg"] is not None and r["hand_axis_deg"] >= hand_out_deg))
    return off < OFF_HANGING_FRAMES


# Where the left wrist rests at the abdomen (world landmarks, metres from the hip centre: +X left, +Y up, +Z forward),
# (low, high) per axis. Forward up to 0.50 m: the simulator puts that hand 0.28-0.30 m in front of the hip joints on
# every body, MediaPipe reads 0.24-0.42 (the heavy body at (1.3 m, -20 deg) 0.42, which failed two compliant guides
# at the old 0.40). The window keeps out a hand on the desk (below the hips when standing) or hanging at the side (tune
# and tune_side, standing before the guide: -0.06..0.07 m up, 0.07-0.33 out, 0.06-0.26 forward).
LEFT_HAND_WINDOW = ((-0.18, 0.18), (0.05, 0.45), (-0.05, 0.50))
# MediaPipe's left wrist against the simulator's, the median of each guide hold (the error holds for a whole gesture,
# like the gap's): RMS per axis over the 36 tune and tune_side guides (bias -0.03 m up). Seen from 35-50 deg on the
# clerk's left it read a compliant guide's hand 0.04-0.09 m low or 0.10-0.14 m out to the left, past the window's edge
LEFT_HAND_SIGMA_M = (0.043, 0.039, 0.053)


def left_hand_at_abdomen(lw: np.ndarray, sigma: tuple[float, float, float] | None = None,
                         k: float = 1.0) -> bool | None:
    """The left wrist rests in front of the abdomen (inside LEFT_HAND_WINDOW): True; False when outside it (by more
    than k of that axis's sigma, given `sigma`); else None (a reading this view cannot tell from the window's edge)."""
    sig = sigma or (None, None, None)
    verdicts = [judge(float(v), s, lo, hi, k) for v, s, (lo, hi) in zip(lw, sig, LEFT_HAND_WINDOW, strict=True)]
    if False in verdicts:
        return False
    return None if None in verdicts else True


@register
class GuidingGesture(Rule):
    rule_id: ClassVar[str] = "guide.gesture"
    needs: ClassVar[frozenset[str]] = frozenset({"pose", "hands"})
    Params: ClassVar[type[RuleParams]] = GuideParams

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        super().__init__(counter, params)
        self.p = GuideParams.model_validate(params.model_dump())
        self.eps = Episodes(self.p.min_hold_s, 0.3)
        # (t, the wrist's lateral reading) standing upright at rest
        self.rest: deque[tuple[float, float]] = deque(maxlen=REST_FRAMES)
        self.signs = PalmSigns()  # the side's sign held over a flickering label (`palm_needs_label_agree` off)

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        frame = clerk_frame(obs, ctx)
        row = None
        if frame is not None and "hands" in obs.ran and not self.p.palm_needs_label_agree:
            hand, wrist = clerk_hand(frame, obs, "right"), frame.pose.landmarks[R_WRIST]
            palm = self.signs.score(ctx.clock.t, hand, frame.cam, "right", wrist)
            frame.memo["palm_up.right"] = palm  # guide_row reads it (`palm_up_score` with the held sign)
        if frame is not None and is_standing(frame, self.counter, self.p.min_standing_shoulder_m) is not False:
            # the median only when the absolute test passes or a lifted forearm may use it (it decides nothing else)
            out = frame.world is not None and (wrist_lateral_m(frame.world) >= self.p.lateral_m
                                               or self.p.lifted_forearm_deg is not None)
            while self.rest and ctx.clock.t - self.rest[0][0] > self.p.rest_max_age_s:
                self.rest.popleft()
            rest = float(np.median([x for _, x in self.rest])) if out and self.rest and self.p.swing_m > 0 else None
            row = guide_row(frame, obs, self.p, frame.bow.angle if frame.bow else None, rest)
            if row is None and frame.world is not None and frame.bow is not None and abs(frame.bow.angle) < UPRIGHT_DEG:
                self.rest.append((ctx.clock.t, wrist_lateral_m(frame.world)))
        done = self.eps.step(ctx.clock.t, ctx.clock.wall, None if frame is None else row is not None, row)
        return self._report(done)

    def finish(self, ctx: RuleContext) -> list[Event]:
        return self._report(self.eps.close())

    def _report(self, done) -> list[Event]:
        if done is None:
            return []
        (t0, w0), (t1, w1), rows = done
        p = self.p
        if hung_throughout(rows, p.hand_out_deg):
            return []  # a hanging arm read out to the side (steep view, before any resting reading): no gesture
        up_min = UP_MIN if p.palm_lifter else p.palm_up_min  # the learned reading's bar is the truth's (palm_lift)
        m = {k: median_of(rows, k) for k in ("elbow_deg", "elbow_alt_deg", "elbow_world_deg", "gap_m", "palm_up",
                                              "fingers_together", "fingertip_deg", "left_x_m", "left_y_m", "left_z_m",
                                              "bow_deg", "elbow_sigma_deg", "fingertip_sigma_deg", "forearm_ratio",
                                              "gap_sigma_m", "arm_visibility", "left_arm_visibility",
                                              "finger_spread_deg", "elbow_lift_deg",
                                              "finger_spread_sigma_deg")}
        positions = [r["position"] for r in rows]
        position = max(set(positions), key=positions.count)
        # the gap does not apply to the high guide; a hold read high on a third of its frames or more (the wrist near
        # the class boundary, tune_wide (1.2 m, -10 deg): 5 of 10) may be one, so its gap is unknown
        maybe_high = positions.count("high") * 3 >= len(positions)
        def within(key: str, target: float, tol: float) -> bool | None:
            return None if m[key] is None else abs(m[key] - target) <= tol

        def at_least(key: str, low: float) -> bool | None:
            return None if m[key] is None else m[key] >= low

        left = None if any(m[k] is None for k in ("left_x_m", "left_y_m", "left_z_m")) \
            else np.array([m["left_x_m"], m["left_y_m"], m["left_z_m"]])
        # from the guiding arm's side the left arm is behind the body and MediaPipe guesses it (tune_sweep (1.5 m,
        # 1.9 m, -50 deg): scored 0.33-0.5, the compliant high guide's left hand read 0.29 m out to the left)
        left_hidden = m["left_arm_visibility"] is not None and m["left_arm_visibility"] < p.min_arm_visibility
        elbow_range = (p.elbow_target_deg - p.elbow_tolerance_deg, p.elbow_target_deg + p.elbow_tolerance_deg)
        # the cues' error is mostly the view's (depth along the line of sight), not frame-to-frame noise: the
        # event keeps the frames' median sigma rather than shrinking it by the number of frames
        cue_deg = m["elbow_deg"]
        m["elbow_deg"], m["elbow_sigma_deg"], source = hold_elbow(m["elbow_lift_deg"], cue_deg, m["elbow_sigma_deg"], p)
        elbow = judge(m["elbow_deg"], m["elbow_sigma_deg"], *elbow_range, p.confident_sigmas)
        if m["arm_visibility"] is not None and m["arm_visibility"] < p.min_arm_visibility:
            elbow = None  # the arm's joints are hidden (behind the torso from the clerk's left): guessed, not measured
        if elbow is False and p.elbow_depth_alternative and m["elbow_alt_deg"] is not None \
                and judge(m["elbow_alt_deg"], m["elbow_sigma_deg"], *elbow_range, p.confident_sigmas) is not False:
            # the image and the arm's lengths also fit an arm that passes, with the upper arm's depth sign (which no
            # cue settles) the other way round: not a confident failure
            elbow = None
        checks: dict[str, bool | None] = {
            "elbow": elbow,
            # the ~10 cm upper-arm gap describes the arm held out at the side; raised high (请往前走) the
            # elbow leaves the torso (0.18-0.21 m from the shoulder in the simulator's compliant high guide)
            "upper_arm_gap": None if maybe_high else judge(
                m["gap_m"], m["gap_sigma_m"], p.gap_target_m - p.gap_tolerance_m, p.gap_target_m + p.gap_tolerance_m,
                p.confident_sigmas),
            # a palm seen edge-on (a raised or lowered hand with the camera near its height) reads near 0 whichever
            # way it faces: only a clear reading either way decides (tune: compliant -0.1..0.9, palm down -0.8)
            "palm_up": None if m["palm_up"] is None or p.palm_down_max < m["palm_up"] < up_min
            else m["palm_up"] >= up_min,
            # judged on the spread (deg) behind the score, where its sigma is defined; without image landmarks the score
            "fingers_together": at_least("fingers_together", p.fingers_together_min) if m["finger_spread_deg"] is None
            else judge(m["finger_spread_deg"], m["finger_spread_sigma_deg"], 0.0,
                       max_spread_deg(p.fingers_together_min), p.confident_sigmas),
            # the lead is an image angle: with the forearm pointing far out of the image (under FORE_FORESHORTENED of
            # its length, where the elbow takes the metric cue) a small 3D misalignment shows as any 2D angle
            "fingertips_lead": None if m["forearm_ratio"] is not None and m["forearm_ratio"] < FORE_FORESHORTENED
            else judge(m["fingertip_deg"], m["fingertip_sigma_deg"], 0.0, p.fingertip_max_deg, p.confident_sigmas),
            # the hold's median wrist, judged against the wrist's measured error
            "left_hand_abdomen": None if left is None or left_hidden
            else left_hand_at_abdomen(left, LEFT_HAND_SIGMA_M, p.confident_sigmas),
            "body_bow": within("bow_deg", p.bow_target_deg, p.bow_tolerance_deg),
        }
        failed = [k for k, v in checks.items() if v is False]
        unknown = [k for k, v in checks.items() if v is None]
        evidence = {
            "position": position,
            "elbow_deg": r1(m["elbow_deg"]), "elbow_sigma_deg": r1(m["elbow_sigma_deg"]),
            "elbow_source": source, "elbow_cue_deg": r1(cue_deg), "elbow_lifted_deg": r1(m["elbow_lift_deg"]),
            "elbow_world_deg": r1(m["elbow_world_deg"]), "elbow_alt_deg": r1(m["elbow_alt_deg"]),
            "arm_visibility": None if m["arm_visibility"] is None else round(m["arm_visibility"], 2),
            "left_arm_visibility": None if m["left_arm_visibility"] is None else round(m["left_arm_visibility"], 2),
            "upper_arm_gap_m": None if m["gap_m"] is None else round(m["gap_m"], 3),
            "upper_arm_gap_sigma_m": None if m["gap_sigma_m"] is None else round(m["gap_sigma_m"], 3),
            "palm_up": r1(m["palm_up"]), "fingers_together": r1(m["fingers_together"]),
            "finger_spread_deg": r1(m["finger_spread_deg"]),
            "finger_spread_sigma_deg": r1(m["finger_spread_sigma_deg"]),
            "fingertip_vs_forearm_deg": r1(m["fingertip_deg"]),
            "fingertip_sigma_deg": r1(m["fingertip_sigma_deg"]),
            "forearm_in_image": None if m["forearm_ratio"] is None else round(m["forearm_ratio"], 2),
            "body_bow_deg": r1(m["bow_deg"]),
            "left_wrist_m": None if left is None else [round(float(v), 3) for v in left],
            "checks": checks, "failed": failed, "unknown": unknown, "duration_s": round(t1 - t0, 2),
        }
        return instant_event(self.rule_id, self.counter.counter_id, Clock(t0, w0), Clock(t1, w1),
                             outcome="violation" if failed else "pass", evidence=evidence,
                             hall_id=self.counter.hall_id)
