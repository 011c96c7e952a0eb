"""stand.for_visitor replayed over perception streams recorded on scratch renders (session 27): a visitor standing
at the counter beyond the frame's left edge, head to feet in view as a tall thin strip, whom the person detector does
not box (scored 0.07-0.21). The near stage reports the strip (cut by the side alone); the clerk stays seated."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from calibration.config import CounterConfig
from pipelines.messages import QueueCall
from pipelines.replay import replay as pipeline_replay
from vision.observation import Observation

DATA = Path(__file__).parent / "data" / "etiquette"
EDGE = ["stand_for_visitor_missed__m_heavy_tall__h1.7_d1.6_y58__s27",
        "stand_for_visitor_missed__m_short__h1.6_d1.8_y33__s27"]
EVAL = {"respond_s": 3.5}  # pipelines/eval_sim.yaml: the clips last 8 s


def _load(name: str) -> tuple[list[Observation], dict]:
    with gzip.open(DATA / f"{name}.json.gz", "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return [Observation.from_json(json.dumps(raw)) for raw in data["observations"]], data


def replay(name: str, params: dict | None = None, calls: list[QueueCall] | None = None) -> list:
    obs, data = _load(name)
    rules = {"stand.for_visitor": {**EVAL, **(params or {})}}
    counter = CounterConfig.model_validate({**data["counter"], "rules": rules})
    return [e for e in pipeline_replay(obs, counter, calls or [], only=["stand.for_visitor"]) if e.type == "end"]


@pytest.mark.parametrize("name", EDGE)
def test_the_edge_strip_is_the_only_sighting_and_the_seated_clerk_is_a_violation(name):
    obs, _ = _load(name)
    seen = [o for o in obs if "people" in o.ran]
    assert seen and all(len(o.people) <= 2 for o in seen)
    w, h = obs[0].image_size
    strips = [n for o in seen for n in o.near]
    assert strips and all(n.box[0] <= 0.01 * w and n.box[3] < 0.99 * h and n.client >= 0.5 for n in strips)
    assert all(0.5 * h <= n.box[3] - n.box[1] and n.box[2] - n.box[0] <= 0.15 * w for n in strips)
    evs = replay(name)
    assert [(e.outcome, e.evidence["missing"]) for e in evs] == [("violation", ["stand", "bow"])], evs


@pytest.mark.parametrize("name", EDGE)
def test_without_the_strip_cue_or_with_a_client_called_nothing_is_judged(name):
    assert replay(name, {"near_strip_min_height": None}) == []
    assert replay(name, calls=[QueueCall("sim", "A1", 0.0)]) == []
    # a strip must be tall: at 0.75 of the frame's height neither render's (0.54, 0.59) is
    assert replay(name, {"near_strip_min_height": 0.75}) == []
