"""The desk stage's dilation of a torso outline on the polygon's box only."""

from __future__ import annotations

import cv2
import numpy as np

from vision.desk.shapes import dilated_near


def test_dilated_near_is_the_whole_image_dilation():
    rng = np.random.default_rng(0)
    for _ in range(40):
        pts = rng.integers(-60, 420, size=(6, 2)).astype(np.int32)
        k = int(rng.integers(1, 40)) * 2 + 1
        mask = np.zeros((360, 400), np.uint8)
        cv2.fillPoly(mask, [pts], 1)
        whole = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool)
        assert np.array_equal(dilated_near(mask, pts, k), whole)
