"""The posture rules' shared per-frame readings: one StandingMemory and one SeatedShoulders per stream."""

from __future__ import annotations

from typing import Any

import pytest

from calibration.config import default_counter
from pipelines.context import ContextDeriver
from pipelines.engine import Engine
from pipelines.rules import _frame
from tests.fixtures.rules import H, W, frame, seconds, stream

RULES = ["posture.head_on_desk", "posture.slouch"]


def _run(monkeypatch: pytest.MonkeyPatch, overrides: dict[str, Any] | None = None) -> tuple[Engine, int, int]:
    calls: list[float] = []
    real = _frame.StandingMemory.__call__

    def counted(self: _frame.StandingMemory, t: float, *a: Any) -> bool | None:
        calls.append(t)
        return real(self, t, *a)

    monkeypatch.setattr(_frame.StandingMemory, "__call__", counted)
    counter = default_counter(W, H, counter_id="c1")
    if overrides:
        counter = counter.model_copy(update={"rules": {**counter.rules, **overrides}})
    engine, derive = Engine(counter, only=RULES), ContextDeriver(counter)
    obs = stream(seconds(frame(), 4))
    for o in obs:
        engine.step(o, derive)
    return engine, len(calls), len(obs)


def test_head_on_desk_and_slouch_read_one_standing_memory_once_a_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    engine, calls, frames = _run(monkeypatch)
    assert len([k for k in engine.ctx.memory if k[0] == "seated"]) == 1
    assert calls == frames  # both rules ask on every frame; the memory moves once


def test_rules_with_their_own_standing_parameters_keep_their_own_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    engine, calls, frames = _run(monkeypatch, {"posture.slouch": {"standing_memory_s": 4.0}})
    assert len([k for k in engine.ctx.memory if k[0] == "seated"]) == 2
    assert calls == 2 * frames
