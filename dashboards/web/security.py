"""Request-level auth for the board: the session cookie, CSRF checks and role guards.

Every router except the login page depends on `require_session`; an anonymous request gets a
redirect to /login (pages) or 401 (API, snapshots, downloads). State-changing requests must echo
the session's CSRF token in the `X-CSRF-Token` header or a `csrf_token` form field.
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request

from dashboards.auth import Auth, Session, User

SESSION_COOKIE = "cw_session"
LOGIN_CSRF_COOKIE = "cw_login_csrf"


class NotLoggedIn(Exception):
    """Raised by require_session; turned into a redirect or a 401 by the app's handler."""


def auth_of(request: Request) -> Auth:
    return request.app.state.auth


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "-"


async def require_session(request: Request) -> Session:
    session = auth_of(request).session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotLoggedIn()
    request.state.session = session
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        await _check_csrf(request, session.csrf)
    return session


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get("csrf_token")  # starlette caches the parsed form
    if not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page")


def current_user(request: Request) -> User:
    return request.state.session.user


def require_admin(request: Request) -> User:
    user = current_user(request)
    if not user.is_admin:
        raise HTTPException(403, "only an admin may do this")
    return user


def require_hall(request: Request, hall_id: str) -> User:
    user = current_user(request)
    if not user.can_read_hall(hall_id):
        raise HTTPException(403, f"you may not read hall '{hall_id}'")
    return user
