"""`counterwatch calibrate sim-reference`: a clean-desk reference that matches the clip's static scene."""

from __future__ import annotations

import re

import cv2
import numpy as np
from typer.testing import CliRunner

from calibration.config import load_counter
from counterwatch.cli import app

runner = CliRunner()


def _frames(path):
    cap, out = cv2.VideoCapture(str(path)), []
    while True:
        ok, f = cap.read()
        if not ok:
            return out
        out.append(f)


def test_reference_matches_the_clean_desk_and_shows_the_removed_item(sim_clip, tmp_path):
    import shutil

    d = tmp_path / "clip"
    shutil.copytree(sim_clip("allowed_item_missing"), d)  # the evaluator pad is taken away at 1.5 s
    # The simulator now writes its own reference; take it away to exercise the command on an older clip.
    (d / "reference.png").unlink(missing_ok=True)
    cfg_file = d / "counter.yaml"
    text = re.sub(r"(?m)^reference_image:.*\n", "", cfg_file.read_text(encoding="utf-8"))
    cfg_file.write_text(text, encoding="utf-8")
    assert load_counter(cfg_file).reference_image is None
    res = runner.invoke(app, ["calibrate", "sim-reference", str(tmp_path)])
    assert res.exit_code == 0 and "1 reference(s) written" in res.output, res.output
    cfg = load_counter(d / "counter.yaml")
    ref = cv2.imread(cfg.reference_image)
    frames = _frames(d / "clip.mp4")
    assert ref.shape == frames[0].shape
    pad = next(s for s in cfg.slots if s.name == "evaluator_pad")
    x, y, w, h = cv2.boundingRect(np.array(pad.polygon, np.float32))

    def diff(img):
        return float(np.abs(img[y:y + h, x:x + w].astype(int) - ref[y:y + h, x:x + w]).mean())

    assert diff(frames[0]) < 8  # same scene, only the clip's noise and JPEG
    assert diff(frames[-1]) > 3 * diff(frames[0])  # the pad is gone from its slot
    again = runner.invoke(app, ["calibrate", "sim-reference", str(tmp_path)])
    assert "0 reference(s) written, 1 already set" in again.output


def test_no_clips_is_a_named_error(tmp_path):
    res = runner.invoke(app, ["calibrate", "sim-reference", str(tmp_path)])
    assert res.exit_code == 2 and "no clip directories" in res.output
