"""Colour order: the wrappers take BGR (default) or RGB (rgb=True) with the same results, and the counter
pipeline converts each frame once, handing RGB to the models that take it and BGR to those that do not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from calibration.config import default_counter
from pipelines.pipeline import make_pipeline
from tests.fixtures.rules import clerk
from vision.roi import crop_rgb


def test_crop_rgb_converts_only_a_bgr_frame():
    bgr = np.zeros((40, 60, 3), np.uint8)
    bgr[..., 0] = 200  # blue in OpenCV's order
    image, offset = crop_rgb(bgr, (10.0, 5.0, 30.0, 25.0), rgb=False)
    assert offset == (10, 5) and image.shape == (20, 20, 3)
    assert (image[..., 2] == 200).all() and (image[..., 0] == 0).all()  # blue is last in RGB
    same, _ = crop_rgb(image, None, rgb=True)
    assert same is image  # an RGB frame is passed on, not copied


@pytest.mark.usefixtures("vision_models")
def test_detector_gives_the_same_finds_for_bgr_and_rgb(media):
    from vision.detector import load_detector

    coco = load_detector("coral.ssd_mobilenet_v2_coco")
    bgr = cv2.imread(str(media["coffee.png"]))
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    for roi in (None, (100.0, 0.0, 500.0, 380.0)):
        from_bgr = coco.detect(bgr, roi=roi)
        assert from_bgr and from_bgr == coco.detect(rgb, roi=roi, rgb=True)
    # fed RGB as if it were BGR (the mistake rgb= exists to prevent), the scores change
    assert coco.detect(bgr) != coco.detect(rgb)


@pytest.mark.usefixtures("vision_models")
def test_face_on_an_rgb_crop_view_equals_the_bgr_path(media):
    from vision.face import FaceAnalyzer

    bgr = cv2.imread(str(media["astronaut.png"]))
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    roi = (120.0, 30.0, 330.0, 260.0)  # a crop is a strided view of the RGB frame, not a contiguous copy
    with FaceAnalyzer(static_image_mode=True) as a, FaceAnalyzer(static_image_mode=True) as b:
        from_bgr, from_rgb = a.process(bgr, roi), b.process(rgb, roi, rgb=True)
    assert from_bgr is not None and from_bgr == from_rgb


class RecordingStage:
    """Records what the pipeline hands it (every model wrapper takes the frame and an rgb keyword)."""

    def __init__(self, result) -> None:
        self.result, self.seen = result, []

    def process(self, frame, roi=None, *, rgb=False):
        self.seen.append((frame, rgb))
        return self.result

    def detect(self, frame, roi=None, min_score=0.3, *, rgb=False):
        self.seen.append((frame, rgb))
        return self.result


def test_pipeline_converts_once_and_hands_every_model_the_same_rgb_frame():
    pose, face, hands, det = RecordingStage(clerk()), RecordingStage(None), RecordingStage([]), RecordingStage([])
    pipe = make_pipeline(default_counter(128, 72, counter_id="c1"),
                         shared_models={"pose": pose, "face": face, "hands": hands, "detector": det})
    bgr = np.zeros((72, 128, 3), np.uint8)
    bgr[..., 0] = 255  # pure blue
    pipe.process(bgr, 1_764_000_000.0)
    seen = [s for model in (pose, face, hands, det) for s in model.seen]
    assert len(seen) >= 2 and all(rgb for _, rgb in seen)
    (first, _), = pose.seen
    assert (first[..., 2] == 255).all() and (first[..., 0] == 0).all()
    assert all(frame is first for frame, _ in seen)  # one conversion per frame, shared by every model
