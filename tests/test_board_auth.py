"""Board auth: every route needs a login, roles, CSRF, rate limiting, hashing, the audit log."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select
from starlette.routing import Mount

from dashboards.auth import Auth, ensure_admin, users
from tests.fixtures.board import close_board_env, login, make_board_env, password_of

PUBLIC = {("/login", "GET"), ("/login", "POST")}


def all_routes(app):  # type: ignore[no-untyped-def]
    """app.routes flattened: FastAPI keeps included routers as nested entries."""
    out = []
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        out.extend(inner.routes if inner is not None else [route])
    return out


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


def test_no_route_serves_data_without_login(board_env):
    ev = board_env.violation("phone.use", "c01")
    today = dt.date.today().isoformat()
    values = {"hall_id": "hall1", "counter_id": "c01", "event_id": ev.id, "snapshot_file": f"{ev.snapshot}.jpg",
              "kind": "day", "filename": f"{today}.html", "username": "admin"}
    anon = board_env.client(None)
    admin = board_env.client("admin")
    checked = []
    for route in all_routes(board_env.app):
        if isinstance(route, Mount):
            assert route.path == "/static", f"unexpected mount {route.path}"
            static = route.app.directory
            files = [p.name for p in __import__("pathlib").Path(static).iterdir()]
            assert files and all(f.endswith((".css", ".js")) for f in files), files  # code and style, no data
            continue
        for method in sorted(route.methods - {"HEAD"}):
            if (route.path, method) in PUBLIC:
                continue
            url = fill(route.path, values) + "?hall=hall1"
            resp = anon.request(method, url, headers={"accept": "application/json"}, json={})
            assert resp.status_code == 401, f"{method} {route.path} answered {resp.status_code} without login"
            assert ev.id not in resp.text and b"\xff\xd8" not in resp.content[:4]
            if method == "GET":
                page = anon.get(url, headers={"accept": "text/html"}, follow_redirects=False)
                assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
                # The filled-in path is real: logged in, the same GET does not 404 on a missing id.
                if "stream" not in route.path:
                    assert admin.get(url).status_code in (200, 303), f"{route.path} with real ids"
            checked.append((method, route.path))
    assert len(checked) >= 20, checked
    assert ("GET", "/snapshots/{hall_id}/{counter_id}/{snapshot_file}") in checked
    # Path tricks do not escape the static directory.
    assert anon.get("/static/../board.db").status_code == 404
    assert anon.get("/static/%2e%2e/app.py").status_code == 404


def test_passwords_are_bcrypt_hashes(board_env):
    with board_env.store.engine.connect() as c:
        row = c.execute(select(users).where(users.c.username == "mgr1")).one()
    assert row.password_hash.startswith("$2b$") and password_of("mgr1") not in row.password_hash


def test_login_is_rate_limited_and_audited(board_env):
    client = board_env.client(None)
    for _ in range(5):
        assert login(client, "mgr1", "wrong-password").status_code == 401
    blocked = login(client, "mgr1", password_of("mgr1"))  # right password, but too many failures
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    failed = board_env.app.state.auth.audit_entries(action="login_failed")
    assert len(failed) == 5 and all(e["username"] == "mgr1" for e in failed)


def test_login_form_needs_its_csrf_cookie_and_redirects_only_locally(board_env):
    client = board_env.client(None)
    resp = client.post("/login", data={"username": "mgr1", "password": password_of("mgr1"), "csrf_token": "x"})
    assert resp.status_code == 403
    page = client.get("/login?next=//evil.example/x")
    assert 'value="/board"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    resp = client.post("/login", data={"username": "mgr1", "password": password_of("mgr1"), "csrf_token": token,
                                       "next": "//evil.example/x"}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/board"
    cookie = resp.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_state_changes_need_the_session_csrf_token(board_env):
    ev = board_env.violation("phone.use", "c01")
    mgr = board_env.client("mgr1")
    url = f"/api/events/{ev.id}/followup"
    assert mgr.post(url, json={"action": "acknowledge"}).status_code == 403
    assert mgr.post(url, json={"action": "acknowledge"}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert board_env.store.event(ev.id).status == "open"
    assert mgr.post(url, json={"action": "acknowledge"}, headers=mgr.csrf_header).status_code == 200
    assert board_env.store.event(ev.id).status == "acknowledged"


def test_roles(board_env):
    e1 = board_env.violation("phone.use", "c01", hall_id="hall1")
    e2 = board_env.violation("eat.food", "c07", hall_id="hall2")
    today = dt.date.today().isoformat()
    mgr1, mgr2, sup, admin = (board_env.client(u) for u in ("mgr1", "mgr2", "sup", "admin"))
    # A hall manager reads and follows up their own hall only.
    assert [e["id"] for e in mgr1.get("/api/events?hall=hall1").json()] == [e1.id]
    assert mgr1.get("/api/events?hall=hall2").status_code == 403
    assert mgr1.get(f"/api/events/{e2.id}").status_code == 403
    assert mgr1.get(f"/snapshots/hall2/c07/{e2.snapshot}.jpg").status_code == 403
    assert mgr1.get(f"/reports/hall2/day/{today}.html").status_code == 403
    assert mgr2.post(f"/api/events/{e1.id}/followup", json={"action": "acknowledge"},
                     headers=mgr2.csrf_header).status_code == 403
    assert mgr1.get("/calibration").status_code == 403
    # The supervisor reads every hall and the reports, but follows nothing up and edits nothing.
    assert sup.get("/api/events?hall=hall2").json()[0]["id"] == e2.id
    assert sup.get(f"/reports/hall2/day/{today}.html").status_code == 200
    assert sup.post(f"/api/events/{e1.id}/followup", json={"action": "acknowledge"},
                    headers=sup.csrf_header).status_code == 403
    assert sup.post("/api/calibration/hall1/c01", json={"zones": {}}, headers=sup.csrf_header).status_code == 403
    assert sup.post("/api/users", json={"username": "x", "password": "12345678", "role": "admin"},
                    headers=sup.csrf_header).status_code == 403
    # The admin manages users; a new hall manager can log in right away.
    resp = admin.post("/api/users", json={"username": "mgr3", "password": "mgr3-pass-1", "role": "hall_manager",
                                          "hall_id": "hall2"}, headers=admin.csrf_header)
    assert resp.status_code == 200
    assert admin.post("/api/users", json={"username": "bad", "password": "12345678", "role": "hall_manager"},
                      headers=admin.csrf_header).status_code == 422  # a hall manager needs a hall
    assert login(board_env.client(None), "mgr3", "mgr3-pass-1").status_code == 303


def test_disabling_a_user_ends_their_sessions(board_env):
    mgr = board_env.client("mgr1")
    assert mgr.get("/api/board?hall=hall1").status_code == 200
    admin = board_env.client("admin")
    assert admin.post("/api/users/mgr1", json={"disabled": True}, headers=admin.csrf_header).status_code == 200
    assert mgr.get("/api/board?hall=hall1").status_code == 401
    assert login(board_env.client(None), "mgr1", password_of("mgr1")).status_code == 401


def test_logout(board_env):
    mgr = board_env.client("mgr1")
    csrf = mgr.csrf_header["X-CSRF-Token"]
    assert mgr.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert mgr.get("/api/board?hall=hall1").status_code == 401


def test_audit_records_who_saw_and_who_followed_up(board_env):
    ev = board_env.violation("phone.use", "c01")
    mgr, sup = board_env.client("mgr1"), board_env.client("sup")
    assert sup.get(f"/api/events/{ev.id}").status_code == 200
    assert mgr.get(f"/snapshots/hall1/c01/{ev.snapshot}.jpg").content[:2] == b"\xff\xd8"
    mgr.post(f"/api/events/{ev.id}/followup", json={"action": "dismiss", "comment": "a pen, not a phone"},
             headers=mgr.csrf_header)
    detail = sup.get(f"/api/events/{ev.id}").json()
    assert [s["username"] for s in detail["seen_by"]] == ["sup", "sup"]
    assert [(h["actor"], h["action"], h["to"]) for h in detail["history"]] == [("mgr1", "dismiss", "dismissed")]
    log = sup.get("/api/audit").json()
    actions = {(e["username"], e["action"]) for e in log}
    assert {("sup", "view_event"), ("mgr1", "view_snapshot"), ("mgr1", "follow_up"), ("mgr1", "login")} <= actions
    assert mgr.get("/api/audit").status_code == 403


def test_ensure_admin_creates_one_admin_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    password = ensure_admin(url, bcrypt_rounds=4)
    assert password and len(password) >= 12
    assert ensure_admin(url, bcrypt_rounds=4) is None
    from dashboards.store import make_engine

    session = Auth(make_engine(url), bcrypt_rounds=4).login("admin", password)
    assert session.user.is_admin


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_login_and_follow_up_on_both_databases(db, tmp_path, request):
    url = None if db == "sqlite" else request.getfixturevalue("postgres_url")
    env = make_board_env(tmp_path, url)
    try:
        ev = env.violation("posture.dozing", "c01")
        mgr = env.client("mgr1")
        resp = mgr.post(f"/api/events/{ev.id}/followup", json={"action": "confirm", "comment": "seen on patrol"},
                        headers=mgr.csrf_header)
        assert resp.status_code == 200 and resp.json()["status"] == "confirmed" and resp.json()["owner"] == "mgr1"
    finally:
        close_board_env(env)
