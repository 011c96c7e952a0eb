"""The etiquette rules share one measurement per frame (RuleContext.values) and still report exactly what
each rule reports alone."""

from __future__ import annotations

import pipelines.rules.etiquette_common as common
from pipelines.engine import Engine
from pipelines.messages import QueueCall
from tests.fixtures.etiquette import GUIDE_120, REST, bow_profile, counter_for, make_cam, make_stream

ETIQUETTE = ["bow.angle", "guide.gesture", "greet.raise_hand", "handover.two_hands", "point.one_finger",
             "stand.for_visitor"]


def _stream(cam):
    bows = bow_profile(15) + bow_profile(30) + [0.0] * 40
    right = [GUIDE_120 if 110 <= i < 130 else REST for i in range(len(bows))]
    return make_stream(cam, bows, right=right, hands=True)


def _run(cam, stream, rules):
    eng = Engine(counter_for(cam), only=rules)
    eng.on_call(QueueCall("c1", "A1", 0.5))
    out = []
    for obs in stream:
        out += eng.step(obs)
    return out + eng.finish()


def _key(ev):
    return (ev.rule_id, ev.type, ev.outcome, ev.clip_start, ev.clip_end, sorted(ev.evidence.items(), key=str))


def test_shared_measurement_gives_the_same_events_as_each_rule_alone():
    cam = make_cam(yaw=30)
    stream = _stream(cam)
    together = _run(cam, stream, ETIQUETTE)
    alone = [ev for r in ETIQUETTE for ev in _run(cam, stream, [r])]
    assert {ev.rule_id for ev in together} >= {"bow.angle", "guide.gesture"}
    assert sorted(map(_key, together), key=str) == sorted(map(_key, alone), key=str)


def test_the_bow_is_measured_once_per_frame_for_all_rules(monkeypatch):
    calls = []
    real = common.measure_bow

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(common, "measure_bow", counting)
    cam = make_cam()
    stream = _stream(cam)
    _run(cam, stream, ETIQUETTE)
    measured = len(calls)
    calls.clear()
    _run(cam, stream, ["bow.angle"])
    assert measured == len(calls) > len(stream) - 10  # one fit per frame once the baseline is learned
