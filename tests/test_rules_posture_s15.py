"""Session 15 (issue #6): posture and demeanour rules at the range edge, on recorded simulator streams."""

from __future__ import annotations

from tests.fixtures.rules import recorded_posture, run_rules, spans


def test_a_cup_at_the_lips_seen_from_50_degrees_aside_is_measured_in_a_floored_shoulder_width():
    # tune_sweep drinking_client (1.5 m, 1.9 m, -50 deg): the arm raising the cup turns the torso side-on and the
    # fitted shoulder line shrinks to half its width, so the cup hand read 0.51-0.95 sw from the mouth; its distances
    # to the mouth and the nose in a width floored at 0.25 m worth at the clerk put it at the lips (labelled 1.0-4.0 s)
    obs, counter = recorded_posture("drinking_client__m_short__h1.5_d1.9_y-50")
    (span,) = spans(run_rules(obs, ["drink.in_front"], counter=counter), "drink.in_front")
    assert span[0] <= 2.0 and span[1] >= 3.0
    # control: lengths in the shoulder width as seen
    raw = {"drink.in_front": {"min_width_m": 0.01}}
    assert spans(run_rules(obs, ["drink.in_front"], counter=counter, overrides=raw), "drink.in_front") == []
