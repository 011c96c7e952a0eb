"""stand.for_visitor: the clerk's time to respond runs from the visitor's estimated arrival (the first sighting less
`lookback_s`), the moment the response is counted from, not from the person detector's first sighting, which
comes up to a detector period late."""

from __future__ import annotations

from tests.fixtures.etiquette import make_cam, run_rule, synth_pose
from vision.observation import Observation
from vision.results import Detection

CLIENT_ZONE = {"client": [(850.0, 500.0), (1280.0, 500.0), (1280.0, 720.0), (850.0, 720.0)]}


def _late_sighting(cam, n=49, arrive=10, people_every=20):
    """10 fps, a seated clerk; a visitor at the counter from frame `arrive` (1.0 s), but the person detector runs
    only every `people_every` frames, so it first sees them at 2.0 s; the stream ends at 4.8 s (the simulator's
    5-s missed-visit clips)."""
    out = []
    for i in range(n):
        pose, _ = synth_pose(cam, 0.0, hip_height=0.55)
        detect = i % people_every == 0
        people = [Detection((900.0, 300.0, 1100.0, 716.0), "person", 0.9, "det")] if detect and i >= arrive else []
        out.append(Observation("c1", i, i / 10, image_size=(1280, 720),
                               ran=["pose", "people"] if detect else ["pose"], pose=pose, people=people))
    return out


def test_the_window_runs_from_the_estimated_arrival():
    cam = make_cam(yaw=20)
    evs = run_rule("stand.for_visitor", cam, _late_sighting(cam), zones=CLIENT_ZONE,
                   rules={"stand.for_visitor": {"respond_s": 3.5, "lookback_s": 1.0}})
    ends = [e for e in evs if e.type == "end"]
    assert [(e.outcome, e.evidence["missing"]) for e in ends] == [("violation", ["stand", "bow"])]
    # closed at 2.0 - 1.0 + 3.5 = 4.5 s, within the stream; timed from the sighting it would close at 5.5 s
    assert 4.5 <= ends[0].clip_end <= 4.6


def test_a_window_still_open_at_the_end_of_the_stream_is_not_judged():
    cam = make_cam(yaw=20)
    # 2.0 - 1.0 + 4.0 = 5.0 s: the stream ends at 4.8 s with the clerk seated and time left to stand
    evs = run_rule("stand.for_visitor", cam, _late_sighting(cam), zones=CLIENT_ZONE,
                   rules={"stand.for_visitor": {"respond_s": 4.0, "lookback_s": 1.0}})
    assert evs == []
