"""handover.two_hands — documents handed over or received with both hands (000 二(二)(五); 003 B.12).

What a handover across a service counter looks like from the camera: the hand(s) holding the document lift
off the desk and move toward the client's side of the desk (and a little toward the client). The rule reads
each wrist where the image puts it precisely: its 2D landmark back-projected through the calibrated camera onto
a coronal plane, giving its sideways and vertical place in metres. Seated, that plane is the desk's
(`REACH_PLANE_M` in front of the hips): MediaPipe's world depth of a resting wrist read 0.06-0.62 m on the
renders for a labelled 0.38, and its world landmarks put the lift of a reach seen from above near zero or below
(tune_wide (1.8 m, -40 deg): -0.05 m for a labelled +0.14). Standing, the hands may hang at the sides, so the
plane is at MediaPipe's median rest depth, moved forward only for a wrist it puts `DEPTH_NOISE_M` further
ahead. Each wrist is compared with where it rested (median over `rest_window_s` of the frames where both hands
were near their rest: a hand held out is never learned as the rest, which at 27a68c1 absorbed every held
simulated reach within 1.4 s; a new posture held `relearn_s` becomes it):

- lift: the wrist rose at least `lift_m` times the share of a lift this view shows (`canonical_reach`: a camera
  looking down on a reach that also comes forward sees it drop: 0.01 m of 0.14 at (1.5 m, 40 deg)), and stays
  below the shoulders plus `max_above_shoulder_m` (a raised greeting, a hand at the face are not handovers);
- toward the client: it moved at least `toward_m` sideways toward the client's side (the rule's `client_side`
  when the installer set it, else from the calibrated client zone (`client_side`: a zone covering the clerk's hands
  at work puts the client between camera and clerk, on the camera's side); without either, the side the
  farther-moved hand went);
- together (hypotenuse) at least `move_m`: the hand holding the document moves mostly sideways, the other hand
  mostly up to meet it (measured on the simulator's handovers: 0.15-0.35 m);
- or, the reach across the desk (6d9b4d6: papers picked up, reached 0.16-0.18 m forward with an 18-deg lean, held
  at shoulder height): a camera looking down reads that forward move as a drop on the plane (the lift above: -0.19
  to +0.02 m at (1.5 m, 40 deg) and (1.6 m, 30 deg) for 0.17 m up), so the wrist's image move is compared with
  the image of that reach (`ACROSS_REACH_M`, through the calibrated camera): it covered at least `min_progress`
  of it (held hands 0.5-1.4, the hand left on the desk 0.0-0.25) and did not go away from the client's side;
- either way, rising at most `max_lift_m` (a phone at the ear rises 0.24-0.37 m and also moves up the reach's
  image) and at most `max_above_shoulder_m` above the shoulders (the papers are held about level with the
  shoulders, which the lean lowers: MediaPipe read the held wrist up to 0.05 m above them).

A clerk who stood up or sat down since the rest was read moved both hands with the body (standing for a visitor
read as two hands out): those frames are unknown until a new rest is learned. A handover is a hand "out" while a
client is at the window (a queue call or a person in the client zone: with
nobody to hand to, an arm held out is a guiding gesture) and the other hand did not move the opposite way (that
is the shoulders turning, not a reach). A hand seen pointing with one finger (`etiquette_point.one_finger`) is
not holding a document. The torso must lean `min_lean_deg` toward the client to start one (hands still out then
carry it on a lower reading: the bow estimate of a held lean fades), but only once an upright baseline
was read while the hands were at rest: a baseline learned while the clerk was already reaching is not upright,
and a lean read against it means nothing (the simulator's clips open on the reach and read -1.2..+6 deg for
labelled 4-8 deg; a camera in service learns the baseline long before). A bow reading on a frame with the hands at
rest says so, and so does the first bow reading when the hands never left their rest before it: the baseline was
learned on those frames (a hand that leaves on the very frame of the first reading gave no at-rest frame a reading,
and a cup put back toward the client then passed unchecked as a one-hand handover). The episode passes when, for at
least `both_share` of it, both hands were out; otherwise it is a violation.

Viewpoints that cannot see it: a reach that runs along the camera's line of sight barely moves in the image. The
rule projects a canonical reach (`CANON_REACH_M`, from each resting wrist) through the calibrated camera and,
when either hand's would move less than `min_view_reach_sw` image shoulder widths (this frame's or the clerk's
usual one, whichever is wider: from -35..-40 deg the pose reads an arm raised to the ear as the torso turning
side-on, 3-23 px for a usual 60-68, and the reach then looked long while the far wrist was dragged toward the
client), cannot read the reach's direction: (1.8 m, -40 deg) gives 0.19-0.28 toward the client's actual side
(the simulator's reach there: 0.14-0.16 m toward the client, 0.18 up, 0.20-0.32 forward, all but the lift toward
the camera), (1.55 m, 1.45 m, -30 deg) 0.29-0.33, the other tune views 0.56-1.09. There a hand is out when its
wrist moved at least `min_move_sw` usual image shoulder widths from its rest (any direction; below `max_lift_m` and
the shoulder bar as above), and the lean toward the client is always checked, since nothing else tells a handover
from pointing or placing something (session 8: the reaching wrist moved 0.23-1.0 usual widths at those views, the
hand left on the desk 0.01-0.15, the lean read 12-23 deg; pointing at the client there moved the wrist up to 0.48
with the torso at -1). With `min_move_sw` None those views judge nothing.
Since session 27 (`across_view`) the view check asks that the across reach, the one clerks make, be seen: at
(1.7 m, 1.8 m, -30 deg) the sideways reach's image was 0.42-0.61 usual widths and the across reach's 0.14-0.24, the
true wrists moved 3-16 px, and the view, "seen" on the sideways reach, found nothing out. Judged by the move there, a
wrist that went clearly away from the client on the hands' plane (`toward_m`) is still not out, since the sideways
reach shows that direction. Until session 6 the zone put the -40
client on the clerk's left, where a reach has a long image, and those clips passed only because the forward move's
image happened to point along it.

Far to the side (session 24): from (1.5 m, 1.9 m, -50 deg) the across reach's forward part, back-projected onto the
hands' plane, reads 0.21-0.29 m *away* from the client (`apparent_toward`; every other judged tune view reads it
0.02 m or more toward). A real reach there reads away too, so the "not away" and turned-shoulders guards rejected
every handover, while a reading clerk whose pose dragged a wrist sideways passed the sideways reach's progress test.
Where both wrists' modelled across reach reads at least `toward_m` away (`forward_view`; the view check passing),
a hand is out by its image progress along the across reach alone (`min_progress`, under `max_lift_m` and the
shoulder bar), a partner must not move against that reach's image, the turned-shoulders guard is off and the lean is
always checked, as where the view check fails. The hidden-hand test is not applied to an episode judged so: the
lean rules a point out there (points -3.4..+0.9 deg on their held frames), and the client's box, spanning the
clerk's side of the image, is taken for the clerk's own on some detector runs and not on others (hidden share 0.58
on the tune -50 one-hand handover, 0 or 1 on renders of one scene). Held frames (1.4-3.2 s) at -50/-55, tune and
renders: the reaching hands read a median 0.07-2.7 along it (at least `min_progress` on 3-10 of 10 frames), the
partners of the two-hand handovers 0.81-1.81, the hand left on the desk (dragged by the pose) -1.3..-0.15; the
gaze_client wrist the pose dragged sideways -0.23..-0.61. Pointing, drinking and phone arms also move along it at
-55 (up to 0.9-1.3): the lean rules those out (their held frames read at most 0.9 deg, a handover starts at
`min_lean_deg`; the handovers peak at 9.5-24.3). The gaze_client reading lean reached 9.8 deg: there the image
direction did the work.

A forearm folded onto the shoulder (session 27): from the client's side (-30..-40 deg) the reach runs toward the
camera and MediaPipe often puts the near, reaching wrist at the shoulders, 60-100 px above its true place (0.26 m
"up", 0.20-0.23 m over the shoulders), past `max_lift_m` and the shoulder bar, which are there for a hand at the
face. A phone at the ear comes with the torso upright (at most 4.5 deg on the four tune splits' streams); those
handovers lean 10-18 deg. On a frame whose judged lean reaches `fold_lean_deg` both height bars are waived (for the
partner too) and the wrist's move is judged as usual.

From a high, far camera on the client's side (session 28: 1.65-1.8 m high, 1.6-1.9 m away, -30 deg) the across
reach runs along the line of sight: its image is 0.04-0.11 usual shoulder widths, and the true reaching wrist moves
0.07-0.26 while held (the hand left on the desk 0.03-0.06), under `min_move_sw`. On a frame whose judged lean reaches
`fold_lean_deg`, a hand whose across reach's image is shorter than `min_move_sw` is out when its wrist moved that
image's length, and at least `short_reach_move_sw`. There, too, the reach's forward part (0.14-0.31 m with the body)
reads as a move away from the client on the hands' plane, for both hands: the partner of a two-hand handover may read
as far away as the out hand does (`partner_away_as_lead`), down to what a deep across reach (`DEEP_ACROSS_M`) reads
from its rest.

A hand behind the client: where the client sits between the camera and the clerk ((1.3 m, 2.0 m, -20 deg)), the
reaching hand is behind the client's back, and the hand model finds no hand there; a finger pointed at the client
and a hand holding a document then look alike. A one-hand episode whose out wrist lay, on at least
`hidden_share` of its one-hand frames, inside the person box of someone in front of the post (the box's foot on
the floor `in_front_m` ahead of the post, or running off the frame's bottom: `etiquette_common.in_front_of_post`)
is reported as `info` with `verdict: unknown` instead of a violation. On tune and tune_wide that is the reaching
wrist of the pointing clip at -20 deg on all 14 of its frames, and of no one-hand handover (0 of 14-16 frames at
every other view). Two hands out stays a pass there: pointing does not move the other hand.

A lean never judged: a one-hand episode in which no frame judged the lean (the arm left its rest before an upright
baseline was read with the hands at rest, as at the start of a stream) is reported as `info` with `verdict: unknown`
(`unjudged_lean_unknown`; never with `min_lean_deg` None). A finger pointed at the client where the hand model finds
no hand at the wrist reads exactly as a one-hand reach (lift, toward the client, image progress, the other hand
still); only the lean tells them apart (session 21, the four tune splits and 30 scratch renders: the 6 pointing
episodes had the lean unjudged, episode medians -4.3..-1.2 deg; all 39 real handover episodes had it judged,
4.6-22.4 deg). In service the baseline is read long before the first handover: this touches a stream's first seconds.

Someone nearer the camera: a pose whose shoulders read wider at the clerk's plane than a clerk's could
(`_frame.someone_nearer`, `max_body_width_m`) is a client or visitor the pose model took for the clerk; its frames
are unknown and never feed the rest. (The view check mostly silences such a pose too: its image shoulders are wide,
so a reach covers few of them.)

One reach, one episode (session 28, `reach_gap_s`): a frame or two of a held reach can fail a test (the pose throws
a wrist tens of pixels off: the turned-shoulders guard or the out test drops the frame), and in a two-hand handover one
hand often leads and the other joins a moment later. An episode that closed is held until both hands are back at
their rest or `reach_gap_s` passed since its last frame out; an episode starting in that time continues it. The reach
passes when its whole, or one of its parts held `min_hold_s`, had both hands out for `both_share`: a pass is reported
when its part closes and the reach's later parts add nothing; a violation is reported when the reach is over (the
hands at rest, at once on the four tune splits; else up to `reach_gap_s` later).

Limits: nothing sees the document itself (the packaged detectors have no paper class), so a one-handed
reach toward the client for anything on the desk counts as a one-handed handover.
"""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from calibration.config import CounterConfig
from pipelines.context import point_in_polygon
from pipelines.engine import Rule, RuleContext, RuleParams, register
from pipelines.events import Event
from pipelines.geometry import FORWARD, L_SHOULDER, L_WRIST, R_SHOULDER, R_WRIST, UP, CameraModel
from pipelines.rules._body import STANDING_SHOULDER_M, calibrated
from pipelines.rules._frame import MAX_CLERK_SHOULDER_DOC, MAX_CLERK_SHOULDER_M, someone_nearer
from pipelines.rules.etiquette_common import (
    FRAME_EDGE_PX,
    IN_FRONT_M,
    Episodes,
    Frame,
    clerk_frame,
    clerk_hand,
    in_front_of_post,
    is_standing,
    median_of,
    shoulder_height_m,
    shoulder_px,
    usual_width_px,
)
from pipelines.rules.etiquette_point import one_finger
from pipelines.temporal import TIME_EPS, Clock, instant_event
from vision.observation import Observation
from vision.roi import box_holds

