"""The etiquette rules' one clerk geometry per stream (etiquette_common.clerk_frame): one ClerkGeometry in
RuleContext.memory measures each frame once, whichever rules are enabled, so every rule reads one baseline."""

from __future__ import annotations

import pipelines.rules.etiquette_common as common
from tests.spy import spy
from tests.test_etiquette_recorded import ETIQUETTE, replay

GUIDE = "guide_horizontal__f_old_heavy__h1.6_d1.3_y30"  # a compliant guide with a bow before it


def _count(monkeypatch, only: list[str]) -> tuple[int, int, list]:
    """(ClerkGeometry objects made, frames measured, end events) over the recorded guide with these rules."""
    made, measured = spy(monkeypatch, common.ClerkGeometry, "measure")
    events = replay(GUIDE, only=only)
    monkeypatch.undo()
    return len(made), len(measured), events


def test_the_etiquette_rules_share_one_geometry_measured_once_a_frame(monkeypatch):
    made, measured, _ = _count(monkeypatch, ETIQUETTE)
    _, alone, _ = _count(monkeypatch, ["guide.gesture"])
    assert made == 1 and measured == alone > 0  # one geometry and one measurement a frame, not one per rule


def test_a_rule_reads_the_same_geometry_without_the_others(monkeypatch):
    _, _, together = _count(monkeypatch, ETIQUETTE)
    _, _, alone = _count(monkeypatch, ["guide.gesture"])
    guides = [(e.outcome, e.evidence) for e in together if e.rule_id == "guide.gesture"]
    assert guides and guides == [(e.outcome, e.evidence) for e in alone]
