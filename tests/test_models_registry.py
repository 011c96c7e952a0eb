"""The model registry: install/list/import, checksums, nested archives, clear errors."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from models.cli import app as models_app
from models.fetch import read_chain
from models.manifest import all_models, cache_dir, get_spec
from models.registry import ModelMissingError, model_file, require, status

runner = CliRunner()
CORAL = "coral.ssd_mobilenet_v2_coco"


def test_every_model_installed_and_verified(vision_models):
    result = runner.invoke(models_app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert set(rows) >= {s.id for s in all_models() if s.source.registry != "local"}
    assert {"mediapipe.pose_lite", "mediapipe.pose_heavy", CORAL, "objectron.ssd_mobilenet_v2_oidv4"} <= set(rows)
    for row in rows.values():
        assert row["state"] == "installed", row
        assert row["licence"]
    # install again: idempotent, nothing fetched
    again = runner.invoke(models_app, ["install"])
    assert again.exit_code == 0 and "fetching" not in again.output, again.output


def test_pose_lite_and_heavy_are_placed_beside_mediapipe_modules(vision_models):
    import mediapipe

    modules = Path(mediapipe.__file__).parent / "modules" / "pose_landmark"
    for mid in ("mediapipe.pose_lite", "mediapipe.pose_heavy"):
        name = get_spec(mid).filename
        assert (modules / name).read_bytes() == model_file(get_spec(mid)).read_bytes()


def _tar_with(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_emscripten_member_ranges_come_from_the_loader(tmp_path):
    first, second = b"label one\nlabel two\n", bytes(range(256)) * 3
    loader = (
        "var Module = {};\nloadPackage({\"files\": [{\"filename\": \"/a/labels.txt\", \"start\": 0, "
        f"\"end\": {len(first)}}}, {{\"filename\": \"/b/model.tflite\", \"start\": {len(first)}, "
        f"\"end\": {len(first) + len(second)}}}], \"remote_package_size\": {len(first) + len(second)}}});\n"
    )
    archive = tmp_path / "pkg.tgz"
    archive.write_bytes(
        _tar_with({"package/assets.data": first + second, "package/assets_loader.js": loader.encode()})
    )
    assert read_chain(archive, ["package/assets.data", "/b/model.tflite"]) == second
    assert read_chain(archive, ["package/assets.data", "/a/labels.txt"]) == first


@pytest.fixture
def private_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("COUNTERWATCH_MODEL_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def test_corrupt_file_shows_checksum_mismatch_and_install_repairs_it(vision_models, private_cache):
    spec = get_spec(CORAL)
    real = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "counterwatch" / "models" / CORAL
    shutil.copytree(real, private_cache / CORAL)
    assert status(spec).state == "installed"
    target = model_file(spec)
    data = bytearray(target.read_bytes())
    data[1000] ^= 0xFF
    target.write_bytes(bytes(data))
    rows = {r["id"]: r for r in json.loads(runner.invoke(models_app, ["list", "--json"]).output)}
    assert rows[CORAL]["state"] == "checksum-mismatch"
    with pytest.raises(ModelMissingError, match=f"counterwatch models install {CORAL}"):
        require(CORAL)
    fixed = runner.invoke(models_app, ["install", CORAL])
    assert fixed.exit_code == 0, fixed.output
    assert status(spec).state == "installed"


def test_missing_model_is_a_clear_error_not_a_download(private_cache, media):
    from vision.detector import load_detector

    assert cache_dir() == private_cache
    with pytest.raises(ModelMissingError) as exc:
        load_detector(CORAL)
    assert f"counterwatch models install {CORAL}" in str(exc.value)
    from counterwatch.cli import app

    result = runner.invoke(app, ["detect", str(media["coffee.png"])])
    assert result.exit_code == 2
    assert "counterwatch models install" in result.output and "Traceback" not in result.output
    assert not private_cache.exists() or not any(private_cache.iterdir())  # nothing was fetched


def _tiny_yolo(path: Path, names: dict[int, str]) -> None:
    """A 64x64 'YOLO' whose output ignores the image: fixed rows (cx, cy, w, h, class scores...)."""
    import onnx
    from onnx import TensorProto, helper

    preds = np.zeros((1, 4 + len(names), 3), np.float32)
    preds[0, :, 0] = [32, 32, 20, 10, 0.0, 0.9]  # a phone
    preds[0, :, 1] = [33, 32, 20, 10, 0.0, 0.6]  # the same phone again: NMS drops it
    preds[0, :, 2] = [10, 10, 4, 4, 0.1, 0.0]  # below min_score
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["images"], ["m"], keepdims=0),
            helper.make_node("Mul", ["m", "zero"], ["z"]),
            helper.make_node("Add", ["preds", "z"], ["output0"]),
        ],
        "tiny_yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 64, 64])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 4 + len(names), 3])],
        initializer=[
            helper.make_tensor("preds", TensorProto.FLOAT, preds.shape, preds.flatten().tolist()),
            helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    helper.set_model_props(model, {"names": repr(names), "imgsz": "[64, 64]"})
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def test_import_yolo_onnx_and_detect(private_cache, tmp_path):
    from vision.detector import load_detector

    onnx_path = tmp_path / "tiny.onnx"
    _tiny_yolo(onnx_path, {0: "person", 1: "cell phone"})
    result = runner.invoke(models_app, ["import", str(onnx_path)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(runner.invoke(models_app, ["list", "--json"]).output)}
    assert rows["user.tiny"]["state"] == "installed"
    det = load_detector("user.tiny")
    assert det.labels == ["person", "cell phone"]
    # 128x64 frame: letterbox scale 0.5, padded 16 px top and bottom in the 64x64 input
    found = det.detect(np.zeros((64, 128, 3), np.uint8), min_score=0.3)
    assert [d.label for d in found] == ["cell phone"]
    assert found[0].box == pytest.approx((44.0, 22.0, 84.0, 42.0), abs=0.5)
    # on a crop, boxes come back in full-frame pixels
    shifted = det.detect(np.zeros((200, 300, 3), np.uint8), roi=(100, 50, 228, 114))[0]
    assert shifted.box == pytest.approx((144.0, 72.0, 184.0, 92.0), abs=0.5)


def test_import_rejects_onnx_without_names(private_cache, tmp_path):
    import onnx

    path = tmp_path / "nonames.onnx"
    _tiny_yolo(path, {0: "a", 1: "b"})
    model = onnx.load(str(path))
    del model.metadata_props[:]
    onnx.save(model, str(path))
    result = runner.invoke(models_app, ["import", str(path)])
    assert result.exit_code == 2 and "no 'names'" in result.output
