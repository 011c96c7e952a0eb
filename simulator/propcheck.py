"""Do the packaged object detectors recognise the simulator's props? (tests and bench/sim_prop_detection.py)

For each frame of a rendered clip where a prop is visible (its labelled bbox), the detector runs on a
crop around the prop like the pipeline's (around the hand, or around the changed desk blob), and we keep the
best score of the classes that prop should be read as."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DETECTORS = ("coral.ssd_mobilenet_v2_coco", "objectron.ssd_mobilenet_v2_oidv4")
# What each detector should call each prop (class names as the detectors label them).
EXPECTED: dict[str, set[str]] = {
    "phone": {"cell phone"},
    "cup": {"cup", "Mug", "Coffee cup"},
    "bottle": {"bottle", "Bottle"},
    "food": {"banana", "donut", "sandwich", "hot dog", "cake"},
    "snack_box": {"donut", "cake", "sandwich", "banana", "bowl"},
    "handbag": {"handbag", "suitcase", "backpack"},
    "umbrella": {"umbrella"},
}
# (scenario, prop, clip time s) where the prop is shown as the rules will see it
CASES = [
    ("phone_on_desk", "phone", 2.0), ("phone_in_hand", "phone", 2.0),
    ("drinking_alone", "cup", 0.5), ("drinking_alone", "cup", 2.5), ("desk_clutter", "bottle", 2.0),
    ("eating", "food", 2.2), ("eating", "snack_box", 0.5),
    ("personal_item_placed", "handbag", 4.0), ("personal_item_placed", "umbrella", 4.0),
]


@dataclass
class PropScore:
    scenario: str
    prop: str
    t: float
    where: str
    bbox: list[float] | None
    scores: dict[str, float]  # detector id -> best score of an expected class (0 = not found)
    found: dict[str, list[tuple[str, float]]]  # detector id -> everything found in the crop (label, score)


def prop_crop(bbox: list[float], width: int, height: int, held: bool = False) -> tuple[float, ...]:
    """The crop the pipeline would hand the detector. Held: a square around the hand of at least 160 px
    (vision.roi.region_around). On the desk: the changed blob padded by 0.6 of its larger side, at least
    5 % of the frame width (vision.desk_change), upscaled there to 300 px like the SSD input."""
    x0, y0, x1, y1 = bbox
    if not held:
        pad = max(0.6 * max(x1 - x0, y1 - y0), 0.05 * width)
        return (max(0.0, x0 - pad), max(0.0, y0 - pad), min(float(width), x1 + pad), min(float(height), y1 + pad))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    side = min(max(2.0 * max(x1 - x0, y1 - y0), 160.0), width, height)
    ox = float(np.clip(cx - side / 2, 0, width - side))
    oy = float(np.clip(cy - side / 2, 0, height - side))
    return (ox, oy, ox + side, oy + side)


def frame_at(clip_dir: Path, index: int) -> np.ndarray:
    import cv2

    cap = cv2.VideoCapture(str(clip_dir / "clip.mp4"))
    cap.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, img = cap.read()
    cap.release()
    if not ok:
        raise ValueError(f"{clip_dir / 'clip.mp4'}: no frame {index}")
    return img


def score_prop(clip_dir: Path, prop: str, t: float, detectors: dict, min_score: float = 0.2) -> PropScore:
    labels = json.loads((Path(clip_dir) / "labels.json").read_text())
    frame = min(labels["frames"], key=lambda f: abs(f["t"] - t))
    info = frame["props"][prop]
    scores, found = {}, {}
    if info["bbox"] is not None:
        img = frame_at(Path(clip_dir), frame["index"])
        roi = prop_crop(info["bbox"], img.shape[1], img.shape[0], held=info["where"].startswith("hand"))
        for mid, det in detectors.items():
            dets = det.detect(img, roi=roi, min_score=min_score)
            found[mid] = [(d.label, round(d.score, 3)) for d in dets]
            scores[mid] = max((d.score for d in dets if d.label in EXPECTED[prop]), default=0.0)
    return PropScore(labels["scenario"], prop, frame["t"], info["where"], info["bbox"], scores, found)
