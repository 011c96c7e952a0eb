"""A hand at the ear from a camera high and to the clerk's right (-35..-40 deg yaw): MediaPipe reads the arm raised to
the ear as the torso turning side-on (image shoulders 3-23 px for a usual 60-68) and drags the far (left) wrist
0.07-0.15 m toward the client off the hand that stays on the desk. Streams recorded on session-7 diagnostic renders of
the tune bodies (tests/data/etiquette/*__s7, bench/etiquette_fixture.py): at the session-start code the first read as
a one-hand handover (the dragged left wrist out, 0.8-2.2 s), the second as a handover and a passed greeting."""

from __future__ import annotations

import pytest

import pipelines.rules.etiquette_greet as greet
from tests.test_etiquette_recorded import replay

AT_EAR = ["phone_call_long__f_young_slim__h1.6_d1.6_y-35__s7", "phone_call_short__f_young_slim__h1.8_d1.7_y-40__s7"]


@pytest.mark.parametrize("name", AT_EAR)
def test_a_phone_at_the_ear_is_no_handover(name):
    assert replay(name, only=["handover.two_hands"]) == []
    # control: with the ear's lift (0.27-0.40 m) allowed, the dragged left wrist reads as a one-hand handover
    control = replay(name, rules={"handover.two_hands": {"max_lift_m": 0.5}}, only=["handover.two_hands"])
    assert [(e.outcome, e.evidence["hand"]) for e in control] == [("violation", "left")]


@pytest.mark.parametrize("name", AT_EAR)
def test_a_phone_at_the_ear_with_the_torso_read_side_on_is_no_greeting(name, monkeypatch):
    rules = {"greet.raise_hand": {"window_s": 3.5}}
    evs = replay(name, rules=rules, only=["greet.raise_hand"])
    assert [(e.outcome, e.evidence["greeted"]) for e in evs] == [("violation", False)]
    if name.endswith("y-40__s7"):
        # control: scaled by this frame's shoulders alone (no usual width learned), the hand 22 px from the ear
        # reads 1.4 shoulder widths clear and passes as a greeting
        monkeypatch.setattr(greet, "USUAL_WIDTH_FRAMES", 0)
        loose = replay(name, rules=rules, only=["greet.raise_hand"])
        assert [(e.outcome, e.evidence["greeted"]) for e in loose] == [("pass", True)]
