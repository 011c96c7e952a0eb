"""Changed areas that may be desk objects: cut out of the change mask, tracked until they settle, less the clerk's
own body."""

from __future__ import annotations

import math

import cv2
import numpy as np

from vision.desk.colour import colour_bins, colour_model
from vision.desk.masks import body_scale
from vision.desk.shapes import dilated_near, inside_share, merge_touching, outline_px, torso_points
from vision.results import Box, PoseResult
from vision.roi import box_iou, overlap_of_smaller


class BlobTracker:
    """Mixed into `DeskChangeDetector` (vision/desk/stage.py), which holds the state these methods share."""

    def _blobs(
        self, fg: np.ndarray, revealed: np.ndarray, cc: tuple, absorbed: list[tuple[int, int, int, int]],
        clerk_away: bool, sign_board: np.ndarray | None = None,
    ) -> list[tuple[Box, float]]:
        """Changed areas (`cc`, the change mask's connected components) that may be objects on the desk: each
        area's pixels that are not background showing (`revealed`: the hole an item left is no object; an item
        put down beside its emptied slot is the rest of that area), without the thin rim a hole leaves.

        An area reaching into the pause sign's board (`sign_board`, where its marker was just read) is cut there:
        the board is no object, and what stood against it (papers, the seal) is kept as its own parts, each at
        least `sign_part_frac` of the board's area; smaller parts are the sign's own foot, rim or shadow. Likewise,
        with the clerk away, an area holding a sign zone the frame's edge cuts that is not the sign alone
        (`_past_edge_sign`: its marker unread, the sign joined to papers beside it) is cut by the zone, and so is an
        area the zone would take for the sign that reaches past it by an item's size (`_sign_with_item`)."""
        min_area = max(self.p.min_area_px, self.p.min_area_frac * self.desk_area)
        n, labels, stats, _ = cc
        new = cv2.morphologyEx((~revealed).astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)).astype(bool)
        board_part = min_area if sign_board is None else max(min_area, self.p.sign_part_frac * int(sign_board.sum()))
        out: list[tuple[Box, float]] = []
        beyond: list[Box] = []  # entries kept by `_off_frame_base` alone (standing beyond the frame's edge)
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
            elif clerk_away and self._past_edge_sign(blob, x, y):
                parts = self._beside_sign(blob, x, y, min_area)
            elif clerk_away and self._sign_with_item(blob, x, y, min_area):
                parts = self._beside_sign(blob, x, y, min_area, any_hue=True)
            for part in parts:
                found = self._blob_entry(part, x, y, fg, absorbed, clerk_away, min_area)
                if found is not None:
                    box, still, off_frame = found
                    out.append((box, still))
                    if off_frame:
                        beyond.append(box)
        if self.sign_seen is not None and self.sign_seen[1] != self.t:
            self.sign_seen = None  # not seen at the frame's edge on this run: taken down
        if beyond:
            # an area standing on the desk in view below an off-frame one, in its columns, is where that item stands
            # (an umbrella's pole in view, its canopy cut by the frame's edge): no item beyond the frame
            on_desk = [b for b, _ in out if b not in beyond]
            out = [(b, s) for b, s in out if b not in beyond or not any(
                o[0] < b[2] and b[0] < o[2] and o[1] > b[1] for o in on_desk)]
        return merge_touching(out, gap=6.0)

    def _blob_entry(
        self, blob: np.ndarray, x: int, y: int, fg: np.ndarray, absorbed: list[tuple[int, int, int, int]],
        clerk_away: bool, min_area: float,
    ) -> tuple[Box, float, bool] | None:
        """One changed area's box, still share and whether it stands beyond the frame's edge (`_off_frame_base`)
        (`blob`: its pixels in a window at x, y), or None when it is no object of its own."""
        if int(blob.sum()) < min_area:
            return None  # mostly a hole: an item taken away (its slot reports it)
        rows, cols = np.flatnonzero(blob.any(axis=1)), np.flatnonzero(blob.any(axis=0))
        y, x, h, w = y + int(rows[0]), x + int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
        blob = blob[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        off_frame = False
        if int(self.desk[y:y + h, x:x + w][blob].sum()) < self.p.footprint_px:
            if not self._off_frame_base(blob, x, y):
                return None  # above the desk and not standing on it (the wall, the chair behind the clerk)
            off_frame = True
        still = float(fg[y:y + h, x:x + w][blob].mean())
        if any(inside_share((x, y, w, h), r) > 0.6 for r in absorbed):
            return None  # the vacated slot or the moved item itself, reported by its slot
        box = (float(x), float(y), float(x + w), float(y + h))
        return None if self._is_sign(blob, box, clerk_away) else (box, still, off_frame)

    def _off_frame_base(self, blob: np.ndarray, x: int, y: int) -> bool:
        """A blob with no footprint on the desk zone that the frame's left or right edge cuts, at least `off_frame_px`
        of its pixels in that edge's column, all above the desk zone there, where the zone itself runs off that edge:
        an item standing on the desk beyond the frame, its top in view (a close, low camera: the umbrella at the desk's
        near left corner stands out of the frame from (1.2 m, 1.25 m, -10) and (1.3 m, 1.2 m, 20), its canopy alone
        over the desk's edge, session 27). The wall and the chair behind the clerk lie over the zone's far outline,
        inside the frame."""
        if self.p.off_frame_px <= 0:
            return False
        h, w = blob.shape
        for col, at in ((0, x), (w - 1, x + w - 1)):
            if at not in (0, self.work_size[0] - 1):
                continue
            rows = np.flatnonzero(blob[:, col])
            desk = np.flatnonzero(self.desk[:, at])
            if len(rows) >= self.p.off_frame_px and len(desk) and y + int(rows[-1]) < int(desk[0]):
                return True
        return False

    def _settled(self, blobs: list[tuple[Box, float]], now: float) -> list[tuple[Box, float]]:
        """Blobs that have stayed in the same place for `min_still_s`: a slowly moving hand keeps
        shifting its blob and never settles, a put-down object does."""
        tracks, out = [], []
        for box, still in blobs:
            # the clock starts when the changed area first appears in this place (an item put down is
            # "moving" for the short-term model for a moment); it must be still when reported. The same place: mostly
            # the same box, or one box nested in the other, so an item whose area joins a neighbour's on one frame
            # (the clerk's sleeve, a pen holder it hides) and not on the next keeps its clock; a box of the same size
            # shifted (a hand sliding across) is neither. Compared with the track's last box and with the box it began
            # with: a hand reaching into a snack box grows its area one run and not the next, each box nested less
            # than `nested_frac` in the last, while both still lie where the item was first seen
            same = [tr for tr in self.tracks if any(
                box_iou(b, box) > 0.6 or overlap_of_smaller(b, box) >= self.p.nested_frac for b in (tr[0], tr[2]))]
            best = max(same, key=lambda tr: max(box_iou(tr[0], box), box_iou(tr[2], box))) if same else None
            first, began = (now, box) if best is None else (best[1], best[2])
            tracks.append((box, first, began))
            if now - first >= self.p.min_still_s and still >= self.p.static_frac:
                out.append((box, still))
        self.tracks = tracks
        return out

    def _without_clerk(self, settled: list[tuple[Box, float]], pose: PoseResult | None,
                       scale: float) -> list[tuple[Box, float]]:
        """`settled` less the blobs that are the clerk's own body where the limb and torso masks miss it (the side
        of the shirt beside the elbow, the waist over the desk's back edge seen from aside): a blob lying inside
        the clerk's torso outline (`clerk_inside`) whose new pixels mostly show the colours of the clerk's clothes
        (`clerk_colour_share`, read on the torso above the desk away from the blob, so an item held up in front of
        the clerk does not lend its own colours). An item lying in front of the clerk differs in colour.
        Also a blob mostly off the desk zone and close to the torso (`_beside_torso`), whatever its colours."""
        pts = torso_points(pose, scale)
        if not settled or pts is None or self._cur is None:  # (no blob: the torso masks and distances go unused)
            return settled
        assert self.state.change is not None
        w, h = self.work_size
        torso = np.zeros((h, w), np.uint8)
        cv2.fillPoly(torso, [pts.astype(np.int32)], 1)
        k = outline_px(pts, self.p.clerk_grow)
        outline = dilated_near(torso, pts.astype(np.int32), k)
        clothes = torso.astype(bool) & ~self.desk
        own = self.state.change if self.state.revealed is None else self.state.change & ~self.state.revealed
        reach = self._body_reach(pose, scale, torso)  # type: ignore[arg-type]
        out = []
        for blob in settled:
            x1, y1, x2, y2 = (int(v) for v in blob[0])
            mine = own[y1:y2, x1:x2]
            if reach is not None and mine.any() and self._beside_torso(mine, reach[y1:y2, x1:x2], (x1, y1, x2, y2)):
                continue
            if mine.any() and float(outline[y1:y2, x1:x2][mine].mean()) >= self.p.clerk_inside:
                sample = clothes.copy()
                sample[y1:y2, x1:x2] = False
                model = colour_model(self._cur[sample]) if int(sample.sum()) >= self.p.clerk_min_px else None
                px = self._cur[y1:y2, x1:x2][mine]
                if model is not None and float(model[colour_bins(px)].mean()) >= self.p.clerk_colour_share:
                    continue
            out.append(blob)
        return out

    def _body_reach(self, pose: PoseResult, scale: float, torso: np.ndarray) -> np.ndarray | None:
        """Each pixel's distance to the clerk's shoulders-hips polygon (`torso`), in body scales (`body_scale`: the
        shoulder width, or 0.6 x the torso's height where the shoulders foreshorten)."""
        lm = pose.landmarks
        pts = [(int(p.x * scale), int(p.y * scale)) for p in lm]
        size = body_scale(lm, pts, math.dist(pts[11], pts[12]), self.p.torso_to_shoulder)
        if size < 1:
            return None
        return cv2.distanceTransform((1 - torso).astype(np.uint8), cv2.DIST_L2, 3) / size

    def _beside_torso(self, mine: np.ndarray, reach: np.ndarray, box: tuple[int, int, int, int]) -> bool:
        """A blob (its new pixels `mine` in `box`) with at most `body_on_desk` of them on the desk zone and 90 % within
        `body_reach` body scales of the torso polygon: the clerk's waist, lap or chest above the desk's back edge.
        The polygon joins joint centres: seen from aside, the body's depth (the chest, the belly) and the lap between
        the hips and the desk's edge lie outside it, in the trousers' colours as often as the shirt's (0.46-0.85 body
        scales at (1.55 m, -30) and (1.5 m, -50) on the tune splits; items off the desk this close: none; the nearest,
        a pad moved behind the pen holder at -50, 1.19). An item on the desk keeps its footprint there."""
        x1, y1, x2, y2 = box
        if float(self.desk[y1:y2, x1:x2][mine].mean()) > self.p.body_on_desk:
            return False
        return float(np.percentile(reach[mine], 90)) <= self.p.body_reach
