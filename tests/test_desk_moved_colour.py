"""A moved allowed item is re-identified by its colours seen in part: the clerk's hand cuts a different part of
it each frame, and the frame edge may have cut it in its slot. Synthetic desks (tests/fixtures/desk.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.fixtures.desk import EVAL_PAD, desk_scene, relight
from vision.desk.colour import colour_model, colour_overlap
from vision.desk_change import DeskChangeDetector

SCREEN = (200, 150, 60)  # the pad's blue screen (BGR)


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def _pad_moved(ref: np.ndarray, to_x: int) -> np.ndarray:
    """The evaluator pad taken from its slot (plain desk copied over it) and put down at `to_x`."""
    x1, y1, x2, y2 = EVAL_PAD
    out = ref.copy()
    out[y1 - 5:y2 + 5, x1 - 5:x2 + 5] = ref[y1 - 5:y2 + 5, 420:420 + (x2 - x1) + 10]
    out[y1 - 5:y2 + 5, to_x:to_x + (x2 - x1) + 10] = ref[y1 - 5:y2 + 5, x1 - 5:x2 + 5]
    return out


def _pad_put_down_turned(ref: np.ndarray, at: tuple[int, int]) -> np.ndarray:
    """The evaluator pad taken from its slot and put down turned by 90 degrees (its template no longer matches)."""
    x1, y1, x2, y2 = EVAL_PAD
    out = ref.copy()
    out[y1 - 5:y2 + 5, x1 - 5:x2 + 5] = ref[y1 - 5:y2 + 5, 420:420 + (x2 - x1) + 10]
    patch = np.ascontiguousarray(np.rot90(ref[y1:y2, x1:x2]))
    x, y = at
    out[y:y + patch.shape[0], x:x + patch.shape[1]] = patch
    return out


@pytest.mark.parametrize("gain", [1.0, 0.6])
def test_a_pad_put_down_turned_is_moved_under_another_light(scene, gain):
    # turned, its picture no longer matches the slot's: it is re-identified by size and colours. The colours are
    # compared with the reference relit to this frame, so a dimmer light does not make it another thing
    moved = relight(_pad_put_down_turned(scene.reference, (560, 470)), gain=gain, gradient=0.2, warm=0.05)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = []
    for i in range(16):
        out = det.process(scene.reference if i < 2 else moved, t=0.5 * i)
    assert [d.label for d in out] == ["slot_moved:evaluator_pad"]
    assert out[0].box[0] >= 540 * 0.9 and out[0].box[2] <= 700  # where it lies, not the slot


def test_colour_overlap_matches_a_part_of_the_item_and_not_another_thing():
    rng = np.random.default_rng(1)

    def pixels(bgr, n):
        return np.clip(np.array(bgr, np.float32) + rng.normal(0, 3, (n, 3)), 0, 255)

    pad = np.concatenate([pixels(SCREEN, 600), pixels((90, 90, 90), 400)])  # screen and frame
    model = colour_model(pad)
    assert model is not None
    screen_only = pixels(SCREEN, 300) * 0.7  # in the shade: darker, the same hue
    assert colour_overlap(pad, model, screen_only, a_partial=False) > 0.9
    assert colour_overlap(pad, model, pixels((40, 40, 200), 300), a_partial=False) < 0.1  # a red thing
    white = pixels((235, 235, 235), 500)
    assert colour_overlap(white, colour_model(white), pixels((60, 62, 58), 300), a_partial=True) < 0.1  # dark grey
    # a pad seen only by its white frame in its slot (the frame edge cut it): seen whole, white and blue, it matches
    whole = np.concatenate([pixels(SCREEN, 300), pixels((235, 235, 235), 300)])
    assert colour_overlap(white, colour_model(white), whole, a_partial=True) > 0.6
    assert colour_overlap(white, colour_model(white), whole, a_partial=False) < 0.6


def test_the_item_colours_leave_out_the_desk_showing_where_it_stood():
    rng = np.random.default_rng(2)
    desk = np.clip(np.array((70, 110, 150), np.float32) + rng.normal(0, 3, (500, 3)), 0, 255)
    holder = np.concatenate([np.full((300, 3), 42, np.float32), desk[:200]])  # its hole's rim is desk
    model = colour_model(holder, background=desk)
    assert model is not None
    assert colour_overlap(holder, model, desk[200:], a_partial=False) < 0.1  # bare desk is not the holder


def test_a_moved_pad_is_found_under_another_light(scene):
    moved = relight(_pad_moved(scene.reference, 560), gain=0.7, gradient=0.3, warm=0.08)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    out = []
    for i in range(16):
        out = det.process(scene.reference if i < 2 else moved, t=0.5 * i)
    assert [d.label for d in out] == ["slot_moved:evaluator_pad"]
