"""The designated slots of allowed items: present, covered, moved (found elsewhere, or paired with a new item of its
colours) or missing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from vision.desk.colour import colour_bin_count, colour_bins, colour_model, colour_overlap, saturated, zncc
from vision.desk.shapes import inside_share_box
from vision.results import Box, Detection
from vision.roi import overlap_of_smaller


@dataclass
class Slot:
    name: str
    rect: tuple[int, int, int, int]  # x, y, w, h at work resolution
    template: np.ndarray  # grey reference patch
    area: float = 0.0  # the slot's own outline, work pixels (its upright rect holds 0.45-0.8 of it seen aslant)



@dataclass
class SlotVerdict:
    """One frame's judgement of one slot (see SlotJudge._judge_slot)."""

    state: str  # present / occluded / covered / moved / missing
    det: Detection | None = None
    absorbed: list[tuple[int, int, int, int]] = field(default_factory=list)  # rects no blob may come from
    scores: tuple[float, float | None, float] | None = None  # ZNCC in place, best elsewhere, hole x slot area
    hole_area: float = 0.0  # pixels of background showing where the item stood (its visible size)
    # the item's pixels in the relit reference over that hole, their colours (`colour_model`), and whether the
    # frame edge cuts the hole (the item was seen only in part)
    colour: tuple[np.ndarray, np.ndarray, bool] | None = None
    # the changed areas joined to that hole, as x1, y1, x2, y2
    joined: list[tuple[int, int, int, int]] = field(default_factory=list)
    bared: bool = False  # vacated by `_bared` (background under `slot_vacated_frac` of the outline)