SIDES = (("right", R_WRIST), ("left", L_WRIST))
CLERK_CHEST_M = 1.0  # the clerk's chest height, seated (m): where the camera sees the clerk
# The hands' coronal plane: forearms on the desk put the wrists 0.37-0.38 m ahead of the shoulders on the
# simulator's bodies, 0.40-0.49 m while reaching; the shoulders sit about on the clerk's axis.
REACH_PLANE_M = 0.4
HANDS_AT_WORK_M = np.array([0.0, 0.8, REACH_PLANE_M])  # the hands at work on the desk, in front of the clerk (m)
MIN_CAMERA_ASIDE_M = 0.1  # a camera this far to one side of the clerk has a side a client between them shares
# A canonical handover from the resting wrist (m, clerk axes): toward the client's side, up, forward
# (the simulator's reach: 0.20 sideways, 0.14 up, 0.03-0.11 forward).
CANON_REACH_M = (0.20, 0.14, 0.10)
# The realistic handover (6d9b4d6: papers picked up, reached across the desk with an 18-deg lean, held at shoulder
# height): 0.12-0.13 sideways, 0.16-0.17 up, 0.16-0.18 forward from the typing rest (the renders' joints).
ACROSS_REACH_M = (0.12, 0.17, 0.18)
REACHES = (CANON_REACH_M, ACROSS_REACH_M)
# The deepest across reach of the simulator's bodies (session 28, the labels' 3D wrists over the held frames): the
# forward part runs 0.14-0.31 m with the body (m_young_avg and m_heavy_tall the longest), sideways 0.12-0.16, up 0.17.
DEEP_ACROSS_M = (0.12, 0.17, 0.30)
WRIST_DEPTH_M = (0.0, 0.8)  # a wrist's depth in front of the hips, as far as a seated or standing reach goes
DEPTH_NOISE_M = 0.15  # MediaPipe's world depth of a held wrist wanders this much (renders: up to 0.13 m)
MIN_WRIST_VISIBILITY = 0.3


