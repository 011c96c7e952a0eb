"""The pause sign: its board cut out where its marker was read, and the sign standing at the frame's edge."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

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
        self.sign_seen: Box | None = None  # where a blob was last taken for the sign at the frame's edge
        self._sign_kept = False  # ... and whether this frame still shows it there
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
        if self.sign_seen is not None and box_iou(box, self.sign_seen) > 0.6:
            self.sign_seen, self._sign_kept = box, True  # the sign seen at the frame's edge still stands there (the
            return True  # clerk back, not yet taken down)
        if clerk_away and self.sign is not None:
            inside = int((self.sign[y:y + h, x:x + w] & blob).sum())
            if inside > 0.5 * blob.sum():
                return True  # the pause sign, put up in its zone when the clerk leaves
            if self.sign_at_edge and inside >= self.p.sign_hold * self.sign_area \
                    and blob.sum() <= self.p.sign_size * self.sign_area:
                self.sign_seen, self._sign_kept = box, True
                return True  # ... in a zone the frame's edge cuts: the board, foot and shadow reach past it
        return False
