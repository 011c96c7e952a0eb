"""HTTP hook for the evaluator-pad login/logout (the roster), for pads that speak HTTP, not MQTT.

    POST /hooks/pad/{hall_id}/login
    Authorization: Bearer <token>
    {"counter_id": "c05", "staff_id": "s1023", "action": "login", "time": 1740790800.0}

The body is a `pipelines.messages.StaffLogin`; it is applied exactly like the MQTT `…/staff` message
(dashboards/roster.apply_login, idempotent). The pads are machines, not board users, so the hook does
not use the board's session: it needs the shared token, compared in constant time, and answers 401
without it, also while no token is configured (the hook is then off). The token comes from
`app.state.pad_token`, else the environment: COUNTERWATCH_PAD_TOKEN or COUNTERWATCH_PAD_TOKEN_FILE.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import ValidationError

from dashboards import roster
from dashboards.ingest import _SAFE_ID  # the same plain-id rule as the MQTT staff message
from pipelines.messages import StaffLogin, decode

log = logging.getLogger("counterwatch.board.pad_hook")

MIN_TOKEN_CHARS = 16
MAX_BODY_BYTES = 4096


def configured_token(request: Request) -> str | None:
    token = getattr(request.app.state, "pad_token", None) or os.environ.get("COUNTERWATCH_PAD_TOKEN")
    path = os.environ.get("COUNTERWATCH_PAD_TOKEN_FILE")
    if not token and path:
        try:
            token = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            log.error("COUNTERWATCH_PAD_TOKEN_FILE %s cannot be read (%s): the pad hook is off", path, exc.strerror)
    if token and len(token) < MIN_TOKEN_CHARS:
        log.error("the pad hook token is shorter than %d characters: the hook is off", MIN_TOKEN_CHARS)
        return None
    return token or None


def require_pad_token(request: Request) -> None:
    """The hook's own auth: a Bearer token equal to the configured one; 401 otherwise."""
    expected = configured_token(request)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if expected is None or scheme.lower() != "bearer" or not secrets.compare_digest(given.strip(), expected):
        raise HTTPException(401, "pad hook: missing or wrong token", headers={"WWW-Authenticate": "Bearer"})


router = APIRouter(dependencies=[Depends(require_pad_token)])


@router.post("/hooks/pad/{hall_id}/login")
async def pad_login(hall_id: str, request: Request) -> dict[str, object]:
    if not _SAFE_ID.match(hall_id):
        raise HTTPException(422, f"hall id {hall_id[:80]!r} is not a plain id (A-Z a-z 0-9 _ . : -)")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(413, f"body of {len(body)} bytes > {MAX_BODY_BYTES}")
    try:
        msg: StaffLogin = decode(StaffLogin, body)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(body)"
        raise HTTPException(422, f"StaffLogin: {where}: {err['msg']}") from None
    if not _SAFE_ID.match(msg.counter_id) or not _SAFE_ID.match(msg.staff_id):
        raise HTTPException(422, "counter_id and staff_id must be plain ids (A-Z a-z 0-9 _ . : -, 1-64)")
    if not math.isfinite(msg.time):
        raise HTTPException(422, "time must be a finite number (unix seconds)")
    store = request.app.state.store

    def apply() -> None:
        with store.engine.begin() as conn:
            roster.apply_login(store, conn, hall_id, msg)

    await asyncio.get_running_loop().run_in_executor(None, apply)  # the database call off the event loop
    log.info("pad %s: %s %s at %s/%s", msg.action, msg.staff_id, msg.time, hall_id, msg.counter_id)
    return {"ok": True, "hall_id": hall_id, "counter_id": msg.counter_id, "staff_id": msg.staff_id,
            "action": msg.action}
