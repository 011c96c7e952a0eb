"""Board API: follow-up workflow, filters, hall map, live changes, zone drawing and the policy editor."""

from __future__ import annotations

import time

import yaml

from calibration.config import CalibrationError, load_counter
from dashboards.roster import Span, import_spans
from dashboards.web.live import LiveFeed, sse
from dashboards.web.views import event_view


def test_follow_up_workflow_and_false_alarm_feedback(board_env):
    ev = board_env.violation("phone.use", "c01")
    other = board_env.violation("phone.use", "c02")
    mgr = board_env.client("mgr1")
    state = mgr.get("/api/board?hall=hall1").json()
    assert {e["id"] for e in state["open"]} == {ev.id, other.id}
    assert all(e["open_for_s"] >= 0 for e in state["open"])
    url = f"/api/events/{ev.id}/followup"
    acked = mgr.post(url, json={"action": "acknowledge"}, headers=mgr.csrf_header).json()
    assert acked["status"] == "acknowledged" and acked["owner"] == "mgr1" and acked["acknowledged_at"]
    dismissed = mgr.post(url, json={"action": "dismiss", "comment": "a calculator, not a phone"},
                         headers=mgr.csrf_header).json()
    assert dismissed["status"] == "dismissed" and dismissed["comment"] == "a calculator, not a phone"
    # Not allowed from a closed status: a clear 409, nothing changes.
    resp = mgr.post(url, json={"action": "acknowledge"}, headers=mgr.csrf_header)
    assert resp.status_code == 409 and "dismissed" in resp.json()["detail"]
    state = mgr.get("/api/board?hall=hall1").json()
    assert [e["id"] for e in state["open"]] == [other.id]  # still waiting (§6.5.2.1)
    assert state["false_alarms"] == {"phone.use": 1}
    assert state["followup_rate_24h"] == {"violations": 2, "closed": 1, "rate": 0.5}
    assert mgr.post(url, json={"action": "fly"}, headers=mgr.csrf_header).status_code == 409


def test_filters(board_env):
    t0 = time.time() - 3600
    a = board_env.violation("phone.use", "c01", start=t0)
    b = board_env.violation("eat.food", "c02", start=t0 + 600)
    c = board_env.violation("dress.badge", "c02", start=t0 + 1200)
    import_spans(board_env.store, [Span("hall1", "c02", "zhang.wei", t0 + 300, None)])
    mgr = board_env.client("mgr1")

    def ids(query: str) -> set[str]:
        resp = mgr.get(f"/api/events?hall=hall1&{query}")
        assert resp.status_code == 200, resp.text
        return {e["id"] for e in resp.json()}

    assert ids("counter=c02") == {b.id, c.id}
    assert ids("rule=phone.use") == {a.id}
    assert ids("category=仪容仪表") == {c.id}
    assert ids("staff=zhang.wei") == {b.id, c.id}
    assert ids(f"since={t0 + 300}&until={t0 + 900}") == {b.id}
    mgr.post(f"/api/events/{b.id}/followup", json={"action": "rectify"}, headers=mgr.csrf_header)
    assert ids("status=open,acknowledged") == {a.id, c.id}
    assert mgr.get("/api/events?hall=hall1&since=yesterday").status_code == 422
    shown = mgr.get(f"/api/events/{c.id}").json()
    assert (shown["rule_zh"], shown["rule_en"], shown["staff_id"]) == ("未佩戴工牌", "Work badge", "zhang.wei")
    assert shown["clause"].startswith("003 A.2.2")


def test_hall_map_shows_live_states_edge_offline_and_open_alerts(board_env):
    board_env.status("c01", "serving")
    board_env.status("c02", "paused")
    board_env.status("c03", "camera_offline")
    board_env.violation("phone.use", "c01")
    mgr = board_env.client("mgr1")
    tiles = {t["counter_id"]: t for t in mgr.get("/api/board?hall=hall1").json()["counters"]}
    assert {k: t["state"] for k, t in tiles.items()} == {"c01": "serving", "c02": "paused", "c03": "camera_offline"}
    assert tiles["c01"]["open_alerts"] == 1 and tiles["c02"]["open_alerts"] == 0
    board_env.publish("counterwatch/hall1/_edge/edge-hall1/availability", "offline")  # the Last Will
    tiles = {t["counter_id"]: t for t in mgr.get("/api/board?hall=hall1").json()["counters"]}
    assert tiles["c01"]["state"] == "edge_offline" and tiles["c01"]["state_en"] == "Edge offline"


