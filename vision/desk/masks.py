"""The desk stage's per-pixel masks: the clerk (limbs, hands, clothes), the change against the relit reference, the
background an item left showing, what is still, and the slow reference update."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import cv2
import numpy as np

from vision.desk.colour import chromaticity, colour_bins, colour_model, to_grey
from vision.desk.params import DeskChangeParams
from vision.desk.shapes import LIMBS, TORSO, fill_holes, outline_px, torso_points
from vision.results import HandResult, PoseResult


def body_scale(lm: list, pts: list[tuple[int, int]], shoulder: float, torso_to_shoulder: float) -> float:
    """The clerk's size in the image for the limb masks: the shoulder width, but at least `torso_to_shoulder` x the
    shoulders-to-hips height: seen from a steep side the shoulders foreshorten (36 px for a 86 px torso at
    (1.5 m, 1.9 m, -50 deg)) while the arms keep their thickness. The shoulder width alone without seen hips."""
    if min(lm[23].visibility, lm[24].visibility) < 0.5:
        return shoulder
    mid = ((pts[11][0] + pts[12][0]) / 2, (pts[11][1] + pts[12][1]) / 2)
    hips = ((pts[23][0] + pts[24][0]) / 2, (pts[23][1] + pts[24][1]) / 2)
    return max(shoulder, torso_to_shoulder * math.dist(mid, hips))


def _forearm(mask: np.ndarray, hand: np.ndarray, length: float) -> None:
    """Draw the forearm behind a hand (work pixels, 21 landmarks) along the hand's own axis (middle knuckle to
    wrist), `length` x the palm's length, a palm's length thick: a client's or visitor's sleeve on the desk, which no
    pose masks (the client's cuff beyond the hand at (1.5 m, 1.9 m, -50) was a personal item)."""
    wrist, knuckle = hand[0], hand[9]
    palm = float(np.hypot(*(wrist - knuckle)))
    if palm < 3:
        return
    end = wrist + length * (wrist - knuckle)
    cv2.line(mask, (int(wrist[0]), int(wrist[1])), (int(end[0]), int(end[1])), 1, max(8, int(palm)))


class Change(NamedTuple):
    """What `ChangeMasks._change_mask` computes on one frame (it keeps none of it: the caller does)."""

    mask: np.ndarray  # the changed pixels in the region looked at, off the clerk's masks, cleaned
    revealed: np.ndarray  # the changed pixels where the background now shows (all False without `holes`)
    raw: np.ndarray  # the per-pixel test on the whole frame, before the region cuts it (the client chair's zone)
    ref_corr: np.ndarray  # the reference relit to this frame (the items' colours)


def tone_change(cur: np.ndarray, ref_corr: np.ndarray, g_cur: np.ndarray, g_corr: np.ndarray,
                p: DeskChangeParams) -> np.ndarray:
    """The pixels whose brightness or colour changed against the relit reference (`_change_mask`'s tests but the
    texture one; also the near look's pre-check on shrunk bands). `g_cur`, `g_corr`: the two images' greys."""
    d = np.abs(cur - ref_corr)
    rel = cv2.max(cv2.max(d[..., 0], d[..., 1]), d[..., 2]) / (g_corr + 12.0)
    dc = np.abs(chromaticity(cur) - chromaticity(ref_corr))
    bright = (g_cur > 25) & (g_corr > 25)
    # where the relit reference would clip, colour and brightness cannot be compared
    clipped = cv2.max(cv2.max(ref_corr[..., 0], ref_corr[..., 1]), ref_corr[..., 2]) >= 245
    bright &= ~clipped
    rel[clipped] = 0.0
    chroma = (cv2.max(dc[..., 0], dc[..., 1]) > p.chroma_change) & bright
    return (rel > p.intensity_change) | chroma


class ChangeMasks:
    """Mixed into `DeskChangeDetector` (vision/desk/stage.py), which holds the state these methods share."""

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

    def _person_mask(self, pose: PoseResult | None, hands: Sequence[HandResult] | None, scale: float) -> np.ndarray:
        w, h = self.work_size
        mask = np.zeros((h, w), np.uint8)
        width = 14
        wrists: list[tuple[int, int]] = []  # the pose's hand points: a hand model's hand far off is not the clerk's
        body = 0.0
        if pose is not None and len(pose.landmarks) >= 25:
            lm = pose.landmarks
            pts = [(int(p.x * scale), int(p.y * scale)) for p in lm]
            shoulder = math.dist(pts[11], pts[12])
            body = body_scale(lm, pts, shoulder, self.p.torso_to_shoulder)
            wrists = [pts[i] for i in (15, 16, 17, 18, 19, 20, 21, 22)]
            width = max(width, int(self.p.limb_width_frac * body))
            for a, b in LIMBS:
                if min(lm[a].visibility, lm[b].visibility) > 0.2:
                    cv2.line(mask, pts[a], pts[b], 1, width)
            torso = np.zeros_like(mask)
            cv2.fillPoly(torso, [np.array([pts[i] for i in TORSO], np.int32)], 1)
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
            if wrists and len(hp) >= 10 and min(math.dist(hp[0], q) for q in wrists) > self.p.other_hand * body:
                _forearm(mask, hp, self.p.forearm_len)
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
        pts = torso_points(pose, scale)
        if pts is None:
            return none
        h, w = person.shape
        k = outline_px(pts, self.p.clothes_grow)
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
        model = colour_model(cur[y1:y2, x1:x2][sample])
        if model is None:
            return none
        outline = cv2.dilate(torso, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool)
        near = outline & above & ~person[y1:y2, x1:x2]
        found = np.zeros_like(near)
        found[near] = model[colour_bins(cur[y1:y2, x1:x2][near])]
        # grown like the person mask: the clothes' rim (shaded, blended with the wall) is the clerk too
        spill = (max(14, int(self.p.limb_width_frac * float(np.hypot(*(pts[0] - pts[1]))))) // 2) | 1
        found = cv2.dilate(found.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (spill, spill)))
        out = none
        out[y1:y2, x1:x2] = found.astype(bool) & above
        return out

    def _change_mask(self, cur: np.ndarray, person: np.ndarray, holes: bool = True,
                     region: np.ndarray | None = None) -> Change:
        """The changed pixels, and the share of them that is a hole (`_revealed`; none looked for without `holes`),
        with the whole frame's test and the relit reference (`Change`); no state is read but the reference's or
        written. `region`: where to look (default the desk's search region; the relighting is fitted there too)."""
        p = self.p
        search = self.search if region is None else region
        valid = search & ~person
        # von Kries model: a smooth per-channel gain field absorbs brightness and colour-temperature drift
        gains = [self._cell_field((cur[..., c] + 1.0) / (self.ref[..., c] + 1.0), valid, 1.0) for c in range(3)]
        ref_corr = cv2.merge([self.ref[..., c] * gains[c] for c in range(3)])
        g_cur, g_corr = to_grey(cur), to_grey(ref_corr)
        structure = self._structure_change(g_cur, g_corr)
        raw = tone_change(cur, ref_corr, g_cur, g_corr, p) | structure
        change = (raw & search & ~person).astype(np.uint8)
        change = cv2.morphologyEx(change, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        change = cv2.morphologyEx(change, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
        change = change.astype(bool) & search & ~person
        revealed = self._revealed(cur, ref_corr, change, person) if holes else np.zeros_like(change)
        return Change(change, revealed, raw, ref_corr)

    def _revealed(self, cur: np.ndarray, ref_corr: np.ndarray, change: np.ndarray, person: np.ndarray) -> np.ndarray:
        """The changed pixels where the background now shows: the frame looks like the desk around them (the
        relit reference inpainted over the changed and the clerk's pixels) while the reference itself did not.
        That is an item taken away (the hole it left, its whole silhouette), not one put down: a hole is never
        an object, and a slot whose change is not a hole is hidden behind something, not emptied."""
        if not change.any():
            return change
        # holes filled and grown, so that no part of the object (a flat patch the change mask missed, its soft
        # rim) is taken as its surroundings
        unknown = cv2.dilate((fill_holes(change) | person).astype(np.uint8), np.ones((9, 9), np.uint8))
        bg = self._inpaint(np.clip(ref_corr, 0, 255).astype(np.uint8), unknown)
        # compared on the changed pixels only: the answer is a subset of them
        around = bg[change]
        norm = to_grey(around[:, None, :])[:, 0] + 12.0  # grey of the changed pixels only, not of the whole image
        d_cur = np.abs(cur[change] - around).max(axis=1) / norm
        d_ref = np.abs(ref_corr[change] - around).max(axis=1) / norm
        revealed = np.zeros_like(change)
        revealed[change] = (d_cur < self.p.revealed_match) & (d_ref > self.p.revealed_ratio * d_cur)
        return revealed

    def _inpaint(self, ref8: np.ndarray, unknown: np.ndarray) -> np.ndarray:
        """The desk around the `unknown` pixels filled in (Telea), as float32 at work size. Filled at
        `inpaint_scale` (a small pixel is unknown when any of its pixels is, so no item's colour leaks into the
        known ones) and upsampled: the fill is a smooth estimate of the clean desk, and the Telea cost grows with the
        unknown pixels x the radius squared (a cluttered desk: 360 ms at full size)."""
        f = self.p.inpaint_scale
        if f >= 1.0:
            return cv2.inpaint(ref8, unknown, 5, cv2.INPAINT_TELEA).astype(np.float32)
        h, w = unknown.shape
        small = (max(1, round(w * f)), max(1, round(h * f)))
        unknown_s = (cv2.resize(unknown * 255, small, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
        bg = cv2.inpaint(cv2.resize(ref8, small, interpolation=cv2.INTER_AREA), unknown_s, max(1, round(5 * f)),
                         cv2.INPAINT_TELEA)
        return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)

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
        g_cur, g_bg = to_grey(cur), to_grey(self.short_bg)
        moving = np.abs(g_cur - g_bg) / (g_bg + 12.0) > self.p.motion_change
        dc = np.abs(chromaticity(cur) - chromaticity(self.short_bg))
        moving |= cv2.max(dc[..., 0], dc[..., 1]) > 2 * self.p.chroma_change
        alpha = 1.0 - math.exp(-dt / self.p.short_tau_s)
        self.short_bg += alpha * (cur - self.short_bg)
        return ~moving

    def _adapt_reference(self, cur: np.ndarray, keep: np.ndarray, dt: float) -> None:
        beta = 1.0 - math.exp(-dt / self.p.reference_tau_s)
        upd = (~keep)[..., None].astype(np.float32)
        self.ref += (beta * (cur - self.ref)) * upd
        self.ref_generation += 1  # what `_near_border_change`'s shrunk copy is keyed on
