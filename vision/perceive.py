"""One frame through every perception stage, as an Observation (used by `counterwatch detect` and the
bench; the counter pipelines schedule the stages themselves)."""

from __future__ import annotations

import cv2
import numpy as np

from vision.detector import Detector, is_person, load_detector, nms_detections
from vision.face import FaceAnalyzer
from vision.hands import HandTracker
from vision.observation import Observation
from vision.pose import PoseEstimator
from vision.results import Box, Detection
from vision.roi import clerk_box, expand, region_around
from vision.timing import StageTimer


class FramePerception:
    """Detector(s) on the full frame; pose, face and hands on the most prominent person; the
    detector again on crops around the hands, where a phone is too small to find in the full frame."""

    def __init__(
        self,
        detector_ids: tuple[str, ...] = ("coral.ssd_mobilenet_v2_coco",),
        pose_complexity: int = 1,
        still_images: bool = False,
    ) -> None:
        self.detectors: list[Detector] = [load_detector(d) for d in detector_ids]
        self.pose = PoseEstimator(pose_complexity, static_image_mode=still_images)
        self.face = FaceAnalyzer(static_image_mode=still_images)
        self.hands = HandTracker(static_image_mode=still_images)

    def run(self, frame: np.ndarray, frame_index: int = 0, t: float = 0.0, counter_id: str = "cli") -> Observation:
        """frame in BGR order (OpenCV's); converted to RGB once here for every stage."""
        h, w = frame.shape[:2]
        timer = StageTimer()
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        with timer.stage("detector"):
            dets = nms_detections([d for det in self.detectors for d in det.detect(rgb, rgb=True)])
        people = [d for d in dets if is_person(d)]
        subject = clerk_box(people)
        roi = expand(subject.box, 0.15, w, h) if subject else None
        with timer.stage("pose"):
            pose = self.pose.process(rgb, roi, rgb=True)
        with timer.stage("face"):
            face = self.face.process(rgb, roi, rgb=True)
        with timer.stage("hands"):
            hands = self.hands.process(rgb, roi, rgb=True)
            if not hands and roi is not None:
                hands = self.hands.process(rgb, rgb=True)
        crops = [r for r in (region_around([p[:2] for p in hand.landmarks], w, h) for hand in hands) if r]
        if crops:
            with timer.stage("detector_crops"):
                extra: list[Detection] = [d for det in self.detectors for d in det.detect_regions(rgb, crops, rgb=True)]
                dets = nms_detections(dets + extra)
        return Observation(
            counter_id=counter_id,
            frame_index=frame_index,
            t=t,
            image_size=(w, h),
            ran=["detector", "pose", "face", "hands"] + (["detector_crops"] if crops else []),
            pose=pose,
            face=face,
            hands=hands,
            detections=[d for d in dets if not is_person(d)],
            people=people,
            timings_ms=timer.as_dict(),
        )

    def close(self) -> None:
        self.pose.close()
        self.face.close()
        self.hands.close()


def summary(obs: Observation) -> dict:
    """A compact, printable digest of an Observation (nose position, head angles, gestures, objects)."""

    def box(b: Box) -> list[int]:
        return [round(v) for v in b]

    out: dict = {
        "frame": obs.frame_index,
        "people": [{"box": box(d.box), "score": round(d.score, 2), "model": d.source} for d in obs.people],
        "objects": [
            {"label": d.label, "box": box(d.box), "score": round(d.score, 2), "model": d.source}
            for d in obs.detections
        ],
        "pose": None,
        "face": None,
        "hands": [
            {
                "handedness": hd.handedness,
                "fingers": hd.fingers,
                "index_pointing": hd.index_pointing,
                "fingers_together": round(hd.fingers_together, 2),
                "index_tip": [round(v) for v in hd.landmarks[8][:2]],
            }
            for hd in obs.hands
        ],
        "timings_ms": obs.timings_ms,
    }
    if obs.pose:
        nose = obs.pose.landmarks[0]
        pose = obs.pose
        out["pose"] = {"nose": [round(nose.x), round(nose.y)], "score": round(pose.score, 2), "model": pose.model}
    if obs.face:
        f = obs.face
        out["face"] = {
            "box": box(f.box),
            "yaw": round(f.yaw, 1),
            "pitch": round(f.pitch, 1),
            "roll": round(f.roll, 1),
            "eye_aspect_ratio": round(f.eye_aspect_ratio, 3),
            "mouth_open": round(f.mouth_open, 3),
            "smile": round(f.smile, 3),
        }
    return out
