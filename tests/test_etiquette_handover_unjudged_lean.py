"""handover.two_hands: a one-hand episode whose lean was never judged is unknown, not a violation. Streams: tune_sweep
at (1.6 m, 1.15 m, -15 deg), perception at 0cafaeb (the suite16 caches, cut by bench/etiquette_fixture.py).

The clerk points at the client with one finger; the hand model finds no hand at the pointing wrist (the finger runs
off the frame's bottom), so the one-finger veto cannot apply, and the arm reads as a hand out (lift 0.17 m, 0.29 m
toward the client). The lean, -3.4 deg, would rule it out, but the arm left its rest at 0.6 s, before the first bow
reading (1.0 s), so no upright baseline was read with the hands at rest and the lean was never judged. Until session
21 that was a one-hand violation (0.6-3.6 s). The real one-hand handover at the same view leans 15 deg with the lean
judged, and stays a violation."""

from __future__ import annotations

from tests.test_etiquette_recorded import replay

POINT = "point_one_finger__m_heavy_tall__h1.6_d1.15_y-15__s21"
ONE_HAND = "handover_one_hand__m_young_avg__h1.6_d1.15_y-15__s21"


def _handovers(name: str, rules: dict | None = None) -> list:
    return [e for e in replay(name, rules=rules) if e.rule_id == "handover.two_hands"]


# session 27: the across reach's image is 0.13-0.14 usual widths here, so the view judges by the move, where the lean
# is always checked, and the point (-3.4 deg) raises nothing; the session-21 mechanism is read with that off
SIDEWAYS_VIEW = {"across_view": False}


def test_a_point_with_the_lean_never_judged_is_unknown_not_a_one_hand_violation():
    evs = _handovers(POINT, {"handover.two_hands": SIDEWAYS_VIEW})
    assert [(e.outcome, e.evidence["hand"], e.evidence["verdict"]) for e in evs] == [("info", "right", "unknown")]
    ev = evs[0].evidence
    assert ev["lean_checked"] is False and ev["median_lean_deg"] < 0 and ev["both_hands_share"] == 0.0
    # control: judged as seen, the point is the one-hand violation it was
    seen = _handovers(POINT, {"handover.two_hands": {**SIDEWAYS_VIEW, "unjudged_lean_unknown": False}})
    assert [(e.outcome, e.evidence["hand"]) for e in seen] == [("violation", "right")]


def test_judged_by_the_move_where_the_across_reach_runs_along_the_line_of_sight_the_point_raises_nothing():
    assert _handovers(POINT) == []


def test_a_one_hand_handover_with_the_lean_judged_stays_a_violation():
    evs = _handovers(ONE_HAND)
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("violation", "right")]
    assert evs[0].evidence["lean_checked"] is True and evs[0].evidence["median_lean_deg"] > 10


def test_with_the_lean_check_off_the_installer_asked_for_no_lean_and_a_point_stays_a_violation():
    # min_lean_deg None: the lean is not part of the rule at all, so its not being judged says nothing
    evs = _handovers(POINT, {"handover.two_hands": {"min_lean_deg": None}})
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("violation", "right")]