class HandoverParams(RuleParams):
    min_hold_s: float = Field(0.4, ge=0)
    lift_m: float = Field(0.05, ge=0, description="a hand out: the wrist rose at least this much from its rest")
    toward_m: float = Field(0.05, ge=0, description="and moved at least this far sideways toward the client")
    move_m: float = Field(0.15, gt=0, description="and the two moves together (hypotenuse) reach this")
    min_progress: float = Field(0.4, description="a hand out: its wrist moved this share of the canonical reach "
                                                 "along that reach's image in this view")
    max_lift_m: float = Field(0.22, description="and rose at most this much: a wrist raised higher is at the face "
                                                "(a phone at the ear reads 0.24-0.37 m), the papers rise ~0.17 m")
    max_above_shoulder_m: float = Field(0.1, description="and stays below the shoulders plus this (metres)")
    min_lean_deg: float | None = Field(3.0, description="torso lean toward the client while handing over "
                                                        "(None = not checked); checked once an upright baseline "
                                                        "was read with the hands at rest")
    both_share: float = Field(0.5, gt=0, le=1, description="share of the handover with both hands out")
    partner_share: float | None = Field(
        0.4, gt=0, description="with one hand out, the other counts as out too when its image moved at least this "
                               "share of the out hand's, not away from the client (None: off)")
    need_client: bool = Field(True, description="only while a client is at the window: a person in the client "
                                                "zone (the context's client_present) or a recent queue call")
    client_call_s: float = Field(300.0, ge=0, description="a queue call this recent means a client is served")
    client_side: Literal["left", "right"] | None = Field(
        None, description="the clerk's side where the client sits; None = from the calibrated client zone "
                          "(`client_side`)")
    rest_window_s: float = Field(5.0, gt=0, description="the resting wrist is the median over this window")
    rest_min_s: float = Field(0.6, ge=0, description="history needed before any handover counts")
    relearn_s: float = Field(10.0, gt=0, description="hands held away from the rest this long: the new rest")
    min_view_reach_sw: float = Field(0.35, ge=0, description="a canonical reach must move each wrist this many "
                                                            "image shoulder widths, else the view cannot judge")
    min_move_sw: float | None = Field(0.2, description="where a reach runs along the line of sight (the view check "
                                                       "fails), a hand is out when its wrist moved this many usual "
                                                       "image shoulder widths, the torso leaning; None: no event")
    forward_view: bool = Field(True, description="where the modelled across reach itself reads more than `toward_m` "
                                                 "away from the client on the hands' plane (its forward move "
                                                 "dominates), a hand is out by its image progress along that reach "
                                                 "alone, the lean is always checked, and the hidden-hand test "
                                                 "is not applied")
    fold_lean_deg: float | None = Field(
        8.0, description="a wrist risen over `max_lift_m` or the shoulder bar still counts (its move tested as usual) "
                         "on a frame whose judged lean toward the client reaches this: the pose folds a reaching "
                         "forearm onto the shoulder, and a clerk leaning this far is handing over, not phoning "
                         "(session 27; None: the bars always hold)")
    across_view: bool = Field(True, description="the view check asks that the across reach (the realistic one) be "
                                                "seen: where its image is under `min_view_reach_sw` the view judges "
                                                "by the move, however long the sideways reach's image (session 27)")
    short_reach_move_sw: float | None = Field(
        0.1, description="judged by the move, on a frame whose judged lean reaches `fold_lean_deg`, a hand whose "
                         "across reach's image is shorter than `min_move_sw` is out when its wrist moved that "
                         "image's length, and at least this many usual widths (session 28; None: `min_move_sw` "
                         "always)")
    partner_away_as_lead: bool = Field(True, description="the partner's 'not away' allows as far away on the hands' "
                                                         "plane as the out hand itself reads, down to what this view "
                                                         "reads of a deep across reach (`DEEP_ACROSS_M`) from the "
                                                         "partner's rest (session 28)")
    reach_gap_s: float | None = Field(
        1.5, description="one reach is one episode: an episode starting within this long of the last one's end, "
                         "its hands not both back at rest in between, continues it; the reach passes when it or "
                         "one of its parts held `min_hold_s` passes (session 28; None: every episode on its own)")
    unread_lean_holds: bool = Field(True, description="a frame of an episode under way with no lean reading is "
                                                      "unknown (holds the episode), not the end of it (session 27)")
    hidden_share: float = Field(0.5, gt=0, le=1, description="a one-hand episode with its out wrist inside a person "
                                                             "box in front of the post on this share of its frames "
                                                             "is unknown (info): the hand is behind that person")
    unjudged_lean_unknown: bool = Field(True, description="a one-hand episode whose lean was never judged (no upright "
                                                          "baseline read with the hands at rest yet) is unknown "
                                                          "(info): only the lean told a point from such a reach")
    in_front_m: float = Field(IN_FRONT_M, description="a person box whose foot lies this far in front of the post "
                                                      "stands between the camera and the clerk's hands")
    frame_edge_px: float = Field(FRAME_EDGE_PX, ge=0, description="a person box this close to the frame's bottom: "
                                                                  "feet out of frame, nearer the camera")
    people_memory_s: float = Field(2.5, gt=0, description="a person box holds this long (the detector runs every "
                                                          "few frames)")
    max_body_width_m: float = Field(MAX_CLERK_SHOULDER_M, gt=0, description=MAX_CLERK_SHOULDER_DOC)


