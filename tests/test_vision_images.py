"""Perception on real images that packages ship (scikit-image, ultralytics, opencv-doc)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from vision.results import Box

pytestmark = pytest.mark.usefixtures("vision_models")


def inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


@pytest.fixture(scope="module")
def coco():
    from vision.detector import load_detector

    return load_detector("coral.ssd_mobilenet_v2_coco")


def test_cup_found_on_coffee_by_both_ssd_detectors(media, coco):
    from vision.detector import load_detector

    img = cv2.imread(str(media["coffee.png"]))
    cups = [d for d in coco.detect(img) if d.label == "cup"]
    assert cups and cups[0].score > 0.8
    # the cup sits in the middle of the 600x400 picture
    assert inside(((cups[0].box[0] + cups[0].box[2]) / 2, (cups[0].box[1] + cups[0].box[3]) / 2), (200, 100, 400, 250))
    oid = load_detector("objectron.ssd_mobilenet_v2_oidv4")  # raw SSD outputs, decoded against anchors
    oid_cups = [d for d in oid.detect(img) if d.label in ("Coffee cup", "Mug")]
    assert oid_cups
    ious = _iou(oid_cups[0].box, cups[0].box)
    assert ious > 0.6, (oid_cups[0].box, cups[0].box)


def _iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_detection_on_a_crop_returns_full_frame_boxes(media, coco):
    img = cv2.imread(str(media["coffee.png"]))
    full = next(d for d in coco.detect(img) if d.label == "cup")
    roi = (100.0, 0.0, 500.0, 380.0)
    cropped = next(d for d in coco.detect(img, roi=roi) if d.label == "cup")
    assert _iou(full.box, cropped.box) > 0.8


def test_astronaut_person_nose_inside_face(media, coco):
    from vision.face import FaceAnalyzer
    from vision.pose import PoseEstimator

    img = cv2.imread(str(media["astronaut.png"]))
    people = [d for d in coco.detect(img) if d.label == "person"]
    assert len(people) == 1
    with PoseEstimator(1, static_image_mode=True) as pose, FaceAnalyzer(static_image_mode=True) as faces:
        result = pose.process(img)
        face = faces.process(img)
        assert result is not None and face is not None
        nose = (result.landmarks[0].x, result.landmarks[0].y)
        assert inside(nose, face.box), (nose, face.box)
        assert inside(nose, people[0].box)
        assert len(result.landmarks) == 33 and len(result.world) == 33
        # run on a crop: the landmarks still come back in full-frame pixels
        crop_nose = pose.process(img, roi=(100.0, 20.0, 400.0, 380.0)).landmarks[0]
        assert np.hypot(crop_nose.x - nose[0], crop_nose.y - nose[1]) < 12
    # a calm, open-eyed, closed-mouth, near-frontal face
    assert abs(face.yaw) < 15 and abs(face.roll) < 15
    assert 0.2 < face.eye_aspect_ratio < 0.45
    assert face.mouth_open < 0.3


@pytest.mark.parametrize("complexity", [0, 2])
def test_pose_lite_and_heavy_run_offline(media, complexity):
    from vision.pose import POSE_MODELS, PoseEstimator

    img = cv2.imread(str(media["astronaut.png"]))
    with PoseEstimator(complexity, static_image_mode=True) as pose:
        result = pose.process(img)
    assert result is not None and result.model == POSE_MODELS[complexity]
    assert inside((result.landmarks[0].x, result.landmarks[0].y), (180, 70, 275, 180))


def test_vtest_pedestrians(media, coco, frame_reader):
    frames = frame_reader(media["vtest.avi"], every=30, limit=10)
    counts = [len([d for d in coco.detect(f, min_score=0.4) if d.label == "person"]) for f in frames]
    assert min(counts) >= 3 and max(counts) >= 6, counts


def test_zidane_index_pointing_hand(media):
    from vision.perceive import FramePerception

    img = cv2.imread(str(media["zidane.jpg"]))
    perception = FramePerception(still_images=True)
    try:
        obs = perception.run(img)
    finally:
        perception.close()
    assert len(obs.people) >= 2
    pointing = [h for h in obs.hands if h.index_pointing]
    assert pointing, [h.fingers for h in obs.hands]
    tip = pointing[0].landmarks[8]
    assert 1050 < tip[0] < 1200 and 360 < tip[1] < 470, tip  # the finger at the right, mid-height
    assert set(obs.timings_ms) >= {"detector", "pose", "face", "hands", "detector_crops"}
    assert obs.to_json()  # the Observation contract serialises


def test_detect_cli_reports_cup_and_nose(media, tmp_path):
    from counterwatch.cli import app

    runner = CliRunner()
    out = tmp_path / "annotated.jpg"
    res = runner.invoke(app, ["detect", str(media["coffee.png"]), "--json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    digest = json.loads(res.stdout.strip().splitlines()[-1])
    assert "cup" in [o["label"] for o in digest["objects"]]
    assert cv2.imread(str(out)).shape == (400, 600, 3)
    res = runner.invoke(app, ["detect", str(media["astronaut.png"]), "--json"])
    digest = json.loads(res.stdout.strip().splitlines()[-1])
    assert len(digest["people"]) == 1
    assert inside(tuple(digest["pose"]["nose"]), tuple(digest["face"]["box"]))
