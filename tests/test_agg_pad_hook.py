"""The evaluator-pad HTTP hook: a Bearer token, a validated StaffLogin, the same roster as MQTT logins."""

from __future__ import annotations

import pytest

TOKEN = "pad-secret-0123456789abcdef"
URL = "/hooks/pad/hall1/login"


def body(staff: str = "s1023", action: str = "login", at: float = 1_740_790_800.0, counter: str = "c05") -> dict:
    return {"counter_id": counter, "staff_id": staff, "action": action, "time": at}


@pytest.fixture
def pad(board_env, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("COUNTERWATCH_PAD_TOKEN", raising=False)
    monkeypatch.delenv("COUNTERWATCH_PAD_TOKEN_FILE", raising=False)
    board_env.app.state.pad_token = TOKEN
    return board_env


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_then_logout_fill_the_roster(pad) -> None:  # type: ignore[no-untyped-def]
    client = pad.client(None)
    assert client.post(URL, json=body(), headers=bearer(TOKEN)).status_code == 200
    assert client.post(URL, json=body(), headers=bearer(TOKEN)).status_code == 200  # a retry changes nothing
    assert pad.store.staff_at("hall1", "c05", 1_740_790_900.0) == "s1023"
    resp = client.post(URL, json=body(action="logout", at=1_740_794_400.0), headers=bearer(TOKEN))
    assert resp.status_code == 200 and resp.json()["action"] == "logout"
    spans = pad.store.roster_spans("hall1")
    assert [(s["staff_id"], s["start_time"], s["end_time"], s["source"]) for s in spans] == [
        ("s1023", 1_740_790_800.0, 1_740_794_400.0, "pad")]
    assert pad.store.staff_at("hall1", "c05", 1_740_795_000.0) is None


@pytest.mark.parametrize("headers", [{}, bearer("wrong-token-0123456789"), {"Authorization": TOKEN},
                                     bearer(TOKEN[:-1])])
def test_no_token_or_a_wrong_one_is_refused(pad, headers) -> None:  # type: ignore[no-untyped-def]
    resp = pad.client(None).post(URL, json=body(), headers=headers)
    assert resp.status_code == 401 and resp.headers["www-authenticate"] == "Bearer"
    assert pad.store.roster_spans("hall1") == []


def test_a_board_session_is_not_a_pad_token(pad) -> None:  # type: ignore[no-untyped-def]
    admin = pad.client("admin")
    assert admin.post(URL, json=body(), headers=admin.csrf_header).status_code == 401
    assert pad.store.roster_spans("hall1") == []


def test_the_hook_is_off_without_a_configured_token(board_env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("COUNTERWATCH_PAD_TOKEN", raising=False)
    monkeypatch.delenv("COUNTERWATCH_PAD_TOKEN_FILE", raising=False)
    client = board_env.client(None)
    assert client.post(URL, json=body(), headers=bearer("")).status_code == 401
    board_env.app.state.pad_token = "short"  # too short to be a secret: still off
    assert client.post(URL, json=body(), headers=bearer("short")).status_code == 401
    monkeypatch.setenv("COUNTERWATCH_PAD_TOKEN", TOKEN)
    board_env.app.state.pad_token = None
    assert client.post(URL, json=body(), headers=bearer(TOKEN)).status_code == 200


@pytest.mark.parametrize(("payload", "needle"), [
    (body(action="sit"), "action"),
    ({"counter_id": "c05", "staff_id": "s1"}, "action"),
    (body(staff="../etc"), "plain ids"),
    (body(counter="c 05"), "plain ids"),
    ({**body(), "time": "yesterday"}, "time"),
])
def test_bad_bodies_are_refused_with_the_field(pad, payload, needle) -> None:  # type: ignore[no-untyped-def]
    resp = pad.client(None).post(URL, json=payload, headers=bearer(TOKEN))
    assert resp.status_code == 422 and needle in resp.json()["detail"]
    assert pad.store.roster_spans("hall1") == []


def test_bad_hall_and_oversized_bodies(pad) -> None:  # type: ignore[no-untyped-def]
    client = pad.client(None)
    assert client.post("/hooks/pad/hall%201/login", json=body(), headers=bearer(TOKEN)).status_code == 422
    big = {**body(), "pad": "x" * 5000}
    assert client.post(URL, json=big, headers=bearer(TOKEN)).status_code == 413
