"""Desk change detection against the calibrated clean-desk reference.

`DeskChangeDetector(reference_bgr, counter_cfg).process(frame_bgr, pose, hands, t=...)` returns the
desk objects of one frame as `Detection`s (source "change"), in the frame's pixel coordinates:

- a foreign object: label = the detector's class on the blob's crop ("cup", "cell phone", ...),
  "papers"/"seal" from a colour/shape heuristic, else "unknown object";
- `slot_missing:<slot>`: an allowed item is gone from its designated slot and was not found;
- `slot_moved:<slot>`: an allowed item (or the monitor) was found elsewhere; the box is where it is.

Why the comparison is built this way:
- Lighting drift: the reference is scaled by a robust per-cell gain (median ratio over a coarse grid,
  median-filtered) and a per-cell chroma offset, so global and smooth changes cancel; structure is
  compared with local zero-mean normalised cross-correlation, which ignores gain. Pixels with no change
  feed a slow reference update.
- The clerk's arms and hands: masked from the pose and hand landmarks (thick limbs, hand hulls) and,
  second, a dual background model: the long-term model is the reference, the short-term one a fast
  running average. Only pixels that differ from the reference but agree with the short-term model
  (still for a few seconds) make objects, so a hand sweeping over the desk never does.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from calibration.config import CounterConfig
from vision.observation import Marker
from vision.results import Box, Detection, HandResult, PoseResult
from vision.roi import box_iou, overlap_of_smaller

log = logging.getLogger(__name__)

# A classifier takes a BGR crop and returns detections in the crop's pixel coordinates.
Classifier = Callable[[np.ndarray], list[Detection]]

SURFACE_LABELS = frozenset({"dining table", "table", "desk", "countertop", "kitchen & dining room table"})
PERSON_LABELS = frozenset({"person", "man", "woman", "human face", "human hand", "human arm"})
# Classes a desk top can plausibly hold (COCO + Open Images names, lower case). The SSDs on a crop of a
# flat rendered item often answer "tv", "refrigerator" or "bed": such a label is noise, not a class.
DESK_CLASSES = frozenset({
    "cell phone", "mobile phone", "cup", "mug", "coffee cup", "bottle", "wine glass", "bowl", "book",
    "handbag", "backpack", "suitcase", "umbrella", "tie", "laptop", "keyboard", "mouse", "remote", "scissors",
    "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake",
    "box", "towel", "hat", "scarf", "glasses", "teddy bear", "clock", "vase", "food", "snack",
})
# What the tiles of a blob under the clerk's arms may find: not what a person wears (a sleeve or a collar read as a tie)
ARM_CLASSES = DESK_CLASSES - {"tie", "hat", "scarf", "glasses", "handbag", "backpack", "towel"}
SHADOW = "shadow"  # what `_desk_in_shadow` calls a dark blob of the desk's own hue: never reported
FOOD_CLASSES = frozenset({"banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut",
                          "cake", "food", "snack"})
# What the SSDs call a phone lying close to the camera (a big, flat, lit slab): checked with the phone heuristic.
PHONE_LOOKALIKES = frozenset({"laptop", "remote", "keyboard"})
# OpenCV hues (0-180) of skin and of wooden desks; a lit phone screen shows at least MIN_ICON_HUES of its vivid
# pixels (app icons) outside them (sim phones 0.15-0.41 beside the hand; a hand beside papers, a lit patch of arm 0)
ORANGE_HUES = (5, 25)
MIN_ICON_HUES = 0.08
# BlazePose indices: shoulders 11/12, elbows 13/14, wrists 15/16, hand points 17-22, hips 23/24.
_LIMBS = [(11, 13), (13, 15), (12, 14), (14, 16), (15, 17), (15, 19), (15, 21), (16, 18), (16, 20), (16, 22),
          (11, 12)]
_TORSO = [11, 12, 24, 23]


@dataclass
class DeskChangeParams:
    work_width: int = 640  # analysis resolution (pixels across)
    grid: tuple[int, int] = (10, 6)  # cells for the illumination gain/chroma model
    intensity_change: float = 0.28  # relative brightness change after gain correction
    chroma_change: float = 0.045  # change of normalised colour
    ncc_window: int = 7
    ncc_change: float = 0.35  # local ZNCC below this (both textured) = structure changed
    texture_var: float = 30.0  # grey variance that counts as texture
    min_area_frac: float = 0.003  # of the desk area (a seal is ~0.008; render/shadow specks are smaller)
    min_area_px: int = 60  # at work resolution
    short_tau_s: float = 0.5  # short-term background time constant
    motion_change: float = 0.12  # relative difference to the short-term model = moving
    static_frac: float = 0.6  # share of a blob's pixels that must be still
    reference_tau_s: float = 180.0  # slow reference update where nothing changed
    limb_width_frac: float = 0.35  # arm mask thickness, share of shoulder width
    slot_changed_frac: float = 0.25  # share of a slot's pixels that must change before it is checked
    slot_present_ncc: float = 0.8
    slot_found_ncc: float = 0.8
    slot_shift_frac: float = 0.2  # a shift beyond this share of the slot size = moved
    slot_occluded_frac: float = 0.35  # skip a slot this much covered by the clerk
    min_still_s: float = 2.0  # a blob must stay in place this long before it is an object
    nested_frac: float = 0.9  # ... in place: the same box (IoU > 0.6) or this share of one box inside the other
    reclassify_s: float = 10.0
    person_drop_score: float = 0.5  # a blob whose only detection is a person this sure is the person
    sure_class_score: float = 0.5  # a desk class this sure wins over the papers/seal heuristic
    shadow_hue: float = 10.0  # an all-dark blob is the desk in shadow when its dark pixels lie within this hue
    shadow_share: float = 0.6  # ... (OpenCV 0-180) of the desk's, saturated, on this share of them
    crop_context: float = 0.6  # the classifier's crop: the blob padded by this x its size
    arm_tile: float = 0.6  # `_under_arms`: the tiles' side, x the blob's short side
    hands_band_px: int = 4  # `_between_hands`: the clerk's masks this close beside a blob cut it
    tile_score: float = 0.7  # ... a class found on a tile this sure is an item (small crops make the SSDs bold)
    joined_share: float = 0.25  # a sure class boxing less than this share of its blob: items joined, looked at in tiles
    tight_context: float = 0.1  # ... and of the tight second look at a blob the heuristic calls papers or a phone
    revealed_match: float = 0.12  # frame this close (relative) to its inpainted surroundings = background shows
    revealed_ratio: float = 2.0  # ... and the reference that much further from them: an item was there
    slot_vacated_frac: float = 0.25  # background showing in or beside a slot, x its area = vacated
    slot_hole_margin: int = 3  # pixels: a hole this close to the slot is where its item stood
    moved_area_ratio: tuple[float, float] = (0.1, 4.0)  # a new blob this size (x slot or hole area) = the moved item
    # ... and of the item's colours: at most this share of the blob's new pixels may fall outside the colours the
    # item showed where it stood (brightness-free chromaticity, so a view of only part of it still matches)
    moved_colour: float = 0.4
    moved_window_s: float = 6.0  # ... if it appeared no earlier than this before the slot emptied
    rise_frac: float = 0.45  # standing objects: search this share of the frame height above the desk
    footprint_px: int = 24  # ... a blob above the desk needs this many changed pixels on the desk itself
    sign_board_scale: float = 3.0  # the pause sign's board: its marker's quad grown this much about its centre
    sign_memory_s: float = 10.0  # ... while its marker was read this recently (the markers stage runs on few frames)
    # a sign zone the frame's edge cuts: the frame may cut the marker, so it is never read and the board never cut
    # out; a blob holding this share of the zone with at most sign_size x its pixels is the sign, with the clerk away
    sign_hold: float = 0.7
    sign_size: float = 3.0
    sign_part_frac: float = 0.33  # what the board cuts off an area counts from this share of the board's area on
    # a blob with this share of its new pixels inside the clerk's torso outline (the shoulders-hips polygon grown by
    # half a shoulder width) and this share in the colours of the clerk's clothes (read on at least clerk_min_px
    # torso pixels above the desk) is the clerk's body (`_without_clerk`)
    clerk_inside: float = 0.9
    clerk_grow: float = 0.5  # `_without_clerk`: the torso outline's dilation disc, shoulder widths across
    clerk_colour_share: float = 0.5
    clerk_min_px: int = 300
    clothes_grow: float = 0.5  # `_clothes`: the torso outline's dilation disc, shoulder widths across
    default_dt: float = 0.5  # seconds between frames when process() is not given t


@dataclass
class _Slot:
    name: str
    rect: tuple[int, int, int, int]  # x, y, w, h at work resolution
    template: np.ndarray  # grey reference patch


@dataclass
class _SlotVerdict:
    """One frame's judgement of one slot (see DeskChangeDetector._judge_slot)."""

    state: str  # present / occluded / covered / moved / missing
    det: Detection | None = None
    absorbed: list[tuple[int, int, int, int]] = field(default_factory=list)  # rects no blob may come from
    scores: tuple[float, float | None, float] | None = None  # ZNCC in place, best elsewhere, hole x slot area
    hole_area: float = 0.0  # pixels of background showing where the item stood (its visible size)
    # the item's pixels in the relit reference over that hole, their colours (`_colour_model`), and whether the
    # frame edge cuts the hole (the item was seen only in part)
    colour: tuple[np.ndarray, np.ndarray, bool] | None = None
    # the changed areas joined to that hole, as x1, y1, x2, y2
    joined: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class _Cached:
    box: Box
    label: str
    score: float
    class_id: int
    at: float
    joined: bool = False  # the class's box covers little of the blob: several items joined in one area


