"""handover.two_hands where the pose folds the reaching forearm onto the shoulder (session 27).
Streams: scratch renders of tune bodies at -40 deg (perceived at d6715b1, /work/scratch27_handover) and tune_sweep's
phone_call_long at (1.5 m, 1.9 m, -50 deg) (the suite26v recording), cut by bench/etiquette_fixture.py.

From the client's side (-30..-40 deg) the reach runs toward the camera and MediaPipe puts the near (right) wrist at
the shoulders, 60-100 px above its true place at chest height: 0.26 m "up" and 0.20-0.23 m over the shoulders, past
`max_lift_m` (0.22) and the shoulder bar (0.1), which are there for a hand at the ear. The clerk leans 10-18 deg
toward the client on those frames. A phone at the ear read 4.5 deg at most on the four tune splits' streams; the
handover frames the waiver turns out read 9.8-15.6 deg there (8.3-18.3 on the scratch renders), so on a frame
leaning `fold_lean_deg` (8) the bars are waived and the wrist's move is judged as usual."""

from __future__ import annotations

from tests.test_etiquette_recorded import replay

TWO_HANDS = "handover_two_hands__f_old_heavy__h1.6_d1.55_y-40__s27"
ONE_HAND = "handover_one_hand__f_young_slim__h1.7_d1.7_y-40__s27"
PHONE = "phone_call_long__m_young_avg__h1.5_d1.9_y-50__s27"
OFF = {"handover.two_hands": {"fold_lean_deg": None}}


def _handovers(name: str, rules: dict | None = None) -> list:
    return [e for e in replay(name, rules=rules, only=["handover.two_hands"]) if e.rule_id == "handover.two_hands"]


def test_a_two_hand_handover_whose_near_wrist_the_pose_folds_up_passes():
    evs = _handovers(TWO_HANDS)
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("pass", "both")]
    ev = evs[0].evidence
    assert ev["both_hands_share"] >= 0.75 and ev["median_lean_deg"] > 15
    assert ev["max_lift_m"] > 0.22  # the folded right wrist, counted out past `max_lift_m`
    # before: the folded right wrist was not out on 1.6-2.4 s, the left hand alone was: a one-hand violation
    before = _handovers(TWO_HANDS, OFF)
    assert [(e.outcome, e.evidence["hand"]) for e in before] == [("violation", "left")]
    assert before[0].evidence["both_hands_share"] < 0.5


def test_a_one_hand_handover_whose_reaching_wrist_the_pose_folds_up_is_a_violation():
    evs = _handovers(ONE_HAND)
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("violation", "right")]
    assert evs[0].evidence["lean_checked"] is True and evs[0].evidence["max_lift_m"] > 0.22
    assert _handovers(ONE_HAND, OFF) == []  # before: nothing (the far wrist unseen after 1.8 s)


def test_a_phone_at_the_ear_leaning_little_keeps_the_bars():
    # the raised phone hand reads 0.34 m up with the torso at 4.5 deg: under `fold_lean_deg`, so no handover
    assert _handovers(PHONE) == []
    low = _handovers(PHONE, {"handover.two_hands": {"fold_lean_deg": 3.0}})
    assert [(e.outcome, e.evidence["hand"]) for e in low] == [("violation", "right")]
    assert low[0].evidence["max_lift_m"] > 0.3
