"""Desk change detection against the calibrated clean-desk reference.

`DeskChangeDetector(reference_bgr, counter_cfg).process(frame_bgr, pose, hands, t=...)` returns the
desk objects of one frame as `Detection`s (source "change"), in the frame's pixel coordinates:

- a foreign object: label = the detector's class on the blob's crop ("cup", "cell phone", ...),
  "papers"/"seal" from a colour/shape heuristic, else "unknown object";
- `slot_missing:<slot>`: an allowed item is gone from its designated slot and was not found;
- `slot_moved:<slot>`: an allowed item (or the monitor) was found elsewhere; the box is where it is;
- `chair_out`: the client chair is not in its calibrated zone (`zones.client_chair`); the box is the zone.

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

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from calibration.config import CounterConfig, point_in_polygon
from vision.desk.arms import ArmItems
from vision.desk.blobs import BlobTracker
from vision.desk.cache import BoxCache
from vision.desk.chair import ClientChair
from vision.desk.classify import BlobNamer
from vision.desk.colour import colour_model, surface_hue, to_grey
from vision.desk.labels import PERSON_LABELS, SHADOW, UNKNOWN, Classifier, auto_classifier
from vision.desk.masks import ChangeMasks, tone_change
from vision.desk.params import DeskChangeParams
from vision.desk.sign import PauseSign
from vision.desk.slots import SlotJudge
from vision.observation import Marker, NearChange
from vision.results import Box, Detection, HandResult, PoseResult


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


class DeskChangeDetector(ChangeMasks, SlotJudge, PauseSign, BlobTracker, BlobNamer, ArmItems, ClientChair):
    """The desk stage. Its steps live beside it, one module each: masks, slots, sign, blobs, classify, arms, chair."""

    def __init__(
        self,
        reference_bgr: np.ndarray,
        counter_cfg: CounterConfig,
        classifier: Classifier | None | str = "auto",
        params: DeskChangeParams | None = None,
        items: bool = True,
    ) -> None:
        """`classifier`: a crop classifier, None (every object is "unknown object"), or "auto": the
        registry's desk detectors when installed (a warning and None when they are not). `items` False: no rule
        reads the desk's items (a hall camera running chair.reset alone), so only the client chair is judged: no
        slots, objects or classifier."""
        if reference_bgr is None or reference_bgr.ndim != 3:
            raise ValueError("reference_bgr must be a BGR image (H, W, 3); check the counter's reference_image")
        self.p = params or DeskChangeParams()
        self.cfg = counter_cfg
        self.items = items
        self.classifier = (auto_classifier() if classifier == "auto" else classifier) if items else None
        h0, w0 = reference_bgr.shape[:2]
        self.ref_size = (w0, h0)
        self.work_size = (self.p.work_width, max(1, round(h0 * self.p.work_width / w0)))
        self.ref = self._work(reference_bgr)
        self.ref_generation = 0  # bumped whenever the reference adapts (`_adapt_reference`)
        self._small_ref: tuple[int, tuple[int, int], np.ndarray] | None = None  # `_near_border_change`'s copy
        self.ref_orig_grey = to_grey(self.ref)
        # zones are in calibration pixels (camera width/height); scale them to the work image
        cam_w = float(counter_cfg.camera.width or w0)
        self.zone_scale = self.work_size[0] / cam_w
        self.desk = self._zone_mask(counter_cfg.zones.desk)
        self._init_sign(counter_cfg.zones.sign)
        self._init_chair(counter_cfg.zones.client_chair)
        self.desk_area = max(1, int(self.desk.sum()))
        self.desk_hue = surface_hue(reference_bgr, self.desk)
        self.desk_colours = colour_model(self.ref[self.desk])  # the clean desk's colours (`_under_clerk`)
        self.slots = [self._make_slot(s.name, s.polygon) for s in counter_cfg.slots]
        self.short_bg: np.ndarray | None = None
        self.t: float | None = None
        self.prev_t: float | None = None  # the previous desk run's time (what the caches ask: was a blob there then)
        keep = {"keep_s": self.p.keep_named_s, "keep_iou": self.p.keep_iou}
        self.cache: BoxCache[tuple[str, float, int, bool]] = BoxCache(**keep)  # `_classify`'s answers
        self.arm_cache: BoxCache[list[Detection]] = BoxCache(**keep)  # the items under the clerk's arms (`_under_arms`)
        self.tracks: list[tuple[Box, float, Box]] = []  # (box, first seen, box then) of still blobs, work pixels
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
        self.near_skipped = 0  # `near_changes` looks its pre-check skipped (a count, read by benches)

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
        self.prev_t, self.t = self.t, now
        fh, fw = frame_bgr.shape[:2]
        to_frame = fw / self.work_size[0]
        self._note_sign(markers, now, self.work_size[0] / fw)
        cur = self._work(frame_bgr)
        self._cur = cur
        person = self._person_mask(pose, hands, self.work_size[0] / fw)
        if self.items:
            person |= self._clothes(cur, pose, person, self.work_size[0] / fw)
        found = self._change_mask(cur, person, holes=self.items)
        change, revealed = found.mask, found.revealed
        self._ref_corr = found.ref_corr
        static = self._static_mask(cur, dt)
        chair = self._chair_change(found.raw, person)
        keep = change | person | ~static
        self._adapt_reference(cur, keep if chair is None else keep | chair[0], dt)
        self.state = DeskState(change=change, static=static, person=person, revealed=revealed)

        out: list[Detection] = []
        if chair is not None and (chair_out := self._chair_report(chair[1], to_frame)) is not None:
            out.append(chair_out)
        if not self.items:
            return out
        cc = cv2.connectedComponentsWithStats(change.astype(np.uint8), connectivity=8)  # slots and blobs share it
        grey = to_grey(cur)
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
            if label == UNKNOWN or score < self.p.sure_class_score:  # (the heuristic answers at 0.5)
                # no look could name it, or only a weak class did: often several items joined (a snack box, a mug,
                # papers under the hands; a hand in the snack box reads as a weak bottle, 0.34 at (1.5 m, 1.9 m, -50));
                # what its tiles find replaces it, else it stays the unnamed or weakly named item
                out += self._under_arms(frame_bgr, full, now, conf) or [own]  # type: ignore[arg-type]
                continue
            out += self._under_arms(frame_bgr, full, now, conf, own) if joined else [own]  # type: ignore[arg-type]
        return out

    def near_changes(
        self,
        frame_bgr: np.ndarray,
        pose: PoseResult | None = None,
        hands: Sequence[HandResult] | None = None,
        client: Sequence[tuple[float, float]] | None = None,
    ) -> list[NearChange]:
        """The large changed regions of the whole frame against the relit reference, off the clerk's masks (pose,
        hands and clothes), that the frame's border cuts (bottom, left or right): someone between the camera and the
        desk whom the person detector may not box (the back of a head at the frame's edge, a back filling the frame).
        Each at least `near_min_area` of the frame, or, cut by the side alone, a tall thin strip (`_strip`: someone
        standing at the counter beyond the frame's side edge, whom the detector scores low); `client` (frame pixels)
        gives each its share inside that zone.
        Reads the stage's reference as it stands and changes none of its state (no update, no tracks): a look
        between its own runs. Where `near_check_min` is set and none of the frame's bottom, left or right bands
        changed that much (`_near_border_change`, ~1.5 ms against ~30), the look is skipped (counted in `near_skipped`):
        a region it reports runs into the border and changes that band (session 27, on the tune splits: every look
        that found a region read 0.035 or more there)."""
        if self.p.near_check_min is not None and max(self._near_border_change(frame_bgr)) < self.p.near_check_min:
            self.near_skipped += 1
            return []
        fw = frame_bgr.shape[1]
        scale = self.work_size[0] / fw
        cur = self._work(frame_bgr)
        person = self._person_mask(pose, hands, scale)
        person |= self._clothes(cur, pose, person, scale)
        change = self._change_mask(cur, person, holes=False, region=np.ones_like(self.search)).mask
        h, w = change.shape
        zone = self._zone_mask(client) if client is not None else None
        band = max(2, round(self.p.near_band_frac * h))
        n, lab, stats, _ = cv2.connectedComponentsWithStats(change.astype(np.uint8), connectivity=8)
        out: list[NearChange] = []
        for k in range(1, n):
            x, y, bw, bh, area = (int(v) for v in stats[k])
            side, below = x <= 0 or x + bw >= w - 1, y + bh >= h - 1
            if not (area >= self.p.near_min_area * w * h and (side or below) or self._strip(area, bh, bw, w, h)
                    and side and not below):
                continue
            comp = lab == k
            to_frame = 1.0 / scale
            out.append(NearChange(
                box=(round(x * to_frame, 1), round(y * to_frame, 1), round((x + bw) * to_frame, 1),
                     round((y + bh) * to_frame, 1)),
                area=round(area / (w * h), 4),
                bottom=round(float(comp[h - band:].mean()), 4),
                client=round(float((comp & zone).sum()) / area, 4) if zone is not None else 0.0))
        return out

    def _strip(self, area: int, bh: int, bw: int, w: int, h: int) -> bool:
        """A changed region (work pixels) tall and thin enough to be someone standing beyond the frame's side edge."""
        p = self.p
        return (p.near_strip_min_area is not None and area >= p.near_strip_min_area * w * h
                and bh >= p.near_strip_min_height * h and bw <= p.near_strip_max_width * w)

    def _near_border_change(self, frame_bgr: np.ndarray) -> tuple[float, float, float]:
        """The changed share of the frame's bottom, left and right bands (`near_check_band` of the frame's height
        or width), on the frame and the reference shrunk `near_check_scale` times, the reference relit by one gain a
        channel (the median ratio over the frame): `_change_mask`'s brightness and colour tests (`tone_change`), without
        the texture test, the cell-wise relighting or the clerk's masks. A region `near_changes` reports runs into
        the border, and changes its band's pixels there."""
        p = self.p
        h, w = self.ref.shape[:2]
        size = (max(8, round(w / p.near_check_scale)), max(8, round(h / p.near_check_scale)))
        cur = cv2.resize(frame_bgr, size, interpolation=cv2.INTER_AREA).astype(np.float32)
        ref = self._shrunk_reference(size)
        gains = np.median((cur + 1.0) / (ref + 1.0), axis=(0, 1))
        ref = ref * gains.astype(np.float32)
        sh, sw = cur.shape[:2]
        by, bx = max(1, round(p.near_check_band * sh)), max(1, round(p.near_check_band * sw))
        bands = ((slice(sh - by, sh),), (slice(None), slice(0, bx)), (slice(None), slice(sw - bx, sw)))
        return tuple(float(tone_change(cur[b], ref[b], to_grey(cur[b]), to_grey(ref[b]), p).mean())  # type: ignore[misc]
                     for b in bands)

    def _shrunk_reference(self, size: tuple[int, int]) -> np.ndarray:
        """The reference shrunk to `size`, kept until the reference adapts (it changes only on desk runs; the
        pre-check looks on a tenth of the frames). In the edge runtime a desk run may adapt it on its own thread
        while this reads it: the copy is kept under the generation read before shrinking, so a copy taken during an
        update is replaced on the next look."""
        gen = self.ref_generation
        if self._small_ref is None or self._small_ref[0] != gen or self._small_ref[1] != size:
            self._small_ref = (gen, size, cv2.resize(self.ref, size, interpolation=cv2.INTER_AREA))
        return self._small_ref[2]

    def _at_post(self, pose: PoseResult | None) -> bool:
        """The clerk's mid-shoulders inside the post zone (a pose elsewhere is someone passing, or the
        model fitting a body to the empty chair)."""
        mid = pose.mid_shoulders() if pose is not None else None
        if mid is None:
            return False
        post = self.cfg.zones.post
        return post is None or point_in_polygon(mid, post)