class SlotJudge:
    """Mixed into `DeskChangeDetector` (vision/desk/stage.py), which holds the state these methods share."""

    def _make_slot(self, name: str, polygon: Sequence[tuple[float, float]]) -> Slot:
        pts = np.array([[x * self.zone_scale, y * self.zone_scale] for x, y in polygon], np.float32)
        x, y, w, h = cv2.boundingRect(pts)
        W, H = self.work_size
        x, y = max(0, x), max(0, y)
        w, h = max(4, min(w, W - x)), max(4, min(h, H - y))
        outline = np.zeros((H, W), np.uint8)
        cv2.fillPoly(outline, [np.round(pts).astype(np.int32)], 1)
        area = int(outline.sum())  # the part in the frame; a slot the frame barely shows is judged on its rect
        return Slot(name, (x, y, w, h), self.ref_orig_grey[y:y + h, x:x + w].copy(),
                    float(area if area >= self.p.min_area_px else w * h))

    def _judge_slot(
        self, slot: Slot, grey: np.ndarray, change: np.ndarray, revealed: np.ndarray,
        holes: tuple[np.ndarray, dict[str, list[int]]], cc: tuple, static: np.ndarray, person: np.ndarray,
        to_frame: float,
    ) -> SlotVerdict:
        """What this frame shows at the slot (no state is changed here): occluded (the clerk's hands over it:
        unknown), present, covered (changed, but no background shows where the item stood: something stands in
        front of it; unknown), moved (the item's picture found elsewhere), or missing (vacated; `_resolve_slot`
        pairs it with a new item or waits before reporting it).

        Vacated means background showing (`_revealed`) in or beside the slot: an item's image rises above its
        footprint and the frame edge may cut the footprint, so the hole joined to the slot counts whole."""
        x, y, w, h = slot.rect
        moving = 1.0 - float(static[y:y + h, x:x + w].mean())
        if person[y:y + h, x:x + w].mean() > self.p.slot_occluded_frac or moving > 0.1:
            return SlotVerdict("occluded", absorbed=[slot.rect])
        here = zncc(grey[y:y + h, x:x + w], slot.template)
        changed = float(change[y:y + h, x:x + w].mean())
        if here >= self.p.slot_present_ncc and changed < 0.5:
            return SlotVerdict("present")  # changed but still the same picture (a shadow, a lighter lamp)
        hole, hole_box = self._hole(slot, holes)
        # vacated: background over `slot_vacated_frac` of the slot's own outline (of its upright rect, a slot seen
        # aslant would need more of its picture gone than one seen face-on)
        small = hole.sum() < self.p.slot_vacated_frac * (slot.area or w * h)  # (area 0: a Slot built by hand)
        if small and not self._bared(slot, hole, cc, revealed, person):
            if changed < self.p.slot_changed_frac:
                return SlotVerdict("present")
            return SlotVerdict("covered", scores=(round(here, 3), None, round(float(hole.sum()) / (w * h), 2)))
        assert self._ref_corr is not None
        # what the item looked like where it stood (relit to now), less what the desk there looks like now
        item = self._ref_corr[hole]
        model = colour_model(item, self._cur[hole] if self._cur is not None else None)
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
                return SlotVerdict("present", absorbed=[slot.rect], scores=scores)
            box = tuple(v * to_frame for v in found)
            det = Detection(box=box, label=f"slot_moved:{slot.name}", score=round(best, 3), source="change")  # type: ignore[arg-type]
            return SlotVerdict("moved", det, [slot.rect, (bx, by, w, h), *joined], scores)
        box = (x * to_frame, y * to_frame, (x + w) * to_frame, (y + h) * to_frame)
        det = Detection(box=box, label=f"slot_missing:{slot.name}", score=round(1.0 - max(here, 0.0), 3),
                        source="change")
        hole_area = float((hole_box[2] - hole_box[0]) * (hole_box[3] - hole_box[1]))
        return SlotVerdict("missing", det, [slot.rect], scores, hole_area=hole_area, colour=colour,
                            joined=[(x0, y0, x0 + ww, y0 + hh) for x0, y0, ww, hh in joined], bared=bool(small))

    def _bared(self, slot: Slot, hole: np.ndarray, cc: tuple, revealed: np.ndarray, person: np.ndarray) -> bool:
        """A slot whose hole is under `slot_vacated_frac` of its outline is still vacated when nothing new stands
        there: background shows on `slot_bared_hole` of the outline, the rest of the change at the slot and joined to
        the hole (`cc`'s areas) shows only colours the reference shows around that change (on `slot_bared_share` of
        its pixels, hole included), and the item's own colours there (the reference's less its surroundings', on at
        least `min_area_px` pixels) are gone (left on at most `slot_bared_item` of them). A thin item standing up,
        seen from a steep side, covers well under half its footprint's outline: at (1.45 m, 1.4 m, 54 deg) the pad's
        hole is 0.23 of its slot's outline; beside the acrylic stand the desk it hid reads as the stand's colours
        continued (the inpainted surroundings take the stand's colours there), not as background. Something put down
        in front of an item shows no background and its own colours."""
        x, y, w, h = slot.rect
        if hole.sum() < self.p.slot_bared_hole * (slot.area or w * h) or self._cur is None or self._ref_corr is None:
            return False
        _, labels, _, _ = cc
        m = self.p.slot_hole_margin
        ids = set(np.unique(labels[max(0, y - m):y + h + m, max(0, x - m):x + w + m]).tolist())
        ids |= set(np.unique(labels[hole]).tolist())
        ids.discard(0)
        joined = np.isin(labels, list(ids))
        ring = cv2.dilate(joined.astype(np.uint8), np.ones((11, 11), np.uint8)).astype(bool)
        ring &= ~joined & ~person & self.search
        if ring.sum() < self.p.min_area_px:
            return False
        around = np.zeros(colour_bin_count(), bool)  # every colour the reference shows around the change
        around[colour_bins(self._ref_corr[ring])] = True
        new = joined & ~revealed
        if int(hole.sum()) + int(around[colour_bins(self._cur[new])].sum()) < self.p.slot_bared_share * joined.sum():
            return False
        ref_model, ring_model = colour_model(self._ref_corr[joined]), colour_model(self._ref_corr[ring])
        if ref_model is None:
            return False  # an item in the colours around it: nothing tells it gone
        own = ref_model & ~ring_model if ring_model is not None else ref_model
        before = int(own[colour_bins(self._ref_corr[joined])].sum())
        if before < self.p.min_area_px:
            return False
        return int(own[colour_bins(self._cur[joined])].sum()) <= self.p.slot_bared_item * before

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

    def _hole(self, slot: Slot, holes: tuple[np.ndarray, dict[str, list[int]]]) -> tuple[np.ndarray, Box]:
        """The background showing in or touching the slot that it owns (whole connected areas), and its box."""
        labels, owned = holes
        ids = owned.get(slot.name, [])
        hole = np.isin(labels, ids) if ids else np.zeros(labels.shape, bool)
        if not hole.any():
            x, y = slot.rect[:2]
            return hole, (float(x), float(y), float(x), float(y))
        rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
        return hole, (float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1))

    def _resolve_slot(
        self, slot: Slot, verdict: SlotVerdict, settled: list[tuple[Box, float]], now: float, to_frame: float
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
        for rest in [b for b in settled if any(inside_share_box(b[0], j) > 0.6 for j in verdict.joined)]:  # type: ignore[arg-type]
            settled.remove(rest)  # the rest of the hole, or what the item hid, now in view: not a new object
        if blob is not None:
            self.moved_seen[slot.name] = now
            self.moved_box[slot.name] = blob[0]
            box = tuple(v * to_frame for v in blob[0])
            return "moved", Detection(box=box, label=f"slot_moved:{slot.name}", score=0.6, source="change")  # type: ignore[arg-type]
        if now - self.moved_seen.get(slot.name, -math.inf) < self.p.moved_window_s:
            return "moved", None
        if now - since >= self.p.min_still_s:  # empty for a while (a hand passing over it is not enough)
            under = self._under_clerk(verdict)
            if under is not None:  # ... but its item lies under the clerk's hands
                box = tuple(v * to_frame for v in under)
                return "moved", Detection(box=box, label=f"slot_moved:{slot.name}", score=0.5, source="change")  # type: ignore[arg-type]
            return "missing", verdict.det
        return "missing", None

    def _moved_item(
        self, slot: Slot, verdict: SlotVerdict, settled: list[tuple[Box, float]], since: float
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
        hues = self._item_hues(verdict.colour) if verdict.bared else None  # once a slot, not once a blob
        for blob in settled:
            box = blob[0]
            first = next((tr[1] for tr in self.tracks if tr[0] == box), since)
            ratio = (box[2] - box[0]) * (box[3] - box[1]) / area
            if first < since - self.p.moved_window_s or not lo <= ratio <= hi or first <= best_t:
                continue
            if verdict.colour is not None and self._colour_distance(box, verdict.colour) > self.p.moved_colour:
                continue  # a new thing of other colours is not the item that left
            if verdict.bared and self._hue_share(box, hues) < self.p.bared_hue_share:
                continue  # ... nor, from a steep side, one without the item's own hues (the clerk's white cuff)
            best, best_t = blob, first
        return best

    def _under_clerk(self, verdict: SlotVerdict) -> Box | None:
        """Where an emptied slot's item lies under the clerk's hands, if it does: the item's own hues (the saturated
        colours it showed where it stood, less those of the clerk's body and clothes above the desk and of the clean
        desk, which the hands' skin shares give or take a bin: the hands over the desk are no item) on still
        desk pixels inside the clerk's masks where the reference showed none of them, on `under_clerk_share` of the
        pixels it showed in those hues. The limb and hand masks are drawn wide, so an item put down between the
        typing hands lies wholly under them and no blob can pair it: at (1.6 m, 1.4 m, -45) the moved pad was
        reported missing (and not moved) while its blue screen showed between the hands."""
        st = self.state
        hues = None if st.static is None else self._item_hues(verdict.colour)
        if hues is None:
            return None  # an item of no hue of its own (or only the clerk's): nothing to tell it by
        assert verdict.colour is not None and st.person is not None and self._cur is not None
        shown = int(hues[colour_bins(verdict.colour[0])].sum())
        assert self._ref_corr is not None
        area = st.person & self.desk & st.static
        hit = np.zeros(area.shape, np.uint8)
        hit[area] = hues[colour_bins(self._cur[area])] & ~hues[colour_bins(self._ref_corr[area])]
        near = cv2.dilate(hit, np.ones((3, 3), np.uint8))  # a hand's fingers split the item's picture
        n, labels, stats, _ = cv2.connectedComponentsWithStats(near, connectivity=8)
        if n < 2:
            return None
        best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        if int(hit[labels == best].sum()) < self.p.under_clerk_share * shown:
            return None
        x, y, w, h = (int(v) for v in stats[best, :4])
        return float(x), float(y), float(x + w), float(y + h)

    def _item_hues(self, colour: tuple[np.ndarray, np.ndarray, bool] | None) -> np.ndarray | None:
        """The item's own hues (`colour`: what it showed where it stood): its saturated colours less those of the
        clerk's body and clothes above the desk and of the clean desk (as `_under_clerk`), or None when it showed
        them on fewer than `min_area_px` pixels."""
        st = self.state
        if colour is None or st.person is None or self._cur is None:
            return None
        pixels, model, _ = colour
        hues = saturated(model)
        clerk = st.person & ~self.desk
        body = colour_model(self._cur[clerk]) if clerk.any() else None
        for other in (body, self.desk_colours):  # (the desk's wood is the hands' skin give or take a bin)
            if other is not None:
                hues &= ~other
        return hues if int(hues[colour_bins(pixels)].sum()) >= self.p.min_area_px else None

    def _hue_share(self, box: Box, hues: np.ndarray | None) -> float:
        """The share of a blob's new pixels in the item's own hues (`_item_hues`); 0 for an item without any."""
        assert self.state.change is not None and self.state.revealed is not None and self._cur is not None
        x1, y1, x2, y2 = (int(v) for v in box)
        own = (self.state.change & ~self.state.revealed)[y1:y2, x1:x2]
        if hues is None or not own.any():
            return 0.0
        return float(hues[colour_bins(self._cur[y1:y2, x1:x2][own])].mean())

    def _colour_distance(self, box: Box, colour: tuple[np.ndarray, np.ndarray, bool]) -> float:
        """1 - `colour_overlap` of the item where it stood (`colour`: its pixels in the relit reference, their
        colour model, whether the frame edge cut that view) and the blob's new (not revealed) pixels now:
        0 = the same colours."""
        x1, y1, x2, y2 = (int(v) for v in box)
        assert self.state.change is not None and self.state.revealed is not None and self._cur is not None
        own = (self.state.change & ~self.state.revealed)[y1:y2, x1:x2]
        if own.sum() < 10:
            return math.inf
        pixels, model, partial = colour
        return 1.0 - colour_overlap(pixels, model, self._cur[y1:y2, x1:x2][own], partial)
