"""Which way the palm faces depends on which hand it is: MediaPipe's label, unless it disagrees with the wrist the
hand sits on and MediaPipe doubts it."""

from __future__ import annotations

import dataclasses

import numpy as np

from pipelines.geometry import HAND_DEPTH_SCALE, LABEL_DOUBT_SCORE, palm_span_px, palm_up_score
from tests.fixtures.etiquette import make_cam
from tests.test_etiquette_geometry import _image_hand


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


def test_a_doubtful_label_on_a_hand_off_the_wrist_gives_no_reading():
    # from (1.5 m, 1.9 m, -50 deg) MediaPipe slid the chin-on-hand clerk's right wrist toward the left hand (labelled
    # Left at 0.50), 1.9 palm spans away; the side read that hand as an upward right palm (0.98). Truly upward palms
    # under a doubtful disagreeing label lay within 0.93 spans of their wrist on the four tune splits.
    cam = make_cam(yaw=-40, pitch=19.4, height=1.8, distance=1.7)
    up = _image_hand(cam, np.array([-0.35, 1.05, 0.35]), (0.0, 1.0, 0.0), 0.0, "Right", HAND_DEPTH_SCALE)
    mislabelled = dataclasses.replace(up, handedness="Left", score=LABEL_DOUBT_SCORE - 0.2)
    at = np.array(up.landmarks[0][:2])
    span = palm_span_px(up)
    assert palm_up_score(mislabelled, cam, "right", tuple(at + (0.9 * span, 0.0))) > 0.95  # on the wrist: the side
    assert np.isnan(palm_up_score(mislabelled, cam, "right", tuple(at + (0.0, 1.6 * span))))  # off it: no reading
    # a label that agrees with the wrist, or a confident one, is read wherever the wrist is
    assert palm_up_score(up, cam, "right", tuple(at + (0.0, 1.6 * span))) > 0.95
    confident = dataclasses.replace(mislabelled, score=0.97)
    assert palm_up_score(confident, cam, "right", tuple(at + (0.0, 1.6 * span))) < -0.95
