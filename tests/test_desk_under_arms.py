"""A blob the generous crop calls the clerk (the arms reach over it) is looked at again in tiles."""

from __future__ import annotations

import cv2
import numpy as np

from tests.fixtures.desk import settled_objects
from vision.results import Detection

PAPERS = (420, 520, 760, 680)  # x1, y1, x2, y2: a sheet with a snack lying on its corner
SNACK = (430, 530, 500, 580)


def _frame(ref: np.ndarray) -> np.ndarray:
    img = ref.copy()
    cv2.rectangle(img, PAPERS[:2], PAPERS[2:], (245, 245, 240), -1)
    cv2.rectangle(img, SNACK[:2], SNACK[2:], (200, 40, 230), -1)
    return img


def _ssd_like(wearable: bool = False, item: bool = True):
    """Person on every crop (the arms in it); the snack named only on a crop of at most 260 px, as a tile (the blob
    and its generous crop are larger: a small item is a few pixels of the SSD's input there)."""

    def classify(crop: np.ndarray) -> list[Detection]:
        h, w = crop.shape[:2]
        out = [Detection((0, 0, w, h), "person", 0.9, "fake")]
        magenta = (crop[..., 0] > 150) & (crop[..., 1] < 80) & (crop[..., 2] > 180)
        if max(h, w) <= 260 and magenta.any():
            ys, xs = np.nonzero(magenta)
            out.append(Detection((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1),
                                 "tie" if wearable else "donut", 0.9 if item else 0.3, "fake"))
        return out

    return classify


def _run(classifier) -> list[Detection]:
    return settled_objects(_frame, classifier)


def test_items_under_the_arms_are_found_in_tiles():
    out = _run(_ssd_like())
    labels = sorted(d.label for d in out)
    assert labels == ["donut", "papers"]
    donut = next(d for d in out if d.label == "donut")
    assert donut.box[0] >= PAPERS[0] - 5 and donut.box[2] <= SNACK[2] + 5


def test_a_blob_with_no_sure_item_in_its_tiles_stays_the_clerk():
    assert _run(_ssd_like(item=False)) == []
    assert _run(_ssd_like(wearable=True)) == []  # a sleeve read as a tie is still the clerk
