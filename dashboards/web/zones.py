"""Zone drawing on the board: find counter calibration files and save drawn zones and slots into them.

The drawing is merged into the file's own YAML (other fields are kept), validated with
calibration/config.py exactly as the CLI loads it (same messages), and only then written, via a
temporary file and a rename, so a bad drawing never leaves a broken file behind.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from calibration.config import CalibrationError, CounterConfig, load_counter

ZONE_NAMES = ("post", "desk", "client", "sign")


@dataclass(slots=True)
class CounterFile:
    hall_id: str
    counter_id: str
    path: Path


def find_counter_files(calibration_dir: Path | None) -> list[CounterFile]:
    """Every counter YAML under the directory (files that are not counter files are skipped)."""
    if calibration_dir is None or not calibration_dir.is_dir():
        return []
    found = []
    for path in sorted(list(calibration_dir.rglob("*.yaml")) + list(calibration_dir.rglob("*.yml"))):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and isinstance(data.get("counter_id"), str):
            found.append(CounterFile(str(data.get("hall_id", "hall")), data["counter_id"], path))
    return found


def counter_file(calibration_dir: Path | None, hall_id: str, counter_id: str) -> CounterFile | None:
    for f in find_counter_files(calibration_dir):
        if f.hall_id == hall_id and f.counter_id == counter_id:
            return f
    return None


def drawing_of(cfg: CounterConfig) -> dict[str, Any]:
    """What the canvas edits: zones, slots and the image size."""
    return {
        "width": cfg.camera.width, "height": cfg.camera.height,
        "zones": {name: getattr(cfg.zones, name) for name in ZONE_NAMES},
        "slots": [s.model_dump() for s in cfg.slots],
    }


def _points(value: Any) -> Any:
    """Round canvas points to 0.1 px; anything malformed is passed on for pydantic to name."""
    try:
        return [[round(float(x), 1), round(float(y), 1)] for x, y in value]
    except (TypeError, ValueError):
        return value


def save_drawing(path: Path, drawing: dict[str, Any]) -> CounterConfig:
    """Merge zones and slots into the YAML at `path`; CalibrationError (CLI wording) if invalid."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CalibrationError(f"{path}: expected a mapping with at least 'counter_id'.")
    zones = drawing.get("zones") or {}
    if not isinstance(zones, dict):
        raise CalibrationError(f"{path}: field 'zones': expected a mapping of zone name to polygon.")
    data["zones"] = {k: _points(v) for k, v in zones.items() if v is not None}
    slots = drawing.get("slots") or []
    data["slots"] = [{**s, "polygon": _points(s.get("polygon"))} if isinstance(s, dict) else s for s in slots]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None)
    # Validate by loading the candidate file exactly as the CLI does, next to the original so that
    # relative paths (reference_image) resolve the same.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            cfg = load_counter(tmp)
        except CalibrationError as exc:
            raise CalibrationError(str(exc).replace(tmp, str(path))) from None
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return cfg
