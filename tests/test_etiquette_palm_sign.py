"""Which way the palm faces depends on which hand it is: MediaPipe's label, unless it disagrees with the wrist the
hand sits on (near it, on a wrist the pose sees) and MediaPipe doubts it."""

from __future__ import annotations

import dataclasses

import numpy as np

from pipelines.geometry import HAND_DEPTH_SCALE, LABEL_DOUBT_SCORE, palm_span_px, palm_up_score
from tests.fixtures.etiquette import make_cam
from tests.test_etiquette_geometry import _image_hand
from vision.results import Landmark


def test_a_doubtful_label_that_disagrees_with_the_wrist_gives_way_to_the_side():
    cam = make_cam(yaw=-40, pitch=19.4, height=1.8, distance=1.7)
    wrist = np.array([-0.35, 1.05, 0.35])
    up = _image_hand(cam, wrist, (0.0, 1.0, 0.0), 0.0, "Right", HAND_DEPTH_SCALE)  # a right hand, palm up
    mislabelled = dataclasses.replace(up, handedness="Left", score=LABEL_DOUBT_SCORE - 0.2)
    assert palm_up_score(up, cam, "right") > 0.95
    assert palm_up_score(mislabelled, cam) < -0.95  # the label alone reads the palm as down
    assert palm_up_score(mislabelled, cam, "right") > 0.95  # on the right wrist, with a doubtful label: up
    # a confident label wins over the side (hands together on the desk are matched to the wrong wrist)
    confident = dataclasses.replace(up, handedness="Left", score=0.97)
    assert palm_up_score(confident, cam, "right") < -0.95


def test_a_pointing_hand_has_no_palm_reading():
    # 23 of 54 clerk hands MediaPipe called pointing on tune + tune_wide read palm-up (none was): not read at all
    cam = make_cam(yaw=30, pitch=19.0, height=1.6, distance=1.3)
    up = _image_hand(cam, np.array([-0.35, 1.05, 0.35]), (0.0, 1.0, 0.0), 0.0, "Right", HAND_DEPTH_SCALE)
    assert palm_up_score(up, cam, "right") > 0.95  # control: the same landmarks, not pointing
    assert np.isnan(palm_up_score(dataclasses.replace(up, index_pointing=True), cam, "right"))


def test_a_doubtful_label_on_a_hand_off_the_wrist_or_on_an_unseen_wrist_gives_no_reading():
    # from (1.5 m, 1.9 m, -50 deg) MediaPipe slid the chin-on-hand clerk's right wrist toward the left hand (labelled
    # Left at 0.50), 1.89 palm spans away, and the side read that hand as an upward right palm (0.98); the far arm's
    # wrist at the face (seen 0.58-0.71) put the side's false ups on eating and hair-touching hands. Truly upward
    # palms the side read up under a doubtful disagreeing label lay within 0.93 spans of wrists seen at 0.82 or more.
    cam = make_cam(yaw=-40, pitch=19.4, height=1.8, distance=1.7)
    up = _image_hand(cam, np.array([-0.35, 1.05, 0.35]), (0.0, 1.0, 0.0), 0.0, "Right", HAND_DEPTH_SCALE)
    mislabelled = dataclasses.replace(up, handedness="Left", score=LABEL_DOUBT_SCORE - 0.2)
    (u, v), span = up.landmarks[0][:2], palm_span_px(up)
    near, off = Landmark(u + 0.9 * span, v, 0.0, 0.95), Landmark(u, v + 1.6 * span, 0.0, 0.95)
    assert palm_up_score(mislabelled, cam, "right", near) > 0.95  # on a seen wrist: the side decides
    assert np.isnan(palm_up_score(mislabelled, cam, "right", off))  # off it: no reading
    assert np.isnan(palm_up_score(mislabelled, cam, "right", dataclasses.replace(near, visibility=0.6)))  # unseen
    # a label that agrees with the wrist, or a confident one, is read wherever the wrist is
    assert palm_up_score(up, cam, "right", off) > 0.95
    assert palm_up_score(dataclasses.replace(mislabelled, score=0.97), cam, "right", off) < -0.95
