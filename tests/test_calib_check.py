"""`counterwatch calibrate check` and `capture`: problems named with file/field/fix, overlay, exit codes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import yaml
from typer.testing import CliRunner

from calibration.capture import median_frame, read_frames
from calibration.check import check_counter, draw_overlay
from calibration.config import load_counter
from counterwatch.cli import app
from tests.fixtures.desk import desk_scene
from vision.markers import generate_marker

runner = CliRunner()


def write_counter(tmp: Path, edit=None, marker: bool = True) -> Path:
    scene = desk_scene()
    ref = scene.reference.copy()
    if marker:  # the pause sign's marker standing on the desk, right of the post
        m = cv2.cvtColor(generate_marker(7, 120), cv2.COLOR_GRAY2BGR)
        ref[300:300 + m.shape[0], 1000:1000 + m.shape[1]] = m
    cv2.imwrite(str(tmp / "ref.png"), ref)
    data = scene.counter.model_dump(mode="json", exclude_defaults=True)
    data.update(reference_image="ref.png", sign_aruco_id=7,
                zones={**data["zones"], "sign": [[980, 280], [1160, 280], [1160, 460], [980, 460]]})
    if edit:
        edit(data)
    path = tmp / "counter.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_a_good_counter_passes_and_writes_an_overlay(tmp_path):
    path = write_counter(tmp_path)
    res = runner.invoke(app, ["calibrate", "check", str(path), "--out", str(tmp_path / "ov.png")])
    assert res.exit_code == 0, res.output
    overlay = cv2.imread(str(tmp_path / "ov.png"))
    ref = cv2.imread(str(tmp_path / "ref.png"))
    assert overlay.shape == ref.shape and (overlay != ref).mean() > 0.2  # zones tinted, lines drawn
    # the marker read in the sign zone is offered as the calibration's sign_marker record (marker 120 px, 20-px margin)
    line = next(x for x in res.output.splitlines() if x.startswith("sign_marker: "))
    corners = yaml.safe_load(line.split("#")[0])["sign_marker"]
    assert len(corners) == 4
    assert abs(min(x for x, _ in corners) - 1020) <= 2 and abs(min(y for _, y in corners) - 320) <= 2
    recorded = runner.invoke(app, ["calibrate", "check", str(write_counter(tmp_path, lambda d: d.update(
        sign_marker=corners)))])
    assert recorded.exit_code == 0 and "sign_marker: " not in recorded.output  # set already: nothing offered


def test_problems_name_file_field_and_fix(tmp_path):
    def edit(d):
        d["slots"][0]["polygon"] = [[100, 100], [200, 100], [200, 200], [100, 200]]  # on the wall
        d["zones"]["client"] = [[400, 0], [900, 0], [900, 300], [400, 300]]  # over the post
        d["sign_aruco_id"] = 9

    path = write_counter(tmp_path, edit)
    res = runner.invoke(app, ["calibrate", "check", str(path)])
    assert res.exit_code == 1
    text = res.output
    assert f"{path}: field 'slots.0.polygon (pen_holder)': only 0% of the slot lies on the desk zone" in text
    assert "field 'zones.post / zones.client'" in text
    assert "field 'sign_aruco_id': ArUco marker 9 (DICT_4X4_50) is not visible" in text
    assert text.count("Fix:") == 3


def test_missing_reference_wrong_size_and_marker_outside_sign_zone(tmp_path):
    cfg = load_counter(write_counter(tmp_path, lambda d: d.update(reference_image="nope.jpg")))
    assert [p.field for p in check_counter(cfg)] == ["reference_image"]
    cfg = load_counter(write_counter(tmp_path, lambda d: d.update(camera={"width": 1920, "height": 1080})))
    assert "camera.width/height" in [p.field for p in check_counter(cfg)]
    moved = [[10, 10], [100, 10], [100, 100]]
    cfg = load_counter(write_counter(tmp_path, lambda d: d["zones"].update(sign=moved)))
    assert [p.field for p in check_counter(cfg)] == ["zones.sign"]


def test_overlapping_and_duplicate_slots_and_bad_yaml(tmp_path):
    def edit(d):
        d["slots"].append({**d["slots"][0]})

    cfg = load_counter(write_counter(tmp_path, edit))
    fields = [p.field for p in check_counter(cfg)]
    assert "slots" in fields and "slots.0 / slots.2" in fields
    bad = tmp_path / "bad.yaml"
    bad.write_text("counter_id: x\nzones: {desk: [[0, 0], [1, 1]]}\n")
    res = runner.invoke(app, ["calibrate", "check", str(bad)])
    assert res.exit_code == 1 and "field 'zones.desk'" in res.output and "Fix:" in res.output


def test_overlay_without_reference_is_a_canvas():
    scene = desk_scene()
    img = draw_overlay(scene.counter, None)
    assert img.shape == (720, 1280, 3) and len(np.unique(img.reshape(-1, 3), axis=0)) > 3


def test_capture_median_removes_a_passing_hand(tmp_path):
    ref = desk_scene().reference
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    for k in range(5):
        f = ref.copy()
        cv2.circle(f, (200 + 200 * k, 560), 60, (120, 160, 215), -1)  # a hand in a different place each frame
        cv2.imwrite(str(frames_dir / f"{k:03d}.png"), f)
    med = median_frame(read_frames(str(frames_dir), frames=5))
    assert np.abs(med.astype(int) - ref.astype(int)).mean() < 1.0
    out = tmp_path / "ref.jpg"
    res = runner.invoke(app, ["calibrate", "capture", "--source", str(frames_dir), "--out", str(out)])
    assert res.exit_code == 0 and cv2.imread(str(out)).shape == ref.shape


def test_capture_from_a_video_and_bad_sources(tmp_path):
    ref = desk_scene().reference
    clip = tmp_path / "clip.avi"
    vw = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 10, (1280, 720))
    for k in range(30):
        f = ref.copy()
        cv2.circle(f, (100 + 40 * k, 560), 50, (120, 160, 215), -1)
        vw.write(f)
    vw.release()
    frames = read_frames(str(clip), frames=7, every_s=0.4)
    assert len(frames) == 7
    assert np.abs(median_frame(frames).astype(int) - ref.astype(int)).mean() < 4.0
    res = runner.invoke(app, ["calibrate", "capture", "--source", str(tmp_path / "none.mp4"), "--out", "x.jpg"])
    assert res.exit_code == 2 and "no such file" in res.output


def test_a_slot_with_no_area_in_the_image_is_named_as_out_of_view(tmp_path):
    """Session 19: the simulator's calibration writes a slot whose item lies wholly out of the frame (the evaluator pad
    below a close, low camera) as a degenerate polygon; check says so instead of calling it off the desk and overlapping
    another such slot."""
    def edit(d):
        d["slots"][0]["polygon"] = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
        d["slots"].append({"name": "acrylic_stand", "polygon": [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]})

    path = write_counter(tmp_path, edit)
    res = runner.invoke(app, ["calibrate", "check", str(path)])
    assert res.exit_code == 1
    text = res.output
    assert "field 'slots.0.polygon (pen_holder)': the slot covers under 50 px of the image: its item is not in the " \
           "camera's view, and desk.allowed_items and desk.displaced cannot judge it" in text
    assert "(acrylic_stand)': the slot covers under 50 px" in text
    assert "lies on the desk zone" not in text and "overlap" not in text


def test_a_client_chair_zone_is_drawn_in_the_overlay_and_too_small_a_one_is_named(tmp_path):
    """chair.reset: a chair zone the desk stage would judge passes and is drawn; one the size of a slot is not."""
    def good(d):
        d["zones"]["client_chair"] = [[40, 500], [300, 500], [300, 710], [40, 710]]
        d["zones"]["client"] = [[20, 440], [380, 440], [380, 715], [20, 715]]

    path = write_counter(tmp_path, good)
    res = runner.invoke(app, ["calibrate", "check", str(path), "--out", str(tmp_path / "ov.png")])
    assert res.exit_code == 0, res.output
    overlay, ref = cv2.imread(str(tmp_path / "ov.png")), cv2.imread(str(tmp_path / "ref.png"))
    assert (overlay[505:705, 45:295] != ref[505:705, 45:295]).any(axis=2).mean() > 0.9  # tinted in its colour

    def small(d):
        d["zones"]["client_chair"] = [[40, 600], [60, 600], [60, 620], [40, 620]]
        d["zones"]["client"] = [[20, 440], [380, 440], [380, 715], [20, 715]]

    res = runner.invoke(app, ["calibrate", "check", str(write_counter(tmp_path, small))])
    assert res.exit_code == 1
    assert "zones.client'" not in res.output  # a client zone is drawn
    text = " ".join(res.output.split())
    assert "field 'zones.client_chair': the client chair's zone covers 441 px of the image, under the 800 px " \
           "chair.reset judges" in text  # 21 x 21 px; the stage's 200 px at 640 wide is 800 at 1280
    assert "Fix: draw the zone around the whole chair" in text


def test_a_client_chair_zone_without_a_client_zone_is_named(tmp_path):
    def no_client(d):
        d["zones"]["client_chair"] = [[40, 500], [300, 500], [300, 710], [40, 710]]
        d["zones"].pop("client", None)

    res = runner.invoke(app, ["calibrate", "check", str(write_counter(tmp_path, no_client))])
    assert res.exit_code == 1
    text = " ".join(res.output.split())
    assert "field 'zones.client': a client chair zone is drawn but no client zone" in text
    assert "Fix: draw zones.client around where the client sits" in text


def test_slot_out_of_view_counts_the_pixels_the_check_and_the_desk_rules_share():
    """One definition (session 29): a slot is out of view under SLOT_MIN_PX (50) image pixels, counted as the check
    rasterises it; the desk rules' off-frame-slot test asks the same function."""
    from calibration.check import SLOT_MIN_PX, polygon_mask, slot_out_of_view

    seven = [[10.0, 10.0], [16.0, 10.0], [16.0, 16.0], [10.0, 16.0]]  # 7 x 7 = 49 px with its edges
    eight = [[10.0, 10.0], [17.0, 10.0], [17.0, 17.0], [10.0, 17.0]]  # 64 px
    assert polygon_mask(seven, (64, 48)).sum() == SLOT_MIN_PX - 1 and slot_out_of_view(seven, (64, 48))
    assert polygon_mask(eight, (64, 48)).sum() == 64 and not slot_out_of_view(eight, (64, 48))
    assert slot_out_of_view(eight, (8, 8))  # drawn outside a smaller frame: no pixel of it in view
