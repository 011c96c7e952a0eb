"""The clerk's usual image shoulder width (etiquette_common.UsualWidth), the scale of greet's face clearance and
handover's view check: learnt only from frames whose pose is the clerk's, not someone nearer the camera, and kept
once per stream (`usual_width_px`, RuleContext.memory) for both rules."""

from __future__ import annotations

import copy
import gzip
import json

import pipelines.rules.etiquette_common as common
from calibration.config import CounterConfig
from pipelines.messages import QueueCall
from pipelines.replay import replay as pipeline_replay
from tests.spy import spy
from tests.test_etiquette_recorded import DATA, replay
from vision.observation import Observation

GREETING = "greet_raise_hand__f_old_heavy__h1.35_d1.5_y0"  # a compliant greeting, 0.29 m shoulders at the clerk
LEAD_FRAMES = 30  # 6 s before the clip: more frames than the clip's own, so they would rule the median


def _greet_after(scale: float) -> list[tuple[str, bool]]:
    """greet.raise_hand over the recorded greeting, led by 6 s of its first (resting) frame with the pose scaled
    `scale` times about the shoulders: a pose that wide at the clerk's plane is someone nearer the camera."""
    with gzip.open(DATA / f"{GREETING}.json.gz", "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    first = data["observations"][0]
    ls, rs = first["pose"]["landmarks"][11], first["pose"]["landmarks"][12]
    cx, cy = (ls["x"] + rs["x"]) / 2, (ls["y"] + rs["y"]) / 2
    raws = []
    for k in range(LEAD_FRAMES):
        o = copy.deepcopy(first)
        o["t"], o["frame_index"] = round(0.2 * k, 3), k
        for lm in o["pose"]["landmarks"]:
            lm["x"], lm["y"] = cx + scale * (lm["x"] - cx), cy + scale * (lm["y"] - cy)
        raws.append(o)
    shift = 0.2 * LEAD_FRAMES
    for raw in data["observations"]:
        o = copy.deepcopy(raw)
        o["t"], o["frame_index"] = round(o["t"] + shift, 3), o["frame_index"] + LEAD_FRAMES
        raws.append(o)
    counter = CounterConfig.model_validate({**data["counter"], "rules": {"greet.raise_hand": {"window_s": 3.5}}})
    calls = [QueueCall(counter.counter_id, str(c["ticket"]), float(c["time"]) + shift) for c in data["calls"]]
    obs = [Observation.from_json(json.dumps(r)) for r in raws]
    evs = [e for e in pipeline_replay(obs, counter, calls, only=["greet.raise_hand"]) if e.type == "end"]
    return [(e.outcome, e.evidence["greeted"]) for e in evs]


def test_a_pose_nearer_the_camera_is_not_the_clerks_usual_width():
    # scaled 3x the shoulders read 0.86 m at the clerk's plane (over MAX_CLERK_SHOULDER_M): not the clerk, not learnt
    assert _greet_after(3.0) == [("pass", True)]


def test_control_a_wide_usual_width_loses_the_greeting():
    # control: at 2.5x (0.72 m, still the clerk's by the guard) the lead frames are learnt, the usual width is 2.5x
    # and the raised hand reads under `min_face_clearance` usual widths from the face: no greeting
    assert _greet_after(2.5) == [("violation", False)]


def _count_widths(monkeypatch, rules: dict | None = None,
                  only: tuple[str, ...] = ("greet.raise_hand", "handover.two_hands")) -> tuple[int, int]:
    """(UsualWidth objects made, frames learnt) over the recorded greeting with the given rules."""
    made, learnt = spy(monkeypatch, common.UsualWidth, "learn")
    replay(GREETING, rules=rules, only=list(only))
    return len(made), len(learnt)


def test_greet_and_handover_share_one_usual_width_learnt_once_a_frame(monkeypatch):
    both = _count_widths(monkeypatch)
    monkeypatch.undo()
    alone = _count_widths(monkeypatch, only=("greet.raise_hand",))
    assert both[0] == 1 and both[1] == alone[1] > 0  # one width, each frame learnt once, not once per rule


def test_a_rule_with_its_own_width_parameter_keeps_its_own(monkeypatch):
    made, _ = _count_widths(monkeypatch, rules={"greet.raise_hand": {"below_shoulder_m": 0.2}})
    assert made == 2
