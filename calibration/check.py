"""`counterwatch calibrate check`: validate a counter file against its reference frame and draw an overlay.

Each problem names the file, the field and the fix. Checks: the reference image exists, is readable and
matches the camera resolution; every zone and slot lies inside the image; every slot lies on the desk;
the post and client zones do not overlap, nor do two slots; the sign's ArUco marker is visible in the
reference (and inside the sign zone when one is drawn); the desk zone exists when desk rules are enabled; a client
chair zone is large enough to judge, and comes with a client zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from calibration.config import CounterConfig, Polygon

DESK_RULES = ("desk.allowed_items", "desk.displaced", "desk.personal_items", "phone.on_desk", "item.unattended",
              "post.leave_secure", "desk.end_of_day", "desk.clutter")
ZONE_COLOURS = {"post": (255, 160, 0), "desk": (0, 200, 0), "client": (0, 160, 255), "sign": (255, 0, 255),
                "client_chair": (0, 90, 200)}
SLOT_ON_DESK = 0.8  # share of a slot's area that must lie on the desk
OVERLAP_LIMIT = 0.1  # share of the smaller polygon
# a slot covering fewer image pixels than this has no item in view to judge: from close and low the desk's front half
# (the evaluator pad, the acrylic stand) is below the frame, and the simulator's calibration then writes a degenerate
# polygon for it (session 19); desk.allowed_items and desk.displaced cannot judge such a slot, and the desk rules take
# an item moved into view from it as nobody's (`desk_common.slot_item_from_below`). Every slot on the seven splits'
# counters covers 3, 5 or >= 63 px (session 29).
SLOT_MIN_PX = 50


def chair_min_px(width: int) -> float:
    """The smallest client-chair zone (image pixels) the desk stage judges: its `chair_min_px` at its work width."""
    from vision.desk.params import DeskChangeParams

    p = DeskChangeParams()
    return p.chair_min_px * (width / p.work_width) ** 2


@dataclass
class Problem:
    field: str
    message: str
    fix: str

    def render(self, path: str | Path) -> str:
        return f"{path}: field '{self.field}': {self.message}. Fix: {self.fix}."


def polygon_mask(poly: Polygon, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(np.array(poly, np.float64)).astype(np.int32)], 1)
    return mask.astype(bool)


@lru_cache(maxsize=256)
def _slot_px(poly: tuple[tuple[float, float], ...], size: tuple[int, int]) -> int:
    return int(polygon_mask(list(poly), size).sum())


def slot_out_of_view(poly: Polygon, size: tuple[int, int]) -> bool:
    """The slot covers under `SLOT_MIN_PX` pixels of the `size` image: its item is not in the camera's view. The one
    definition for the calibration check and the desk rules (cached: the rules ask on every desk run)."""
    return _slot_px(tuple((float(x), float(y)) for x, y in poly), size) < SLOT_MIN_PX


def _overlap_raster(a: Polygon, b: Polygon, size: tuple[int, int]) -> float:
    ma, mb = polygon_mask(a, size), polygon_mask(b, size)
    small = min(ma.sum(), mb.sum())
    return float((ma & mb).sum()) / small if small else 0.0


def load_reference(cfg: CounterConfig) -> np.ndarray | None:
    if not cfg.reference_image or not Path(cfg.reference_image).is_file():
        return None
    return cv2.imread(cfg.reference_image)


def check_counter(cfg: CounterConfig, reference: np.ndarray | None = None) -> list[Problem]:
    problems: list[Problem] = []
    size = (cfg.camera.width, cfg.camera.height)
    if reference is None:
        reference = load_reference(cfg)
    if not cfg.reference_image:
        problems.append(Problem("reference_image", "no clean-desk reference frame is set",
                                "capture one with `counterwatch calibrate capture --source SRC --out ref.jpg` "
                                "and set reference_image: ref.jpg (relative to the counter file)"))
    elif reference is None:
        problems.append(Problem("reference_image", f"cannot read {cfg.reference_image}",
                                "check the path (relative to the counter file) or re-capture the reference"))
    else:
        h, w = reference.shape[:2]
        if (w, h) != size:
            problems.append(Problem("camera.width/height", f"the reference frame is {w}x{h} but the camera is "
                                    f"{size[0]}x{size[1]}; zones are drawn in camera pixels",
                                    f"set camera.width: {w} and camera.height: {h}, "
                                    "or re-capture at the camera's size"))
    zones = {k: v for k, v in cfg.zones.model_dump().items() if v is not None}
    polys = {f"zones.{k}": v for k, v in zones.items()}
    polys.update({f"slots.{i}.polygon ({s.name})": s.polygon for i, s in enumerate(cfg.slots)})
    for name, poly in polys.items():
        outside = [(x, y) for x, y in poly if not (0 <= x <= size[0] and 0 <= y <= size[1])]
        if outside:
            problems.append(Problem(name, f"points {outside} lie outside the {size[0]}x{size[1]} image",
                                    "move them inside the frame (image pixels, origin top-left)"))
    desk = cfg.zones.desk
    if desk is None and any(r not in cfg.disabled_rules for r in DESK_RULES):
        problems.append(Problem("zones.desk", "no desk zone, but desk rules are enabled",
                                "draw the counter top as a polygon, or list the desk rules under disabled_rules"))
    slot_masks = [polygon_mask(slot.polygon, size) for slot in cfg.slots]
    unseen = {i for i, slot in enumerate(cfg.slots) if slot_out_of_view(slot.polygon, size)}
    for i in sorted(unseen):
        problems.append(Problem(f"slots.{i}.polygon ({cfg.slots[i].name})",
                                f"the slot covers under {SLOT_MIN_PX} px of the image: its item is not in the camera's "
                                "view, and desk.allowed_items and desk.displaced cannot judge it",
                                "aim the camera so the item in its slot is in view (farther back, higher or tilted "
                                "further down), or remove the slot"))
    if desk is not None:
        desk_mask = polygon_mask(desk, size)
        for i, slot in enumerate(cfg.slots):
            if i in unseen:
                continue
            sm = slot_masks[i]
            share = float((sm & desk_mask).sum()) / max(1, sm.sum())
            if share < SLOT_ON_DESK:
                problems.append(Problem(f"slots.{i}.polygon ({slot.name})",
                                        f"only {share:.0%} of the slot lies on the desk zone",
                                        "move the slot onto the counter top or enlarge zones.desk"))
    chair = cfg.zones.client_chair
    if chair is not None and (px := int(polygon_mask(chair, size).sum())) < chair_min_px(size[0]):
        problems.append(Problem("zones.client_chair", f"the client chair's zone covers {px} px of the image, under "
                                f"the {chair_min_px(size[0]):.0f} px chair.reset judges: the chair is out of view or "
                                "too far",
                                "draw the zone around the whole chair standing in its place on the reference frame, "
                                "from a camera that sees it (a hall camera behind the client area), or remove it"))
    if chair is not None and cfg.zones.client is None and "chair.reset" not in cfg.disabled_rules:
        problems.append(Problem("zones.client", "a client chair zone is drawn but no client zone: chair.reset cannot "
                                "see the client leave, and takes a queue call as a client at the window for minutes",
                                "draw zones.client around where the client sits (the chair with a client on it)"))
    if cfg.zones.post and cfg.zones.client:
        ov = _overlap_raster(cfg.zones.post, cfg.zones.client, size)
        if ov > OVERLAP_LIMIT:
            problems.append(Problem("zones.post / zones.client", f"the clerk's and the client's zones overlap "
                                    f"({ov:.0%} of the smaller)", "separate them: the clerk sits behind the desk, "
                                    "the client stands in front of it"))
    names = [s.name for s in cfg.slots]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(Problem("slots", f"slot '{dup}' is defined twice", "keep one polygon per slot name"))
    for i in range(len(cfg.slots)):
        for j in range(i + 1, len(cfg.slots)):
            if i in unseen or j in unseen:
                continue
            ov = _overlap_raster(cfg.slots[i].polygon, cfg.slots[j].polygon, size)
            if ov > OVERLAP_LIMIT:
                problems.append(Problem(f"slots.{i} / slots.{j}", f"slots '{cfg.slots[i].name}' and "
                                        f"'{cfg.slots[j].name}' overlap ({ov:.0%} of the smaller)",
                                        "draw each slot around its own item only"))
    if cfg.sign_aruco_id is not None and reference is not None:
        problems += _check_marker(cfg, reference)
    return problems


def _check_marker(cfg: CounterConfig, reference: np.ndarray) -> list[Problem]:
    from vision.markers import detect_markers

    found = [m for m in detect_markers(reference, cfg.sign_aruco_dict) if m.marker_id == cfg.sign_aruco_id]
    if not found:
        return [Problem("sign_aruco_id", f"ArUco marker {cfg.sign_aruco_id} ({cfg.sign_aruco_dict}) is not visible "
                        "in the reference frame", "stand the pause sign at its place with the marker facing the "
                        "camera and re-capture, or correct sign_aruco_id / sign_aruco_dict")]
    sign = cfg.zones.sign
    if sign is not None:
        cx = sum(x for x, _ in found[0].corners) / 4
        cy = sum(y for _, y in found[0].corners) / 4
        if not polygon_mask(sign, (cfg.camera.width, cfg.camera.height))[
                min(int(cy), cfg.camera.height - 1), min(int(cx), cfg.camera.width - 1)]:
            return [Problem("zones.sign", f"the sign's marker is at ({cx:.0f}, {cy:.0f}), outside the sign zone",
                            "redraw zones.sign around where the sign stands")]
    return []


def draw_overlay(cfg: CounterConfig, reference: np.ndarray | None) -> np.ndarray:
    """Zones and slots drawn over the reference frame (a grey canvas when there is none)."""
    w, h = cfg.camera.width, cfg.camera.height
    base = reference.copy() if reference is not None else np.full((h, w, 3), 96, np.uint8)
    layer = base.copy()
    for name, poly in cfg.zones.model_dump().items():
        if poly is None:
            continue
        pts = np.round(np.array(poly)).astype(np.int32)
        cv2.fillPoly(layer, [pts], ZONE_COLOURS[name])
    out = cv2.addWeighted(layer, 0.25, base, 0.75, 0)
    for name, poly in cfg.zones.model_dump().items():
        if poly is None:
            continue
        pts = np.round(np.array(poly)).astype(np.int32)
        cv2.polylines(out, [pts], True, ZONE_COLOURS[name], 2)
        cv2.putText(out, name, tuple(int(v) + 6 for v in pts.min(axis=0)), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                    ZONE_COLOURS[name], 2)
    for slot in cfg.slots:
        pts = np.round(np.array(slot.polygon)).astype(np.int32)
        cv2.polylines(out, [pts], True, (0, 255, 255), 2)
        x, y = pts.min(axis=0)
        cv2.putText(out, slot.name, (int(x), max(12, int(y) - 6)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 255, 255), 1)
    if reference is not None and cfg.sign_aruco_id is not None:
        from vision.markers import detect_markers

        for m in detect_markers(reference, cfg.sign_aruco_dict):
            pts = np.round(np.array(m.corners)).astype(np.int32)
            colour = (0, 0, 255) if m.marker_id == cfg.sign_aruco_id else (128, 128, 128)
            cv2.polylines(out, [pts], True, colour, 3)
            cv2.putText(out, f"aruco {m.marker_id}", tuple(int(v) for v in pts[0]), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                        colour, 2)
    return out
