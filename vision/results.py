"""Plain perception results. Every model wrapper returns these; rules consume them.

Coordinates: image landmarks are in pixels of the analysed frame (x right, y down, z relative
depth in the model's own scale); world landmarks are metres, origin at the hips (MediaPipe's
convention: x to the subject's left in the image, y down, z toward the camera is negative).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Point2 = tuple[float, float]
Point3 = tuple[float, float, float]
Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in pixels

FingerName = Literal["thumb", "index", "middle", "ring", "pinky"]
FingerState = Literal["extended", "curled", "unknown"]


@dataclass(slots=True)
class Landmark:
    x: float
    y: float
    z: float = 0.0
    visibility: float = 1.0


@dataclass(slots=True)
class PoseResult:
    """33 BlazePose landmarks: image coordinates with visibility, and world coordinates."""

    landmarks: list[Landmark]
    world: list[Point3] = field(default_factory=list)
    score: float = 1.0
    model: str = "mediapipe.pose_full"

    def mid_shoulders(self, min_visibility: float = 0.3) -> Point2 | None:
        """The shoulders' midpoint (landmarks 11 and 12) when both are seen at least `min_visibility`."""
        if len(self.landmarks) < 13:
            return None
        a, b = self.landmarks[11], self.landmarks[12]
        if min(a.visibility, b.visibility) < min_visibility:
            return None
        return (a.x + b.x) / 2, (a.y + b.y) / 2


# indices into `HandResult.landmarks` (MediaPipe's): (MCP, PIP, DIP, TIP) per finger; thumb (CMC, MCP, IP, TIP)
FINGER_JOINTS: dict[str, tuple[int, int, int, int]] = {
    "thumb": (1, 2, 3, 4),
    "index": (5, 6, 7, 8),
    "middle": (9, 10, 11, 12),
    "ring": (13, 14, 15, 16),
    "pinky": (17, 18, 19, 20),
}


@dataclass(slots=True)
class HandResult:
    """21 hand landmarks, handedness and the finger features the gesture rules read."""

    landmarks: list[Point3]
    world: list[Point3] = field(default_factory=list)
    handedness: Literal["Left", "Right"] = "Right"
    score: float = 1.0
    fingers: dict[str, FingerState] = field(default_factory=dict)
    fingers_together: float = 0.0  # 1 = fingertips touching side by side, 0 = spread wide
    palm_normal: Point3 = (0.0, 0.0, 0.0)  # unit vector out of the palm, camera axes
    index_pointing: bool = False  # index extended, the other three fingers curled


@dataclass(slots=True)
class FaceResult:
    """Face landmarks (may be empty in a compact recording) plus the derived head measures."""

    box: Box
    landmarks: list[Point3] = field(default_factory=list)
    yaw: float = 0.0  # degrees, + = the person turns to their left
    pitch: float = 0.0  # degrees, + = looking down
    roll: float = 0.0
    eye_aspect_ratio: float = 0.3  # mean of both eyes; ~0.3 open, < 0.15 closed
    mouth_open: float = 0.0  # inner-lip gap / mouth width
    smile: float = 0.0  # mouth-corner lift relative to lip centre, normalised by mouth width
    score: float = 1.0


@dataclass(slots=True)
class Detection:
    box: Box
    label: str
    score: float
    source: str  # model id from the registry, or "change" for change detection
    class_id: int = -1
