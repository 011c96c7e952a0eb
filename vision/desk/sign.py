"""The pause sign: its board cut out where its marker was read, and the sign standing at the frame's edge."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from vision.desk.colour import colour_bins, colour_model, saturated
from vision.observation import Marker
from vision.results import Box
from vision.roi import box_iou


class PauseSign:
    """Mixed into `DeskChangeDetector` (vision/desk/stage.py), which holds the state these methods share."""

    def _init_sign(self, zone: Sequence[tuple[float, float]] | None) -> None:
        # the pause sign comes and goes by design (post.pause_sign reads it): never a desk object
        self.sign = self._zone_mask(zone) if zone else None
        self.sign_area = int(self.sign.sum()) if self.sign is not None else 0
        self.sign_at_edge = self.sign is not None and bool(
            self.sign[0].any() or self.sign[-1].any() or self.sign[:, 0].any() or self.sign[:, -1].any())
        # the zone grown by a few pixels (its rim): what `_past_edge_sign` cuts out of an area joined to the sign
        self.sign_cut = None if self.sign is None else cv2.dilate(
            self.sign.astype(np.uint8), np.ones((2 * self.p.sign_rim_px + 1,) * 2, np.uint8)).astype(bool)
        # where and when (the desk run's time) a blob was last taken for the sign at the frame's edge; a run that does
        # not see it there again forgets it (taken down)
        self.sign_seen: tuple[Box, float | None] | None = None
        self._sign_marker: tuple[np.ndarray, float] | None = None  # the sign's marker corners (work pixels), when

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

    def _is_sign(self, blob: np.ndarray, box: Box, clerk_away: bool) -> bool:
        """Whether a changed area (`blob`: its pixels in `box`, work pixels) is the pause sign, not a desk object."""
        x, y = int(box[0]), int(box[1])
        h, w = blob.shape
        if self.sign_seen is not None and box_iou(box, self.sign_seen[0]) > 0.6:
            self.sign_seen = (box, self.t)  # the sign seen at the frame's edge still stands there (the clerk back,
            return True  # not yet taken down)
        if clerk_away and self.sign is not None:
            inside = int((self.sign[y:y + h, x:x + w] & blob).sum())
            if inside > 0.5 * blob.sum():
                return True  # the pause sign, put up in its zone when the clerk leaves
            if self.sign_at_edge and inside >= self.p.sign_hold * self.sign_area \
                    and blob.sum() <= self.p.sign_size * self.sign_area:
                self.sign_seen = (box, self.t)
                return True  # ... in a zone the frame's edge cuts: the board, foot and shadow reach past it
        return False

    def _past_edge_sign(self, blob: np.ndarray, x: int, y: int) -> bool:
        """A changed area (`blob`: its pixels in a window at x, y) holding `sign_cut_hold` of a sign zone the frame's
        edge cuts that `_is_sign` would not take whole (under `sign_hold` of the zone, or over `sign_size` x its
        pixels): the sign, its marker unread so its board is not cut out, joined to papers or a seal lying against
        it. At (1.6 m, 1.4 m, -45) sign, papers and seal were one unnamed area (0.67 of the zone, 1.6x its pixels)
        for item.unattended, and post.leave_secure saw no papers; the sign alone there holds 0.63 of its zone."""
        if self.sign is None or not self.sign_at_edge:
            return False
        h, w = blob.shape
        inside = int((self.sign[y:y + h, x:x + w] & blob).sum())
        whole = inside >= self.p.sign_hold * self.sign_area and int(blob.sum()) <= self.p.sign_size * self.sign_area
        return not whole and inside >= self.p.sign_cut_hold * self.sign_area

    def _sign_with_item(self, blob: np.ndarray, x: int, y: int, min_area: float) -> bool:
        """A changed area (`blob`: its pixels in a window at x, y) that `_is_sign` would take for the sign (most of
        it in a zone the frame's edge does not cut), its marker unread so its board is not cut out, with at least
        `min_area` of it outside the zone grown by `sign_rim_px`: the sign joined to an item standing against it.
        At (1.35 m, 1.3 m, 55) and 58 the sign's marker is never read and a phone lying 6 cm beside its board
        made one area with it, mostly inside the zone: without the cut the phone went with the sign."""
        if self.sign is None or self.sign_at_edge:
            return False
        assert self.sign_cut is not None
        h, w = blob.shape
        if int((self.sign[y:y + h, x:x + w] & blob).sum()) <= 0.5 * blob.sum():
            return False
        return int((blob & ~self.sign_cut[y:y + h, x:x + w]).sum()) >= min_area

    def _beside_sign(self, blob: np.ndarray, x: int, y: int, min_area: float,
                     any_hue: bool = False) -> list[np.ndarray]:
        """The parts of an area joined to the sign (`_past_edge_sign`) that are not the sign: outside its zone grown by
        `sign_rim_px`, at least `sign_part_frac` of the zone's area, with under `sign_colour_share` of their pixels in
        the sign's own hues (the saturated colours the area shows inside the zone). The board rising past a thin strip
        of zone shows them (0.37-1.0 at (1.6 m, 1.15 m, -15)), papers lying against it do not (0.07 at -45). A sign
        of no hue of its own (its marker's white and black only) keeps the area whole. `any_hue`, where the zone holds
        the whole sign (`_sign_with_item`: no part of the board lies past it): each part of `min_area` is kept, whatever
        its hues (the item lying partly inside the zone lends its own colours to the sign's: a phone beside the board
        at 55 deg showed 0.43 of its pixels in them)."""
        h, w = blob.shape
        assert self.sign is not None and self._cur is not None
        cur = self._cur[y:y + h, x:x + w]
        rest = (blob & ~self.sign_cut[y:y + h, x:x + w]).astype(np.uint8)
        m, labels, stats, _ = cv2.connectedComponentsWithStats(rest, connectivity=8)
        if any_hue:
            return [labels == j for j in range(1, m) if stats[j, 4] >= min_area]
        model = colour_model(cur[blob & self.sign[y:y + h, x:x + w]])
        hues = None if model is None else saturated(model)
        if hues is None or not hues.any():
            return [blob]
        least = max(min_area, self.p.sign_part_frac * self.sign_area)
        parts = [labels == j for j in range(1, m) if stats[j, 4] >= least]
        return [part for part in parts if float(hues[colour_bins(cur[part])].mean()) < self.p.sign_colour_share]
