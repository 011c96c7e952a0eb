"""point.one_finger on a real photo: the ultralytics zidane.jpg (the man on the left points with his left
index finger). MediaPipe Pose finds no one in the full 1280x720 frame, so pose and hands run on a crop of
the left person (results in full-frame pixels)."""

from __future__ import annotations

import pytest

LEFT_PERSON = (0.0, 150.0, 1180.0, 720.0)


@pytest.fixture(scope="module")
def zidane_left(media, vision_models):
    import cv2

    from vision.hands import HandTracker
    from vision.pose import PoseEstimator

    image = cv2.imread(str(media["zidane.jpg"]))
    with PoseEstimator(complexity=1, static_image_mode=True) as pe, \
            HandTracker(max_hands=2, static_image_mode=True) as ht:
        return image.shape, pe.process(image, LEFT_PERSON), ht.process(image, LEFT_PERSON)


def test_the_pointing_hand_is_found_with_only_the_index_extended(zidane_left):
    _, pose, hands = zidane_left
    assert pose is not None and len(hands) == 1
    hand = hands[0]
    assert hand.index_pointing
    assert hand.fingers["index"] == "extended"
    assert all(hand.fingers[f] == "curled" for f in ("middle", "ring", "pinky"))
    assert 950 <= hand.landmarks[0][0] <= 1060 and 400 <= hand.landmarks[0][1] <= 500  # wrist, full-frame px


def test_point_one_finger_fires_on_the_photo_held_for_a_second(zidane_left):
    from calibration.config import default_counter
    from pipelines.engine import Engine
    from pipelines.rules.etiquette_point import clerks_hand
    from vision.observation import Observation

    (h, w, _), pose, hands = zidane_left
    stream = [Observation("c1", i, i / 10, image_size=(w, h), ran=["pose", "hands"], pose=pose, hands=hands)
              for i in range(10)]
    assert clerks_hand(stream[0], hands[0])  # the hand sits at the pose's left wrist
    eng = Engine(default_counter(w, h), only=["point.one_finger"])
    events = [ev for obs in stream for ev in eng.step(obs)] + eng.finish()
    assert [e.type for e in events][0] == "new" and events[-1].type == "end"
    assert events[0].evidence["hands"] == ["Left"] and events[0].evidence["score"] >= 0.9
    assert events[0].clip_start == 0.0 and events[-1].clip_end == pytest.approx(0.9)
