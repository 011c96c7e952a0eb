"""Simulator: H.264 output, the incremental parallel suite, the scenario gaps (client body, visitor,
wall clock, neck clamp, client chair) and rule coverage."""

from __future__ import annotations

import json

import cv2
import pytest

from simulator.clip import RenderOptions, camera_for, render_clip
from simulator.scenarios import SCENARIOS
from simulator.suite import SuiteSettings, content_hash, jobs, run_suite


def _frames(path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    return n


def test_h264_clip_decodes_with_every_frame(tmp_path):
    cam = camera_for(SCENARIOS["bow_30"], width=160, height=120)
    labels = render_clip("bow_30", tmp_path, RenderOptions(camera=cam, fps=2.0, codec="h264"))
    assert labels["render"]["codec"] == "h264"
    head = (tmp_path / "clip.mp4").read_bytes()[:64]
    assert b"ftyp" in head
    assert _frames(tmp_path / "clip.mp4") == labels["n_frames"] == 10


def test_h264_rejects_odd_frame_size(tmp_path):
    cam = camera_for(SCENARIOS["bow_30"], width=161, height=120)
    with pytest.raises(ValueError, match="even frame size"):
        render_clip("bow_30", tmp_path, RenderOptions(camera=cam, fps=1.0, codec="h264"))


def test_suite_is_incremental_and_parallel(tmp_path):
    st = SuiteSettings(fps=1.0, width=160, height=120)
    todo = jobs(["sitting_upright", "bow_8"], "heldout")
    first = run_suite(tmp_path, todo, st, n_jobs=2, progress=False)
    assert (first["rendered"], first["skipped"]) == (6, 0)
    index = json.loads((tmp_path / "index.json").read_text())
    assert {e["split"] for e in index} == {"heldout"} and all(len(e["hash"]) == 16 for e in index)
    labels = json.loads((tmp_path / index[0]["dir"] / "labels.json").read_text())
    assert labels["split"] == "heldout" and labels["seed"] == index[0]["seed"]
    mtime = (tmp_path / index[0]["dir"] / "labels.json").stat().st_mtime_ns
    again = run_suite(tmp_path, todo + jobs(["bow_15"], "heldout"), st, progress=False)
    assert (again["rendered"], again["skipped"]) == (3, 6)
    assert (tmp_path / index[0]["dir"] / "labels.json").stat().st_mtime_ns == mtime
    # a different fps is a different clip: rendered again
    assert content_hash(todo[0], st) != content_hash(todo[0], SuiteSettings(fps=2.0, width=160, height=120))
    # a lost clip is rendered again even though index.json lists it
    (tmp_path / index[0]["dir"] / "clip.mp4").unlink()
    assert run_suite(tmp_path, todo, st, progress=False)["rendered"] == 1


def test_only_renders_the_same_clips_as_the_full_suite():
    full = {(j.name, j.seed(0)) for j in jobs(list(SCENARIOS), "tune")}
    only = {(j.name, j.seed(0)) for j in jobs(["do_nothing", "bow_30"], "tune")}
    assert len(only) == 6 and only <= full


def test_validation_split_pairs_each_scenario_view_with_another_body():
    """The validation split shares the tune bodies but not their pairing with a scenario x view slot in tune or
    tune_side, and shares no view with any other split (so replaying it checks bodies and views the rules were not
    tuned on)."""
    from simulator.suite import SPLITS

    names = list(SCENARIOS)
    tune, side, val = jobs(names, "tune"), jobs(names, "tune_side"), jobs(names, "validation")
    assert len(tune) == len(side) == len(val) == 3 * len(names)
    assert all(v.body not in (t.body, s.body) for t, s, v in zip(tune, side, val, strict=True))
    assert all(t.body != s.body for t, s in zip(tune, side, strict=True))
    assert {v.body for v in val} == set(SPLITS["tune"][0])
    other_views = {view for sp, (_, views) in SPLITS.items() if sp != "validation" for view in views}
    assert not other_views & set(SPLITS["validation"][1])
    assert {j.split for j in val} == {"validation"}


def test_client_visitor_and_props_in_labels(sim_clip):
    greet = json.loads((sim_clip("greet_raise_hand") / "labels.json").read_text())
    with_client = [f for f in greet["frames"] if f["client_present"]]
    assert with_client and all([p["role"] for p in f["persons"]] == ["clerk", "client"] for f in with_client)
    client = with_client[0]["persons"][1]
    assert client["keypoints_3d"][0][1] < -0.8  # the client's nose is across the desk's client edge
    chat = json.loads((sim_clip("chatting_visitor") / "labels.json").read_text())
    assert any("visitor" in [p["role"] for p in f["persons"]] for f in chat["frames"])
    clamp = json.loads((sim_clip("neck_clamp") / "labels.json").read_text())
    wheres = {f["props"]["phone"]["where"] for f in clamp["frames"]}
    assert "neck_R" in wheres and "absent" in wheres
    chair = json.loads((sim_clip("chair_left_out") / "labels.json").read_text())
    assert chair["frames"][0]["props"]["client_chair"]["where"] == "slot:client_chair"
    assert chair["frames"][-1]["props"]["client_chair"]["where"] == "floor"


def test_end_of_day_has_an_after_hours_wall_clock():
    from datetime import datetime, timedelta, timezone

    from simulator.clip import _wall_start

    ws = _wall_start(SCENARIOS["end_of_day_left"].wall_start)
    local = datetime.fromtimestamp(ws["unix"], timezone(timedelta(hours=8)))
    assert local.weekday() < 5 and (local.hour, local.minute) >= (17, 15)
    assert _wall_start(SCENARIOS["do_nothing"].wall_start) is None


# Rules of shared/RULES.md §1-6 with no simulated scenario, and why (docs/simulator.md lists them too).
NOT_SIMULATED = {"earphones", "smoke", "posture.legs", "smile"}


def test_every_visible_rule_has_a_positive_and_a_negative_scenario():
    """Positive: a violation, or an etiquette action performed; negative: a compliant look-alike, a
    near miss (a bow below 15 degrees) or, for etiquette rules, the action done wrong or missed."""
    from pipelines.catalogue import catalogue

    # §1-6 = every camera rule but appearance (§7 dress.*)
    rules = [r for r, info in catalogue().items() if info.camera and not r.startswith("dress.")]
    outcomes: dict[str, set[str]] = {}
    for sc in SCENARIOS.values():
        for lab in sc.labels:
            kind = "near_miss" if lab.detail.get("class") == "none" else lab.kind
            outcomes.setdefault(lab.rule, set()).add(kind)
    missing = {r for r in rules if r not in NOT_SIMULATED and len(outcomes.get(r, ())) < 2}
    assert not missing, f"rules without a positive and a negative scenario: {sorted(missing)}"
    assert not NOT_SIMULATED & set(outcomes)


def test_tune_sweep_split_uses_new_views_and_other_body_pairings():
    """tune_sweep shares no view with another split, and no scenario x view slot is played by the same body as in
    tune, tune_side or validation."""
    from simulator.suite import SPLITS

    names = list(SCENARIOS)
    by_split = {sp: jobs(names, sp) for sp in ("tune", "tune_side", "validation", "tune_sweep")}
    assert len(by_split["tune_sweep"]) == 3 * len(names)
    for other in ("tune", "tune_side", "validation"):
        assert all(a.body != b.body for a, b in zip(by_split["tune_sweep"], by_split[other], strict=True))
    other_views = {view for sp, (_, views) in SPLITS.items() if sp != "tune_sweep" for view in views}
    assert not other_views & set(SPLITS["tune_sweep"][1])


def test_diagnostic_scenarios_render_alone_and_are_in_no_split():
    from simulator.scenarios import DIAGNOSTIC

    assert DIAGNOSTIC and not set(DIAGNOSTIC) & set(SCENARIOS)  # `sim suite` renders SCENARIOS only
    for sc in DIAGNOSTIC.values():
        assert {lab.rule for lab in sc.labels} >= {"desk.personal_items", "desk.allowed_items"}


@pytest.mark.parametrize("split", ["heldout2", "heldout3"])
def test_a_later_held_out_split_has_its_own_bodies_and_views_and_plays_no_supporting_part(split):
    """heldout2 (session 23) and heldout3 (session 29) share no body and no view with another split, and their bodies
    never play a colleague, client or visitor, so adding them changed no earlier split's render."""
    from simulator.body import SUPPORTING_BODIES, body_ids
    from simulator.suite import SPLITS

    bodies, views = SPLITS[split]
    others = [sp for sp in SPLITS if sp != split]
    assert not set(bodies) & {b for sp in others for b in SPLITS[sp][0]}
    assert not set(views) & {v for sp in others for v in SPLITS[sp][1]}
    assert set(bodies) <= set(body_ids()) and not set(bodies) & set(SUPPORTING_BODIES)
    first = [sp for sp in SPLITS if sp not in ("heldout2", "heldout3")]
    assert set(SUPPORTING_BODIES) == {b for sp in first for b in SPLITS[sp][0]}
    assert {j.body for j in jobs(list(SCENARIOS), split)} == set(bodies)
