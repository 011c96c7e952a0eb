"""Per-counter calibration file (one YAML per counter), validated with pydantic.

Errors name the file, the field and the fix (see `load_counter`). The rule engine reads rule
parameter overrides from `rules:`; each rule validates its own block against its parameter model.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from counterwatch.configfile import load_yaml_model
from pipelines.catalogue import catalogue

Polygon = list[tuple[float, float]]


def polygon_area(poly: Polygon) -> float:
    """Area of a simple polygon (image pixels; shoelace, no OpenCV, as point_in_polygon)."""
    n = len(poly)
    return abs(sum(poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1] for i in range(n))) / 2


def row_inside(y: float, x1: float, x2: float, poly: Polygon) -> float:
    """The share of the image row segment from x1 to x2 at height y that lies inside the polygon (even-odd)."""
    if x2 <= x1:
        return 0.0
    n, xs = len(poly), []
    for i in range(n):
        (ax, ay), (bx, by) = poly[i], poly[(i + 1) % n]
        if (ay > y) != (by > y):
            xs.append(ax + (y - ay) * (bx - ax) / (by - ay))
    xs.sort()
    inside = sum(max(0.0, min(b, x2) - max(a, x1)) for a, b in zip(xs[::2], xs[1::2], strict=False))
    return inside / (x2 - x1)


def lowest_y(poly: Polygon, x: float) -> float | None:
    """The polygon's lowest point (largest image y) in column x; None where the column misses it."""
    ys = [y1 + (x - x1) * (y2 - y1) / (x2 - x1) for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True)
          if x1 != x2 and min(x1, x2) <= x <= max(x1, x2)]
    return max(ys) if ys else None


def box_polygon_overlap(box: tuple[float, float, float, float], poly: Polygon) -> float:
    """The area (image pixels) the box (x1, y1, x2, y2) and the polygon share: the polygon clipped to the box
    (Sutherland-Hodgman, one box edge at a time)."""
    x1, y1, x2, y2 = box
    out = [(float(x), float(y)) for x, y in poly]
    for axis, bound, keep_above in ((0, x1, True), (0, x2, False), (1, y1, True), (1, y2, False)):
        pts, out = out, []
        for i, cur in enumerate(pts):
            prev = pts[i - 1]
            cur_in = cur[axis] >= bound if keep_above else cur[axis] <= bound
            prev_in = prev[axis] >= bound if keep_above else prev[axis] <= bound
            if cur_in != prev_in:
                f = (bound - prev[axis]) / (cur[axis] - prev[axis])
                cross = (prev[0] + f * (cur[0] - prev[0]), prev[1] + f * (cur[1] - prev[1]))
                out.append((bound, cross[1]) if axis == 0 else (cross[0], bound))
            if cur_in:
                out.append(cur)
        if not out:
            return 0.0
    return polygon_area(out)


def box_cover(box: tuple[float, float, float, float], poly: Polygon) -> float:
    """The share of the polygon's area (a zone, a slot) that the box covers; 0 for a degenerate polygon."""
    whole = polygon_area(poly)
    return box_polygon_overlap(box, poly) / whole if whole > 0 else 0.0


def box_share_on(box: tuple[float, float, float, float], poly: Polygon) -> float:
    """The share of the box's area that lies on the polygon; 0 for a degenerate box."""
    area = (box[2] - box[0]) * (box[3] - box[1])
    return box_polygon_overlap(box, poly) / area if area > 0 else 0.0


def point_in_polygon(p: tuple[float, float], poly: Polygon) -> bool:
    """Whether a point (image pixels) lies in a zone: even-odd ray casting, the one test for perception and rules
    alike; no OpenCV, so that replay stays model- and cv2-free. Half-open: a point on a left or top edge is inside,
    on a right or bottom edge outside, so zones that share an edge never both hold it."""
    x, y = p
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


