"""The desk stage's public names, kept where other code imports them from (the stage lives in vision/desk/)."""

from vision.desk import (
    Classifier,
    DeskChangeDetector,
    DeskChangeParams,
    DeskState,
    classifier_from_detectors,
    heuristic_label,
    load_desk_classifier,
)

__all__ = [
    "Classifier",
    "DeskChangeDetector",
    "DeskChangeParams",
    "DeskState",
    "classifier_from_detectors",
    "heuristic_label",
    "load_desk_classifier",
]
