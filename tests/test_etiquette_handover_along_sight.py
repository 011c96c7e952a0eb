"""handover.two_hands where a reach toward the client runs along the line of sight (the view check fails).

From (1.55 m, 1.45 m, -30 deg) and (1.8 m, 1.7 m, -40 deg) the canonical reach covers 0.19-0.33 usual image shoulder
widths, so its direction cannot be read; but the simulator's reach (0.45 m ahead of the shoulders, at shoulder
height) moves the reaching wrist 0.23-1.0 of them in the image, the hand left on the desk 0.01-0.15. There a hand is
out when its wrist moved `min_move_sw` usual widths, and the lean toward the client (always checked there: it is the
only sign of a handover) starts the episode. Streams recorded on the session-8 tune_side / tune_wide caches
(bench/etiquette_fixture.py); before, all four said nothing."""

from __future__ import annotations

import pytest

from tests.test_etiquette_recorded import replay

ONLY = ["handover.two_hands"]
CLIPS = [
    ("handover_one_hand__m_young_avg__h1.55_d1.45_y-30__s8", "violation"),
    ("handover_two_hands__m_short__h1.55_d1.45_y-30__s8", "pass"),
    ("handover_one_hand__m_short__h1.8_d1.7_y-40__s8", "violation"),
    ("handover_two_hands__m_heavy_tall__h1.8_d1.7_y-40__s8", "pass"),
]


@pytest.mark.parametrize(("name", "outcome"), CLIPS)
def test_a_reach_along_the_line_of_sight_is_judged_by_how_far_each_wrist_moved(name, outcome):
    evs = replay(name, only=ONLY)
    assert [e.outcome for e in evs] == [outcome]
    assert evs[0].evidence["view_reach_sw"] < 0.35  # the view check failed: judged by the move
    # control: without the move test such a view says nothing
    assert replay(name, rules={"handover.two_hands": {"min_move_sw": None}}, only=ONLY) == []


def test_a_hand_moving_without_a_lean_is_no_handover_there():
    # pointing at the client from (1.8 m, -40 deg): the hand model does not read the one finger there, the right
    # wrist moves toward the client with the torso upright (-1.3 deg median)
    name = "point_one_finger__f_old_heavy__h1.8_d1.7_y-40__s8"
    assert replay(name, only=ONLY) == []
    control = replay(name, rules={"handover.two_hands": {"min_lean_deg": None}}, only=ONLY)
    assert [e.outcome for e in control] == ["violation"]
