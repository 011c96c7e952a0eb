"""A rule that raises: loud in eval and tests, isolated in service (the counter's other rules go on)."""

from __future__ import annotations

import logging

import pytest

from calibration.config import default_counter
from pipelines.engine import Engine
from vision.observation import Observation


def _frames(n: int) -> list[Observation]:
    return [Observation("c1", i, i / 5, image_size=(1280, 720), ran=["pose"]) for i in range(n)]


def _break(engine: Engine, rule_id: str, on_frame: int) -> list[int]:
    """Make `rule_id` raise from `on_frame` on; returns the frames the first other rule was stepped on."""
    broken = next(r for r in engine.rules if r.rule_id == rule_id)
    other = next(r for r in engine.rules if r.rule_id != rule_id)
    real_broken, real_other, seen = broken.step, other.step, []

    def failing(obs, ctx):
        if obs.frame_index >= on_frame:
            raise ValueError("boom")
        return real_broken(obs, ctx)

    def counted(obs, ctx):
        seen.append(obs.frame_index)
        return real_other(obs, ctx)

    broken.step, other.step = failing, counted
    return seen


def test_a_failing_rule_propagates_by_default():
    engine = Engine(default_counter())
    _break(engine, "bow.angle", on_frame=3)
    with pytest.raises(ValueError, match="boom"):
        for obs in _frames(6):
            engine.step(obs)


def test_in_service_a_failing_rule_is_taken_out_alone(caplog):
    engine = Engine(default_counter(), isolate_failures=True)
    n_rules = len(engine.rules)
    seen = _break(engine, "bow.angle", on_frame=3)
    with caplog.at_level(logging.ERROR, logger="pipelines.engine"):
        for obs in _frames(8):
            engine.step(obs)
        engine.finish()
    assert seen == list(range(8))  # the other rules went on through and after the failure
    assert "bow.angle" in engine.failed and "ValueError: boom" in engine.failed["bow.angle"]
    assert "frame 3" in engine.failed["bow.angle"]
    assert len(engine.rules) == n_rules - 1 and all(r.rule_id != "bow.angle" for r in engine.rules)
    assert sum("bow.angle" in r.getMessage() for r in caplog.records) == 1  # logged once, not every frame


def test_the_edge_factory_isolates_rule_failures():
    from edge.pipeline import make_pipeline

    pipe = make_pipeline(default_counter(1280, 720, counter_id="c1"))  # models load lazily: none here
    assert pipe.engine.isolate_failures is True