def client_side(counter: CounterConfig, cam: CameraModel) -> float | None:
    """+1 / -1: the clerk-world X side of the client (+1 the clerk's left). None without a client zone, or for a
    camera behind the clerk's shoulder line.

    When the client zone covers where the clerk's hands work (`HANDS_AT_WORK_M`), the line of sight to them crosses
    the client: the client sits between the camera and the clerk, so on the camera's side of the clerk (tune
    (1.3 m, 2.0 m, -20 deg) and tune_wide (1.8 m, 1.7 m, -40 deg): the client 0.5 m from the lens on the clerk's
    right). Otherwise, from where the zone's centre lies in the image against the clerk (the post's origin at chest
    height): a camera facing the clerk sees the clerk's right on the image's left. The centre alone read the
    (1.8 m, -40 deg) client on the clerk's left: seen from above and beside, the client's box spreads right of the
    clerk in the image. (Back-projecting the zone's centre at a client's chest height put y30/y40 clients on the
    wrong side instead: their zone is a sliver at the image's edge.)"""
    zone = counter.zones.client
    if not zone or abs(cam.yaw_deg) >= 90:
        return None
    if abs(float(cam.C[0])) >= MIN_CAMERA_ASIDE_M and point_in_polygon(tuple(cam.project(HANDS_AT_WORK_M)), zone):
        return float(np.sign(cam.C[0]))
    centre_x = float(np.mean(np.asarray(zone, float)[:, 0]))
    clerk_x = float(cam.project(UP * CLERK_CHEST_M)[0])
    if abs(centre_x - clerk_x) < 1.0:
        return None
    return 1.0 if centre_x > clerk_x else -1.0


def wrists_seen(frame: Frame) -> dict[str, np.ndarray | None]:
    """Each wrist as (u, v, depth): its image landmark and its depth in front of the hips from MediaPipe's world
    landmarks (nan without them); None for a wrist the pose does not see."""
    lms = frame.pose.landmarks
    out: dict[str, np.ndarray | None] = {}
    for hand, i in SIDES:
        lm = lms[i]
        depth = float(frame.world[i][2]) if frame.world is not None else float("nan")
        out[hand] = np.array([lm.x, lm.y, depth]) if lm.visibility >= MIN_WRIST_VISIBILITY else None
    return out


def wrist_depths(now: float, rest: float, standing: bool) -> tuple[float, float]:
    """(depth of the wrist now, depth at rest) for the back-projection. Seated (or not known), the hands work on
    the desk: both on `REACH_PLANE_M`, since MediaPipe's world depth of a resting wrist read 0.06-0.62 m on the
    renders for a labelled 0.38 (per-frame depths took tune_wide F1 from 0.8 to 0.4). Standing, the hands may
    hang at the sides or rest on a counter, so MediaPipe's depth is all there is: the rest's median depth, and
    now the same unless the wrist came more than `DEPTH_NOISE_M` further forward."""
    if not standing or not np.isfinite(rest):
        return REACH_PLANE_M, REACH_PLANE_M
    base = float(np.clip(rest, *WRIST_DEPTH_M))
    ahead = now - base - DEPTH_NOISE_M if np.isfinite(now) else 0.0
    return float(np.clip(base + max(ahead, 0.0), *WRIST_DEPTH_M)), base


def nanmedian_columns(rows: np.ndarray) -> np.ndarray:
    """np.nanmedian(rows, axis=0) for a few columns, without numpy's masked-array path (it ran every frame)."""
    if not np.isnan(rows).any():
        return np.median(rows, axis=0)
    out = np.full(rows.shape[1], np.nan)
    for j in range(rows.shape[1]):
        col = rows[:, j][~np.isnan(rows[:, j])]
        if col.size:
            out[j] = np.median(col)
    return out


def place(frame: Frame, uvs: list[np.ndarray], depths: list[float]) -> list[np.ndarray]:
    """Each image point back-projected onto the coronal plane at its depth (clerk axes, metres): the image fixes
    the sideways and vertical place precisely, the depth only sets the scale and the parallax. One ray cast for
    all the points (four a frame: each wrist now and at rest)."""
    uv = np.array([np.asarray(u, float)[:2] for u in uvs])
    return list(frame.cam.on_plane(uv, FORWARD, np.asarray(depths, float)[:, None] * FORWARD))


def canonical_reach(cam: CameraModel, rest: np.ndarray, side: float, shoulder_px: float,
                    reach: tuple[float, float, float] = CANON_REACH_M) -> tuple[float, float, np.ndarray]:
    """How this camera shows a reach (`reach`, metres: sideways toward the client, up, forward; by default
    `CANON_REACH_M`) from this resting wrist: (its image length in image shoulder widths, its apparent lift in
    metres on the hands' plane, its image vector in pixels). The length is small when the reach
    runs along the line of sight (tune_wide (1.8 m, -40 deg): 0.16-0.30 of a shoulder width, elsewhere
    0.56-1.08); the apparent lift is small when the camera looks down on a reach that also comes forward, which
    then reads as a drop (0.01 at (1.5 m, 1.2 m, 40 deg) and 0.04 at (1.6 m, 1.3 m, 30 deg) for 0.14 m up,
    0.10-0.11 at the lower views)."""
    dx, dy, dz = reach
    uv = cam.project(np.stack([rest, rest + np.array([dx * side, dy, dz])]))
    seen = cam.on_plane(uv, FORWARD, FORWARD * REACH_PLANE_M)
    return (float(np.linalg.norm(uv[1] - uv[0])) / max(shoulder_px, 1.0), float(seen[1][1] - seen[0][1]),
            uv[1] - uv[0])


