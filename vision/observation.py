"""Observation: everything perceived in one analysed frame of one counter.

One Observation serialises to one JSON line, so a recorded perception stream replays through the
rules without any model. `ran` says which stages ran on this frame: an empty `hands` list means
"no hands found" only when "hands" is in `ran`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from vision.results import Detection, FaceResult, HandResult, Point2, PoseResult


@dataclass(slots=True)
class Marker:
    """A fiducial (ArUco) marker seen in the frame, e.g. the pause-service sign."""

    marker_id: int
    corners: list[Point2]


@dataclass(slots=True)
class NearChange:
    """A large region changed against the counter's clean-desk reference, off the clerk's masks, cut by the frame's
    border: someone (or something) between the camera and the desk, the person detector boxing it or not (the back
    of a head at the frame's edge, a back filling the frame). Shares are of the whole frame."""

    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in frame pixels
    area: float  # its pixels, share of the frame
    bottom: float  # share of the frame's bottom rows it covers (a body runs on below the frame; an item does not)
    client: float  # share of its pixels inside the client zone


@dataclass(slots=True)
class Observation:
    counter_id: str
    frame_index: int
    t: float  # seconds since the clip or stream started
    wall_time: float | None = None  # unix seconds, when known
    image_size: tuple[int, int] = (0, 0)  # width, height
    camera_ok: bool = True  # False: the camera delivered no frame (an outage, never an empty post)
    ran: list[str] = field(default_factory=list)  # "pose", "face", "hands", "detector", "desk", ...
    pose: PoseResult | None = None  # the clerk (the person in the post zone)
    face: FaceResult | None = None
    hands: list[HandResult] = field(default_factory=list)
    detections: list[Detection] = field(default_factory=list)
    people: list[Detection] = field(default_factory=list)  # every person box (clients, colleagues)
    markers: list[Marker] = field(default_factory=list)
    desk_objects: list[Detection] = field(default_factory=list)  # change detection vs. reference
    near: list[NearChange] = field(default_factory=list)  # large border-cut changes vs. the reference ("near")
    motion: float = 0.0  # share of changed pixels since the last analysed frame
    timings_ms: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return _adapter().dump_json(self).decode()

    @classmethod
    def from_json(cls, line: str | bytes) -> Observation:
        return _adapter().validate_json(line)


@cache
def _adapter() -> TypeAdapter[Observation]:
    return TypeAdapter(Observation)


class ObservationStreamError(ValueError):
    """A recorded stream line that does not parse; names the file and line."""


def read_observations(path: str) -> list[Observation]:
    """Read a JSONL stream, failing with the file, line and field on the first bad line."""
    out: list[Observation] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append(Observation.from_json(line))
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"]) or "(line)"
                raise ObservationStreamError(
                    f"{path}:{lineno}: field '{where}': {err['msg']}. "
                    "Fix: re-record the stream with `counterwatch analyze CLIP --record OUT.jsonl`, "
                    "or correct that line."
                ) from None
    return out


def observation_json_schema() -> dict[str, Any]:
    return _adapter().json_schema()
