"""gaze.away's no-face fallback (the nose's sideways shift from mid-shoulders) on a MediaPipe stream recorded on the
session-5 re-render of a handover at (1.3 m, 2.0 m, -20 deg) (tests/data/etiquette/*__s5): the client sits between
the camera and the clerk, the face model finds no face, and the pose's shoulder span read 70 px on the first frame
and 130-172 px after it. At b133e1f the nose's usual place learned on that first frame made the clerk, who faces
the client throughout, "turned away" for 0.6-4.8 s."""

from __future__ import annotations

from tests.test_etiquette_recorded import replay

NAME = "handover_one_hand__m_short__h1.3_d2_y-20__s5"
EVAL = {"min_duration": 1.5}  # the eval profile's hold (pipelines/eval_sim.yaml): the clip lasts 5 s


def _gaze(rules: dict) -> list:
    return [e for e in replay(NAME, rules={"gaze.away": rules}, only=["gaze.away"]) if e.rule_id == "gaze.away"]


def test_a_shoulder_span_off_its_usual_value_leaves_the_nose_turn_unread():
    assert _gaze(EVAL) == []


def test_a_usual_place_seeded_over_a_second_and_the_shoulders_staying_put_each_leave_it_unread_too():
    # the span check off: the median of the first second's frames is no misfit, and the misfitted shoulders'
    # middle is far from the usual one; each guard alone keeps the clerk facing the client
    assert _gaze({**EVAL, "max_span_change": 10.0}) == []
    assert _gaze({**EVAL, "max_span_change": 10.0, "seed_s": 0.0}) == []
    assert _gaze({**EVAL, "max_span_change": 10.0, "max_shoulder_shift": 10.0}) == []


def test_control_without_the_span_check_the_seed_or_the_shoulder_shift_the_misfit_reads_as_a_turn():
    # at the former max_yaw_deg 40 (the misfit's slide reads under a 50-deg turn's)
    evs = _gaze({**EVAL, "max_span_change": 10.0, "seed_s": 0.0, "max_shoulder_shift": 10.0, "max_yaw_deg": 40.0})
    assert len(evs) == 1 and evs[0].evidence.get("kind") == "turned_away"
