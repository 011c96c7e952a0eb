"""The desk stage's answer cache: a blob holding still is not looked at again every `reclassify_s`."""

from __future__ import annotations

import numpy as np
import skimage.data

from tests.fixtures.desk import composite, desk_scene
from vision.desk.cache import BoxCache
from vision.desk.params import DeskChangeParams
from vision.desk_change import DeskChangeDetector
from vision.results import Detection


def _looks(label: str, params: DeskChangeParams | None = None, swap_at: int | None = None, runs: int = 13):
    """Classifier calls over a minute of desk runs every 5 s (the service cadence) on a still cup; from run `swap_at`
    on, the cup's pixels are another item's of its outline (its colours inverted)."""
    scene = desk_scene()
    frame, (x1, y1, x2, y2) = composite(scene.reference, skimage.data.coffee(), (600, 500), 200, key_background=True)
    other = frame.copy()
    item = np.abs(frame.astype(int) - scene.reference.astype(int)).max(axis=2) > 30
    other[item] = 255 - frame[item]
    calls: list[tuple[int, ...]] = []

    def classify(crop):
        calls.append(crop.shape)
        h, w = crop.shape[:2]
        return [Detection((0.2 * w, 0.2 * h, 0.8 * w, 0.8 * h), label, 0.9, "fake")]

    det = DeskChangeDetector(scene.reference, scene.counter, classifier=classify, params=params)
    out = [det.process(other if swap_at is not None and i >= swap_at else frame, t=i * 5.0) for i in range(runs)]
    return len(calls), out


def test_a_still_blob_is_classified_once_a_minute_not_every_reclassify_s():
    kept, out = _looks("cup")
    refreshed, out_refreshed = _looks("cup", DeskChangeParams(keep_named_s=0.0))
    assert kept == 1  # looked at on the first run it settled, kept through 60 s
    assert refreshed >= 5  # every 10 s without the keep
    assert [[d.label for d in o] for o in out] == [[d.label for d in o] for o in out_refreshed]
    assert [d.label for d in out[-1]] == ["cup"]


def test_a_blob_whose_pixels_changed_is_looked_at_again():
    looks, out = _looks("cup", swap_at=6)
    assert looks == 2  # the cup, then the other item once it settled (run 7), kept from there
    assert [d.label for d in out[-1]] == ["cup"]


def test_still_compares_the_blob_pixels_off_the_clerk():
    scene = desk_scene()
    frame, _ = composite(scene.reference, skimage.data.coffee(), (600, 500), 200, key_background=True)
    item = np.abs(frame.astype(int) - scene.reference.astype(int)).max(axis=2) > 30
    other = frame.copy()
    other[item] = 255 - frame[item]
    det = DeskChangeDetector(scene.reference, scene.counter, classifier=lambda crop: [])
    for i in range(3):
        det.process(frame, t=i * 5.0)
    (entry,) = det.cache.entries
    assert det._still(frame.shape[1])(entry.named_box, entry.look)
    grey, clerk = entry.look
    assert not det._still(frame.shape[1])(entry.named_box, (grey, ~clerk))  # under the clerk's arm then, free now
    det.process(other, t=15.0)
    assert not det._still(frame.shape[1])(entry.named_box, entry.look)


def test_kept_only_in_place_still_and_seen_on_the_previous_run():
    cache: BoxCache[str] = BoxCache(keep_s=60.0)
    box = (100.0, 100.0, 200.0, 200.0)
    same = lambda named, look: look == "then"  # noqa: E731
    cache.put(box, 0.0, "cup", 10.0, "then")
    assert cache.get(box, 5.0, 10.0, 0.0, same) == "cup"  # within reclassify_s
    assert cache.get(box, 10.0, 10.0, 5.0, same) == "cup"  # kept: same box, still, seen at 5 s
    assert cache.get(box, 15.0, 10.0, 10.0, lambda n, look: False) is None  # its pixels changed
    cache.put(box, 0.0, "cup", 10.0, "then")
    assert cache.get((100.0, 100.0, 230.0, 200.0), 10.0, 10.0, 0.0, same) is None  # grown: IoU 0.77 < 0.85
    cache.put(box, 0.0, "cup", 10.0, "then")
    assert cache.get(box, 15.0, 10.0, 10.0, same) is None  # not asked about at 10 s: something else may lie there
    cache.put(box, 0.0, "cup", 10.0, "then")
    assert all(cache.get(box, t, 10.0, t - 5.0, same) == "cup" for t in range(5, 60, 5))
    assert cache.get(box, 60.0, 10.0, 55.0, same) is None  # kept at most keep_s
