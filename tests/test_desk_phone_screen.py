"""The phone's lit screen seen from a steep side (session 12): icons counted on the screen, not over the desk's rim
in the blob; a screen in a black rim sized on its own axes when it lies aslant, and not taken for food by the tight
look (synthetic crops and desk, no model)."""

from __future__ import annotations

import cv2
import numpy as np

from tests.fixtures.desk import desk_scene
from vision.desk import labels
from vision.desk.labels import FRAMED_RIM, heuristic_label
from vision.desk_change import DeskChangeDetector
from vision.results import Detection

DESK = (70, 150, 190)  # BGR: a lit wooden desk (vivid, in the skin/wood orange)
ICONS = [(40, 40, 220), (220, 120, 30), (40, 200, 40)]


def phone(img: np.ndarray, quad: np.ndarray, screen: np.ndarray, icons: int, size: int = 2) -> None:
    cv2.fillPoly(img, [quad], (20, 20, 20))
    cv2.fillPoly(img, [screen], (240, 235, 225))
    cx, cy = screen.mean(axis=0)  # the icons in a grid about the screen's centre
    for k in range(icons):
        c = (int(cx) - 9 + 5 * (k % 4), int(cy) - 3 + 5 * (k // 4) - 5 * (icons > 4))
        cv2.rectangle(img, c, (c[0] + size, c[1] + size), ICONS[k % 3], -1)


def test_icons_are_counted_on_the_screen_not_on_the_desk_rim_in_the_blob():
    """(1.5 m, 1.9 m, -50 deg): a 40 x 14 px phone whose blob holds a strip of lit desk below it: two icons make
    under 0.08 of the blob's vivid pixels (18 of 258), but well over it of the screen's."""
    img = np.full((480, 640, 3), DESK, np.uint8)
    phone(img, np.array([[300, 300], [340, 300], [340, 314], [300, 314]]),
          np.array([[302, 302], [338, 302], [338, 312], [302, 312]]), icons=2)
    box = (300, 300, 340, 320)  # the phone and 6 px of the desk's rim under it
    mask = np.ones((20, 40), np.uint8)
    assert heuristic_label(img, box, mask).label == "cell phone"
    assert labels.screen_look(cv2.cvtColor(img[300:320, 300:340], cv2.COLOR_BGR2HSV), mask)[0] >= 0.5


def aslant(img: np.ndarray) -> tuple[tuple[int, int, int, int], np.ndarray]:
    """A phone lying at 35 deg, 30 x 80 px: its upright box is 1.8 % of the frame, itself 0.8 %."""
    rect = ((420.0, 400.0), (30.0, 80.0), 35.0)
    quad = cv2.boxPoints(rect).astype(np.int32)
    scr = cv2.boxPoints((rect[0], (24.0, 72.0), 35.0)).astype(np.int32)
    phone(img, quad, scr, icons=12, size=4)
    x, y, w, h = cv2.boundingRect(quad)
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(mask, [quad], 1)
    return (x, y, x + w, y + h), mask[y:y + h, x:x + w]


def test_a_phone_lying_aslant_is_sized_on_its_own_axes():
    img = np.full((480, 640, 3), DESK, np.uint8)
    box, mask = aslant(img)
    assert (box[2] - box[0]) * (box[3] - box[1]) > 0.015 * 640 * 480  # too big upright
    look = heuristic_label(img, box, mask)
    assert look.framed and look.label == "cell phone"
    # control: a white tray of the same outline on the desk (no black rim) keeps the upright size test
    tray = np.full((480, 640, 3), DESK, np.uint8)
    quad = cv2.boxPoints(((420.0, 400.0), (30.0, 80.0), 35.0)).astype(np.int32)
    cv2.fillPoly(tray, [quad], (240, 235, 225))
    for k in range(8):
        cv2.circle(tray, (405 + 4 * k, 385 + 4 * k), 2, ICONS[k % 3], -1)
    look = heuristic_label(tray, box, mask)
    assert not look.framed and FRAMED_RIM > 0
    assert look.label != "cell phone"


def test_a_framed_screen_is_not_food_to_the_tight_look(monkeypatch):
    """The tight SSD calls the phone's icons a cake, as sure as the donuts it rescues: a screen in a black rim stays
    a phone; the control without the rim (a white box the heuristic calls a phone) is the tight look's food."""
    scene = desk_scene()

    def cake(crop: np.ndarray) -> list[Detection]:
        h, w = crop.shape[:2]
        return [Detection(box=(0.0, 0.0, float(w), float(h)), label="cake", score=0.88, source="t")] if w < 120 else []

    def run(img: np.ndarray) -> list[str]:
        det = DeskChangeDetector(scene.reference, scene.counter, classifier=cake)
        out: list[Detection] = []
        for i in range(8):
            out = det.process(img, t=0.5 * i)
        return [d.label for d in out]

    img = scene.reference.copy()
    quad = np.array([[700, 560], [760, 560], [760, 600], [700, 600]])
    phone(img, quad, np.array([[704, 564], [756, 564], [756, 596], [704, 596]]), icons=12)
    assert run(img) == ["cell phone"]
    monkeypatch.setattr(labels, "FRAMED_RIM", 1.1)  # control: no rim counts as a phone's: the tight look's food
    assert run(img) == ["cake"]


def test_the_screen_is_looked_at_once_per_heuristic_look(monkeypatch):
    """The rim that keeps a phone from the tight food look is the one `heuristic_label` measured: no second
    `screen_look` on the same crop."""
    from vision.desk import classify

    scene = desk_scene()
    calls = {"heuristic": 0, "screen": 0}
    heuristic, screen = classify.heuristic_label, labels.screen_look

    def counted_heuristic(*a, **k):  # type: ignore[no-untyped-def]
        calls["heuristic"] += 1
        return heuristic(*a, **k)

    def counted_screen(*a, **k):  # type: ignore[no-untyped-def]
        calls["screen"] += 1
        return screen(*a, **k)

    monkeypatch.setattr(classify, "heuristic_label", counted_heuristic)
    monkeypatch.setattr(labels, "screen_look", counted_screen)
    img = scene.reference.copy()
    phone(img, np.array([[700, 560], [760, 560], [760, 600], [700, 600]]),
          np.array([[704, 564], [756, 564], [756, 596], [704, 596]]), icons=12)
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=lambda crop: [])
    out: list[Detection] = []
    for i in range(8):
        out = det.process(img, t=0.5 * i)
    assert [d.label for d in out] == ["cell phone"]
    assert calls["heuristic"] >= 1 and calls["screen"] == calls["heuristic"]
