"""The client chair's place (chair.reset): does the calibrated chair zone still look as on the reference frame?

The zone is drawn around the chair standing where it belongs. A chair pushed out or turned leaves the floor behind
it showing there, and shows its seat and back elsewhere, so much of the zone changes; a chair in its place changes
none of it. The change is the desk stage's own per-pixel test (relit reference, colour and local structure), read
on the zone rather than on the desk. A client on the chair changes the zone as well: the rule judges the chair only
with no client at the window. The changed pixels are kept out of the slow reference update, so a chair left out
for an hour is still out.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from vision.results import Detection

CHAIR_OUT = "chair_out"  # the desk object reporting the client chair away from its zone (box: the zone)


class ClientChair:
    """Mixed into `DeskChangeDetector` (vision/desk/stage.py), which holds the state these methods share."""

    def _init_chair(self, polygon: Sequence[tuple[float, float]] | None) -> None:
        self.chair = self._zone_mask(polygon) if polygon is not None else None
        self.chair_area = int(self.chair.sum()) if self.chair is not None else 0
        # the zone's bounding box in work pixels (the report's box, scaled to the frame)
        corners = (*np.min(polygon, axis=0), *np.max(polygon, axis=0)) if polygon is not None else None
        self.chair_box = tuple(float(v) * self.zone_scale for v in corners) if corners is not None else None

    def _chair_change(self, raw: np.ndarray, person: np.ndarray) -> np.ndarray | None:
        """The zone's changed pixels off the clerk (None: no chair zone, or one under `chair_min_px`)."""
        if self.chair is None or self.chair_area < self.p.chair_min_px:
            return None
        changed = (raw & self.chair & ~person).astype(np.uint8)
        return cv2.morphologyEx(changed, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)).astype(bool)

    def _chair_report(self, changed: np.ndarray | None, person: np.ndarray, to_frame: float) -> Detection | None:
        """`chair_out` when `chair_out_share` of the zone's pixels the clerk leaves in view changed."""
        if changed is None or self.chair_box is None:
            return None
        seen = int((self.chair & ~person).sum())
        if seen < self.p.chair_min_px:
            return None  # the clerk stands in front of it (putting it back): cannot be told
        share = float(changed.sum()) / seen
        if share < self.p.chair_out_share:
            return None
        box = tuple(round(v * to_frame, 1) for v in self.chair_box)
        return Detection(box=box, label=CHAIR_OUT, score=round(share, 3), source="change")  # type: ignore[arg-type]
