"""The clean-desk fill that tells a hole from an item is computed at half the work size (its cost) and keeps the
hole/item split of the full-size fill. Synthetic desks (tests/fixtures/desk.py), no models."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import vision.desk.masks as masks
from tests.fixtures.desk import PEN_HOLDER, desk_scene
from vision.desk.params import DeskChangeParams
from vision.desk_change import DeskChangeDetector


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def _without_pen_holder(ref: np.ndarray) -> np.ndarray:
    x1, y1, x2, y2 = PEN_HOLDER
    out = ref.copy()
    out[y1 - 60:y2 + 5, x1 - 5:x2 + 5] = ref[y1 - 60:y2 + 5, 520:520 + (x2 - x1) + 10]
    return out


def _with_box(img: np.ndarray) -> np.ndarray:
    out = img.copy()
    cv2.rectangle(out, (640, 520), (760, 600), (40, 60, 200), -1)  # an item put down on open desk
    return out


def _masks(scene, scale: float, frame: np.ndarray):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None,
                             params=DeskChangeParams(inpaint_scale=scale))
    for i in range(4):
        det.process(scene.reference if i < 2 else frame, t=0.5 * i)
    return det.state.change, det.state.revealed


def test_the_fill_runs_at_half_the_work_size(scene, monkeypatch):
    sizes: list[tuple[int, ...]] = []
    real = cv2.inpaint

    def recording(src, mask, radius, flags):
        sizes.append(src.shape[:2])
        return real(src, mask, radius, flags)

    monkeypatch.setattr(masks.cv2, "inpaint", recording)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    for i in range(3):
        det.process(scene.reference if i == 0 else _without_pen_holder(scene.reference), t=0.5 * i)
    w, h = det.work_size
    assert sizes and set(sizes) == {(round(h * 0.5), round(w * 0.5))}


def test_half_size_fill_keeps_the_hole_and_the_item_apart(scene):
    frame = _with_box(_without_pen_holder(scene.reference))
    change_full, revealed_full = _masks(scene, 1.0, frame)
    change_half, revealed_half = _masks(scene, 0.5, frame)
    assert (change_full == change_half).all()
    assert change_half[265:295, 325:375].all()  # the box is a change (so "not revealed" says something)
    x1, y1, x2, y2 = (v // 2 for v in PEN_HOLDER)  # work pixels: the scene is 1280 wide, the work image 640
    # the emptied slot shows background at either size; the box put down does not
    for revealed in (revealed_full, revealed_half):
        assert revealed[y1:y2, x1:x2].mean() > 0.5
        assert revealed[265:295, 325:375].mean() < 0.05
    both = (revealed_full | revealed_half).sum()
    assert (revealed_full & revealed_half).sum() / both > 0.9
