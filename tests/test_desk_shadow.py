"""A dark blob of the desk's own hue is the desk in a shadow, not a phone lying dark side up (synthetic desk, no
model): at (1.3 m, 2 m, -20 deg) the wood beside the monitor's foot, darker than in the reference, was read as a phone
(colleague_covering, leave_nosign_long, reading_head_down). A black phone on the same desk stays a phone; on a desk
of no hue of its own (grey) nothing is called a shadow."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fixtures.desk import desk_scene
from vision.desk_change import DeskChangeDetector

PATCH = (600, 540, 660, 590)  # phone-sized, on the desk


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def labels(reference: np.ndarray, counter, frame: np.ndarray) -> list[str]:
    det = DeskChangeDetector(reference, counter, classifier=None)
    out = []
    for i in range(8):
        out = det.process(frame, t=0.5 * i)
    return [d.label for d in out]


def with_patch(reference: np.ndarray, shade: float | None) -> np.ndarray:
    img = reference.copy()
    x1, y1, x2, y2 = PATCH
    if shade is None:
        img[y1:y2, x1:x2] = (35, 35, 40)  # a black phone, screen off
    else:
        img[y1:y2, x1:x2] = (img[y1:y2, x1:x2] * shade).astype(np.uint8)  # the same wood, in shadow
    return img


def test_the_desk_in_shadow_is_no_phone(scene):
    assert labels(scene.reference, scene.counter, with_patch(scene.reference, 0.35)) == []


def test_a_black_phone_on_the_same_desk_is_a_phone(scene):
    assert labels(scene.reference, scene.counter, with_patch(scene.reference, None)) == ["cell phone"]


def test_on_a_grey_desk_a_shadow_is_not_told_from_a_phone(scene):
    grey = np.repeat(scene.reference.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)
    assert labels(grey, scene.counter, with_patch(grey, 0.35)) == ["cell phone"]
