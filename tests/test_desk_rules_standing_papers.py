"""desk.personal_items on perception streams recorded at tune_sweep (tests/data/desk: the face mesh, timings and extras
dropped, no desk rule reads them), session 26. personal_item_placed puts a handbag and an umbrella on the desk.

- (1.6 m, 1.15 m, -15): the umbrella at the frame's left edge is named "papers", its box 0.33 on the desk zone (real
  papers: 0.77-1.00 on all four tune splits): papers lie flat, so it is an unnamed item (`PAPERS_MIN_ON_DESK`).
- (1.3 m, 1.75 m, 25): the umbrella reads "papers" 0.11 on the zone, and from 5.2 s the handbag is split into a box and
  a strip at its left edge: with `ObjectKeys(join_splits=True)` the pieces stay one item (two incidents, not three)."""

from __future__ import annotations

import pipelines.rules.desk_common as desk_common
from pipelines.rules.desk_common import ObjectKeys
from tests.fixtures.rules import recorded_posture, run_rules, spans

RULE = "desk.personal_items"
# the clips are compressed x10: the policy durations divided by 10 as the eval does (pipelines.evaluate.compressed)
SIM = {RULE: {"min_duration": 1.5, "grace": 0.5}}


def incidents(name: str) -> list[tuple[float | None, float | None]]:
    obs, counter = recorded_posture(name)
    return spans(run_rules(obs, [RULE], counter=counter, overrides=SIM), RULE)


def test_papers_standing_off_the_desk_are_a_personal_item(desk_streams, monkeypatch):
    name = "personal_item_placed__m_short__h1.6_d1.15_y-15"
    assert len(incidents(name)) == 2  # the handbag (a "box") and the umbrella ("papers" off the desk zone)
    monkeypatch.setattr(desk_common, "PAPERS_MIN_ON_DESK", 0.0)  # control: every "papers" is a work item
    assert len(incidents(name)) == 1


def test_an_item_split_in_two_stays_one_incident(desk_streams, monkeypatch):
    name = "personal_item_placed__m_young_avg__h1.3_d1.75_y25"
    assert len(incidents(name)) == 2  # the handbag and the umbrella
    monkeypatch.setattr(ObjectKeys, "_split_of", staticmethod(lambda *a, **k: None))  # control: no joining
    assert len(incidents(name)) == 3  # the bag's strip would be an item of its own


def test_split_pieces_share_the_key_only_when_the_item_lost_its_whole_box():
    from vision.results import Detection

    def det(box):
        return Detection(label="box", score=0.5, box=box, source="change")

    keys = ObjectKeys(join_splits=True)
    (bag,) = keys.keys([det((311, 234, 429, 370))], 0.0)
    assert keys.keys([det((364, 234, 429, 370)), det((311, 327, 327, 370))], 0.2) == [bag, bag]
    assert keys.keys([det((364, 234, 429, 370)), det((311, 327, 327, 370))], 0.4) == [bag, bag]  # held next frame
    keys = ObjectKeys(join_splits=True)
    (bag,) = keys.keys([det((311, 234, 429, 370))], 0.0)
    whole, cup = keys.keys([det((311, 234, 429, 370)), det((330, 330, 350, 370))], 0.2)
    assert whole == bag and cup != bag  # a new item in front of a bag still seen whole is its own
