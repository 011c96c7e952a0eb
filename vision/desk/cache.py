"""Answers about a blob kept by its place, so the classifier is not run on every frame for an item lying still."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from vision.results import Box
from vision.roi import box_iou

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    box: Box
    at: float  # when the answer was computed
    value: T


class BoxCache(Generic[T]):
    """Answers by box: one is reused for a box overlapping its own (IoU > 0.6) within `ttl` seconds of being computed
    (the box follows the blob); a new answer replaces those at its place and drops those older than 3 x `ttl`."""

    def __init__(self) -> None:
        self.entries: list[_Entry[T]] = []

    def get(self, box: Box, now: float, ttl: float) -> T | None:
        for e in self.entries:
            if box_iou(e.box, box) > 0.6 and now - e.at < ttl:
                e.box = box
                return e.value
        return None

    def put(self, box: Box, now: float, value: T, ttl: float) -> None:
        self.entries = [e for e in self.entries if box_iou(e.box, box) <= 0.6 and now - e.at < 3 * ttl]
        self.entries.append(_Entry(box, now, value))
