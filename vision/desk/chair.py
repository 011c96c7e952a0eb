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
        zone = self._zone_mask(polygon) if polygon is not None else None
        # a zone under chair_min_px work pixels is not judged (`calibrate check` names it)
        self.chair = zone if zone is not None and int(zone.sum()) >= self.p.chair_min_px else None
        # the zone's bounding box in work pixels (the report's box, scaled to the frame)
        self.chair_box = None if self.chair is None else tuple(
            float(v) * self.zone_scale for v in (*np.min(polygon, axis=0), *np.max(polygon, axis=0)))

    def _chair_change(self, raw: np.ndarray, person: np.ndarray) -> tuple[np.ndarray, float | None] | None:
        """The zone's changed pixels off the clerk, and their share of the zone the clerk leaves in view (None: under
        `chair_min_px` of it in view, the clerk standing in front of it); None without a chair zone."""
        if self.chair is None:
            return None
        seen = self.chair & ~person
        opened = cv2.morphologyEx((raw & seen).astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        changed = opened.astype(bool)
        n = int(seen.sum())
        return changed, (float(changed.sum()) / n if n >= self.p.chair_min_px else None)

    def _chair_report(self, share: float | None, to_frame: float) -> Detection | None:
        """`chair_out` when `chair_out_share` of the zone the clerk leaves in view changed."""
        if share is None or share < self.p.chair_out_share or self.chair_box is None:
            return None
        box = tuple(round(v * to_frame, 1) for v in self.chair_box)
        return Detection(box=box, label=CHAIR_OUT, score=round(share, 3), source="change")  # type: ignore[arg-type]
