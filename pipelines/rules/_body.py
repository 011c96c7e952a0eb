"""Body geometry the behaviour rules share: a view over one PoseResult in image pixels.

Distances are normalised by the shoulder width so that the thresholds hold for any camera distance.
BlazePose indices; "left" is the subject's left (on the image's right for a camera facing the clerk).
"""

from __future__ import annotations

import math

import numpy as np

from calibration.config import Camera
from pipelines.geometry import CameraModel, pair_hands
from vision.results import FaceResult, HandResult, PoseResult

NOSE, L_EYE, R_EYE, L_EAR, R_EAR, MOUTH_L, MOUTH_R = 0, 2, 5, 7, 8, 9, 10
L_SH, R_SH, L_EL, R_EL, L_WR, R_WR = 11, 12, 13, 14, 15, 16
L_PINKY, R_PINKY, L_INDEX, R_INDEX, L_THUMB, R_THUMB = 17, 18, 19, 20, 21, 22
L_HIP, R_HIP, L_KNEE, R_KNEE, L_ANK, R_ANK = 23, 24, 25, 26, 27, 28
HAND_POINTS = {"left": (L_WR, L_INDEX, L_PINKY, L_THUMB), "right": (R_WR, R_INDEX, R_PINKY, R_THUMB)}

P = tuple[float, float]


def dist(a: P, b: P) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def mid(a: P, b: P) -> P:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


class Body:
    """Visibility-checked landmarks of the clerk; `pt()` is None for a landmark the model did not see."""

    def __init__(self, pose: PoseResult, min_vis: float = 0.5) -> None:
        self.pose, self.min_vis = pose, min_vis
        self.memo: dict[object, object] = {}  # this frame's derived figures several rules read (shoulder_width_m)

    def pt(self, i: int, min_vis: float | None = None) -> P | None:
        lms = self.pose.landmarks
        if i >= len(lms):
            return None
        lm = lms[i]
        return (lm.x, lm.y) if lm.visibility >= (self.min_vis if min_vis is None else min_vis) else None

    def visible(self, *idx: int) -> bool:
        return all(self.pt(i) is not None for i in idx)

    @property
    def shoulder_width(self) -> float | None:
        a, b = self.pt(L_SH), self.pt(R_SH)
        if a is None or b is None:
            return None
        return max(dist(a, b), 1e-3)

    @property
    def shoulder_mid(self) -> P | None:
        a, b = self.pt(L_SH), self.pt(R_SH)
        return mid(a, b) if a and b else None

    @property
    def mouth(self) -> P | None:
        a, b = self.pt(MOUTH_L), self.pt(MOUTH_R)
        return mid(a, b) if a and b else None

    @property
    def eyes(self) -> P | None:
        a, b = self.pt(L_EYE), self.pt(R_EYE)
        return mid(a, b) if a and b else None

    @property
    def chin(self) -> P | None:
        """Below the mouth by ~0.8 of the eye-to-mouth distance (BlazePose has no chin point)."""
        m, e = self.mouth, self.eyes
        if m is None or e is None:
            return None
        return (m[0] + 0.8 * (m[0] - e[0]), m[1] + 0.8 * (m[1] - e[1]))

    def hand_points(self, side: str, hands: list[HandResult] | None = None) -> list[P]:
        """The wrist and finger points of one hand (pose landmarks, plus the hand model's if it ran and one of
        its hands is this wrist's: `matched_hands`)."""
        pts = [p for i in HAND_POINTS[side] if (p := self.pt(i, 0.3)) is not None]
        if (h := self.matched_hands(hands).get(side)) is not None:
            pts += [(x, y) for x, y, _ in h.landmarks[::4]]
        return pts

    def matched_hands(self, hands: list[HandResult] | None) -> dict[str, HandResult]:
        """The hand model's hands paired one to one with the pose wrists (`geometry.pair_hands`), each within 0.6 sw
        of its wrist. Each wrist taking every hand within reach gave both wrists the one hand found when the
        other hand lay within 0.6 sw of it (tune_side phone_in_hand (1.55, 1.45, -30): the resting hand 0.08 sw
        from its own wrist and 0.32 sw from the phone hand's pulled that one's centre down onto the desk).
        Handedness labels are not used: they can be mirrored."""
        wrists = {side: w for side, idx in HAND_POINTS.items() if (w := self.pt(idx[0], 0.3)) is not None}
        return pair_hands(wrists, hands or [], 0.6 * (self.shoulder_width or 100))

    def hand_near(self, side: str, target: P | None, radius_sw: float, hands: list[HandResult] | None = None) -> bool:
        """Any point of that hand within radius (in shoulder widths) of the target."""
        sw = self.shoulder_width
        if target is None or sw is None:
            return False
        return any(dist(p, target) <= radius_sw * sw for p in self.hand_points(side, hands))

    def hand_distance(self, side: str, target: P | None, hands: list[HandResult] | None = None) -> float | None:
        """Nearest hand point to the target, in shoulder widths."""
        sw = self.shoulder_width
        pts = self.hand_points(side, hands)
        if target is None or sw is None or not pts:
            return None
        return min(dist(p, target) for p in pts) / sw


