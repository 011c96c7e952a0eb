"""The board's report pages: the same electronic supervision report as `counterwatch report`."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from dashboards.web.app import _settings, _store, page_context, templates
from dashboards.web.security import client_ip, require_hall

router = APIRouter()
FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "scores.csv": "text/csv; charset=utf-8", "events.csv": "text/csv; charset=utf-8"}


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(request: Request, hall: str | None = None) -> Response:
    from dashboards.scoring import default_policy

    tz = default_policy().tz
    import datetime as dt

    today = dt.datetime.now(tz).date().isoformat()
    return templates.TemplateResponse(request, "reports.html", page_context(request, hall=hall, today=today))


def _policy(request: Request):  # type: ignore[no-untyped-def]
    from dashboards.scoring import default_policy, load_policy

    path = _settings(request).scoring_policy
    return load_policy(path) if path else default_policy()


@router.get("/reports/{hall_id}/{kind}/{filename}")
async def report(request: Request, hall_id: str, kind: str, filename: str) -> Response:
    """/reports/hall1/day/2025-11-20.html (or .pdf, .scores.csv, .events.csv)."""
    user = require_hall(request, hall_id)
    day, _, fmt = filename.partition(".")
    from dashboards.report import build_report, period_of, render_html, write_csv, write_pdf

    if fmt not in FORMATS:
        raise HTTPException(404, f"format '{fmt}': use one of {', '.join(FORMATS)}")
    try:
        period = period_of(kind, date.fromisoformat(day))
    except ValueError as exc:
        raise HTTPException(404, f"{exc}; the date is YYYY-MM-DD") from None
    store, settings = _store(request), _settings(request)

    def make() -> bytes:
        data = build_report(store, hall_id, period, _policy(request), settings.snapshot_dir)
        if fmt.endswith(".csv"):
            with tempfile.TemporaryDirectory() as tmp:
                scores, events = write_csv(data, Path(tmp), "r")
                return (scores if fmt == "scores.csv" else events).read_bytes()
        html = render_html(data)
        if fmt == "pdf":
            with tempfile.TemporaryDirectory() as tmp:
                return write_pdf(html, Path(tmp) / "r.pdf").read_bytes()
        return html.encode()

    body = await asyncio.get_running_loop().run_in_executor(None, make)
    request.app.state.auth.audit(user.username, "view_report", f"{hall_id}/{period.slug}", {"format": fmt},
                                 ip=client_ip(request))
    headers = {}
    if fmt != "html":
        headers["Content-Disposition"] = f'attachment; filename="report-{hall_id}-{period.slug}.{fmt}"'
    return Response(body, media_type=FORMATS[fmt], headers=headers)
