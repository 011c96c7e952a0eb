"""Etiquette accuracy metrics from exact labels: angle MAE, 15/30/45 classification, pass/fail, F1.

Pure functions over (predicted, labelled) pairs, used by bench/etiquette_accuracy.py and by any
`counterwatch eval` that has per-frame angle labels (the simulator's labels.json).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipelines.rules.etiquette_common import classify_bow


def mae(pred: Sequence[float | None], truth: Sequence[float]) -> tuple[float, int, int]:
    """(mean absolute error over the frames that have a prediction, frames used, frames missed)."""
    pairs = [(p, t) for p, t in zip(pred, truth, strict=True) if p is not None and math.isfinite(p)]
    if not pairs:
        return float("nan"), 0, len(truth)
    return sum(abs(p - t) for p, t in pairs) / len(pairs), len(pairs), len(truth) - len(pairs)


def bow_class_accuracy(peaks: Sequence[float | None], truth_deg: Sequence[float], tolerance: float) -> float:
    """Share of bows whose measured peak falls in the labelled class (15/30/45 +- tolerance)."""
    if not truth_deg:
        return float("nan")
    ok = sum(p is not None and classify_bow(p, tolerance) == classify_bow(t, tolerance)
             for p, t in zip(peaks, truth_deg, strict=True))
    return ok / len(truth_deg)


@dataclass(frozen=True)
class Binary:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def accuracy(self) -> float:
        n = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / n if n else float("nan")

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else float("nan")


def binary(pred: Iterable[bool], truth: Iterable[bool]) -> Binary:
    tp = fp = fn = tn = 0
    for p, t in zip(pred, truth, strict=True):
        tp += p and t
        fp += p and not t
        fn += t and not p
        tn += not p and not t
    return Binary(tp, fp, fn, tn)
