"""The live board: a FastAPI app over the aggregator's Store.

    app = create_app(Store.open("sqlite:///cw.db"), BoardSettings(calibration_dir=Path("calib")))

Pages are server-rendered Jinja templates with plain JavaScript; live updates arrive as
server-sent events (/api/stream). Everything except the login page and the static CSS/JS needs a
session (see security.py); tests/test_board_auth.py walks every route to hold that.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from dashboards.auth import Auth, AuthError, LoginThrottled
from dashboards.store import EventFilter, FollowupError, Store
from dashboards.web import live, views
from dashboards.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    NotLoggedIn,
    client_ip,
    current_user,
    require_hall,
    require_session,
)
from pipelines.catalogue import CATEGORIES, catalogue

HERE = Path(__file__).parent


@dataclass
class BoardSettings:
    calibration_dir: Path | None = None  # counter YAML files the admin may edit (zone drawing)
    snapshot_dir: Path | None = None  # where ingest stores snapshot JPEGs (AggregatorConfig.snapshot_dir)
    scoring_policy: Path | None = None  # the policy file the admin may edit; None = the default policy
    report_dir: Path | None = None  # where generated reports are cached; None = render on request
    secure_cookies: bool = False  # set behind HTTPS
    poll_interval_s: float = 0.25
    session_ttl_s: float = 12 * 3600
    bcrypt_rounds: int = 12
    login_max_failures: int = 5
    login_window_s: float = 300.0
    extra_halls: list[str] = field(default_factory=list)


templates = Jinja2Templates(directory=str(HERE / "templates"))


def _fmt_time(ts: float | None) -> str:
    import datetime as dt

    return "" if ts is None else dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


templates.env.filters["ts"] = _fmt_time


def create_app(store: Store, settings: BoardSettings | None = None, auth: Auth | None = None) -> FastAPI:
    """The board app for one Store. `auth` defaults to users and sessions in the same database."""
    from dashboards.auth import LoginLimiter

    settings = settings or BoardSettings()
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await app.state.live.stop()

    app = FastAPI(title="CounterWatch board", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store = store
    app.state.settings = settings
    app.state.auth = auth or Auth(
        store.engine, session_ttl_s=settings.session_ttl_s, bcrypt_rounds=settings.bcrypt_rounds,
        limiter=LoginLimiter(settings.login_max_failures, settings.login_window_s),
    )
    app.state.live = live.LiveFeed(store, lambda row: views.event_view(row, store), settings.poll_interval_s)

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, _exc: NotLoggedIn) -> Response:
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        if wants_page:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return JSONResponse({"detail": "log in first"}, status_code=401)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"
        )
        if request.url.path != "/login" and not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(_public_router())
    protected = [Depends(require_session)]
    app.include_router(_board_router(), dependencies=protected)
    from dashboards.web import admin_routes, report_routes

    app.include_router(report_routes.router, dependencies=protected)
    app.include_router(admin_routes.router, dependencies=protected)
    from dashboards.web import pad_hook  # evaluator pads: their own Bearer-token auth, not a session

    app.include_router(pad_hook.router)
    return app


def _store(request: Request) -> Store:
    return request.app.state.store


def _settings(request: Request) -> BoardSettings:
    return request.app.state.settings


def visible_halls(request: Request) -> list[str]:
    user = current_user(request)
    from dashboards.web.zones import find_counter_files

    extra = list(_settings(request).extra_halls)
    extra += [f.hall_id for f in find_counter_files(_settings(request).calibration_dir)]
    if user.hall_id:
        extra.append(user.hall_id)
    return [h for h in views.halls(_store(request), extra) if user.can_read_hall(h)]


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    session = request.state.session
    return {"user": session.user, "csrf": session.csrf, "halls": visible_halls(request), **extra}


# ---- login ---------------------------------------------------------------------------------------


def _public_router() -> APIRouter:
    router = APIRouter()

    @router.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request, next: str = "/board", error: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        response = templates.TemplateResponse(
            request, "login.html", {"next": _safe_next(next), "error": error, "csrf": token}
        )
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=_settings(request).secure_cookies, max_age=3600)
        return response

    @router.post("/login")
    async def login(
        request: Request, username: str = Form(...), password: str = Form(...), csrf_token: str = Form(""),
        next: str = Form("/board"),
    ) -> Response:
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not secrets.compare_digest(cookie, csrf_token):
            raise HTTPException(403, "the login form expired; reload the page")
        auth: Auth = request.app.state.auth
        try:
            session = await asyncio.get_running_loop().run_in_executor(
                None, auth.login, username, password, client_ip(request)
            )
        except LoginThrottled as exc:
            return templates.TemplateResponse(
                request, "login.html", {"next": _safe_next(next), "error": str(exc), "csrf": csrf_token},
                status_code=429, headers={"Retry-After": str(int(exc.retry_after) + 1)},
            )
        except AuthError as exc:
            return templates.TemplateResponse(
                request, "login.html", {"next": _safe_next(next), "error": str(exc), "csrf": csrf_token},
                status_code=401,
            )
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="strict",
                            secure=_settings(request).secure_cookies, max_age=int(auth.session_ttl_s))
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    return router


def _safe_next(target: str) -> str:
    """Only same-site paths (no //host or scheme), so the login cannot redirect elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/board"


# ---- the board -----------------------------------------------------------------------------------


def _parse_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        import datetime as dt

        try:
            return dt.datetime.fromisoformat(value).timestamp()
        except ValueError:
            raise HTTPException(422, f"time '{value}': use ISO 8601 (2025-11-20T09:30) or unix seconds") from None


def _split(value: str | None) -> list[str] | None:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return items or None


def _board_router() -> APIRouter:
    router = APIRouter()

    @router.get("/")
    async def root() -> Response:
        return RedirectResponse("/board", status_code=303)

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        request.app.state.auth.logout(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @router.get("/board", response_class=HTMLResponse)
    async def board(request: Request, hall: str | None = None) -> Response:
        halls = visible_halls(request)
        user = current_user(request)
        hall = hall or user.hall_id or (halls[0] if halls else None)
        if hall is not None:
            require_hall(request, hall)
        rules = [{"id": r.rule_id, "zh": r.zh, "en": r.en} for r in catalogue().values()]
        return templates.TemplateResponse(request, "board.html", page_context(
            request, hall=hall, rules=rules, categories=CATEGORIES,
            can_follow_up=bool(hall) and user.can_follow_up(hall),
        ))

    @router.get("/api/board")
    async def board_state(request: Request, hall: str) -> dict[str, Any]:
        """Hall map, open follow-ups and false-alarm counts for one hall."""
        require_hall(request, hall)
        store, settings = _store(request), _settings(request)
        from dashboards.web.zones import find_counter_files

        known = [f.counter_id for f in find_counter_files(settings.calibration_dir) if f.hall_id == hall]
        now = time.time()
        open_rows = store.open_followups(hall)
        day_start = now - 24 * 3600
        day = store.events(EventFilter(hall_id=hall, outcomes=["violation"], since=day_start))
        closed = sum(1 for e in day if not e.is_open_followup)
        return {
            "hall": hall, "now": now,
            "counters": views.counter_tiles(store, hall, known),
            "open": [views.event_view(r, store, now) for r in open_rows],
            "false_alarms": store.false_alarm_counts(hall),
            "followup_rate_24h": {"violations": len(day), "closed": closed,
                                  "rate": (closed / len(day)) if day else None},
        }

    @router.get("/api/events")
    async def list_events(
        request: Request, hall: str, counter: str | None = None, staff: str | None = None,
        rule: str | None = None, category: str | None = None, status: str | None = None,
        outcome: str | None = None, since: str | None = None, until: str | None = None,
        limit: int = Query(100, ge=1, le=1000),
    ) -> list[dict[str, Any]]:
        """Events of a hall, newest first, with the board's filters (comma-separated lists)."""
        require_hall(request, hall)
        store = _store(request)
        flt = EventFilter(
            hall_id=hall, counter_ids=_split(counter), rule_ids=_split(rule), categories=_split(category),
            statuses=_split(status), outcomes=_split(outcome), staff_id=staff or None,
            since=_parse_time(since), until=_parse_time(until), limit=limit,
        )
        return [views.event_view(r, store) for r in store.events(flt)]

    @router.get("/api/events/{event_id}")
    async def event_detail(request: Request, event_id: str) -> dict[str, Any]:
        store = _store(request)
        row = store.event(event_id)
        if row is None:
            raise HTTPException(404, f"no event '{event_id}'")
        user = require_hall(request, row.hall_id)
        request.app.state.auth.audit(user.username, "view_event", event_id, ip=client_ip(request))
        data = views.event_view(row, store)
        data["history"] = [
            {"at": h.at, "actor": h.actor, "action": h.action, "from": h.from_status, "to": h.to_status,
             "comment": h.comment} for h in store.followup_history(event_id)
        ]
        data["seen_by"] = [
            {"at": a["at"], "username": a["username"]}
            for a in request.app.state.auth.audit_entries(target=event_id, action="view_event", limit=50)
        ]
        return data

    @router.post("/api/events/{event_id}/followup")
    async def follow_up(request: Request, event_id: str) -> dict[str, Any]:
        """Body: {"action": acknowledge|confirm|dismiss|rectify|reopen|comment, "comment": "..."}."""
        store = _store(request)
        row = store.event(event_id)
        if row is None:
            raise HTTPException(404, f"no event '{event_id}'")
        user = current_user(request)
        if not user.can_follow_up(row.hall_id):
            raise HTTPException(403, f"only hall {row.hall_id}'s manager or an admin may follow up this alert")
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise HTTPException(422, "send JSON: {\"action\": ..., \"comment\": ...}") from None
        action = str(body.get("action", ""))
        comment = body.get("comment") or None
        if comment is not None and (not isinstance(comment, str) or len(comment) > 2000):
            raise HTTPException(422, "comment: text of at most 2000 characters")
        if action == "assign":
            raise HTTPException(422, "assignment is not offered on the board; the first responder owns the alert")
        try:
            updated = store.follow_up(event_id, action, actor=user.username, comment=comment)
        except FollowupError as exc:
            raise HTTPException(409, str(exc)) from None
        request.app.state.auth.audit(user.username, "follow_up", event_id, {"action": action, "comment": comment},
                                     ip=client_ip(request))
        return views.event_view(updated, store)

    @router.get("/api/stream")
    async def stream(request: Request, hall: str) -> StreamingResponse:
        """Server-sent events for one hall: event, followup, status and availability changes."""
        require_hall(request, hall)
        feed: live.LiveFeed = request.app.state.live

        async def events() -> Any:
            yield "retry: 2000\n: connected\n\n"
            async with feed.subscribe() as q:
                while not await request.is_disconnected():
                    try:
                        change = await asyncio.wait_for(q.get(), timeout=15)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if change.hall_id == hall:
                        yield live.sse(change)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @router.get("/snapshots/{hall_id}/{counter_id}/{snapshot_file}")
    async def snapshot(request: Request, hall_id: str, counter_id: str, snapshot_file: str) -> Response:
        """An evidence snapshot (faces already blurred by the edge); logged in the audit."""
        user = require_hall(request, hall_id)
        from dashboards.ingest import _SAFE_ID, _SAFE_SNAPSHOT, snapshot_path

        snapshot_id = snapshot_file.removesuffix(".jpg")
        snapshot_dir = _settings(request).snapshot_dir
        if (snapshot_dir is None or not _SAFE_SNAPSHOT.match(snapshot_id) or not _SAFE_ID.match(hall_id)
                or not _SAFE_ID.match(counter_id)):
            raise HTTPException(404, "no such snapshot")
        path = snapshot_path(snapshot_dir, hall_id, counter_id, snapshot_id)
        if not path.is_file():
            raise HTTPException(404, "no such snapshot (not received yet, or pruned)")
        request.app.state.auth.audit(user.username, "view_snapshot", f"{hall_id}/{counter_id}/{snapshot_id}",
                                     ip=client_ip(request))
        return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})

    return router
