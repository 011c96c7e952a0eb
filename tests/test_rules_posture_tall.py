"""A very tall seated clerk (session 24): the scratch body m_xtall (1.99 m, long torso) reads its seated shoulders
at 1.05-1.16 m, over the absolute standing cut (STANDING_SHOULDER_M 1.13) when leaning back seen from above and
aside. Standing is read against the clerk's own learned seated shoulder height as well (SEATED_BAND_M)."""

from __future__ import annotations

import pytest

from pipelines.rules import _frame
from pipelines.rules._body import STANDING_SHOULDER_M
from pipelines.rules._frame import SEATED_BAND_M, StandingMemory
from tests.fixtures.rules import recorded_posture, run_rules, spans

SIM = {"posture.slouch": {"min_duration": 1.0}}  # pipelines/eval_sim.yaml
# m_xtall leaning back (labelled 0.8-3.2 s): the shoulders read up to 1.130 m (30 deg) and 1.159 m (-40 deg), 0.019
# and 0.070 m over the seated height learnt from the upright frames before (1.112, 1.090); -50 deg: up to 0.082
LEAN_BACK = ["leaning_back__m_xtall__h1.4_d1.3_y30", "leaning_back__m_xtall__h1.6_d1.3_y-40"]


def _slouch(name: str) -> list[tuple[float | None, float | None]]:
    obs, counter = recorded_posture(name)
    return spans(run_rules(obs, ["posture.slouch"], counter=counter, overrides=SIM), "posture.slouch")


@pytest.mark.parametrize("name", LEAN_BACK)
def test_a_very_tall_clerk_leaning_back_is_seated_not_standing(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ((start, end),) = _slouch(name)
    assert start is not None and end is not None and start <= 1.2 and end >= 3.2
    monkeypatch.setattr(_frame, "SEATED_BAND_M", 0.0)  # control: the absolute cut alone reads standing, no slouch
    assert _slouch(name) == []


def test_standing_over_the_cut_needs_the_rise_over_the_learned_seated_height() -> None:
    cut, mem = STANDING_SHOULDER_M, 10.0
    assert StandingMemory()(0.0, 1.15, cut, mem) is True  # no seated height learnt: the absolute cut
    assert StandingMemory()(0.0, 1.15, cut, mem, 1.09, SEATED_BAND_M) is False  # tall clerk leaning back
    assert StandingMemory()(0.0, 1.178, cut, mem, 1.096, SEATED_BAND_M) is False  # the most it read (-50 deg)
    assert StandingMemory()(0.0, 1.29, cut, mem, 1.09, SEATED_BAND_M) is True  # risen 0.2 m: steady standing
    assert StandingMemory()(0.0, 1.152, cut, mem, 1.041, SEATED_BAND_M) is False  # half-way up (tune's least, 0.111)
    assert StandingMemory()(0.0, 1.178, cut, mem, 1.041, SEATED_BAND_M) is True  # the next frame up (0.137)
    assert StandingMemory()(0.0, 1.10, cut, mem, 0.95, SEATED_BAND_M) is False  # under the cut stays seated
    sm = StandingMemory()
    assert sm(0.0, 1.40, cut, mem, 1.09, SEATED_BAND_M) is True
    assert sm(5.0, 1.12, cut, mem, 1.09, SEATED_BAND_M) is True  # the memory after standing (a bow) still holds
