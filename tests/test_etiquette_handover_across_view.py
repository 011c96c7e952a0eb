"""handover.two_hands where the across reach runs along the line of sight while the sideways one does not, and an
episode frame without a lean reading (session 27). Streams: scratch renders of tune bodies (perceived at d6715b1,
/work/scratch27_handover), cut by bench/etiquette_fixture.py.

At (1.7 m, 1.8 m, -30 deg) the modelled sideways reach moves the wrists 0.42-0.61 usual shoulder widths in the
image, the across reach (the one the clerk makes: papers picked up and held out over the desk) 0.14-0.24. The view
check took the longer, so the view was "seen" and the wrists were asked to move along the sideways reach's image; the
true wrists moved 3-16 px (the reach runs toward the camera) and the pose read them within 5 px: nothing was out,
and the two-hand handover was silent. Judged by the move (the across reach not seen), the left wrist moved 0.21-0.23
usual widths and the right followed it, with the torso leaning 17-18 deg: a pass. A wrist that went clearly away on
the hands' plane is still not out there (the sideways reach shows that direction).

At (1.65 m, 1.6 m, 28 deg) the two-hand hold (1.6-3.2 s) had a frame without a bow reading at 2.2 s (the pose glitched
at 2.0 s), which ended the episode: its first 0.2 s were dropped as too short and the pass ran 2.4-3.2 s."""

from __future__ import annotations

from tests.test_etiquette_recorded import replay

ALONG_SIGHT = "handover_two_hands__f_young_slim__h1.7_d1.8_y-30__s27"
ONE_HAND_30 = "handover_one_hand__f_old_heavy__h1.5_d1.5_y-30__s27"
GLITCH = "handover_two_hands__f_old_heavy__h1.65_d1.6_y28__s27"


def _handovers(name: str, rules: dict | None = None) -> list:
    return [e for e in replay(name, rules=rules, only=["handover.two_hands"]) if e.rule_id == "handover.two_hands"]


def test_a_two_hand_handover_along_the_line_of_sight_is_judged_by_the_move_and_passes():
    evs = _handovers(ALONG_SIGHT)
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("pass", "both")]
    assert evs[0].evidence["lean_checked"] is True and evs[0].evidence["median_lean_deg"] > 15
    # before: the sideways reach's image made the view "seen", and the wrists did not move along it
    assert _handovers(ALONG_SIGHT, {"handover.two_hands": {"across_view": False}}) == []


def test_a_one_hand_handover_there_stays_one_hand_and_is_read_longer():
    evs = _handovers(ONE_HAND_30)
    assert [(e.outcome, e.evidence["hand"], e.evidence["both_hands_share"]) for e in evs] == [
        ("violation", "right", 0.0)]
    before = _handovers(ONE_HAND_30, {"handover.two_hands": {"across_view": False}})
    assert [(e.outcome, e.evidence["hand"]) for e in before] == [("violation", "right")]
    assert evs[0].evidence["duration_s"] > before[0].evidence["duration_s"] + 0.5  # 1.4 s against 0.6


def test_a_frame_without_a_lean_reading_holds_the_episode():
    evs = _handovers(GLITCH)
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("pass", "both")]
    assert evs[0].evidence["duration_s"] >= 1.5  # 1.6-3.2 s
    before = _handovers(GLITCH, {"handover.two_hands": {"unread_lean_holds": False}})
    assert [e.outcome for e in before] == ["pass"] and before[0].evidence["duration_s"] <= 0.8  # 2.4-3.2 s
