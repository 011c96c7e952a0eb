"""Register a user's ultralytics-exported YOLO ONNX model in the user manifest (cache dir)."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import yaml

from models.manifest import USER_MANIFEST_NAME, ModelSpec, cache_dir, load_manifest_file
from models.registry import sha256_file


class ImportModelError(ValueError):
    """The file is not a usable ultralytics YOLO ONNX export; the message says why and what to do."""


def _names(meta: dict[str, str], path: Path) -> list[str]:
    raw = meta.get("names")
    if not raw:
        raise ImportModelError(
            f"{path}: no 'names' in the ONNX metadata. Export it with ultralytics "
            "(`yolo export model=best.pt format=onnx`), which writes the class names there."
        )
    try:
        parsed = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        raise ImportModelError(f"{path}: metadata 'names' is not a dict or list literal: {raw[:80]!r}") from None
    if isinstance(parsed, dict):
        return [str(parsed.get(i, parsed.get(str(i), ""))) for i in range(max(int(k) for k in parsed) + 1)]
    return [str(n) for n in parsed]


def import_onnx(path: Path, model_id: str | None = None, licence: str = "user-supplied") -> ModelSpec:
    import onnxruntime as ort

    path = path.expanduser().resolve()
    if not path.is_file():
        raise ImportModelError(f"{path}: no such file")
    try:
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several private exception types
        raise ImportModelError(f"{path}: onnxruntime cannot load it ({exc})") from None
    meta = sess.get_modelmeta().custom_metadata_map
    names = _names(meta, path)
    shape = sess.get_inputs()[0].shape
    out_shape = sess.get_outputs()[0].shape
    if len(shape) != 4 or len(out_shape) != 3:
        raise ImportModelError(
            f"{path}: expected input [1,3,H,W] and output [1,4+classes,N] (ultralytics detect export), "
            f"got {shape} and {out_shape}"
        )
    if isinstance(out_shape[1], int) and out_shape[1] != 4 + len(names):
        raise ImportModelError(
            f"{path}: output has {out_shape[1]} rows but 4 + {len(names)} classes were expected"
        )
    h, w = (int(d) if isinstance(d, int) else 640 for d in shape[2:])
    model_id = model_id or "user." + re.sub(r"[^a-z0-9_\-]+", "_", path.stem.lower())
    dest = cache_dir() / model_id / path.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, dest)
    spec = ModelSpec.model_validate(
        {
            "id": model_id,
            "task": f"object detection, {len(names)} classes (imported YOLO)",
            "format": "onnx",
            "licence": licence,
            "input_size": [w, h],
            "decoder": "yolo_ultralytics",
            "source": {"registry": "local", "path": [str(path)], "sha256": sha256_file(dest)},
            "labels": {"inline": names},
        }
    )
    _save_user(spec)
    return spec


def _save_user(spec: ModelSpec) -> None:
    user = cache_dir() / USER_MANIFEST_NAME
    specs = [s for s in (load_manifest_file(user) if user.exists() else []) if s.id != spec.id] + [spec]
    body = {"models": [s.model_dump(mode="json", exclude_none=True) for s in specs]}
    user.write_text(yaml.safe_dump(body, sort_keys=False, allow_unicode=True), encoding="utf-8")
