"""handover.two_hands: the lean is judged once the upright baseline was learned while the hands rested. The bow
baseline is learned on the stream's first frames; when the hands stayed at their rest all through them, the first
bow reading already counts as upright-at-rest, even if the hand left on that very frame. Stream: tune_sweep's
drinking_client at (1.5 m, 1.9 m, -50 deg), session-13 perception (cut by bench/etiquette_fixture.py): the cup put
back on the desk toward the client read as a one-hand handover with the torso upright (lean -5..+2.4 deg)."""

from __future__ import annotations

import pipelines.rules.etiquette_handover as handover
from tests.test_etiquette_recorded import replay

DRINK = "drinking_client__m_short__h1.5_d1.9_y-50__s13"


def _handovers(rules: dict | None = None) -> list:
    return [e for e in replay(DRINK, rules=rules) if e.rule_id == "handover.two_hands"]


def test_a_cup_put_back_with_the_torso_upright_is_no_handover():
    assert _handovers() == []


def test_the_lean_is_what_rules_it_out():
    # control: with the lean unchecked the same stream raises the one-hand violation (judged as before session 24;
    # since then this view reads hands along the across reach's image alone, and the cup put back does not move
    # along it: nothing even without the lean)
    evs = _handovers({"handover.two_hands": {"min_lean_deg": None, "forward_view": False}})
    assert [(e.outcome, e.evidence["lean_checked"]) for e in evs] == [("violation", False)]
    assert _handovers({"handover.two_hands": {"min_lean_deg": None}}) == []


def test_without_the_first_reading_rule_the_lean_goes_unchecked(monkeypatch):
    # control: the first bow reading came the frame the hand left for the cup; without counting the at-rest
    # frames the baseline was learned on, no at-rest frame ever had a reading and the lean was never judged
    orig = handover.TwoHandHandover.__init__

    def init(self, *a, **k):
        orig(self, *a, **k)
        self.rest_before_bow = None

    monkeypatch.setattr(handover.TwoHandHandover, "__init__", init)
    evs = _handovers({"handover.two_hands": {"unjudged_lean_unknown": False, "forward_view": False}})
    assert [(e.outcome, e.evidence["lean_checked"]) for e in evs] == [("violation", False)]
    # session 21: with the lean never judged, the one-hand episode is unknown, not a violation
    only_old = {"handover.two_hands": {"forward_view": False}}
    assert [(e.outcome, e.evidence["verdict"]) for e in _handovers(only_old)] == [("info", "unknown")]
