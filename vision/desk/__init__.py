"""The desk stage: desk objects, emptied and moved slots from the difference to the clean-desk reference
(`DeskChangeDetector`, in stage.py, which says how the comparison is built)."""

from vision.desk.labels import (
    Classifier,
    classifier_from_detectors,
    heuristic_label,
    load_desk_classifier,
)
from vision.desk.params import DeskChangeParams
from vision.desk.stage import DeskChangeDetector, DeskState

__all__ = [
    "Classifier",
    "DeskChangeDetector",
    "DeskChangeParams",
    "DeskState",
    "classifier_from_detectors",
    "heuristic_label",
    "load_desk_classifier",
]
