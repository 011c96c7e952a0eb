"""The desk stage's border-cut changes (`DeskChangeDetector.near_changes`): someone between the camera and the desk
whom the person detector does not box (stand.for_visitor, session 26)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tests.fixtures.desk import DESK_TOP, H, W, desk_scene, relight
from vision.desk_change import DeskChangeDetector


@pytest.fixture(scope="module")
def scene():
    return desk_scene()


def _client(scene):  # the client zone: the frame below the wall's upper part
    return [(0.0, 150.0), (float(W), 150.0), (float(W), float(H)), (0.0, float(H))]


def _head(img: np.ndarray) -> np.ndarray:
    """The back of a visitor's head and neck at the frame's bottom-left, near the camera (dark hair, a skin neck
    running on below the frame)."""
    out = img.copy()
    cv2.ellipse(out, (330, 330), (230, 260), 0, 0, 360, (25, 22, 20), -1)
    cv2.rectangle(out, (220, 500), (440, H), (150, 175, 215), -1)
    return out


def test_a_head_cut_by_the_frame_bottom_is_one_large_change_in_the_client_zone(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    assert det.near_changes(scene.reference, client=_client(scene)) == []
    near = det.near_changes(relight(_head(scene.reference), 0.85, 0.2, 0.03), client=_client(scene))
    assert len(near) == 1, near
    n = near[0]
    assert n.area > 0.15 and n.bottom > 0.1 and n.client > 0.8
    assert n.box[0] < 150 and n.box[3] >= H - 2
    # a look between the stage's runs: its own state is untouched
    assert det.state.change is None and det.t is None


def test_an_item_on_the_desk_inside_the_frame_is_no_border_cut_change(scene):
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    item = scene.reference.copy()
    cv2.rectangle(item, (500, DESK_TOP + 20), (900, H - 150), (30, 30, 160), -1)  # a bag, well inside the frame
    assert det.near_changes(item, client=_client(scene)) == []


def test_a_look_between_runs_changes_nothing_the_desk_stage_returns(scene):
    """`near_changes` keeps nothing of what it computes: the desk stage's run after such a look returns the same
    objects and internal masks (its relit reference, the frame's colours) as a run with no look before it."""
    item = scene.reference.copy()
    cv2.rectangle(item, (500, DESK_TOP + 20), (760, H - 150), (30, 30, 160), -1)
    frames = [relight(item, 0.9, 0.1, 0.02)] * 3
    plain = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    looked = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    for k, frame in enumerate(frames):
        t = 2.0 * k
        a = plain.process(frame, t=t)
        assert looked.near_changes(relight(_head(scene.reference), 0.85, 0.2, 0.03), client=_client(scene))
        b = looked.process(frame, t=t)
        assert a == b
        assert np.array_equal(plain._ref_corr, looked._ref_corr) and np.array_equal(plain._cur, looked._cur)
        assert np.array_equal(plain.state.change, looked.state.change)
        assert np.array_equal(plain.ref, looked.ref)
        assert looked.near_changes(frame, client=_client(scene)) == plain.near_changes(frame, client=_client(scene))


def test_the_pre_check_skips_a_quiet_border_and_keeps_every_region(scene):
    """`near_check_min`: a frame whose bottom, left and right bands hardly changed is not looked at in full (the
    reference relit, a bag well inside the frame); a head cut by the frame's bottom or an arm running into its side
    is, and reports what the full look reports."""
    from vision.desk.params import DeskChangeParams

    full = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    checked = DeskChangeDetector(scene.reference, scene.counter, classifier=None,
                                 params=DeskChangeParams(near_check_min=0.02))
    bag = scene.reference.copy()
    cv2.rectangle(bag, (500, DESK_TOP + 20), (900, H - 150), (30, 30, 160), -1)
    side = scene.reference.copy()
    cv2.rectangle(side, (W - 260, 200), (W, H - 60), (40, 60, 90), -1)  # someone's sleeve and side at the right edge
    quiet = [relight(scene.reference, 0.8, 0.15, 0.03), relight(bag, 1.1, 0.1, 0.02)]
    busy = [relight(_head(scene.reference), 0.85, 0.2, 0.03), side]
    for frame in quiet:
        assert max(checked._near_border_change(frame)) < 0.02
        assert checked.near_changes(frame, client=_client(scene)) == full.near_changes(frame, client=_client(scene))
    assert checked.near_skipped == len(quiet)
    for frame in busy:
        assert max(checked._near_border_change(frame)) > 0.1
        found = checked.near_changes(frame, client=_client(scene))
        assert found and found == full.near_changes(frame, client=_client(scene))
    assert checked.near_skipped == len(quiet)


def test_the_pre_check_follows_the_reference_as_desk_runs_adapt_it(scene):
    """The pre-check keeps its shrunk copy of the reference between looks; once a desk run adapts the reference the
    copy is taken afresh, so the bands read exactly what a stage built on the adapted reference reads."""
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    lit = relight(scene.reference, 0.7, 0.1, 0.02)
    det._near_border_change(lit)
    kept = det._small_ref
    det._near_border_change(lit)
    assert det._small_ref is kept  # no desk run between the looks: the same copy
    for k in range(4):  # the lighting changes slowly; the reference adapts to it
        det.process(lit, t=30.0 * k)
    assert det.ref_generation > 0
    after = det._near_border_change(lit)
    assert det._small_ref is not kept and det._small_ref[0] == det.ref_generation
    fresh = DeskChangeDetector(scene.reference, scene.counter, classifier=None)
    fresh.ref = det.ref.copy()
    assert after == fresh._near_border_change(lit)


def test_a_tall_thin_strip_cut_by_the_side_alone_is_reported(scene):
    """Someone standing at the counter beyond the frame's side edge, head to feet in view (session 27): a strip under
    `near_min_area` cut by the side only, tall and thin, is reported; a short or a wide one, or one cut by the bottom
    too, under `near_min_area`, is not."""
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=None)

    def near(x2, y1, y2):
        frame = scene.reference.copy()
        cv2.rectangle(frame, (0, y1), (x2, y2), (60, 70, 80), -1)
        return det.near_changes(frame, client=_client(scene))

    strip = near(70, 150, 620)  # 0.036 of the frame, 0.65 tall, 0.055 wide
    assert len(strip) == 1 and strip[0].bottom == 0.0 and strip[0].box[0] == 0.0
    assert 0.02 < strip[0].area < 0.05 and strip[0].box[3] - strip[0].box[1] > 0.6 * H
    assert near(70, 450, 620) == []  # 0.24 tall
    assert near(330, 380, 470) == []  # 0.26 wide, 0.032 of the frame
    assert near(70, 300, H) == []  # cut by the bottom too, 0.023 of the frame
