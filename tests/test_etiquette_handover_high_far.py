"""handover.two_hands from a high, far camera on the clerk's right (session 28). Streams: scratch renders of tune
bodies at (1.7-1.8 m high, 1.6-1.8 m away, -30 deg) (seed 28, perceived at d0030b3, /work/scratch28_handover), cut by
bench/etiquette_fixture.py, numbers rounded to 2 decimals.

From up there the reach across the desk (the papers held out over it, 0.14-0.31 m forward with the body, 0.17 up)
runs along the line of sight: the modelled across reach's image is 0.04-0.11 usual shoulder widths, and the true
reaching wrist moves 0.07-0.26 while held (the hand left on the desk 0.03-0.06). The view is judged by the move, whose
bar (`min_move_sw` 0.2) the held wrist does not reach, so the one-hand handover was silent. On a frame leaning
`fold_lean_deg` the bar is now what the view shows of a whole reach (`short_reach_move_sw`, at least 0.1).
The same view reads the reach's forward part as a move away from the client on the hands' plane, for both hands: the
partner of a two-hand handover read 0.04-0.05 m away, past the partner test's -0.025 m, and the handover was a
one-hand violation. The partner may now read as far away as the out hand does (`partner_away_as_lead`)."""

from __future__ import annotations

from tests.test_etiquette_recorded import replay

ONE_HAND = "handover_one_hand__m_young_avg__h1.7_d1.8_y-30__s28"
TWO_HANDS = "handover_two_hands__m_short__h1.8_d1.6_y-30__s28"
TWO_HANDS_FAR = "handover_two_hands__m_young_avg__h1.7_d1.8_y-30__s28"
OLD = {"short_reach_move_sw": None, "partner_away_as_lead": False}


def _handovers(name: str, rules: dict | None = None) -> list:
    rules = {"handover.two_hands": rules} if rules else None
    return [e for e in replay(name, rules=rules, only=["handover.two_hands"]) if e.rule_id == "handover.two_hands"]


def test_a_one_hand_handover_along_the_line_of_sight_is_a_violation():
    evs = _handovers(ONE_HAND)
    assert [(e.outcome, e.evidence["hand"], e.evidence["both_hands_share"]) for e in evs] == [
        ("violation", "right", 0.0)]
    ev = evs[0].evidence
    assert ev["lean_checked"] is True and ev["median_lean_deg"] > 10
    assert ev["duration_s"] >= 1.5  # 1.0-2.8 s of a 1.0-3.6-s label
    assert ev["view_reach_sw"] < 0.35  # judged by the move
    # before: the held wrist moved 0.11-0.14 usual widths, under `min_move_sw`; only 1.0-1.4 s was out, exactly
    # `min_hold_s` (which floating point read as 0.3999 s and dropped before temporal.TIME_EPS)
    before = _handovers(ONE_HAND, {"short_reach_move_sw": None})
    assert [(e.outcome, e.evidence["duration_s"]) for e in before] == [("violation", 0.4)]


def test_the_shorter_bar_needs_the_lean():
    # the bar stays `min_move_sw` on frames leaning under `fold_lean_deg`: with the fold waiver off, so is the bar,
    # and only the 0.4-s episode the old bar saw is left
    off = _handovers(ONE_HAND, {"fold_lean_deg": None})
    assert [(e.outcome, e.evidence["duration_s"]) for e in off] == [("violation", 0.4)]


def test_a_two_hand_handover_whose_partner_reads_away_like_the_out_hand_passes():
    evs = _handovers(TWO_HANDS)
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("pass", "both")]
    assert evs[0].evidence["both_hands_share"] >= 0.5
    # the partner test alone (the bar change left off) finds the pass too, after a 0.4-s start the old bar reads as
    # the right hand alone: the shorter bar makes the reach one episode
    alone = _handovers(TWO_HANDS, {"short_reach_move_sw": None})
    assert [(e.outcome, e.evidence["hand"]) for e in alone] == [("violation", "right"), ("pass", "both")]
    assert alone[0].evidence["duration_s"] == 0.4
    # before: the left partner read 0.04-0.05 m away, past the partner test's -toward_m/2: one hand
    before = _handovers(TWO_HANDS, OLD)
    assert [(e.outcome, e.evidence["hand"]) for e in before] == [("violation", "right")] * 2
    assert before[-1].evidence["both_hands_share"] == 0.0


def test_a_two_hand_handover_from_farther_passes_instead_of_unknown():
    evs = _handovers(TWO_HANDS_FAR)
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("pass", "both")]
    assert evs[0].evidence["duration_s"] >= 1.2  # 1.8-3.2 s
    # before: only the right hand, 0.4 s, behind the client's box: unknown
    before = _handovers(TWO_HANDS_FAR, OLD)
    assert [(e.outcome, e.evidence.get("verdict")) for e in before] == [("info", "unknown")]
