"""serve() + ensure_admin(): what the demo and `counterwatch aggregator board` use."""

from __future__ import annotations

import re

import httpx

from dashboards.auth import ensure_admin
from dashboards.web import serve
from dashboards.web.app import BoardSettings
from tests.fixtures.board import free_port


def test_serve_in_a_thread_and_log_in_with_the_first_admin_password(tmp_path):
    url = f"sqlite:///{tmp_path / 'cw.db'}"
    password = ensure_admin(url, bcrypt_rounds=4)
    server = serve(url, port=free_port(), block=False, settings=BoardSettings(bcrypt_rounds=4))
    try:
        assert server.url.startswith("http://localhost:")
        base = server.url.rstrip("/").replace("localhost", "127.0.0.1")
        with httpx.Client(base_url=base, follow_redirects=True) as client:
            assert client.get("/api/board?hall=hall1").status_code == 401
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            resp = client.post("/login", data={"username": "admin", "password": password, "csrf_token": token,
                                               "next": "/board"})
            assert resp.status_code == 200 and "管理员 Admin" in resp.text  # followed the redirect to /board
    finally:
        server.stop()
    assert not server.thread.is_alive()
