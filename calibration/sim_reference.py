"""Clean-desk reference frames for simulator clips (what `calibrate capture` gives on a real counter).

A real installer captures the reference with the desk cleared to its standard layout. The simulator's
clips come without one, so the desk stage (which needs `reference_image`) never runs on them. This
renders the same static scene as the clip (counter, both chairs, monitor, the allowed items in their slots,
the clip's light gain; no clerk, client, sign or scenario props) and points the clip's counter.yaml at it.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

REFERENCE_NAME = "reference.png"


def render_reference(labels: dict, sign: bool = False):
    """BGR clean-desk frame for the camera and light of a clip's labels.json (`sign`: the pause sign standing at
    its place, what the installer shows the camera to record where its marker is read)."""
    from simulator.render import Camera, Renderer
    from simulator.scene import (
        DESK_ITEMS,
        HOME,
        chair_meshes,
        client_chair_meshes,
        counter_meshes,
        monitor_meshes,
        prop_meshes,
    )

    cam = Camera.from_dict(labels["camera"])
    static = counter_meshes() + chair_meshes() + client_chair_meshes() + monitor_meshes()
    for name in DESK_ITEMS:
        static += prop_meshes(name, *HOME[name])
    # The sign is drawn as the clips draw it, a moving prop (per-pixel depth): the static scene's painter's order
    # sorts its thin board, foot and marker by mean depth and can paint the board over the marker's corner.
    moving = prop_meshes("sign", *HOME["sign"]) if sign else []
    return Renderer(cam, static, light_gain=float(labels["render"]["light_gain"])).frame(moving)


def add_reference(clip_dir: Path, overwrite: bool = False) -> bool:
    """Write clip_dir/reference.png and set `reference_image` in clip_dir/counter.yaml. False if already set."""
    import cv2

    labels_path, counter_path = clip_dir / "labels.json", clip_dir / "counter.yaml"
    for p in (labels_path, counter_path):
        if not p.exists():
            raise FileNotFoundError(f"{p}: missing. Fix: re-render the clip with `counterwatch sim render`.")
    counter = yaml.safe_load(counter_path.read_text(encoding="utf-8"))
    if counter.get("reference_image") and (clip_dir / counter["reference_image"]).exists() and not overwrite:
        return False
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    cv2.imwrite(str(clip_dir / REFERENCE_NAME), render_reference(labels))
    counter["reference_image"] = REFERENCE_NAME
    counter_path.write_text(yaml.safe_dump(counter, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return True


def sign_marker_record(labels: dict, counter: dict) -> list[list[float]] | str:
    """CounterConfig.sign_marker for a clip: the marker's corners read on the reference with the sign at its place
    (the pipeline's reading, calibration/sign_marker.py), or "unread"."""
    from calibration.config import CounterConfig
    from calibration.sign_marker import read_sign_marker

    corners = read_sign_marker(CounterConfig(**counter), render_reference(labels, sign=True))
    return [[x, y] for x, y in corners] if corners else "unread"


def add_sign_marker(clip_dir: Path, overwrite: bool = False) -> bool:
    """Record sign_marker in clip_dir/counter.yaml (a rule-side field: cached perception stays valid). False if
    already set."""
    labels_path, counter_path = clip_dir / "labels.json", clip_dir / "counter.yaml"
    for p in (labels_path, counter_path):
        if not p.exists():
            raise FileNotFoundError(f"{p}: missing. Fix: re-render the clip with `counterwatch sim render`.")
    counter = yaml.safe_load(counter_path.read_text(encoding="utf-8"))
    if counter.get("sign_marker") is not None and not overwrite:
        return False
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    counter["sign_marker"] = sign_marker_record(labels, {k: v for k, v in counter.items() if k != "sign_marker"})
    counter_path.write_text(yaml.safe_dump(counter, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return True