def apparent_toward(cam: CameraModel, rest: np.ndarray, side: float,
                    reach: tuple[float, float, float] = ACROSS_REACH_M) -> float:
    """How far toward the client's side (metres, on the hands' plane) this camera shows `reach` from this resting
    wrist: negative where the reach's forward part, back-projected from far aside, reads as a move away
    (tune_sweep (1.5 m, 1.9 m, -50 deg): -0.21 / -0.26 m for the across reach; every other judged tune view
    +0.015 or more)."""
    dx, dy, dz = reach
    uv = cam.project(np.stack([rest, rest + np.array([dx * side, dy, dz])]))
    seen = cam.on_plane(uv, FORWARD, FORWARD * REACH_PLANE_M)
    return float(seen[1][0] - seen[0][0]) * side


def reach_progress(moved_px: np.ndarray, reach_px: np.ndarray) -> float:
    """How far the wrist moved along this view's image of the canonical reach (1 = the whole reach)."""
    return float(moved_px @ reach_px) / max(float(reach_px @ reach_px), 1.0)


def hand_out(pos: np.ndarray, rest: np.ndarray, toward_dir: np.ndarray, shoulder_y: float, lift_m: float,
             along: float, p: HandoverParams) -> tuple[bool, float, float]:
    """(out, lift, toward) of one wrist against its resting place. Out: either lifted at least `lift_m` and moved
    toward the client (along `toward_dir`) at least `toward_m`, together by `move_m`, or moved along this view's
    image of a reach by `min_progress` (`along`) and not away from the client's side; in both cases risen no more
    than `max_lift_m` (higher is the face: a phone, a hand at the ear) and at most `max_above_shoulder_m` above the
    shoulders."""
    d = pos - rest
    lift, toward = float(d[1]), float(d @ toward_dir)
    sideways = lift >= lift_m and toward >= p.toward_m and float(np.hypot(lift, toward)) >= p.move_m
    across = along >= p.min_progress and toward >= -p.toward_m / 2  # and not away from the client's side
    out = ((sideways or across) and lift <= p.max_lift_m
           and float(pos[1]) <= shoulder_y + p.max_above_shoulder_m)
    return out, lift, toward


def moved_out(pos: np.ndarray, rest: np.ndarray, toward_dir: np.ndarray, shoulder_y: float, far_enough: bool,
              p: HandoverParams) -> tuple[bool, float, float]:
    """(out, lift, toward) of one wrist where the view cannot show a reach's direction on the hands' plane: out when
    its image moved `far_enough` (the caller's test: `min_move_sw` usual shoulder widths, or `min_progress` along the
    across reach's image far aside), risen no more than `max_lift_m` and at most `max_above_shoulder_m` above the
    shoulders (as `hand_out`)."""
    d = pos - rest
    lift, toward = float(d[1]), float(d @ toward_dir)
    out = far_enough and lift <= p.max_lift_m and float(pos[1]) <= shoulder_y + p.max_above_shoulder_m
    return out, lift, toward