SlotName = Literal[
    "evaluator_pad", "pen_holder", "acrylic_stand", "potted_plant", "name_plate",
    "monitor", "scanner", "barcode_gun", "phone_stand", "printer",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Camera(Strict):
    source: str | int | None = None  # file path, rtsp:// URL, USB index, or a frames directory
    width: int = Field(1280, gt=0)
    height: int = Field(720, gt=0)
    height_m: float | None = Field(None, gt=0, lt=6, description="lens height above the floor")
    pitch_deg: float | None = Field(None, ge=-10, le=80, description="downward tilt")
    yaw_deg: float | None = Field(None, ge=-90, le=90, description="horizontal angle to the clerk")
    distance_m: float | None = Field(None, gt=0, lt=10, description="horizontal distance to the clerk")
    hfov_deg: float = Field(70.0, gt=10, lt=170)


class Zones(Strict):
    post: Polygon | None = None  # the clerk's seat area
    desk: Polygon | None = None  # the counter top
    client: Polygon | None = None  # where a served client stands or sits
    sign: Polygon | None = None  # where the pause-service sign stands
    # where the client chair stands when put back (chair.reset); drawn around the chair on the reference frame
    client_chair: Polygon | None = None

    @field_validator("post", "desk", "client", "sign", "client_chair")
    @classmethod
    def _polygon(cls, v: Polygon | None) -> Polygon | None:
        if v is not None and len(v) < 3:
            raise ValueError("a zone polygon needs at least 3 points [[x, y], ...] in image pixels")
        return v


class Slot(Strict):
    name: SlotName
    polygon: Polygon
    label: str = ""  # shown on the board, e.g. 评价器


class Hours(Strict):
    open: time = time(9, 0)
    close: time = time(17, 0)
    breaks: list[tuple[time, time]] = Field(default_factory=lambda: [(time(12, 0), time(13, 30))])
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0


class SiteExceptions(Strict):
    # Seed 001 wants the cup in the cabinet, seed 003 allows it on the counter: a site setting.
    water_cup_allowed: bool = True


class CounterConfig(Strict):
    counter_id: str
    hall_id: str = "hall"
    camera: Camera = Field(default_factory=Camera)
    zones: Zones = Field(default_factory=Zones)
    slots: list[Slot] = Field(default_factory=list)
    sign_aruco_id: int | None = Field(None, ge=0, lt=1000)
    sign_aruco_dict: str = Field(
        "DICT_4X4_50", pattern=r"^DICT_(4X4|5X5|6X6|7X7)_(50|100|250|1000)$|^DICT_ARUCO_ORIGINAL$",
        description="cv2.aruco dictionary of the sign's marker",
    )
    sign_marker: Polygon | Literal["unread"] | None = Field(
        None, description="the sign's marker as read with the sign standing at its place (calibrate check): its "
                          "corners in image pixels, or 'unread' when it stood there and was not read. Unset: the sign "
                          "counts as in view where its zone lies inside the frame",
    )
    reference_image: str | None = None  # clean-desk frame, relative to this file
    hours: Hours = Field(default_factory=Hours)
    exceptions: SiteExceptions = Field(default_factory=SiteExceptions)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)  # per-rule parameter overrides
    disabled_rules: list[str] = Field(default_factory=list)

    @field_validator("sign_marker")
    @classmethod
    def _marker(cls, v: Any) -> Any:
        if isinstance(v, list) and len(v) != 4:
            raise ValueError("the sign's marker is its four corners [[x, y], ...] in image pixels, or 'unread'")
        return v

    @field_validator("rules", "disabled_rules")
    @classmethod
    def _known_rules(cls, v: Any) -> Any:
        unknown = [r for r in v if r not in catalogue()]
        if unknown:
            raise ValueError(f"unknown rule id(s) {unknown}; use ids from the rule catalogue (shared/RULES.md)")
        return v


class CalibrationError(ValueError):
    """A calibration file that does not validate. The message names file, field and fix."""


def load_counter(path: str | Path) -> CounterConfig:
    path = Path(path)
    cfg = load_yaml_model(path, CounterConfig, CalibrationError, "counter calibration file")
    if cfg.reference_image and not Path(cfg.reference_image).is_absolute():
        cfg.reference_image = str((path.parent / cfg.reference_image).resolve())
    return cfg


def default_counter(width: int = 1280, height: int = 720, counter_id: str = "counter") -> CounterConfig:
    """Sensible zones for a camera facing one clerk across the desk (used when no file is given)."""
    w, h = float(width), float(height)
    return CounterConfig(
        counter_id=counter_id,
        camera=Camera(width=width, height=height),
        zones=Zones(
            post=[(0.2 * w, 0.0), (0.8 * w, 0.0), (0.8 * w, 0.75 * h), (0.2 * w, 0.75 * h)],
            desk=[(0.0, 0.65 * h), (w, 0.65 * h), (w, h), (0.0, h)],
        ),
    )
