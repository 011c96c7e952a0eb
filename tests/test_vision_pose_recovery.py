"""Pose recovery: when the whole-frame pose finds nobody but the person detector boxes the clerk, the pipeline
re-runs pose on that box (a graph of its own) and maps the landmarks back to the frame.

The photo is frame 8 of the simulator's tune clip leaning_back f_young_slim (1.3 m, 2 m, -20 deg yaw): the clerk
leans back against the chair and MediaPipe's whole-frame pose (video or still mode) finds no one. The labelled
2-D keypoints of that frame (nose, left and right shoulder) are written below."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from calibration.config import default_counter
from pipelines.pipeline import make_pipeline
from tests.fixtures.rules import clerk
from vision.pose import person_crop
from vision.results import Detection

PHOTO = Path(__file__).parent / "data" / "posture" / "leaning_back_pose_lost.jpg"
LABELLED = {0: (316.07, 189.82), 11: (341.92, 237.21), 12: (279.23, 240.51)}  # nose, left/right shoulder (px)
ONLY_POSE_AND_PEOPLE = ["posture.slouch", "post.empty"]


def test_person_crop_grows_the_box_and_stays_in_the_frame():
    assert person_crop((100, 100, 200, 300), 640, 480) == (75.0, 50.0, 225.0, 350.0)
    assert person_crop((600, 400, 640, 480), 640, 480) == (590.0, 380.0, 640.0, 480.0)
    assert person_crop((630, 470, 640, 480), 640, 480) is None  # too few pixels to fit a body in


@pytest.mark.usefixtures("vision_models")
def test_a_clerk_lost_by_the_whole_frame_pose_is_found_in_the_person_box():
    frame = cv2.imread(str(PHOTO))
    pipe = make_pipeline(default_counter(640, 480, counter_id="c1"), only_rules=ONLY_POSE_AND_PEOPLE,
                         wall_clock=False)
    try:
        obs = pipe.perceive(frame, 0.0)
        assert "people" in obs.ran and any(d.score > 0.5 for d in obs.people)
        assert obs.pose is not None and obs.extra.get("pose_from") == "person_box"  # the whole frame found nobody
        assert "pose_crop" in obs.timings_ms
        # landmarks mapped back to full-frame pixels: within a few pixels of the labelled keypoints
        for index, (x, y) in LABELLED.items():
            lm = obs.pose.landmarks[index]
            assert abs(lm.x - x) < 8 and abs(lm.y - y) < 8, (index, lm, (x, y))
        assert len(obs.pose.world) == 33  # world landmarks are hip-centred metres, whatever the crop
        # the whole-frame graph never saw the crop: it is still the first model, the crop graph the second
        assert set(pipe.models) == {"pose", "pose_crop"}
    finally:
        pipe.close()


def test_the_crop_runs_only_on_frames_that_lost_the_pose_with_a_person_at_the_post():
    clerk_box = (250, 150, 390, 330)
    # pose found on every frame: the crop graph is never called, the detector runs at its own rate (frames 0, 10)
    crop = _Pose(clerk())
    obs, people = _run(_Pose(clerk()), crop, [clerk_box])
    assert crop.rois == [] and people.calls == 2 and all("pose_from" not in o.extra for o in obs)
    # pose lost, clerk boxed at the post: every frame boxes the clerk afresh and re-runs pose on that box grown
    # by a quarter per side
    crop = _Pose(clerk())
    obs, people = _run(_Pose(None), crop, [clerk_box])
    assert crop.rois == [(215.0, 105.0, 425.0, 375.0)] * 12 and people.calls == 12
    assert all(o.pose is not None and o.extra["pose_from"] == "person_box" for o in obs)
    assert obs[3].extra["pose_box"] == [215.0, 105.0, 425.0, 375.0]
    # the extra runs feed the crop only: the person stage keeps its own cadence for presence and clients
    assert [i for i, o in enumerate(obs) if "people" in o.ran] == [0, 10] and not obs[3].people
    assert all("pose_people" in o.timings_ms for i, o in enumerate(obs) if i not in (0, 10))
    # pose lost, the only person is outside the post zone (a client, x 0..128): no crop, no extra detector run
    crop = _Pose(clerk())
    obs, people = _run(_Pose(None), crop, [(0, 150, 100, 330)])
    assert crop.rois == [] and people.calls == 2 and all(o.pose is None for o in obs)
    # the clerk leaves (the detector stops finding them at frame 5): the extra runs stop with the first empty one
    crop = _Pose(clerk())
    obs, people = _run(_Pose(None), crop, [clerk_box], gone_at=5)
    assert len(crop.rois) == 5 and people.calls == 6 + 1  # frames 0-5, then frame 10's own run
    assert [o.pose is None for o in obs] == [False] * 5 + [True] * 7


class _Pose:
    def __init__(self, result) -> None:
        self.result, self.rois = result, []

    def process(self, frame, roi=None, *, rgb=False):
        self.rois.append(roi)
        return self.result


class _People:
    def __init__(self, boxes, gone_at: int | None) -> None:
        self.boxes, self.calls, self.gone_at, self.frame = boxes, 0, gone_at, 0

    def detect(self, frame, roi=None, min_score=0.3, *, rgb=False):
        self.calls += 1
        if self.gone_at is not None and self.frame >= self.gone_at:
            return []
        return [Detection(box=b, label="person", score=0.9, source="fake") for b in self.boxes]


def _run(whole, crop, boxes, n=12, gone_at=None):
    import numpy as np

    people = _People(boxes, gone_at)
    models = {"pose": whole, "pose_crop": crop, "detector": people}
    pipe = make_pipeline(default_counter(640, 480, counter_id="c1"), shared_models=models,
                         only_rules=ONLY_POSE_AND_PEOPLE, wall_clock=False)
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        people.frame = i
        out.append(pipe.perceive(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8), i * 0.2))
    return out, people


def test_a_whole_frame_pose_on_someone_else_is_replaced_by_the_clerk_box_pose():
    clerk_box, client_box = (250, 150, 390, 330), (0, 100, 240, 470)
    client = clerk(shift=(-470, 0))  # the fixture clerk's shoulders at x ~590-690: moved onto the client's box
    # the whole-frame pose follows the client standing nearer; the detector still boxes the clerk at the post
    crop = _Pose(clerk(shift=(-320, -100)))  # the clerk's own pose, mid-shoulders inside the clerk's box
    obs, _ = _run(_Pose(client), crop, [clerk_box, client_box])
    assert len(crop.rois) == 12 and all(o.extra["pose_other"] == "elsewhere" for o in obs)
    assert all(o.pose is crop.result and o.extra["pose_from"] == "person_box" for o in obs)
    # the box's pose is not the clerk's either (the client again): the whole-frame pose is kept, marked
    obs, _ = _run(_Pose(client), _Pose(client), [clerk_box, client_box])
    assert all(o.pose is client and "pose_from" not in o.extra and o.extra["pose_other"] == "elsewhere" for o in obs)
    # the clerk's own pose, a client beside: one box test, no crop
    crop = _Pose(clerk())
    obs, _ = _run(_Pose(clerk(shift=(-320, -100))), crop, [clerk_box, client_box])
    assert crop.rois == [] and all("pose_other" not in o.extra for o in obs)
    # the pose off the clerk's box but in nobody else's (the clerk moved from a stale box): kept, no crop
    crop = _Pose(clerk())
    obs, _ = _run(_Pose(client), crop, [clerk_box])
    assert crop.rois == [] and all("pose_other" not in o.extra for o in obs)


def test_a_set_aside_pose_the_box_gave_none_for_is_not_carried_on_a_still_scene():
    import numpy as np

    clerk_box, client_box = (250, 150, 390, 330), (0, 100, 240, 470)
    whole, crop = _Pose(clerk(shift=(-470, 0))), _Misses(clerk(shift=(-320, -100)), miss_at=2)
    models = {"pose": whole, "pose_crop": crop, "detector": _People([clerk_box, client_box], None)}
    pipe = make_pipeline(default_counter(640, 480, counter_id="c1"), shared_models=models,
                         only_rules=ONLY_POSE_AND_PEOPLE, wall_clock=False)
    still = np.zeros((480, 640, 3), np.uint8)
    obs = [pipe.perceive(still, i * 0.2) for i in range(8)]
    carried = [i for i, o in enumerate(obs) if "pose" in o.extra.get("carried", [])]
    # frames 0-2 settle; the box misses on frame 2, whose pose stays the client's (set aside by the rules)
    assert obs[2].pose is whole.result and "pose_from" not in obs[2].extra
    assert obs[3].pose is crop.result and carried == [4, 5, 6, 7]  # frame 3 posed afresh, then the clerk's carried


class _Misses(_Pose):
    def __init__(self, result, miss_at: int) -> None:
        super().__init__(result)
        self.miss_at = miss_at

    def process(self, frame, roi=None, *, rgb=False):
        self.rois.append(roi)
        return None if len(self.rois) - 1 == self.miss_at else self.result


def test_a_pose_torn_between_a_visitor_and_the_clerk_is_dropped_after_a_set_aside():
    from pipelines.pipeline import PipelineSettings

    clerk_box, client_box = (250, 150, 390, 330), (0, 100, 240, 470)
    own = clerk(moves={0: (640, 300)}, shift=(-320, -100))  # nose 100 px over the mid-shoulders (320, 300)
    client = clerk(shift=(-470, 0))  # mid-shoulders on the client's box: set aside
    # nose on the visitor's head (310 px over the shoulders), shoulders near the clerk's, inside the clerk's box
    torn = clerk(moves={0: (640, 110), 11: (660, 420), 12: (620, 420)}, shift=(-320, -100))
    frames = [own] * 6 + [client] + [torn] * 5

    def run(settings=None):
        whole, crop = _Seq(frames), _Pose(torn)  # the one box of visitor and clerk poses the torn shape too
        models = {"pose": whole, "pose_crop": crop, "detector": _People([clerk_box, client_box], None)}
        pipe = make_pipeline(default_counter(640, 480, counter_id="c1"), shared_models=models, settings=settings,
                             only_rules=ONLY_POSE_AND_PEOPLE, wall_clock=False)
        rng = np.random.default_rng(0)
        return [pipe.perceive(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8), i * 0.2) for i in range(12)]

    obs = run()
    assert all(o.pose is own and "pose_other" not in o.extra for o in obs[:6])  # the usual head length learnt
    # the client's pose set aside; the box's pose (head 3.1 times the usual) is not the clerk's: the client's is kept
    assert obs[6].extra["pose_other"] == "elsewhere" and obs[6].pose is client and "pose_from" not in obs[6].extra
    # within clerk_head_hold_s the torn whole-frame poses are set aside too, and with no clerk's pose in the box dropped
    assert all(o.extra["pose_other"] == "head" and o.pose is None for o in obs[7:])
    # control: the head test off, the torn poses pass as the clerk's
    obs = run(PipelineSettings(clerk_head_ratio=0))
    assert all(o.pose is torn and "pose_other" not in o.extra for o in obs[7:])


class _Seq(_Pose):
    """A whole-frame model returning one pose per call, in order."""

    def __init__(self, results) -> None:
        super().__init__(None)
        self.results = list(results)

    def process(self, frame, roi=None, *, rgb=False):
        self.rois.append(roi)
        return self.results[len(self.rois) - 1]