def box_center(box: tuple[float, float, float, float]) -> P:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def near_box(p: P | None, box: tuple[float, float, float, float], margin: float) -> bool:
    """Point within `margin` pixels of the box."""
    if p is None:
        return False
    x1, y1, x2, y2 = box
    return x1 - margin <= p[0] <= x2 + margin and y1 - margin <= p[1] <= y2 + margin


def calibrated(camera: Camera) -> bool:
    """The counter's camera height and distance are measured, so image lengths at the clerk convert to metres
    (uncalibrated, the camera model assumes typical ones, and a metric threshold would misjudge a near camera)."""
    return camera.height_m is not None and camera.distance_m is not None


# Shoulders this high above the floor (calibrated camera) mean the clerk stands: seated clerks read 0.97-1.08 m,
# standing ones 1.15-1.53 m (tune split; bow, guide, stand, handover, slouch, dozing, head_on_desk, hips, clamp).
STANDING_SHOULDER_M = 1.13

def shoulder_width_m(body: Body, cam: CameraModel) -> float | None:
    """The shoulder line back-projected onto the clerk's coronal plane, in metres (None without both shoulders).
    A clerk's reads 0.3-0.5 m from any view (a bow toward the camera up to ~0.65); a pose that reads much wider
    belongs to someone standing nearer the camera than the clerk's chair: a visitor at the counter, whom the
    pose model picks over a seated clerk it half loses (seen from high and 40 deg aside: 0.9-1.4 m)."""
    key = ("shoulder_width_m", id(cam))
    if key not in body.memo:  # slouch, dozing and gaze.away each read it on every frame
        pts = shoulders_on_plane(body, cam)
        body.memo[key] = float(np.linalg.norm(pts[0] - pts[1])) if pts is not None else None
    return body.memo[key]  # type: ignore[return-value]


def shoulders_on_plane(body: Body, cam: CameraModel) -> np.ndarray | None:
    """Both shoulders back-projected onto the clerk's coronal plane ((2, 3) metres; None without both), once per
    body and camera: the shoulder width (above) and the shoulders' height (_frame.shoulder_height_m) read them."""
    key = ("shoulders_on_plane", id(cam))
    if key not in body.memo:
        a, b = body.pt(L_SH), body.pt(R_SH)
        body.memo[key] = None if a is None or b is None else cam.on_plane(
            np.array([a, b], dtype=float), cam.coronal_plane_normal(), np.zeros(3))
    return body.memo[key]  # type: ignore[return-value]


def nose_over_shoulders_m(body: Body, cam: CameraModel) -> float | None:
    """The nose's height over the mid-shoulders on the clerk's coronal plane (metres; None without the nose or both
    shoulders), once per body and camera: phone.use's lowered head and neck_clamp's sunk nose read it."""
    key = ("nose_over_shoulders_m", id(cam))
    if key not in body.memo:
        nose, sh = body.pt(NOSE), shoulders_on_plane(body, cam)
        body.memo[key] = None if nose is None or sh is None else float(
            cam.on_plane(np.array(nose, dtype=float), cam.coronal_plane_normal(), np.zeros(3))[1]
            - (sh[0, 1] + sh[1, 1]) / 2)
    return body.memo[key]  # type: ignore[return-value]


def face_frontal(face: FaceResult | None, max_yaw: float = 35.0) -> bool:
    return face is not None and abs(face.yaw) <= max_yaw