@register
class TwoHandHandover(Rule):
    rule_id: ClassVar[str] = "handover.two_hands"
    needs: ClassVar[frozenset[str]] = frozenset({"pose", "hands", "people"})
    Params: ClassVar[type[RuleParams]] = HandoverParams

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        super().__init__(counter, params)
        self.p = HandoverParams.model_validate(params.model_dump())
        # the bars waived on a frame leaning `fold_lean_deg` (a folded reaching wrist): every other test as `p`
        self.p_folded = self.p.model_copy(update={"max_lift_m": float("inf"), "max_above_shoulder_m": float("inf")})
        self.eps = Episodes(self.p.min_hold_s, 0.3)
        # a closed episode held for the rest of its reach, and whether the reach passed (then reported)
        self.held: tuple[tuple[tuple[float, float], tuple[float, float], list[dict[str, Any]]], bool] | None = None
        self.reach_passed = False  # the episode under way continues a reach that passed (reported)
        self.part_from = 0  # where the episode under way's own part starts in its rows (after a held one)
        self.history: deque[tuple[float, dict[str, np.ndarray]]] = deque()  # (t, wrists_seen) hands at rest
        self.away: list[tuple[float, dict[str, np.ndarray]]] = []  # the current run of frames away from the rest
        self.upright_at_rest = False  # a bow reading was taken with the hands at rest: the lean can be judged
        self.rest_before_bow: bool | None = True  # hands never away from their rest before the first bow reading
        self.rest_standing = False  # the posture the resting wrists were read in
        self.side: float | None = None
        self.side_known = False
        self.view_reach_sw: float | None = None  # the last canonical-reach visibility (evidence)
        self.front_boxes: tuple[float, list[tuple[float, float, float, float]]] = (float("-inf"), [])  # (t, boxes)

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        frame = clerk_frame(obs, ctx)
        t = ctx.clock.t
        if frame is not None and someone_nearer(obs, ctx, self.p.max_body_width_m):
            # the pose is a client or visitor nearer the camera, not the clerk: their wrists say nothing of a
            # handover, and must not become the clerk's rest
            return self._episode(t, ctx.clock.wall, None)
        usual = usual_width_px(obs, frame, ctx, nearer_m=self.p.max_body_width_m)  # the view check's scale
        if not self.side_known and frame is not None:
            fixed = self.p.client_side
            self.side = (1.0 if fixed == "left" else -1.0) if fixed else client_side(self.counter, frame.cam)
            self.side_known = True
        if frame is not None and "people" in obs.ran:
            self._remember_people(obs, frame, t)
        seen = wrists_seen(frame) if frame is not None else None
        if frame is None or seen is None or seen["right"] is None or seen["left"] is None:
            return self._episode(t, ctx.clock.wall, None)  # a wrist unseen: unknown
        raw = {side: v for side, v in seen.items() if v is not None}
        rest_raw = self._rest(t)
        on: bool | None = None
        row = None
        rest = None
        standing = bool(is_standing(frame, self.counter, STANDING_SHOULDER_M))
        if frame.bow is not None and self.rest_before_bow is not None:
            # the first bow reading: its upright baseline was learned on the frames before it (the first five), and
            # the hands stayed at their rest all through those, so that baseline is upright and the lean means what
            # it says (tune_sweep (1.5 m, 1.9 m, -50 deg): a cup put back toward the client read as a one-hand
            # handover; the first reading came the frame the hand left to drink, so no at-rest frame had one)
            self.upright_at_rest = self.upright_at_rest or self.rest_before_bow
            self.rest_before_bow = None
        sides = [side for side, _ in SIDES]
        if rest_raw is not None:
            depths = [wrist_depths(raw[side][2], rest_raw[side][2], standing) for side in sides]
            placed = place(frame, [raw[side] for side in sides] + [rest_raw[side] for side in sides],
                           [d[0] for d in depths] + [d[1] for d in depths])
            pos, rest = dict(zip(sides, placed[:2], strict=True)), dict(zip(sides, placed[2:], strict=True))
            moved = {side: raw[side][:2] - rest_raw[side][:2] for side in sides}
            if standing != self.rest_standing:
                on, row = None, None  # stood up or sat down since the rest was read: the hands moved with the body
            else:
                on, row = self._judge(frame, obs, ctx, pos, rest, moved, usual)
        else:
            placed = place(frame, [raw[side] for side in sides],
                           [wrist_depths(raw[side][2], raw[side][2], standing)[0] for side in sides])
            pos = dict(zip(sides, placed, strict=True))
        at_rest = self._learn_rest(t, raw, pos, rest, frame, standing)
        return self._episode(t, ctx.clock.wall, on, row, at_rest=at_rest)

    def _episode(self, t: float, wall: float, on: bool | None, row: dict[str, Any] | None = None,
                 at_rest: bool = False) -> list[Event]:
        """One reach is one episode (`reach_gap_s`): a confirmed episode that closed is held while its hands have
        not both come back to their rest, up to `reach_gap_s` after its last frame out, and an episode starting in
        that time is the same reach and continues it (a partner joining late, a frame or two of the reach failing a
        test). The reach passes when its whole or one of its parts (each held `min_hold_s`) had both hands out for
        `both_share`: a part that passes is reported at once, and the reach's later parts then add nothing."""
        if self.p.reach_gap_s is None:
            return self._report(self.eps.step(t, wall, on, row))
        events: list[Event] = []
        if self.held is not None and t - self.held[0][1][0] > self.p.reach_gap_s + TIME_EPS:
            events += self._report_held()
        was_active = self.eps.active
        done = self.eps.step(t, wall, on, row)
        if self.held is not None and self.eps.active and not was_active:
            # the same reach again: it continues the held episode
            (start, _, rows), self.reach_passed = self.held
            self.held = None
            self.part_from = len(rows)
            self.eps.resume(start, rows)
        if done is not None:
            events += self._closed(done)
        if self.held is not None and at_rest and not self.eps.active:
            events += self._report_held()  # both hands back at rest: the reach is over
        return events

    def _closed(self, done) -> list[Event]:
        """A confirmed episode closed: held for the rest of its reach, reported now if it passed."""
        rows, part = done[2], done[2][self.part_from:]
        part_held = bool(part) and part[-1]["t"] - part[0]["t"] >= self.p.min_hold_s - TIME_EPS
        passed = (self._share(rows) >= self.p.both_share
                  or (part_held and self._share(part) >= self.p.both_share))
        events = self._report(done, passed=True) if passed and not self.reach_passed else []
        self.held = (done, passed or self.reach_passed)
        self.reach_passed, self.part_from = False, 0
        return events

    def _report_held(self) -> list[Event]:
        held, self.held = self.held, None
        if held is None or held[1]:
            return []  # nothing held, or a reach that passed (reported when it did)
        return self._report(held[0], passed=False)

    @staticmethod
    def _share(rows: list[dict[str, Any]]) -> float:
        return float(np.mean([r["both"] for r in rows])) if rows else 0.0

    def _remember_people(self, obs: Observation, frame: Frame, t: float) -> None:
        """The person boxes standing in front of the post (not the clerk's own: those holding the pose's
        mid-shoulders), kept until the next detector run. None on an uncalibrated camera: without metres a person
        beside the post cannot be told from one in front of it, and a reach is then judged as seen."""
        if not calibrated(self.counter.camera):
            self.front_boxes = (t, [])
            return
        lms = frame.pose.landmarks
        mid = ((lms[L_SHOULDER].x + lms[R_SHOULDER].x) / 2, (lms[L_SHOULDER].y + lms[R_SHOULDER].y) / 2)
        boxes = [d.box for d in obs.people if not box_holds(d.box, mid)
                 and in_front_of_post(d, obs, self.counter, frame.cam, self.p.in_front_m, self.p.frame_edge_px)]
        self.front_boxes = (t, boxes)

    def _hidden(self, frame: Frame, side: str, t: float) -> bool:
        """This wrist lies inside the box of someone in front of the post: the hand is behind them."""
        seen_t, boxes = self.front_boxes
        if not boxes or t - seen_t > self.p.people_memory_s:
            return False
        lm = frame.pose.landmarks[dict(SIDES)[side]]
        return any(box_holds(b, (lm.x, lm.y)) for b in boxes)

    def _learn_rest(self, t: float, raw: dict[str, np.ndarray], pos: dict[str, np.ndarray],
                    rest: dict[str, np.ndarray] | None, frame: Frame, standing: bool) -> bool:
        """Frames with both hands near their rest (within half of `move_m`) feed it; a run of frames away from
        it that lasts `relearn_s` is a new resting posture and replaces it. Returns whether both hands are at their
        rest on this frame (a reach is over)."""
        at_rest = rest is not None and all(
            float(np.linalg.norm(pos[s] - rest[s])) < self.p.move_m / 2 for s, _ in SIDES)
        near = rest is None or at_rest
        if near:
            self.history.append((t, raw))
            self.rest_standing = standing
            self.away = []
            if rest is not None and frame.bow is not None:
                self.upright_at_rest = True
            return at_rest
        self.away.append((t, raw))
        if self.rest_before_bow:
            self.rest_before_bow = False
        if t - self.away[0][0] >= self.p.relearn_s:
            self.history = deque(self.away)
            self.away = []
            self.rest_standing = standing
        return False

    def _judge(self, frame: Frame, obs: Observation, ctx: RuleContext, pos: dict[str, np.ndarray],
               rest: dict[str, np.ndarray], moved_px: dict[str, np.ndarray],
               usual_px: float | None) -> tuple[bool | None, dict[str, Any] | None]:
        if self.p.need_client and not (ctx.client_present or ctx.calls_since(self.p.client_call_s)):
            return False, None
        toward_side = self.side
        if toward_side is None:  # no client zone: the side the farther-moved hand went
            moves = [float(pos[s][0] - rest[s][0]) for s, _ in SIDES]
            toward_side = float(np.sign(max(moves, key=abs))) or 1.0
        toward_dir = np.array([toward_side, 0.0, 0.0])
        # scaled by this frame's image shoulder width or the usual one, whichever is wider: with a hand at the ear
        # the pose reads the torso side-on (3-23 px for a usual 60-68 from -35..-40 deg), and a reach along the
        # line of sight then looked long
        width = max(shoulder_px(frame.pose), usual_px or 0.0)
        views = [{s: canonical_reach(frame.cam, rest[s], toward_side, width, r) for s, _ in SIDES}
                 for r in REACHES]
        lengths = [min(v[0] for v in view.values()) for view in views]
        self.view_reach_sw = max(lengths)
        # a reach toward the client runs along the line of sight here: its direction cannot be read, only how far
        # each wrist moved in the image
        by_move = self.view_reach_sw < self.p.min_view_reach_sw
        if self.p.across_view:
            # the reach is the across one (papers picked up and held out over the desk): where its image is short it
            # runs along the line of sight, and the sideways reach's long image says nothing of where the wrist goes
            # (session 27, (1.7 m, 1.8 m, -30 deg): sideways 0.42-0.61 usual widths, across 0.14-0.24; the true
            # wrists moved 3-16 px)
            by_move = lengths[1] < self.p.min_view_reach_sw
        # the sideways reach still shows which way is away from the client there: a wrist that went clearly away on
        # the hands' plane is not handing over (a reach to the clerk's other side)
        sideways_seen = by_move and lengths[0] >= self.p.min_view_reach_sw
        if by_move and self.p.min_move_sw is None:
            return None, None
        seen = [view for view, n in zip(views, lengths, strict=True) if n >= self.p.min_view_reach_sw]
        # the across reach's forward move reads as a move away from the client on the hands' plane here: neither
        # the plane's sideways reading nor the other reach's image says which way a hand went, only progress
        # along the across reach's image does
        forward = (self.p.forward_view and not by_move and self.side is not None
                   and lengths[1] >= self.p.min_view_reach_sw
                   and max(apparent_toward(frame.cam, rest[s], toward_side) for s, _ in SIDES) <= -self.p.toward_m)
        shoulder_y = shoulder_height_m(frame)
        lean = frame.bow.angle if frame.bow is not None else None
        # judged by the move alone, the lean toward the client is the only sign of a handover: always checked
        lean_checked = self.p.min_lean_deg is not None and (self.upright_at_rest or by_move or forward)
        # leaning well toward the client, a wrist the pose put at or over the shoulders is a reaching forearm it
        # folded (session 27: the reach toward the camera from -30..-40 deg, 0.2 m over the shoulders where the
        # true wrist is at chest height), not a hand at the face: the height bars are waived on this frame
        folded = (self.p.fold_lean_deg is not None and lean_checked and lean is not None
                  and lean >= self.p.fold_lean_deg)
        bars = self.p_folded if folded else self.p
        outs = {}
        # far aside, each hand's progress along the across reach's image (also the partner's "not away")
        across = {s: reach_progress(moved_px[s], views[1][s][2]) for s, _ in SIDES} if forward else None
        for side, _ in SIDES:
            if across is not None:
                out, lift, toward = moved_out(pos[side], rest[side], toward_dir, shoulder_y,
                                              across[side] >= self.p.min_progress, bars)
            elif by_move:
                moved_sw = float(np.linalg.norm(moved_px[side])) / width
                not_away = not sideways_seen or float((pos[side] - rest[side]) @ toward_dir) >= -self.p.toward_m
                # leaning well toward the client, a hand is out when it moved what this view shows of a whole reach:
                # from a high camera on the client's side the across reach runs along the line of sight (session
                # 28, (1.7-1.8 m, 1.6-1.8 m, -30 deg): its image 0.04-0.11 usual widths; the true reaching wrist
                # moved 0.07-0.26, the hand left on the desk 0.03-0.06)
                bar = self.p.min_move_sw or 0.0
                if self.p.short_reach_move_sw is not None and folded:
                    bar = min(bar, max(self.p.short_reach_move_sw, views[1][side][0]))
                out, lift, toward = moved_out(pos[side], rest[side], toward_dir, shoulder_y,
                                              moved_sw >= bar and not_away, bars)
            else:
                # ask for the share of `lift_m` this view can show of a lift (a reach seen from above reads lower)
                lift_m = self.p.lift_m * float(np.clip(views[0][side][1] / CANON_REACH_M[1], 0.0, 1.0))
                along = max(reach_progress(moved_px[side], view[side][2]) for view in seen)
                out, lift, toward = hand_out(pos[side], rest[side], toward_dir, shoulder_y, lift_m, along, bars)
            hand = clerk_hand(frame, obs, side) if "hands" in obs.ran else None
            if hand is not None and one_finger(hand):
                out = False  # pointing, not holding a document
            outs[side] = (out, lift, toward)
        if not (outs["right"][0] or outs["left"][0]):
            return False, None
        if outs["right"][0] != outs["left"][0]:
            # where the across reach's forward move reads as away, "not away" is along that reach's image
            outs = self._partner(frame, obs, outs, moved_px, shoulder_y, pos, across, bars, rest)
        if not (by_move or forward) and min(outs["right"][2], outs["left"][2]) <= -self.p.toward_m * 2:
            return False, None  # one hand toward the client, the other away: the shoulders turned, no reach
        # the lean starts a handover; once under way, hands still out carry it on a lower lean reading (tune_wide
        # (1.2 m, -10 deg): 10 deg at the reach, then under 3 for a labelled 18 while the papers were held out)
        leaning = lean is not None and (self.eps.active or lean >= (self.p.min_lean_deg or 0.0))
        if self.p.unread_lean_holds and lean_checked and lean is None and self.eps.active:
            # no bow reading on this frame (the pose glitched): unknown, which holds the episode, rather than its
            # end (session 27, (1.65 m, 1.6 m, 28 deg): a 1.6-3.2-s two-hand hold cut at 2.2 s, its first 0.4 s lost)
            return None, None
        if lean_checked and not leaning:
            return False, None  # no reading: the body moved in a way no bend explains (turning, standing up)
        both = outs["right"][0] and outs["left"][0]
        hand = "both" if both else ("right" if outs["right"][0] else "left")
        row = {"t": ctx.clock.t, "both": float(both), "hand": hand,
               "hidden": None if both else float(self._hidden(frame, hand, ctx.clock.t)),
               "lift_m": max(o[1] for o in outs.values() if o[0]),
               "toward_m": max(o[2] for o in outs.values() if o[0]),
               "separation_m": float(np.linalg.norm(pos["right"] - pos["left"])), "lean_deg": lean,
               "lean_checked": lean_checked, "forward": forward}
        return True, row

    def _partner(self, frame: Frame, obs: Observation, outs: dict[str, tuple[bool, float, float]],
                 moved_px: dict[str, np.ndarray], shoulder_y: float,
                 pos: dict[str, np.ndarray],
                 along: dict[str, float] | None,
                 bars: HandoverParams,
                 rest: dict[str, np.ndarray]) -> dict[str, tuple[bool, float, float]]:
        """One hand out: the other is out too when it followed it, its image move at least `partner_share` of the
        out hand's and not away from the client's side (both hands carry the document). A hand left on the desk
        moves only as the lean drags the pose: tune splits, one-hand handovers, 0.02-0.38 of the reaching hand's move
        but on three single frames (0.47-0.56), pointing 0.01-0.23; at (1.6 m, 1.15 m, -15 deg) the left hand of a
        two-hand handover, across the body, moves 0.4-0.54 of the right one's (0.19-0.37 usual shoulder widths for
        0.35-0.50), toward the client 0.04 m and 0.05 m down on the hands' plane, short of `toward_m` and of a lift."""
        if self.p.partner_share is None:
            return outs
        lead = "right" if outs["right"][0] else "left"
        other = "left" if lead == "right" else "right"
        _, lift, toward = outs[other]
        hand = clerk_hand(frame, obs, other) if "hands" in obs.ran else None
        share = float(np.linalg.norm(moved_px[other])) / max(float(np.linalg.norm(moved_px[lead])), 1e-9)
        # both hands carry the document, and a view that reads the across reach's forward part as a move away from
        # the client reads both so: the partner may read as far away as the out hand, within what a deep across
        # reach reads from its rest (session 28, (1.8 m, 1.6 m, -30 deg): the left partner -0.042..-0.047 m, the
        # right hand out -0.013..-0.044, a deep reach from the left rest -0.24)
        allow = 0.0
        if self.p.partner_away_as_lead and self.side is not None:
            allow = max(min(0.0, outs[lead][2]),
                        min(0.0, apparent_toward(frame.cam, rest[other], self.side, DEEP_ACROSS_M)))
        not_away = toward >= -self.p.toward_m / 2 + allow if along is None else along[other] >= 0.0
        follows = (share >= self.p.partner_share and not_away and lift <= bars.max_lift_m
                   and float(pos[other][1]) <= shoulder_y + bars.max_above_shoulder_m
                   and not (hand is not None and one_finger(hand)))
        return {**outs, other: (follows, lift, toward)} if follows else outs

    def _rest(self, t: float) -> dict[str, np.ndarray] | None:
        while self.history and t - self.history[0][0] > self.p.rest_window_s:
            self.history.popleft()
        if not self.history or t - self.history[0][0] < min(self.p.rest_min_s, self.p.rest_window_s):
            return None
        sides = [side for side, _ in SIDES]
        rows = np.array([[h[side] for side in sides] for _, h in self.history])  # (frames, sides, 3): one pass
        medians = nanmedian_columns(rows.reshape(len(rows), -1)).reshape(rows.shape[1:])
        return dict(zip(sides, medians, strict=True))

    def finish(self, ctx: RuleContext) -> list[Event]:
        done = self.eps.close()
        if self.p.reach_gap_s is None:
            return self._report(done)
        events = self._closed(done) if done is not None else []
        self.reach_passed, self.part_from = False, 0
        return events + self._report_held()

    def _report(self, done, passed: bool | None = None) -> list[Event]:
        if done is None:
            return []
        (t0, w0), (t1, w1), rows = done
        share = self._share(rows)
        hands = [r["hand"] for r in rows]
        lean = median_of(rows, "lean_deg")
        evidence = {
            "both_hands_share": round(share, 2),
            "hand": max(set(hands), key=hands.count),
            "max_lift_m": round(max(r["lift_m"] for r in rows), 3),
            "max_toward_client_m": round(max(r["toward_m"] for r in rows), 3),
            "median_separation_m": round(median_of(rows, "separation_m") or 0.0, 3),
            "median_lean_deg": None if lean is None else round(lean, 1),
            "lean_checked": any(r["lean_checked"] for r in rows),
            "client_side_known": self.side is not None,
            "view_reach_sw": None if self.view_reach_sw is None else round(self.view_reach_sw, 2),
            "duration_s": round(t1 - t0, 2),
        }
        evidence["forward_view"] = all(r["forward"] for r in rows)
        outcome = "pass" if (share >= self.p.both_share if passed is None else passed) else "violation"
        one_hand = [r["hidden"] for r in rows if r.get("hidden") is not None]
        hidden_share = float(np.mean(one_hand)) if one_hand else 0.0
        # judged far aside, the lean was always checked and rules a point out; the client's box there spans the
        # clerk's side of the image, and whether a detector run takes it for the clerk's own (it holds the pose's
        # mid-shoulders) decides the hidden share: 0.58 on tune_sweep's -50 one-hand handover, 0 or 1 on renders
        if outcome == "violation" and hidden_share >= self.p.hidden_share and not evidence["forward_view"]:
            # the hand out was behind someone nearer the camera: a document or a pointing finger, not known
            outcome = "info"
            evidence.update(verdict="unknown", why="hand behind a person in front of the post")
        elif (outcome == "violation" and self.p.unjudged_lean_unknown and self.p.min_lean_deg is not None
              and not evidence["lean_checked"]):
            # no frame of it judged the lean (the arm left its rest before an upright baseline was read with the
            # hands at rest): an arm pointing at the client and a hand holding a document out then look alike
            # (the 6 pointing episodes of the tune splits and the session-21 renders; every real handover there has
            # the lean judged, 4.6-22.4 deg, where the points read -4.3..-1.2)
            outcome = "info"
            evidence.update(verdict="unknown", why="lean not judged: no upright baseline with the hands at rest")
        evidence["hand_hidden_share"] = round(hidden_share, 2)
        return instant_event(self.rule_id, self.counter.counter_id, Clock(t0, w0), Clock(t1, w1),
                             outcome=outcome, evidence=evidence, hall_id=self.counter.hall_id)
