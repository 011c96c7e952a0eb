"""The etiquette figures of `counterwatch eval` on a synthetic clerk with exact labels."""

from __future__ import annotations

import json

from pipelines.engine import Engine
from pipelines.etiquette_eval import clip_samples, merge, summarise
from pipelines.evaluate import event_outcome, load_labels
from tests.fixtures.etiquette import bow_profile, counter_for, make_cam, make_stream


def _clerk(bow: float) -> dict:
    side = {"elbow_angle": 170.0, "palm": "down", "finger_spread": 3.0, "index_bend": 5.0, "middle_bend": 5.0,
            "forearm_elevation": -80.0, "wrist_above_shoulder": False}
    return {"role": "clerk", "bow_angle": bow, **{f"{s}_{k}": v for s in ("left", "right") for k, v in side.items()}}


def _labels(bows: list[float], scenario: str, peak_class: str) -> dict:
    fps = 10.0
    frames = [{"t": i / fps, "persons": [_clerk(b)]} for i, b in enumerate(bows)]
    held = [i / fps for i, b in enumerate(bows) if b > 0]
    return {"scenario": scenario, "fps": fps, "rules": ["bow.angle"], "queue_calls": [], "frames": frames,
            "camera": {"height_m": 1.35, "distance_m": 1.5, "yaw_deg": 30.0},
            "intervals": [{"rule": "bow.angle", "start": held[0], "end": held[-1], "kind": "performed",
                           "detail": {"class": peak_class}}]}


def _run(cam, stream):
    eng = Engine(counter_for(cam), only=["bow.angle"])
    return [ev for obs in stream for ev in eng.step(obs)] + eng.finish()


def test_bow_mae_and_classification_per_viewpoint_with_the_naive_baseline_beside():
    cam = make_cam(yaw=30)
    merged: dict = {}
    for peak, klass in ((15.0, "greeting"), (30.0, "thanks"), (45.0, "apology"), (22.0, "none")):
        bows = bow_profile(peak)
        stream = make_stream(cam, bows)
        view, samples = clip_samples(stream, _labels(bows, f"bow_{peak:g}", klass), counter_for(cam), _run(cam, stream))
        assert view == "h1.35 d1.5 yaw30"
        merge(merged, samples)
    out = summarise(merged)
    assert out["bow_mae_deg"]["ours"] < 2.0 and out["bow_mae_deg"]["n"] > 100
    assert out["bow_mae_deg"]["naive"] > out["bow_mae_deg"]["ours"]  # the naive angle carries the camera pitch
    assert out["bow_class_accuracy"] == {"ours": 1.0, "naive": out["bow_class_accuracy"]["naive"], "n": 3}
    assert out["bow_near_miss_accuracy"]["n"] == 1  # 22 deg: labelled no class
    json.dumps(out)  # goes into eval --json as is


def test_a_classified_bow_without_a_call_scores_as_performed_and_a_near_miss_is_a_negative(tmp_path):
    cam = make_cam()
    evs = [e for e in _run(cam, make_stream(cam, bow_profile(30))) if e.type == "end"]
    assert evs[0].outcome == "info" and event_outcome(evs[0]) == "pass"
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(_labels(bow_profile(22), "bow_22", "none")))
    labels = load_labels(path)
    assert labels.intervals == [] and [n.rule for n in labels.negatives] == ["bow.angle"]


def test_greeting_truth_comes_from_the_labels_not_the_forearm_alone():
    from pipelines.etiquette_eval import greeted_label

    def label(kind: str, detail: dict) -> list[dict]:
        return [{"rule": "greet.raise_hand", "start": 1.0, "end": 3.2, "kind": kind, "detail": detail}]

    performed, spread = label("performed", {"fingers": "together"}), label("violation", {"fingers": "spread"})
    drinking = [{"rule": "greet.raise_hand", "start": 0.0, "end": 4.0, "kind": "violation",
                 "detail": {"why": "no greeting", "client_arrival": True}}]  # cup at the mouth: forearm up, no greeting
    assert greeted_label(performed, 1.0) is True and greeted_label(spread, 1.0) is True
    assert greeted_label(drinking, 0.0) is False
    assert greeted_label(drinking, 5.0) is None


def test_the_learned_lifters_elbow_error_is_reported_beside_the_rules_reading():
    """Session 29: the lifter (guide.gesture's `elbow_lifter`) is measured on every guide frame too, so
    the held-out splits measure it blind; a frame it cannot read counts as no reading, not as an error."""
    samples = {"elbow_true": [120.0, 120.0, 170.0], "elbow_ours": [140.0, 100.0, 150.0],
               "elbow_naive": [90.0, 90.0, 90.0], "elbow_lifter": [125.0, None, 160.0]}
    out = summarise(samples)
    assert out["elbow_mae_deg"]["ours"] == 20.0
    assert out["elbow_lifter_mae_deg"] == {"ours": 7.5, "naive": None, "n": 2, "no_reading": 1}


def test_the_lifter_row_reads_what_the_rule_reads_per_guide():
    """Session 29 (elbow2): per labelled guide, the lifter's frames where its median agrees with the cue median's
    within their combined sigma, else the cue's frames (the rule's choice per hold)."""
    from pipelines.elbow_lift import lifter
    from pipelines.etiquette_eval import lifter_readings
    from pipelines.rules.etiquette_guide import GuideParams

    sig = lifter().sigma_deg
    frames = [(0, 125.0, 140.0, 15.0), (0, 127.0, 142.0, 15.0),  # 15 apart: the lifter's
              (1, 120.0, 170.0, 15.0), (1, None, 168.0, 15.0), (1, 122.0, 169.0, 15.0)]  # 48 apart: the cue's
    assert lifter_readings(frames, GuideParams()) == [125.0, 127.0, 170.0, 168.0, 169.0]
    assert lifter_readings(frames, GuideParams(elbow_lifter_agree_sigmas=50.0 / sig)) == \
        [125.0, 127.0, 120.0, None, 122.0]