def test_live_feed_reports_new_events_follow_ups_and_status(board_env):
    feed = LiveFeed(board_env.store, lambda row: event_view(row, board_env.store))
    assert feed.poll() == []
    ev = board_env.violation("posture.dozing", "c01")
    board_env.status("c01", "serving")
    changes = feed.poll()
    kinds = sorted(c.kind for c in changes)
    assert kinds == ["event", "status"]
    event = next(c for c in changes if c.kind == "event")
    assert event.data["id"] == ev.id and event.data["rule_zh"] == "打瞌睡"
    assert feed.poll() == []  # nothing new: nothing sent twice
    board_env.publish("counterwatch/hall1/c01/events", ev.next("update", evidence={"duration_s": 95.0}).to_json())
    [update] = feed.poll()
    assert update.data["revision"] == 1 and update.data["evidence"] == {"duration_s": 95.0}
    board_env.store.follow_up(ev.id, "acknowledge", actor="mgr1")
    [followup] = feed.poll()
    assert followup.kind == "followup" and followup.data["followup"]["actor"] == "mgr1"
    text = sse(followup)
    assert text.startswith("event: followup\ndata: {") and text.endswith("\n\n") and "\n" not in text[22:-2]


def _calibration_file(board_env):
    return board_env.calibration_dir / "c01.yaml"


def test_zone_drawing_is_saved_into_the_yaml_and_validated(board_env):
    admin = board_env.client("admin")
    before = admin.get("/api/calibration/hall1/c01").json()
    assert before["width"] == 640 and before["zones"]["desk"][0] == [0.0, 234.0]
    drawing = {
        "zones": {"post": [[150, 10], [490, 10], [490, 250], [150, 250]], "desk": before["zones"]["desk"]},
        "slots": [{"name": "evaluator_pad", "label": "评价器", "polygon": [[500, 260], [600, 260], [600, 330]]}],
    }
    resp = admin.post("/api/calibration/hall1/c01", json=drawing, headers=admin.csrf_header)
    assert resp.status_code == 200, resp.text
    cfg = load_counter(_calibration_file(board_env))
    assert cfg.zones.post == [(150.0, 10.0), (490.0, 10.0), (490.0, 250.0), (150.0, 250.0)]
    assert cfg.slots[0].name == "evaluator_pad" and cfg.slots[0].label == "评价器"
    assert cfg.reference_image.endswith("c01-ref.jpg") and cfg.camera.width == 640  # other fields kept
    assert admin.get("/api/calibration/hall1/c01/reference").content[:2] == b"\xff\xd8"
    audit = board_env.app.state.auth.audit_entries(action="edit_calibration")
    assert audit[0]["username"] == "admin" and audit[0]["target"] == "hall1/c01"


def test_invalid_drawing_is_refused_with_the_cli_message_and_the_file_is_untouched(board_env, tmp_path):
    admin = board_env.client("admin")
    path = _calibration_file(board_env)
    original = path.read_text(encoding="utf-8")
    bad = {"zones": {"post": [[1.5, 1.0], [2.0, 2.5]]},
           "slots": [{"name": "coffee_mug", "polygon": [[1.0, 1.0], [2.0, 2.0], [3.0, 1.0]]}]}
    resp = admin.post("/api/calibration/hall1/c01", json=bad, headers=admin.csrf_header)
    assert resp.status_code == 422
    assert path.read_text(encoding="utf-8") == original
    # The CLI's loader on the same content says the same thing.
    data = yaml.safe_load(original)
    data["zones"] = bad["zones"]
    data["slots"] = bad["slots"]
    cli_file = tmp_path / "c01.yaml"
    cli_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        load_counter(cli_file)
        raise AssertionError("the CLI loader accepted an invalid file")
    except CalibrationError as exc:
        cli_message = str(exc).replace(str(cli_file), str(path))
    assert resp.json()["detail"] == cli_message
    assert "zones.post" in cli_message and "slots.0.name" in cli_message
    assert admin.post("/api/calibration/hall1/nope", json={}, headers=admin.csrf_header).status_code == 404


def test_policy_editor_validates_before_saving(board_env, tmp_path):
    from dashboards.config import DEFAULT_POLICY

    policy = tmp_path / "policy.yaml"
    policy.write_text(DEFAULT_POLICY.read_text(encoding="utf-8"), encoding="utf-8")
    board_env.app.state.settings.scoring_policy = policy
    admin = board_env.client("admin")
    text = policy.read_text(encoding="utf-8")
    broken = text.replace("base: 100", "base: -5")
    resp = admin.post("/api/policy", json={"text": broken}, headers=admin.csrf_header)
    assert resp.status_code == 422 and "base" in resp.json()["detail"]
    assert policy.read_text(encoding="utf-8") == text
    changed = text.replace('version: "2025.1"', 'version: "2025.2"')
    resp = admin.post("/api/policy", json={"text": changed}, headers=admin.csrf_header)
    assert resp.status_code == 200 and resp.json()["version"] == "2025.2"
    assert 'version: "2025.2"' in policy.read_text(encoding="utf-8")
