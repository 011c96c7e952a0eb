"""Pure feature functions on synthetic landmarks, and the carphone clip (a seated man)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from vision.face import CHIN, EYE_OUTER_L, EYE_OUTER_R, FOREHEAD, head_pose
from vision.hands import hand_features
from vision.ssd import OIDV4_ANCHORS, decode_boxes, ssd_anchors
from vision.ssd import OIDV4_DECODE as DEC
from vision.timing import StageTimer

MCP_X = {"index": 30.0, "middle": 10.0, "ring": -10.0, "pinky": -30.0}


def synthetic_hand(extended: set[str], spread: float = 1.0, mirror: bool = False) -> list[tuple[float, float, float]]:
    """A right hand seen palm-on from the camera (y down, z toward the camera negative), fingers up;
    thumb on the image right. Curled fingers fold toward the camera (into the palm)."""
    pts = np.zeros((21, 3))
    thumb = [(20, -15, 0), (45, -30, 0), (68, -45, 0), (90, -60, 0)]
    if "thumb" not in extended:
        thumb = [(20, -15, 0), (30, -35, -10), (20, -50, -25), (5, -50, -30)]
    pts[1:5] = thumb
    for base, name in zip((5, 9, 13, 17), MCP_X, strict=True):
        mcp = np.array([MCP_X[name], -80.0, 0.0])
        if name in extended:
            lean = np.array([MCP_X[name] * (spread - 1.0) * 0.5, 0.0, 0.0])
            steps = [np.array([0, -30, 0]) + lean * 0.3, np.array([0, -20, 0]) + lean * 0.3]
            steps.append(np.array([0, -20, 0]) + lean * 0.4)
        else:
            steps = [np.array([0, -25, 0]), np.array([0, 5, -18]), np.array([0, 15, -5])]
        pts[base] = mcp
        for k, step in enumerate(steps, 1):
            pts[base + k] = pts[base + k - 1] + step
    if mirror:
        pts[:, 0] *= -1
    return [tuple(p) for p in pts]


def test_index_only_pointing():
    fingers, _, _, pointing = hand_features(synthetic_hand({"index"}), "Right")
    assert fingers == {"thumb": "curled", "index": "extended", "middle": "curled", "ring": "curled", "pinky": "curled"}
    assert pointing


def test_open_hand_is_not_pointing_and_fingers_together_drops_when_spread():
    fingers, together, _, pointing = hand_features(synthetic_hand(set(MCP_X) | {"thumb"}), "Right")
    assert set(fingers.values()) == {"extended"} and not pointing
    _, spread_together, _, _ = hand_features(synthetic_hand(set(MCP_X) | {"thumb"}, spread=6.0), "Right")
    assert together > 0.8 and spread_together < together - 0.3


@pytest.mark.parametrize(("mirror", "handedness"), [(False, "Right"), (True, "Left")])
def test_palm_normal_points_at_the_camera_for_a_palm_facing_it(mirror, handedness):
    _, _, normal, _ = hand_features(synthetic_hand(set(MCP_X), mirror=mirror), handedness)
    assert normal[2] < -0.95 and math.isclose(float(np.linalg.norm(normal)), 1.0, rel_tol=1e-6)


def test_hand_features_rejects_wrong_shape():
    with pytest.raises(ValueError, match="21"):
        hand_features([(0.0, 0.0, 0.0)] * 20, "Right")


def _face(yaw_deg: float = 0.0, pitch_deg: float = 0.0) -> np.ndarray:
    pts = np.zeros((468, 3))
    pts[EYE_OUTER_R], pts[EYE_OUTER_L] = (-45, 0, 0), (45, 0, 0)
    pts[FOREHEAD], pts[CHIN] = (0, -70, 0), (0, 90, 0)
    y, p = math.radians(yaw_deg), math.radians(pitch_deg)
    # the person turning to their left takes their left eye (image right) away from the camera (+z)
    ry = np.array([[math.cos(y), 0, -math.sin(y)], [0, 1, 0], [math.sin(y), 0, math.cos(y)]])
    # looking down brings the forehead toward the camera (-z)
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    return pts @ (rx @ ry).T


def test_head_pose_conventions():
    yaw, pitch, roll = head_pose(_face(yaw_deg=25))
    assert yaw == pytest.approx(25, abs=0.5) and abs(pitch) < 0.5 and abs(roll) < 0.5
    yaw, pitch, _ = head_pose(_face(pitch_deg=20))
    assert pitch == pytest.approx(20, abs=0.5) and abs(yaw) < 0.5


def test_ssd_anchors_match_the_model_layout():
    anchors = ssd_anchors(OIDV4_ANCHORS)
    assert anchors.shape == (1917, 4)  # 19*19*3 + (10*10 + 5*5 + 3*3 + 2*2 + 1) * 6
    assert anchors[0] == pytest.approx((0.5 / 19, 0.5 / 19, 0.1, 0.1))
    # zero offsets decode to the anchor itself
    box = decode_boxes(np.zeros((1, 4), np.float32), anchors[:1], DEC)[0]
    assert box == pytest.approx((0.5 / 19 - 0.05, 0.5 / 19 - 0.05, 0.5 / 19 + 0.05, 0.5 / 19 + 0.05), abs=1e-6)


def test_stage_timer_accumulates():
    timer = StageTimer()
    for _ in range(2):
        with timer.stage("pose"):
            sum(range(10000))
    assert set(timer.as_dict()) == {"pose"} and timer.as_dict()["pose"] > 0


@pytest.mark.slow
@pytest.mark.usefixtures("vision_models")
def test_carphone_person_and_face_in_95_percent_of_frames(media, frame_reader):
    from vision.detector import load_detector
    from vision.face import FaceAnalyzer
    from vision.pose import PoseEstimator

    frames = frame_reader(media["carphone_pristine.mp4"])
    assert len(frames) == 120
    coco = load_detector("coral.ssd_mobilenet_v2_coco")
    person = face = pose = 0
    yaws = []
    with PoseEstimator(0) as poser, FaceAnalyzer() as faces:
        for frame in frames:
            person += any(d.label == "person" for d in coco.detect(frame, min_score=0.4))
            pose += poser.process(frame) is not None
            found = faces.process(frame)
            face += found is not None
            if found:
                yaws.append(found.yaw)
    assert person >= 114 and face >= 114 and pose >= 114, (person, face, pose)
    # he turns his head during the clip: the yaw really varies
    assert max(yaws) - min(yaws) > 10
    # a mirrored frame mirrors the yaw
    turned = frames[int(np.argmax(np.abs(yaws)))]
    with FaceAnalyzer(static_image_mode=True) as faces:
        a, b = faces.process(turned), faces.process(cv2.flip(turned, 1))
    assert abs(a.yaw) > 5 and np.sign(a.yaw) == -np.sign(b.yaw)


def test_nms_merges_repeated_finds_per_model_class_not_across_label_maps():
    from vision.detector import nms_detections
    from vision.results import Detection

    box = (10.0, 10.0, 50.0, 50.0)
    shifted = (12.0, 11.0, 52.0, 51.0)
    coco_cup = Detection(box, "cup", 0.8, "coco-ssd", 47)
    coco_cup_again = Detection(shifted, "cup", 0.6, "coco-ssd", 47)
    oi_same_id = Detection(shifted, "Flower", 0.7, "oi-ssd", 47)  # same id, another label map
    unknown_a = Detection(box, "unknown object", 0.5, "change")
    unknown_b = Detection(shifted, "papers", 0.4, "change")
    kept = nms_detections([coco_cup, coco_cup_again, oi_same_id, unknown_a, unknown_b])
    assert kept == [coco_cup, oi_same_id, unknown_a, unknown_b]
