"""Answers about a blob kept by its place, so the classifier is not run on every frame for an item lying still."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from vision.results import Box
from vision.roi import box_iou

T = TypeVar("T")
# (the box an answer was computed on, what its pixels looked like then) -> they look the same now
Still = Callable[[Box, Any], bool]


@dataclass
class _Entry(Generic[T]):
    box: Box  # where the blob was last seen (the entry follows it)
    at: float  # when the answer was computed
    value: T
    named_box: Box  # the box the answer was computed on
    look: Any  # its pixels then, for `Still`
    seen: float  # the last desk run that asked for it


class BoxCache(Generic[T]):
    """Answers by box: one is reused for a box overlapping its own (IoU > 0.6) within `ttl` seconds of being computed
    (the box follows the blob); a new answer replaces those at its place and drops those older than 3 x `ttl`
    (or `keep_s`).

    An answer lasts `keep_s` instead of `ttl` while its blob holds still: the box asked about overlaps the one it was
    computed on by `keep_iou`, the blob was asked about on the previous desk run (`prev`: no other item can have
    taken its place in between) and `still` finds its pixels unchanged, so the classifier would see the same crop.
    Re-running the SSDs on it every `ttl` was most of the desk stage's CPU in service (a desk run every 5 s)."""

    def __init__(self, keep_s: float = 0.0, keep_iou: float = 0.85) -> None:
        self.entries: list[_Entry[T]] = []
        self.keep_s = keep_s
        self.keep_iou = keep_iou

    def get(self, box: Box, now: float, ttl: float, prev: float | None = None, still: Still | None = None) -> T | None:
        for e in self.entries:
            if box_iou(e.box, box) > 0.6 and (now - e.at < ttl or self._kept(e, box, now, prev, still)):
                e.box, e.seen = box, now
                return e.value
        return None

    def _kept(self, e: _Entry[T], box: Box, now: float, prev: float | None, still: Still | None) -> bool:
        return (still is not None and prev is not None and e.seen >= prev and now - e.at < self.keep_s
                and box_iou(e.named_box, box) >= self.keep_iou and still(e.named_box, e.look))

    def put(self, box: Box, now: float, value: T, ttl: float, look: Any = None) -> None:
        age = max(3 * ttl, self.keep_s)
        self.entries = [e for e in self.entries if box_iou(e.box, box) <= 0.6 and now - e.at < age]
        self.entries.append(_Entry(box, now, value, box, look, now))