@dataclass
class DeskState:
    """What the last frame looked like inside the detector (for overlays and tests)."""

    change: np.ndarray | None = None
    static: np.ndarray | None = None
    person: np.ndarray | None = None
    revealed: np.ndarray | None = None  # changed pixels where the background now shows (an item taken away)
    slots: dict[str, str] = field(default_factory=dict)  # slot -> present / missing / moved / occluded / covered
    # (ZNCC in place, best elsewhere, background showing in or beside the slot x its area)
    slot_scores: dict[str, tuple[float, float | None, float]] = field(default_factory=dict)


class DeskChangeDetector:
    def __init__(
        self,
        reference_bgr: np.ndarray,
        counter_cfg: CounterConfig,
        classifier: Classifier | None | str = "auto",
        params: DeskChangeParams | None = None,
    ) -> None:
        """`classifier`: a crop classifier, None (every object is "unknown object"), or "auto": the
        registry's desk detectors when installed (a warning and None when they are not)."""
        if reference_bgr is None or reference_bgr.ndim != 3:
            raise ValueError("reference_bgr must be a BGR image (H, W, 3); check the counter's reference_image")
        self.p = params or DeskChangeParams()
        self.cfg = counter_cfg
        self.classifier = _auto_classifier() if classifier == "auto" else classifier
        h0, w0 = reference_bgr.shape[:2]
        self.ref_size = (w0, h0)
        self.work_size = (self.p.work_width, max(1, round(h0 * self.p.work_width / w0)))
        self.ref = self._work(reference_bgr)
        self.ref_orig_grey = _grey(self.ref)
        # zones are in calibration pixels (camera width/height); scale them to the work image
        cam_w = float(counter_cfg.camera.width or w0)
        self.zone_scale = self.work_size[0] / cam_w
        self.desk = self._zone_mask(counter_cfg.zones.desk)
        # the pause sign comes and goes by design (post.pause_sign reads it): never a desk object
        self.sign = self._zone_mask(counter_cfg.zones.sign) if counter_cfg.zones.sign else None
        self.sign_area = int(self.sign.sum()) if self.sign is not None else 0
        self.sign_at_edge = self.sign is not None and bool(
            self.sign[0].any() or self.sign[-1].any() or self.sign[:, 0].any() or self.sign[:, -1].any())
        self.sign_seen: Box | None = None  # where a blob was last taken for the sign at the frame's edge
        self._sign_kept = False  # ... and whether this frame still shows it there
        self.desk_area = max(1, int(self.desk.sum()))
        self.desk_hue = _surface_hue(reference_bgr, self.desk)
        self.slots = [self._make_slot(s.name, s.polygon) for s in counter_cfg.slots]
        self.short_bg: np.ndarray | None = None
        self.t: float | None = None
        self.cache: list[_Cached] = []
        self.arm_cache: list[list[Any]] = []  # [box, when, items] of the blobs under the clerk's arms (`_under_arms`)
        self.tracks: list[tuple[Box, float]] = []  # (box, first seen) of still blobs, work pixels
        self.slot_since: dict[str, float] = {}  # slot -> when its current missing/moved streak began
        self.moved_seen: dict[str, float] = {}  # slot -> when its item was last seen moved elsewhere
        self.moved_box: dict[str, Box] = {}  # slot -> where (work pixels) its item was last seen moved
        # desk zone plus a band above it: an item standing on the desk (an umbrella, a bag) rises above the
        # counter top in the image; it is kept only with a footprint on the desk itself
        rows = np.flatnonzero(self.desk.any(axis=1))
        top = int(rows[0]) if len(rows) else 0
        self.search = np.flip(np.maximum.accumulate(np.flip(self.desk, 0), 0), 0)
        self.search[: max(0, top - int(self.p.rise_frac * self.work_size[1]))] = False
        self.state = DeskState()
        self._cur: np.ndarray | None = None  # this frame at work resolution (the moved item's colour)
        self._ref_corr: np.ndarray | None = None  # the reference relit to this frame (the item's colours)
        self._sign_marker: tuple[np.ndarray, float] | None = None  # the sign's marker corners (work pixels), when

    # ------------------------------------------------------------------ public
    def process(
        self,
        frame_bgr: np.ndarray,
        pose: PoseResult | None = None,
        hands: Sequence[HandResult] | None = None,
        t: float | None = None,
        markers: Sequence[Marker] | None = None,
    ) -> list[Detection]:
        """`markers`: the ArUco markers read on this frame, if the markers stage ran (the pause sign's is
        remembered for `sign_memory_s`, so the sign is cut out of what stands beside it)."""
        dt = self.p.default_dt if self.t is None or t is None else max(1e-3, t - self.t)
        now = (self.t or 0.0) + self.p.default_dt if t is None else t
        self.t = now
        fh, fw = frame_bgr.shape[:2]
        to_frame = fw / self.work_size[0]
        self._note_sign(markers, now, self.work_size[0] / fw)
        cur = self._work(frame_bgr)
        self._cur = cur
        person = self._person_mask(pose, hands, self.work_size[0] / fw)
        person |= self._clothes(cur, pose, person, self.work_size[0] / fw)
        change, revealed = self._change_mask(cur, person)
        static = self._static_mask(cur, dt)
        self._adapt_reference(cur, change | person | ~static, dt)
        self.state = DeskState(change=change, static=static, person=person, revealed=revealed)

        out: list[Detection] = []
        cc = cv2.connectedComponentsWithStats(change.astype(np.uint8), connectivity=8)  # slots and blobs share it
        grey = _grey(cur)
        holes = self._slot_holes(revealed)
        verdicts = [self._judge_slot(slot, grey, change, revealed, holes, cc, static, person, to_frame)
                    for slot in self.slots]
        absorbed = [r for v in verdicts for r in v.absorbed]
        # the sign stands only while the clerk is away: with the clerk at the post its zone is plain desk
        clerk_away = not self._at_post(pose)
        settled = self._settled(self._blobs(static, revealed, cc, absorbed, clerk_away, self._sign_board(now)), now)
        if settled and not clerk_away:
            settled = self._without_clerk(settled, pose, self.work_size[0] / fw)
        for slot, verdict in zip(self.slots, verdicts, strict=True):
            state, det = self._resolve_slot(slot, verdict, settled, now, to_frame)
            self.state.slots[slot.name] = state
            if verdict.scores is not None:
                self.state.slot_scores[slot.name] = verdict.scores
            if state == "present":
                self.slot_since.pop(slot.name, None)
                self.moved_box.pop(slot.name, None)
            elif state in ("moved", "missing"):
                self.slot_since.setdefault(slot.name, now)
            if det is not None:
                out.append(det)
        for box, conf in settled:
            full = tuple(v * to_frame for v in box)
            label, score, cid, joined = self._classify(frame_bgr, full, now)  # type: ignore[arg-type]
            if label in PERSON_LABELS:
                out += self._under_arms(frame_bgr, full, now, conf)  # type: ignore[arg-type]
                continue
            if label == SHADOW:
                continue
            own = Detection(box=full, label=label, score=round(score * conf, 3), source="change", class_id=cid)  # type: ignore[arg-type]
            out += self._under_arms(frame_bgr, full, now, conf, own) if joined else [own]  # type: ignore[arg-type]
        return out

    def _resolve_slot(
        self, slot: _Slot, verdict: _SlotVerdict, settled: list[tuple[Box, float]], now: float, to_frame: float
    ) -> tuple[str, Detection | None]:
        """The slot's state for this frame and its report, if any. An emptied slot is paired with a new item
        of its size that appeared with it (moved); a slot whose item was just seen moved is held as moved
        while it re-settles (a hand over it); else it is missing once it stayed empty for `min_still_s`."""
        if verdict.state != "missing":
            prev = self.moved_box.get(slot.name)
            if verdict.state == "moved" and prev is not None:
                # the blob paired with the slot before stays its item while it lies there, wherever the template
                # matches now (a turned item matches a patch of itself, or of something else)
                for blob in [b for b in settled if overlap_of_smaller(b[0], prev) >= 0.6]:
                    settled.remove(blob)
            return verdict.state, verdict.det
        since = self.slot_since.get(slot.name, now)
        blob = self._moved_item(slot, verdict, settled, since)
        if blob is not None:
            settled.remove(blob)
        for rest in [b for b in settled if any(_inside_share_box(b[0], j) > 0.6 for j in verdict.joined)]:  # type: ignore[arg-type]
            settled.remove(rest)  # the rest of the hole, or what the item hid, now in view: not a new object
        if blob is not None:
            self.moved_seen[slot.name] = now
            self.moved_box[slot.name] = blob[0]
            box = tuple(v * to_frame for v in blob[0])
            return "moved", Detection(box=box, label=f"slot_moved:{slot.name}", score=0.6, source="change")  # type: ignore[arg-type]
        if now - self.moved_seen.get(slot.name, -math.inf) < self.p.moved_window_s:
            return "moved", None
        if now - since >= self.p.min_still_s:
            return "missing", verdict.det  # empty for a while (a hand passing over it is not enough)
        return "missing", None

    def _moved_item(
        self, slot: _Slot, verdict: _SlotVerdict, settled: list[tuple[Box, float]], since: float
    ) -> tuple[Box, float] | None:
        """The settled blob that is most likely the slot's item put down elsewhere: first seen no earlier
        than `moved_window_s` before the slot emptied, of a plausible size next to the slot or the hole the
        item left (the hand mask cuts it; the frame edge may cut the hole), and of the item's colour."""
        prev = self.moved_box.get(slot.name)
        if prev is not None:
            # the blob already paired with this slot, still lying there: the same item, whatever its colours
            # look like this frame (the clerk's hand cuts a different part of it each frame)
            same = [b for b in settled if overlap_of_smaller(b[0], prev) >= 0.6]
            if same:
                return max(same, key=lambda b: overlap_of_smaller(b[0], prev))
        area = float(max(slot.rect[2] * slot.rect[3], verdict.hole_area))
        lo, hi = self.p.moved_area_ratio
        best, best_t = None, -math.inf
        for blob in settled:
            box = blob[0]
            first = next((tr[1] for tr in self.tracks if tr[0] == box), since)
            ratio = (box[2] - box[0]) * (box[3] - box[1]) / area
            if first < since - self.p.moved_window_s or not lo <= ratio <= hi or first <= best_t:
                continue
            if verdict.colour is not None and self._colour_distance(box, verdict.colour) > self.p.moved_colour:
                continue  # a new thing of other colours is not the item that left
            best, best_t = blob, first
        return best

    def _colour_distance(self, box: Box, colour: tuple[np.ndarray, np.ndarray, bool]) -> float:
        """1 - `_colour_overlap` of the item where it stood (`colour`: its pixels in the relit reference, their
        colour model, whether the frame edge cut that view) and the blob's new (not revealed) pixels now:
        0 = the same colours."""
        x1, y1, x2, y2 = (int(v) for v in box)
        assert self.state.change is not None and self.state.revealed is not None and self._cur is not None
        own = (self.state.change & ~self.state.revealed)[y1:y2, x1:x2]
        if own.sum() < 10:
            return math.inf
        pixels, model, partial = colour
        return 1.0 - _colour_overlap(pixels, model, self._cur[y1:y2, x1:x2][own], partial)

    def _without_clerk(self, settled: list[tuple[Box, float]], pose: PoseResult | None,
                       scale: float) -> list[tuple[Box, float]]:
        """`settled` less the blobs that are the clerk's own body where the limb and torso masks miss it (the side
        of the shirt beside the elbow, the waist over the desk's back edge seen from aside): a blob lying inside
        the clerk's torso outline (`clerk_inside`) whose new pixels mostly show the colours of the clerk's clothes
        (`clerk_colour_share`, read on the torso above the desk away from the blob, so an item held up in front of
        the clerk does not lend its own colours). An item lying in front of the clerk differs in colour."""
        pts = _torso_points(pose, scale)
        if pts is None or self._cur is None:
            return settled
        assert self.state.change is not None
        w, h = self.work_size
        torso = np.zeros((h, w), np.uint8)
        cv2.fillPoly(torso, [pts.astype(np.int32)], 1)
        k = self._outline_px(pts, self.p.clerk_grow)
        outline = cv2.dilate(torso, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool)
        clothes = torso.astype(bool) & ~self.desk
        own = self.state.change if self.state.revealed is None else self.state.change & ~self.state.revealed
        out = []
        for blob in settled:
            x1, y1, x2, y2 = (int(v) for v in blob[0])
            mine = own[y1:y2, x1:x2]
            if mine.any() and float(outline[y1:y2, x1:x2][mine].mean()) >= self.p.clerk_inside:
                sample = clothes.copy()
                sample[y1:y2, x1:x2] = False
                model = _colour_model(self._cur[sample]) if int(sample.sum()) >= self.p.clerk_min_px else None
                px = self._cur[y1:y2, x1:x2][mine]
                if model is not None and float(model[_colour_bins(px)].mean()) >= self.p.clerk_colour_share:
                    continue
            out.append(blob)
        return out

    @staticmethod
    def _outline_px(torso_pts: np.ndarray, grow: float) -> int:
        """A torso outline's dilation disc (odd pixels): `grow` shoulder widths across."""
        return max(3, int(grow * float(np.hypot(*(torso_pts[0] - torso_pts[1]))))) | 1

    def _note_sign(self, markers: Sequence[Marker] | None, now: float, scale: float) -> None:
        want = self.cfg.sign_aruco_id
        for m in markers or []:
            if len(m.corners) == 4 and (want is None or m.marker_id == want):
                self._sign_marker = (np.array(m.corners, np.float32) * scale, now)

    def _sign_board(self, now: float) -> np.ndarray | None:
        """Where the pause sign's board stands (work pixels), from its marker read within `sign_memory_s`: the
        board lies in the marker's plane around it, so the marker's quad grown about its centre by
        `sign_board_scale` covers it from any side. Seen from the side the sign joins the papers or the seal
        lying beside it into one changed area; without the board they stay what they are."""
        if self._sign_marker is None or now - self._sign_marker[1] > self.p.sign_memory_s:
            return None
        quad = self._sign_marker[0]
        centre = quad.mean(axis=0)
        board = np.zeros((self.work_size[1], self.work_size[0]), np.uint8)
        cv2.fillConvexPoly(board, np.round(centre + self.p.sign_board_scale * (quad - centre)).astype(np.int32), 1)
        return board.astype(bool)

    # ------------------------------------------------------------ preparation
    def _work(self, bgr: np.ndarray) -> np.ndarray:
        img = cv2.resize(bgr, self.work_size, interpolation=cv2.INTER_AREA)
        return cv2.GaussianBlur(img, (3, 3), 0).astype(np.float32)

    def _zone_mask(self, polygon: Sequence[tuple[float, float]] | None) -> np.ndarray:
        w, h = self.work_size
        if polygon is None:  # no desk zone: the whole frame is the desk
            return np.ones((h, w), bool)
        mask = np.zeros((h, w), np.uint8)
        pts = np.array([[x * self.zone_scale, y * self.zone_scale] for x, y in polygon], np.int32)
        cv2.fillPoly(mask, [pts], 1)
        return mask.astype(bool)

    def _make_slot(self, name: str, polygon: Sequence[tuple[float, float]]) -> _Slot:
        pts = np.array([[x * self.zone_scale, y * self.zone_scale] for x, y in polygon], np.float32)
        x, y, w, h = cv2.boundingRect(pts)
        W, H = self.work_size
        x, y = max(0, x), max(0, y)
        w, h = max(4, min(w, W - x)), max(4, min(h, H - y))
        return _Slot(name, (x, y, w, h), self.ref_orig_grey[y:y + h, x:x + w].copy())

    def _at_post(self, pose: PoseResult | None) -> bool:
        """The clerk's mid-shoulders inside the post zone (a pose elsewhere is someone passing, or the
        model fitting a body to the empty chair)."""
        if pose is None or len(pose.landmarks) < 13:
            return False
        a, b = pose.landmarks[11], pose.landmarks[12]
        if min(a.visibility, b.visibility) < 0.3:
            return False
        post = self.cfg.zones.post
        if post is None:
            return True
        poly = np.array(post, np.float32)
        return cv2.pointPolygonTest(poly, ((a.x + b.x) / 2, (a.y + b.y) / 2), False) >= 0

    # ---------------------------------------------------------------- masks
    def _person_mask(self, pose: PoseResult | None, hands: Sequence[HandResult] | None, scale: float) -> np.ndarray:
        w, h = self.work_size
        mask = np.zeros((h, w), np.uint8)
        width = 14
        if pose is not None and len(pose.landmarks) >= 25:
            lm = pose.landmarks
            pts = [(int(p.x * scale), int(p.y * scale)) for p in lm]
            shoulder = math.dist(pts[11], pts[12])
            width = max(width, int(self.p.limb_width_frac * shoulder))
            for a, b in _LIMBS:
                if min(lm[a].visibility, lm[b].visibility) > 0.2:
                    cv2.line(mask, pts[a], pts[b], 1, width)
            torso = np.zeros_like(mask)
            cv2.fillPoly(torso, [np.array([pts[i] for i in _TORSO], np.int32)], 1)
            mask |= torso & (~self.desk).astype(np.uint8)  # below the desk's back edge the desk hides the lap
            head = max(width, int(0.6 * shoulder))
            cv2.circle(mask, pts[0], head, 1, -1)
        for hand in hands or []:
            hp = np.array([[x * scale, y * scale] for x, y, _ in hand.landmarks], np.float32)
            if len(hp) < 3:
                continue
            hull = cv2.convexHull(hp).astype(np.int32)
            cv2.fillConvexPoly(mask, hull, 1)
            size = float(np.ptp(hp, axis=0).max())
            cv2.polylines(mask, [hull], True, 1, max(8, int(0.5 * size)))
        if mask.any():  # shadows and motion blur spill past the limbs
            k = (width // 2) | 1
            mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        return mask.astype(bool)

    def _clothes(self, cur: np.ndarray, pose: PoseResult | None, person: np.ndarray, scale: float) -> np.ndarray:
        """The clerk's clothes the limb and torso masks miss above the desk (the sides of the shirt, the waist down
        to the desk's back edge): pixels inside the torso outline (the shoulders-hips polygon dilated with a disc
        `clothes_grow` shoulder widths across, as `_without_clerk`), off the desk zone, in the colours the masked
        torso shows there. Unmasked,
        they join an item lying at the desk's back edge into one changed area that never settles. Items lying on
        the desk are never cut: only pixels above it are."""
        none = np.zeros_like(person)
        pts = _torso_points(pose, scale)
        if pts is None:
            return none
        h, w = person.shape
        k = self._outline_px(pts, self.p.clothes_grow)
        # work on the outline's bounding box only (the dilation is the costly part)
        x1, y1 = (max(0, int(v) - k) for v in pts.min(axis=0))
        x2, y2 = min(w, int(pts[:, 0].max()) + k + 1), min(h, int(pts[:, 1].max()) + k + 1)
        if x2 - x1 < 2 or y2 - y1 < 2:
            return none
        torso = np.zeros((y2 - y1, x2 - x1), np.uint8)
        cv2.fillPoly(torso, [(pts - (x1, y1)).astype(np.int32)], 1)
        above = ~self.desk[y1:y2, x1:x2]
        sample = torso.astype(bool) & above
        if int(sample.sum()) < self.p.clerk_min_px:
            return none
        model = _colour_model(cur[y1:y2, x1:x2][sample])
        if model is None:
            return none
        outline = cv2.dilate(torso, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool)
        near = outline & above & ~person[y1:y2, x1:x2]
        found = np.zeros_like(near)
        found[near] = model[_colour_bins(cur[y1:y2, x1:x2][near])]
        # grown like the person mask: the clothes' rim (shaded, blended with the wall) is the clerk too
        spill = (max(14, int(self.p.limb_width_frac * float(np.hypot(*(pts[0] - pts[1]))))) // 2) | 1
        found = cv2.dilate(found.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (spill, spill)))
        out = none
        out[y1:y2, x1:x2] = found.astype(bool) & above
        return out

    def _change_mask(self, cur: np.ndarray, person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The changed pixels, and the share of them that is a hole (`_revealed`)."""
        p = self.p
        valid = self.search & ~person
        # von Kries model: a smooth per-channel gain field absorbs brightness and colour-temperature drift
        gains = [self._cell_field((cur[..., c] + 1.0) / (self.ref[..., c] + 1.0), valid, 1.0) for c in range(3)]
        ref_corr = cv2.merge([self.ref[..., c] * gains[c] for c in range(3)])
        self._ref_corr = ref_corr
        g_cur, g_corr = _grey(cur), _grey(ref_corr)
        d = np.abs(cur - ref_corr)
        rel = cv2.max(cv2.max(d[..., 0], d[..., 1]), d[..., 2]) / (g_corr + 12.0)
        dc = np.abs(_chroma(cur) - _chroma(ref_corr))
        bright = (g_cur > 25) & (g_corr > 25)
        # where the relit reference would clip, colour and brightness cannot be compared
        clipped = cv2.max(cv2.max(ref_corr[..., 0], ref_corr[..., 1]), ref_corr[..., 2]) >= 245
        bright &= ~clipped
        rel[clipped] = 0.0
        chroma = (cv2.max(dc[..., 0], dc[..., 1]) > p.chroma_change) & bright
        structure = self._structure_change(g_cur, g_corr)
        change = (rel > p.intensity_change) | chroma | structure
        change = (change & self.search & ~person).astype(np.uint8)
        change = cv2.morphologyEx(change, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        change = cv2.morphologyEx(change, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
        change = change.astype(bool) & self.search & ~person
        return change, self._revealed(cur, ref_corr, change, person)

    def _revealed(self, cur: np.ndarray, ref_corr: np.ndarray, change: np.ndarray, person: np.ndarray) -> np.ndarray:
        """The changed pixels where the background now shows: the frame looks like the desk around them (the
        relit reference inpainted over the changed and the clerk's pixels) while the reference itself did not.
        That is an item taken away (the hole it left, its whole silhouette), not one put down: a hole is never
        an object, and a slot whose change is not a hole is hidden behind something, not emptied."""
        if not change.any():
            return change
        # holes filled and grown, so that no part of the object (a flat patch the change mask missed, its soft
        # rim) is taken as its surroundings
        unknown = cv2.dilate((_fill_holes(change) | person).astype(np.uint8), np.ones((9, 9), np.uint8))
        bg = cv2.inpaint(np.clip(ref_corr, 0, 255).astype(np.uint8), unknown, 5, cv2.INPAINT_TELEA).astype(np.float32)
        # compared on the changed pixels only: the answer is a subset of them
        around = bg[change]
        norm = _grey(around[:, None, :])[:, 0] + 12.0  # grey of the changed pixels only, not of the whole image
        d_cur = np.abs(cur[change] - around).max(axis=1) / norm
        d_ref = np.abs(ref_corr[change] - around).max(axis=1) / norm
        revealed = np.zeros_like(change)
        revealed[change] = (d_cur < self.p.revealed_match) & (d_ref > self.p.revealed_ratio * d_cur)
        return revealed

    def _cell_field(self, values: np.ndarray, valid: np.ndarray, default: float) -> np.ndarray:
        """Robust smooth field: the median per grid cell, median-filtered, then interpolated."""
        gx, gy = self.p.grid
        h, w = values.shape
        cells = np.full((gy, gx), np.nan, np.float32)
        for j in range(gy):
            for i in range(gx):
                ys, xs = slice(j * h // gy, (j + 1) * h // gy), slice(i * w // gx, (i + 1) * w // gx)
                ok = valid[ys, xs]
                if ok.mean() > 0.25:
                    cells[j, i] = float(np.median(values[ys, xs][ok]))
        if np.isnan(cells).all():
            return np.full(values.shape, default, np.float32)
        cells[np.isnan(cells)] = float(np.nanmedian(cells))
        cells = cv2.medianBlur(cells, 3)
        return cv2.resize(cells, (w, h), interpolation=cv2.INTER_LINEAR)

    def _structure_change(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        k = (self.p.ncc_window, self.p.ncc_window)
        ma, mb = cv2.blur(a, k), cv2.blur(b, k)
        va = np.maximum(cv2.blur(a * a, k) - ma * ma, 0)
        vb = np.maximum(cv2.blur(b * b, k) - mb * mb, 0)
        cov = cv2.blur(a * b, k) - ma * mb
        ncc = cov / np.sqrt(va * vb + 1e-3)
        tex_a, tex_b = va > self.p.texture_var, vb > self.p.texture_var
        both = tex_a & tex_b
        appeared = (tex_a ^ tex_b) & (np.maximum(va, vb) > 4 * np.minimum(va, vb) + 4 * self.p.texture_var)
        return (both & (ncc < self.p.ncc_change)) | appeared

    def _static_mask(self, cur: np.ndarray, dt: float) -> np.ndarray:
        if self.short_bg is None:  # no motion history yet: take the first frame as still (hands are masked)
            self.short_bg = cur.copy()
        g_cur, g_bg = _grey(cur), _grey(self.short_bg)
        moving = np.abs(g_cur - g_bg) / (g_bg + 12.0) > self.p.motion_change
        dc = np.abs(_chroma(cur) - _chroma(self.short_bg))
        moving |= cv2.max(dc[..., 0], dc[..., 1]) > 2 * self.p.chroma_change
        alpha = 1.0 - math.exp(-dt / self.p.short_tau_s)
        self.short_bg += alpha * (cur - self.short_bg)
        return ~moving

    def _adapt_reference(self, cur: np.ndarray, keep: np.ndarray, dt: float) -> None:
        beta = 1.0 - math.exp(-dt / self.p.reference_tau_s)
        upd = (~keep)[..., None].astype(np.float32)
        self.ref += (beta * (cur - self.ref)) * upd

    # ---------------------------------------------------------------- slots
    def _judge_slot(
        self, slot: _Slot, grey: np.ndarray, change: np.ndarray, revealed: np.ndarray,
        holes: tuple[np.ndarray, dict[str, list[int]]], cc: tuple, static: np.ndarray, person: np.ndarray,
        to_frame: float,
    ) -> _SlotVerdict:
        """What this frame shows at the slot (no state is changed here): occluded (the clerk's hands over it:
        unknown), present, covered (changed, but no background shows where the item stood: something stands in
        front of it; unknown), moved (the item's picture found elsewhere), or missing (vacated; `_resolve_slot`
        pairs it with a new item or waits before reporting it).

        Vacated means background showing (`_revealed`) in or beside the slot: an item's image rises above its
        footprint and the frame edge may cut the footprint, so the hole joined to the slot counts whole."""
        x, y, w, h = slot.rect
        moving = 1.0 - float(static[y:y + h, x:x + w].mean())
        if person[y:y + h, x:x + w].mean() > self.p.slot_occluded_frac or moving > 0.1:
            return _SlotVerdict("occluded", absorbed=[slot.rect])
        here = _zncc(grey[y:y + h, x:x + w], slot.template)
        changed = float(change[y:y + h, x:x + w].mean())
        if here >= self.p.slot_present_ncc and changed < 0.5:
            return _SlotVerdict("present")  # changed but still the same picture (a shadow, a lighter lamp)
        hole, hole_box = self._hole(slot, holes)
        if hole.sum() < self.p.slot_vacated_frac * w * h:
            if changed < self.p.slot_changed_frac:
                return _SlotVerdict("present")
            return _SlotVerdict("covered", scores=(round(here, 3), None, round(float(hole.sum()) / (w * h), 2)))
        assert self._ref_corr is not None
        # what the item looked like where it stood (relit to now), less what the desk there looks like now
        item = self._ref_corr[hole]
        model = _colour_model(item, self._cur[hole] if self._cur is not None else None)
        H, W = hole.shape
        cut = hole_box[0] <= 1 or hole_box[1] <= 1 or hole_box[2] >= W - 1 or hole_box[3] >= H - 1
        colour = None if model is None else (item, model, cut)
        # the changed areas joined to the hole: the hole plus what the item hid (now in view), or the item
        # itself put down right beside it (`_resolve_slot` pairs that first)
        _, labels, stats, _ = cc
        ids = [i for i in np.unique(labels[hole]) if i > 0]
        joined = [(int(st[0]), int(st[1]), int(st[2]), int(st[3])) for st in stats[ids]]
        res = cv2.matchTemplate(grey.astype(np.float32), slot.template, cv2.TM_CCOEFF_NORMED)
        # an item that moved changed the desk where it now stands (new pixels, not a hole): only such windows
        integral = cv2.integral((change & ~revealed).astype(np.uint8))
        window = (integral[h:, w:] - integral[:-h, w:] - integral[h:, :-w] + integral[:-h, :-w]) / float(w * h)
        res = np.where(window[: res.shape[0], : res.shape[1]] >= 0.3, res, -1.0).astype(np.float32)
        ys, xs = np.ogrid[: res.shape[0], : res.shape[1]]
        own = (1 - np.minimum(np.abs(xs - x) / w, 1)) * (1 - np.minimum(np.abs(ys - y) / h, 1))
        res[own > 0.5] = -1.0  # a window mostly on its own slot is not "elsewhere"
        _, best, _, (bx, by) = cv2.minMaxLoc(res)
        found = (float(bx), float(by), float(bx + w), float(by + h))
        scores = (round(here, 3), round(float(best), 3), round(float(hole.sum()) / (w * h), 2))
        same_colour = colour is None or self._colour_distance(found, colour) <= self.p.moved_colour
        if best >= self.p.slot_found_ncc and same_colour:
            if math.hypot(bx - x, by - y) <= self.p.slot_shift_frac * min(w, h):
                return _SlotVerdict("present", absorbed=[slot.rect], scores=scores)
            box = tuple(v * to_frame for v in found)
            det = Detection(box=box, label=f"slot_moved:{slot.name}", score=round(best, 3), source="change")  # type: ignore[arg-type]
            return _SlotVerdict("moved", det, [slot.rect, (bx, by, w, h), *joined], scores)
        box = (x * to_frame, y * to_frame, (x + w) * to_frame, (y + h) * to_frame)
        det = Detection(box=box, label=f"slot_missing:{slot.name}", score=round(1.0 - max(here, 0.0), 3),
                        source="change")
        hole_area = float((hole_box[2] - hole_box[0]) * (hole_box[3] - hole_box[1]))
        return _SlotVerdict("missing", det, [slot.rect], scores, hole_area=hole_area, colour=colour,
                            joined=[(x0, y0, x0 + ww, y0 + hh) for x0, y0, ww, hh in joined])

    def _slot_holes(self, revealed: np.ndarray) -> tuple[np.ndarray, dict[str, list[int]]]:
        """The connected areas of background showing (labels) and, per slot, the ones it owns: a hole goes to
        the one slot it covers most (in or within `slot_hole_margin`), so the hole one item left does not
        also empty the slot beside it (a big item near the camera hides its neighbour's slot)."""
        n, labels = cv2.connectedComponents(revealed.astype(np.uint8), connectivity=8)
        best: dict[int, tuple[int, str]] = {}
        m = self.p.slot_hole_margin
        for slot in self.slots:
            x, y, w, h = slot.rect
            ids, counts = np.unique(labels[max(0, y - m):y + h + m, max(0, x - m):x + w + m], return_counts=True)
            for i, c in zip(ids.tolist(), counts.tolist(), strict=True):
                if i > 0 and c > best.get(i, (0, ""))[0]:
                    best[i] = (c, slot.name)
        owned: dict[str, list[int]] = {}
        for i, (_, name) in best.items():
            owned.setdefault(name, []).append(i)
        return labels, owned

    def _hole(self, slot: _Slot, holes: tuple[np.ndarray, dict[str, list[int]]]) -> tuple[np.ndarray, Box]:
        """The background showing in or touching the slot that it owns (whole connected areas), and its box."""
        labels, owned = holes
        ids = owned.get(slot.name, [])
        hole = np.isin(labels, ids) if ids else np.zeros(labels.shape, bool)
        if not hole.any():
            x, y = slot.rect[:2]
            return hole, (float(x), float(y), float(x), float(y))
        rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
        return hole, (float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1))

    # ---------------------------------------------------------------- blobs
    def _blobs(
        self, fg: np.ndarray, revealed: np.ndarray, cc: tuple, absorbed: list[tuple[int, int, int, int]],
        clerk_away: bool, sign_board: np.ndarray | None = None,
    ) -> list[tuple[Box, float]]:
        """Changed areas (`cc`, the change mask's connected components) that may be objects on the desk: each
        area's pixels that are not background showing (`revealed`: the hole an item left is no object; an item
        put down beside its emptied slot is the rest of that area), without the thin rim a hole leaves.

        An area reaching into the pause sign's board (`sign_board`, where its marker was just read) is cut there:
        the board is no object, and what stood against it (papers, the seal) is kept as its own parts, each at
        least `sign_part_frac` of the board's area; smaller parts are the sign's own foot, rim or shadow."""
        min_area = max(self.p.min_area_px, self.p.min_area_frac * self.desk_area)
        n, labels, stats, _ = cc
        new = cv2.morphologyEx((~revealed).astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)).astype(bool)
        board_part = min_area if sign_board is None else max(min_area, self.p.sign_part_frac * int(sign_board.sum()))
        out: list[tuple[Box, float]] = []
        self._sign_kept = False
        for i in range(1, n):
            x, y, w, h, area = (int(v) for v in stats[i])
            if area < min_area:
                continue
            blob = (labels[y:y + h, x:x + w] == i) & new[y:y + h, x:x + w]
            parts = [blob]
            if sign_board is not None and (sign_board[y:y + h, x:x + w] & blob).any():
                m, part_labels, part_stats, _ = cv2.connectedComponentsWithStats(
                    (blob & ~sign_board[y:y + h, x:x + w]).astype(np.uint8), connectivity=8)
                parts = [part_labels == j for j in range(1, m) if part_stats[j, 4] >= board_part]
            for part in parts:
                found = self._blob_entry(part, x, y, fg, absorbed, clerk_away, min_area)
                if found is not None:
                    out.append(found)
        if not self._sign_kept:
            self.sign_seen = None  # taken down
        return _merge_touching(out, gap=6.0)

    def _blob_entry(
        self, blob: np.ndarray, x: int, y: int, fg: np.ndarray, absorbed: list[tuple[int, int, int, int]],
        clerk_away: bool, min_area: float,
    ) -> tuple[Box, float] | None:
        """One changed area's box and still share (`blob`: its pixels in a window at x, y), or None when it is no
        object of its own."""
        if int(blob.sum()) < min_area:
            return None  # mostly a hole: an item taken away (its slot reports it)
        rows, cols = np.flatnonzero(blob.any(axis=1)), np.flatnonzero(blob.any(axis=0))
        y, x, h, w = y + int(rows[0]), x + int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
        blob = blob[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        if int(self.desk[y:y + h, x:x + w][blob].sum()) < self.p.footprint_px:
            return None  # above the desk and not standing on it (the wall, the chair behind the clerk)
        still = float(fg[y:y + h, x:x + w][blob].mean())
        if any(_inside_share((x, y, w, h), r) > 0.6 for r in absorbed):
            return None  # the vacated slot or the moved item itself, reported by its slot
        box = (float(x), float(y), float(x + w), float(y + h))
        if self.sign_seen is not None and box_iou(box, self.sign_seen) > 0.6:
            self.sign_seen, self._sign_kept = box, True  # the sign seen at the frame's edge still stands there (the
            return None  # clerk back, not yet taken down)
        if clerk_away and self.sign is not None:
            inside = int((self.sign[y:y + h, x:x + w] & blob).sum())
            if inside > 0.5 * blob.sum():
                return None  # the pause sign, put up in its zone when the clerk leaves
            if self.sign_at_edge and inside >= self.p.sign_hold * self.sign_area \
                    and blob.sum() <= self.p.sign_size * self.sign_area:
                self.sign_seen, self._sign_kept = box, True
                return None  # ... in a zone the frame's edge cuts: the board, foot and shadow reach past it
        return box, still

    def _settled(self, blobs: list[tuple[Box, float]], now: float) -> list[tuple[Box, float]]:
        """Blobs that have stayed in the same place for `min_still_s`: a slowly moving hand keeps
        shifting its blob and never settles, a put-down object does."""
        tracks, out = [], []
        for box, still in blobs:
            # the clock starts when the changed area first appears in this place (an item put down is
            # "moving" for the short-term model for a moment); it must be still when reported. The same place: mostly
            # the same box, or one box nested in the other, so an item whose area joins a neighbour's on one frame
            # (the clerk's sleeve, a pen holder it hides) and not on the next keeps its clock; a box of the same size
            # shifted (a hand sliding across) is neither
            same = [tr for tr in self.tracks
                    if box_iou(tr[0], box) > 0.6 or overlap_of_smaller(tr[0], box) >= self.p.nested_frac]
            first = max(same, key=lambda tr: box_iou(tr[0], box))[1] if same else now
            tracks.append((box, first))
            if now - first >= self.p.min_still_s and still >= self.p.static_frac:
                out.append((box, still))
        self.tracks = tracks
        return out

    def _between_hands(self, box: Box, frame_w: int) -> bool:
        """The clerk's masks border the blob on its left and on its right: what shows of the item between the hands
        is cut to their gap, so its outline says nothing of its shape."""
        if self.state.person is None:
            return False
        s = self.work_size[0] / frame_w
        x1, y1, x2, y2 = int(box[0] * s), int(box[1] * s), int(math.ceil(box[2] * s)), int(math.ceil(box[3] * s))
        band = self.p.hands_band_px
        rows = self.state.person[y1:y2]
        left, right = rows[:, max(0, x1 - band):x1], rows[:, x2:x2 + band]
        return bool(left.size and right.size and left.any(axis=1).mean() >= 0.5 and right.any(axis=1).mean() >= 0.5)

    def _classify(self, frame: np.ndarray, box: Box, now: float) -> tuple[str, float, int, bool]:
        """The blob's label, score and class id, and whether a sure class's box covers under `joined_share` of it
        (several items joined into one area, looked at again in tiles)."""
        for c in self.cache:
            if box_iou(c.box, box) > 0.6 and now - c.at < self.p.reclassify_s:
                c.box = box
                return c.label, c.score, c.class_id, c.joined
        label, score, cid, share = self._look(frame, box)
        fw = frame.shape[1]
        joined = label not in PERSON_LABELS and score >= self.p.sure_class_score and share < self.p.joined_share
        if label in PHONE_LOOKALIKES:
            # a phone lying near the camera is big in the frame: the SSDs call it a laptop or a remote even when
            # sure; the phone's own look (a dark rim round a lit, colourful screen) decides
            # ... and a sheet with printed lines is a "keyboard" to them: white and flat, it is papers
            guess = heuristic_label(frame, box, self._blob_mask(frame.shape, box))
            if guess in ("cell phone", "papers"):
                label, score, cid = guess, 0.5, -1
        elif label is None or (label not in PERSON_LABELS and score < self.p.sure_class_score):
            # a weak class loses to the papers/seal heuristic (SSDs read a sheet of paper as anything)
            guess = heuristic_label(frame, box, self._blob_mask(frame.shape, box), self._between_hands(box, fw))
            if label is None or guess != "unknown object":
                label, score, cid = guess, 0.5, -1
        if cid == -1 and label == "cell phone" and self._desk_in_shadow(frame, box):
            label = SHADOW
        if cid == -1 and label in ("papers", "cell phone"):
            # the heuristic's call; food in a white box is white and flat too, glazed donuts lit and colourful: in
            # the generous crop a 9 cm donut is a few pixels of the SSD's input, so a tight look at the blob decides
            # (a sure food is food)
            food, food_score, food_cid = self._run_classifier(frame, box, self.p.tight_context, FOOD_CLASSES)
            if food in FOOD_CLASSES and food_score >= self.p.sure_class_score:
                label, score, cid = food, food_score, food_cid
        self.cache = [c for c in self.cache if box_iou(c.box, box) <= 0.6 and now - c.at < 3 * self.p.reclassify_s]
        self.cache.append(_Cached(box, label, score, cid, now, joined))
        return label, score, cid, joined

    def _under_arms(
        self, frame: np.ndarray, box: Box, now: float, conf: float, own: Detection | None = None,
    ) -> list[Detection]:
        """The items inside a blob the generous look called the clerk (the arms reach over it): the blob's own
        pixels lie off the limb and hand masks, so it may be items the hands rest on (a snack box, a mug and
        papers joined into one area). The classifier looks again at square tiles of the blob (`arm_tile` x its
        short side, half-overlapping); each sure desk class found (not a wearable: the sleeve is no tie) is an item,
        one per class and place; with at least one found, the whole blob is also what a tight look names it (papers
        under the hands), else the blob stays the clerk.
        `own`: the blob named, by a class whose box covers little of it (`joined_share`): it stays that, and the other
        classes found in its tiles are items of their own."""
        for c in self.arm_cache:
            if box_iou(c[0], box) > 0.6 and now - c[1] < self.p.reclassify_s:
                c[0] = box
                return c[2] if own is None else [own, *c[2][1:]]
        found = self._tiles(frame, box)
        out: list[Detection] = []
        if own is not None:
            out = [own] + [Detection(box=b, label=lab, score=round(sc * conf, 3), source="change", class_id=cid)
                           for lab, (b, sc, cid) in found if lab != own.label]
        elif found:
            for label, (b, score, cid) in found:
                out.append(Detection(box=b, label=label, score=round(score * conf, 3), source="change", class_id=cid))
            label, score, cid = self._run_classifier(frame, box, 0.0, ARM_CLASSES)
            if label is None or label in PERSON_LABELS or score < self.p.sure_class_score:
                guess = heuristic_label(frame, box, self._blob_mask(frame.shape, box))
                label, score, cid = (guess, 0.5, -1) if guess == "papers" else (None, 0.0, -1)
            if label is not None and label not in {lab for lab, _ in found}:
                out.append(Detection(box=box, label=label, score=round(score * conf, 3), source="change",
                                     class_id=cid))
        keep = 3 * self.p.reclassify_s
        self.arm_cache = [c for c in self.arm_cache if box_iou(c[0], box) <= 0.6 and now - c[1] < keep]
        self.arm_cache.append([box, now, out])
        return out

    def _tiles(self, frame: np.ndarray, box: Box) -> list[tuple[str, tuple[Box, float, int]]]:
        """Desk classes (`ARM_CLASSES`) found at `tile_score` on square tiles of the blob, those of one kind that
        overlap joined into one box (the donuts of one snack box; all food is one kind), clipped to the blob."""
        if self.classifier is None:
            return []
        x1, y1, x2, y2 = (int(v) for v in box)
        w, h = x2 - x1, y2 - y1
        s = max(16, int(self.p.arm_tile * min(w, h)))
        nx, ny = (max(1, math.ceil((n - s) / (s / 2)) + 1) for n in (w, h))
        found: list[tuple[str, tuple[Box, float, int]]] = []
        for j in range(ny):
            for i in range(nx):
                tx = x1 + (0 if nx == 1 else round(i * (w - s) / (nx - 1)))
                ty = y1 + (0 if ny == 1 else round(j * (h - s) / (ny - 1)))
                for d in self.classifier(frame[ty:ty + s, tx:tx + s]):
                    if d.label not in ARM_CLASSES or d.score < self.p.tile_score:
                        continue
                    b = (max(x1, d.box[0] + tx), max(y1, d.box[1] + ty), min(x2, d.box[2] + tx), min(y2, d.box[3] + ty))
                    if b[2] <= b[0] or b[3] <= b[1]:
                        continue
                    for k, (lab, (ob, osc, ocid)) in enumerate(found):
                        if _kind(lab) == _kind(d.label) and overlap_of_smaller(ob, b) > 0:
                            union = (min(ob[0], b[0]), min(ob[1], b[1]), max(ob[2], b[2]), max(ob[3], b[3]))
                            found[k] = (lab, (union, osc, ocid)) if osc >= d.score else (d.label, (union, d.score,
                                                                                                    d.class_id))
                            break
                    else:
                        found.append((d.label, (b, d.score, d.class_id)))
        return found

    def _desk_in_shadow(self, frame: np.ndarray, box: Box) -> bool:
        """A blob the heuristic calls an all-dark phone whose dark pixels keep the desk's own hue, saturated: the
        desk in a shadow (the monitor's foot seen from aside), not a black or graphite phone. Never on a grey or
        white desk (no hue of its own: a shadow there looks like a dark phone)."""
        if self.desk_hue is None:
            return False
        x1, y1, x2, y2 = (int(v) for v in box)
        crop = frame[max(0, y1):y2, max(0, x1):x2]
        mask = self._blob_mask(frame.shape, box)
        if crop.size == 0 or mask is None or mask.shape != crop.shape[:2] or mask.sum() < 20:
            return False
        hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)[mask.astype(bool)].astype(np.float32)
        dark = hsv[hsv[:, 2] < 70]
        if len(dark) < 0.6 * len(hsv):
            return False  # the lit-screen phone: not this test's
        off = np.abs(dark[:, 0] - self.desk_hue)
        desk_like = (np.minimum(off, 180 - off) <= self.p.shadow_hue) & (dark[:, 1] > 60)
        return float(desk_like.mean()) >= self.p.shadow_share

    def _blob_mask(self, shape: tuple[int, ...], box: Box) -> np.ndarray | None:
        """The changed pixels of the current frame inside `box` (frame pixels) that are not background showing,
        at the frame's scale."""
        if self.state.change is None:
            return None
        x1, y1, x2, y2 = (int(v) for v in box)
        x1, y1 = max(0, x1), max(0, y1)
        x2, y2 = min(shape[1], x2), min(shape[0], y2)
        if x2 <= x1 or y2 <= y1:
            return None
        own = self.state.change if self.state.revealed is None else self.state.change & ~self.state.revealed
        full = cv2.resize(own.astype(np.uint8), (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)
        return full[y1:y2, x1:x2]

    def _run_classifier(
        self, frame: np.ndarray, box: Box, context: float | None = None, classes: frozenset[str] = DESK_CLASSES,
    ) -> tuple[str | None, float, int]:
        """The best class of `classes` the classifier finds on the blob's crop, padded by `context` x its size
        (default: generous, `crop_context` and at least 5 % of the frame width; the blob is often only the visible
        part of the item, the hand mask cuts it), or a person when only a sure one is found."""
        return self._look(frame, box, context, classes)[:3]

    def _look(
        self, frame: np.ndarray, box: Box, context: float | None = None, classes: frozenset[str] = DESK_CLASSES,
    ) -> tuple[str | None, float, int, float]:
        """`_run_classifier`'s answer and the share of the blob's box that the class's box covers (1 for none)."""
        if self.classifier is None:
            return None, 0.0, -1, 1.0
        fh, fw = frame.shape[:2]
        x1, y1, x2, y2 = box
        size = max(x2 - x1, y2 - y1)
        pad = max(self.p.crop_context * size, 0.05 * fw) if context is None else context * size
        cx1, cy1 = int(max(0, x1 - pad)), int(max(0, y1 - pad))
        cx2, cy2 = int(min(fw, x2 + pad)), int(min(fh, y2 + pad))
        crop = frame[cy1:cy2, cx1:cx2]
        if crop.size == 0:
            return None, 0.0, -1, 1.0
        local = (x1 - cx1, y1 - cy1, x2 - cx1, y2 - cy1)
        best: Detection | None = None
        person: Detection | None = None
        for det in self.classifier(crop):
            if det.label in SURFACE_LABELS or (det.label not in classes and det.label not in PERSON_LABELS):
                continue  # the counter top itself, or a class no desk holds (noise on a flat item)
            if box_iou(det.box, local) < 0.15 and _inside_share_box(det.box, local) < 0.5 \
                    and _inside_share_box(local, det.box) < 0.5:
                continue
            if det.label in PERSON_LABELS:  # the clerk's arm is often in the crop beside a real object
                person = det if person is None or det.score > person.score else person
            elif best is None or det.score > best.score:
                best = det
        if best is None and person is not None and person.score >= self.p.person_drop_score:
            return person.label, person.score, person.class_id, 1.0
        if best is None:
            return None, 0.0, -1, 1.0
        return best.label, best.score, best.class_id, _inside_share_box(local, best.box)


def heuristic_label(frame: np.ndarray, box: Box, mask: np.ndarray | None = None, cut: bool = False) -> str:
    """'cell phone' (small, a dark slab: black rim around a lit screen, or all dark), 'papers' (mostly
    bright and unsaturated, lying flat: not taller than wide, unless `cut`: only the strip between the clerk's hands
    shows) or 'seal' (small and red), else unknown.
    `mask` (the crop's size) limits the colour statistics to the changed pixels, so the
    desk or the wall inside the box does not count."""
    x1, y1, x2, y2 = (int(v) for v in box)
    crop = frame[max(0, y1):y2, max(0, x1):x2]
    if crop.size == 0:
        return "unknown object"
    hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
    if mask is not None and mask.shape == crop.shape[:2] and mask.sum() >= 20:
        hsv = hsv[mask.astype(bool)]
    hsv = hsv.reshape(-1, 3).astype(np.float32)
    w, h = x2 - x1, y2 - y1
    aspect = max(w, h) / max(1, min(w, h))
    frame_area = frame.shape[0] * frame.shape[1]
    dark, lit = float((hsv[:, 2] < 70).mean()), float((hsv[:, 2] > 150).mean())
    vivid = (hsv[:, 1] > 90) & (hsv[:, 2] > 120)
    colourful = float(vivid.mean())  # app icons on a lit screen
    # ... of several hues: skin and the wooden desk are vivid too, but only orange (a hand beside papers is no screen)
    orange = (hsv[:, 0] >= ORANGE_HUES[0]) & (hsv[:, 0] <= ORANGE_HUES[1])
    icon_hues = float((vivid & ~orange).sum()) / max(1, int(vivid.sum()))
    if w * h <= 0.015 * frame_area and aspect < 3 and dark >= 0.06 and (
            (lit >= 0.3 and colourful >= 0.08 and icon_hues >= MIN_ICON_HUES) or dark >= 0.6):
        return "cell phone"
    white = (hsv[:, 1] < 45) & (hsv[:, 2] > 170)
    if white.mean() > 0.4 and (cut or (aspect < 4 and h <= 1.2 * w)):
        return "papers"
    red = ((hsv[:, 0] < 8) | (hsv[:, 0] > 170)) & (hsv[:, 1] > 110) & (hsv[:, 2] > 60)
    small = w * h <= 0.006 * frame_area  # a seal is a few cm across
    if red.mean() > 0.4 and aspect < 2.5 and small:
        return "seal"
    return "unknown object"


def classifier_from_detectors(detectors: Sequence[Any], min_score: float = 0.3) -> Classifier:
    """Wrap vision.detector Detectors (`.detect(frame_bgr, min_score=...)`) as one crop classifier.

    Crops are upscaled to at least 300 px so that SSD models see small desk items at their input scale.
    """

    def classify(crop: np.ndarray) -> list[Detection]:
        h, w = crop.shape[:2]
        scale = max(1.0, 300.0 / max(1, min(h, w)))
        img = cv2.resize(crop, (round(w * scale), round(h * scale))) if scale > 1 else crop
        out = []
        for det in detectors:
            for d in det.detect(img, min_score=min_score):
                x1, y1, x2, y2 = d.box
                out.append(Detection(box=(x1 / scale, y1 / scale, x2 / scale, y2 / scale), label=d.label.lower(),
                                     score=d.score, source=d.source, class_id=d.class_id))
        return out

    return classify


def _kind(label: str) -> str:
    """Food is one kind of item (a snack box reads as donuts and a cake), any other class its own."""
    return "food" if label in FOOD_CLASSES else label


def _merge_touching(blobs: list[tuple[Box, float]], gap: float) -> list[tuple[Box, float]]:
    """One object often splits into parts (a cup and its handle): merge boxes closer than `gap`."""
    blobs = list(blobs)
    merged = True
    while merged:
        merged = False
        for i in range(len(blobs)):
            for j in range(i + 1, len(blobs)):
                a, b = blobs[i][0], blobs[j][0]
                if a[0] - gap <= b[2] and b[0] - gap <= a[2] and a[1] - gap <= b[3] and b[1] - gap <= a[3]:
                    box = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    blobs[i] = (box, max(blobs[i][1], blobs[j][1]))
                    del blobs[j]
                    merged = True
                    break
            if merged:
                break
    return blobs


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    """The mask with its enclosed holes filled (what the border cannot reach through unset pixels)."""
    h, w = mask.shape
    outside = np.ones((h + 2, w + 2), np.uint8)  # a free border: every edge pixel is reachable
    outside[1:-1, 1:-1] = ~mask
    flood = np.zeros((h + 4, w + 4), np.uint8)
    cv2.floodFill(outside, flood, (0, 0), 2)
    return outside[1:-1, 1:-1] != 2


def _torso_points(pose: PoseResult | None, scale: float) -> np.ndarray | None:
    """The clerk's shoulders-hips polygon (`_TORSO`, work pixels), or None without a pose whose shoulders are seen."""
    if pose is None or len(pose.landmarks) < 25:
        return None
    lm = pose.landmarks
    if min(lm[11].visibility, lm[12].visibility) < 0.5:
        return None
    return np.array([(lm[i].x * scale, lm[i].y * scale) for i in _TORSO], np.float32)


def _surface_hue(reference: np.ndarray, zone: np.ndarray) -> float | None:
    """The desk's hue (OpenCV 0-180, median) in the reference, or None for a desk of no hue of its own (fewer than half
    its pixels saturated: grey, white, black)."""
    work = cv2.resize(reference, (zone.shape[1], zone.shape[0]), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(work, cv2.COLOR_BGR2HSV)[zone]
    coloured = hsv[(hsv[:, 1] > 60) & (hsv[:, 2] > 40)]
    if len(coloured) < 0.5 * max(1, len(hsv)):
        return None
    return float(np.median(coloured[:, 0]))


def _grey(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


DESK_MODELS = ("coral.ssd_mobilenet_v2_coco", "objectron.ssd_mobilenet_v2_oidv4")


def load_desk_classifier(model_ids: Sequence[str] = DESK_MODELS, min_score: float = 0.3) -> Classifier:
    """The crop classifier from the registry's detectors (COCO SSD for phones, cups, bags, food;
    the Open Images SSD for mugs, coffee cups, boxes). Raises the registry's error naming the install command."""
    from vision.detector import load_detector

    return classifier_from_detectors([load_detector(m, threads=1) for m in model_ids], min_score)


def _auto_classifier() -> Classifier | None:
    try:
        return load_desk_classifier()
    except Exception as exc:  # models not installed: still report objects, as "unknown object"
        log.warning("desk objects will not be classified (%s). Fix: `counterwatch models install`", exc)
        return None


def _chroma(img: np.ndarray) -> np.ndarray:
    """Blue and green shares of the pixel sum (brightness-free colour), H x W x 2."""
    total = cv2.transform(img, np.ones((1, 3), np.float32)) + 1.0
    b, g, _ = cv2.split(img)
    return cv2.merge([b / total, g / total])


COLOUR_BINS = 12  # chromaticity bins per axis (a bin is 1/12 of the blue/green share)
GREY_LEVELS = 4  # brightness levels (0 = dark); the caller compares relit pixels, so levels are comparable
COLOUR_MIN_SHARE = 0.05  # a colour a thing shows on less than this share of its pixels is not its colour
_HUES = COLOUR_BINS * COLOUR_BINS + 1  # chroma bins, and one for the unsaturated pixels


def _colour_bins(pixels: np.ndarray) -> np.ndarray:
    """Each BGR pixel's (N x 3) colour bin: its brightness level x its hue. The hue is its blue and green shares
    of the sum on a COLOUR_BINS grid (brightness-free, so a shadow or another face of the item keeps it), or
    "grey" for an unsaturated or dark pixel, whose shares are noise; the level tells white from grey from black."""
    px = pixels.reshape(-1, 3).astype(np.float32)
    total = px.sum(axis=1) + 1e-3
    mean = total / 3
    b = np.minimum((px[:, 0] / total * COLOUR_BINS).astype(np.int32), COLOUR_BINS - 1)
    g = np.minimum((px[:, 1] / total * COLOUR_BINS).astype(np.int32), COLOUR_BINS - 1)
    grey = (px.max(axis=1) - px.min(axis=1) < 0.15 * mean + 8) | (mean < 40)
    level = np.minimum((mean / (256 / GREY_LEVELS)).astype(np.int32), GREY_LEVELS - 1)
    return level * _HUES + np.where(grey, _HUES - 1, b * COLOUR_BINS + g)


def _colour_model(pixels: np.ndarray, background: np.ndarray | None = None) -> np.ndarray | None:
    """The colours a thing shows (a boolean per `_colour_bins` bin): the bins holding at least
    COLOUR_MIN_SHARE of its pixels, widened by one bin of hue and one level each way (render noise, a tint of
    the light, a face turned from the lamp), less the colours of `background` (the desk now showing where an
    item stood: its rim and shadow are no colour of its own). Its own dark pixels count only for a mostly dark
    thing (a shadow or a dark rim says nothing). None when nothing is left (an item of the desk's colours)."""
    size = GREY_LEVELS * _HUES

    def shares(px: np.ndarray) -> np.ndarray:
        hist = np.bincount(_colour_bins(px), minlength=size).astype(np.float32)
        return (hist / max(1.0, float(hist.sum()))).reshape(GREY_LEVELS, _HUES)

    own = shares(pixels)
    on = (own >= COLOUR_MIN_SHARE).astype(np.uint8)
    if own[0].sum() < 0.5:
        on[0] = 0  # its dark pixels are a shadow or a rim (a dimmer light still reaches level 0 from level 1)
    hues = on[:, :-1].reshape(GREY_LEVELS, COLOUR_BINS, COLOUR_BINS)
    hues = np.stack([cv2.dilate(h, np.ones((3, 3), np.uint8)) for h in hues]).reshape(GREY_LEVELS, -1)
    model = np.concatenate([hues, on[:, -1:]], axis=1).astype(bool)
    model = model | np.roll(model, 1, axis=0) & (np.arange(GREY_LEVELS) > 0)[:, None] \
        | np.roll(model, -1, axis=0) & (np.arange(GREY_LEVELS) < GREY_LEVELS - 1)[:, None]
    if background is not None and len(background):
        model &= ~(shares(background) >= COLOUR_MIN_SHARE)
    return model.reshape(-1) if model.any() else None


def _colour_overlap(a: np.ndarray, model_a: np.ndarray, b: np.ndarray, a_partial: bool) -> float:
    """How far two views of possibly the same item share colours (0-1): the share of `b`'s pixels that show
    `a`'s colours (`model_a`): a view cut by the hand holds a subset of the item's colours. When `a` itself is
    partial (the frame edge cut the item in its slot), `b` (the item seen whole now) may also show colours the
    cut view did not: then half of `b` in `a`'s colours is enough, with `a`'s colours found in `b`."""
    bins_b = _colour_bins(b)
    forward = float(model_a[bins_b].mean()) if len(bins_b) else 0.0
    if not a_partial:
        return forward  # `a`'s own pixels are binned only for the backward check
    model_b = _colour_model(b)
    bins_a = _colour_bins(a)
    mine = bins_a[model_a[bins_a]]
    backward = float(model_b[mine].mean()) if model_b is not None and len(mine) else 0.0
    return max(forward, min(1.0, 2 * forward, backward))


def _zncc(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    den = math.sqrt(float((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-6 else 0.0


def _inside_share_box(a: Box, b: Box) -> float:
    """Share of box a's area inside box b."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    area = max(1e-6, (a[2] - a[0]) * (a[3] - a[1]))
    return ix * iy / area


def _inside_share(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    return _inside_share_box((a[0], a[1], a[0] + a[2], a[1] + a[3]), (b[0], b[1], b[0] + b[2], b[1] + b[3]))
