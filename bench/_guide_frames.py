"""The guide frames of a recorded simulator clip, shared by the guiding-elbow benches (guide_elbow_cues, guide_lift)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.clip import counter_for
from pipelines.rules.etiquette_common import ClerkGeometry, Frame
from vision.observation import Observation, read_observations


def to_model(p: list[float]) -> np.ndarray:
    """labels.json's world (x lateral, y backward, z up) -> the geometry module's (x, y up, z forward)."""
    return np.array([p[0], p[2], -p[1]], float)


def guide_frames(d: Path) -> Iterator[tuple[dict[str, Any], Observation, dict[str, Any], Frame]]:
    """(labels' camera, observation, the clerk's labels, measured frame) for each frame of clip `d` inside a
    guide.gesture interval. Every frame is measured, so the upright model and the arm lengths learn as in the eval."""
    labels = json.loads((d / "labels.json").read_text())
    cam_l = labels["camera"]
    geom = ClerkGeometry(counter_for(d / "counter.yaml" if (d / "counter.yaml").exists() else None,
                                     int(cam_l["width"]), int(cam_l["height"])))
    fps = float(labels["fps"])
    frames = {int(round(f["t"] * fps)): f for f in labels["frames"]}
    spans = [(i["start"], i["end"]) for i in labels["intervals"] if i["rule"] == "guide.gesture"]
    for o in read_observations(str(d / "observations.jsonl")):
        f = frames.get(int(round(o.t * fps)))
        clerk = next((p for p in (f or {}).get("persons", []) if p.get("role") == "clerk"), None)
        fr = geom.measure(o)
        if fr is None or clerk is None or not any(a <= o.t <= b for a, b in spans):
            continue
        yield cam_l, o, clerk, fr
