"""Admin pages: zone drawing (calibration), users, the scoring policy, and the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from calibration.config import CalibrationError, load_counter
from dashboards.auth import ROLES, AuthError
from dashboards.web.app import _settings, _store, page_context, templates
from dashboards.web.security import client_ip, current_user, require_admin
from dashboards.web.zones import ZONE_NAMES, counter_file, drawing_of, find_counter_files, save_drawing

router = APIRouter()


def _counter_file(request: Request, hall_id: str, counter_id: str) -> Path:
    found = counter_file(_settings(request).calibration_dir, hall_id, counter_id)
    if found is None:
        raise HTTPException(404, f"no calibration file for counter {hall_id}/{counter_id} in the calibration dir")
    return found.path


# ---- zone drawing --------------------------------------------------------------------------------


@router.get("/calibration", response_class=HTMLResponse)
async def calibration_list(request: Request) -> Response:
    require_admin(request)
    files = find_counter_files(_settings(request).calibration_dir)
    return templates.TemplateResponse(request, "calibration_list.html", page_context(request, files=files))


@router.get("/calibration/{hall_id}/{counter_id}", response_class=HTMLResponse)
async def calibration_page(request: Request, hall_id: str, counter_id: str) -> Response:
    require_admin(request)
    _counter_file(request, hall_id, counter_id)
    from calibration.config import SlotName

    return templates.TemplateResponse(request, "calibrate.html", page_context(
        request, hall=hall_id, counter_id=counter_id, zone_names=ZONE_NAMES, slot_names=list(SlotName.__args__),
    ))


@router.get("/api/calibration/{hall_id}/{counter_id}")
async def calibration_get(request: Request, hall_id: str, counter_id: str) -> dict[str, Any]:
    require_admin(request)
    path = _counter_file(request, hall_id, counter_id)
    try:
        cfg = load_counter(path)
    except CalibrationError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"path": str(path), **drawing_of(cfg)}


@router.post("/api/calibration/{hall_id}/{counter_id}")
async def calibration_save(request: Request, hall_id: str, counter_id: str) -> dict[str, Any]:
    """Body: {"zones": {"post": [[x, y], ...], ...}, "slots": [{"name", "polygon", "label"}]}.

    422 with the CLI's own validation messages when the drawing does not validate.
    """
    user = require_admin(request)
    path = _counter_file(request, hall_id, counter_id)
    body = await request.json()
    if not isinstance(body, dict):
        raise HTTPException(422, "send a JSON object with zones and slots")
    try:
        cfg = save_drawing(path, body)
    except CalibrationError as exc:
        raise HTTPException(422, str(exc)) from None
    request.app.state.auth.audit(user.username, "edit_calibration", f"{hall_id}/{counter_id}",
                                 {"zones": [z for z in ZONE_NAMES if getattr(cfg.zones, z)],
                                  "slots": [s.name for s in cfg.slots]}, ip=client_ip(request))
    return {"saved": str(path), **drawing_of(cfg)}


@router.get("/api/calibration/{hall_id}/{counter_id}/reference")
async def calibration_reference(request: Request, hall_id: str, counter_id: str) -> Response:
    """The counter's reference image, or else its latest evidence snapshot, to draw on."""
    require_admin(request)
    path = _counter_file(request, hall_id, counter_id)
    try:
        cfg = load_counter(path)
    except CalibrationError as exc:
        raise HTTPException(422, str(exc)) from None
    if cfg.reference_image and Path(cfg.reference_image).is_file():
        return FileResponse(cfg.reference_image)
    snapshot_dir = _settings(request).snapshot_dir
    if snapshot_dir is not None:
        from dashboards.store import EventFilter

        for row in _store(request).events(EventFilter(hall_id=hall_id, counter_ids=[counter_id], limit=50)):
            if row.snapshot:
                from dashboards.ingest import snapshot_path

                snap = snapshot_path(snapshot_dir, hall_id, counter_id, row.snapshot)
                if snap.is_file():
                    return FileResponse(snap, media_type="image/jpeg")
    raise HTTPException(404, "no reference image or snapshot for this counter yet")


# ---- users ---------------------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse)
async def users_page(request: Request) -> Response:
    require_admin(request)
    return templates.TemplateResponse(request, "users.html", page_context(
        request, users=request.app.state.auth.list_users(), roles=ROLES,
    ))


@router.post("/api/users")
async def create_user(request: Request) -> dict[str, Any]:
    admin = require_admin(request)
    body = await request.json()
    try:
        user = request.app.state.auth.create_user(
            str(body.get("username", "")), str(body.get("password", "")), str(body.get("role", "")),
            hall_id=body.get("hall_id") or None, display_name=body.get("display_name") or None,
        )
    except AuthError as exc:
        raise HTTPException(422, str(exc)) from None
    request.app.state.auth.audit(admin.username, "create_user", user.username, {"role": user.role},
                                 ip=client_ip(request))
    return {"username": user.username, "role": user.role, "hall_id": user.hall_id}


@router.post("/api/users/{username}")
async def update_user(request: Request, username: str) -> dict[str, Any]:
    admin = require_admin(request)
    body = await request.json()
    if username == admin.username and (body.get("disabled") or body.get("role") not in (None, "admin")):
        raise HTTPException(422, "you cannot disable or demote yourself; ask another admin")
    try:
        user = request.app.state.auth.update_user(
            username, password=body.get("password") or None, role=body.get("role") or None,
            hall_id=body.get("hall_id") or None, disabled=body.get("disabled"),
        )
    except AuthError as exc:
        raise HTTPException(422, str(exc)) from None
    detail = {k: ("changed" if k == "password" else v) for k, v in body.items()}
    request.app.state.auth.audit(admin.username, "update_user", username, detail, ip=client_ip(request))
    return {"username": user.username, "role": user.role, "hall_id": user.hall_id}


# ---- scoring policy ------------------------------------------------------------------------------


def _policy_path(request: Request) -> Path:
    from dashboards.config import DEFAULT_POLICY

    return _settings(request).scoring_policy or DEFAULT_POLICY


@router.get("/admin/policy", response_class=HTMLResponse)
async def policy_page(request: Request) -> Response:
    require_admin(request)
    path = _policy_path(request)
    return templates.TemplateResponse(request, "policy.html", page_context(
        request, path=str(path), text=path.read_text(encoding="utf-8") if path.is_file() else "",
    ))


@router.post("/api/policy")
async def policy_save(request: Request) -> dict[str, Any]:
    """Body: {"text": "<the policy YAML>"}; validated by the scoring module before it is written."""
    admin = require_admin(request)
    body = await request.json()
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise HTTPException(422, "send {\"text\": \"<policy YAML>\"}")
    path = _policy_path(request)
    version = _validate_policy(path, text)
    path.write_text(text, encoding="utf-8")
    request.app.state.auth.audit(admin.username, "edit_policy", str(path), {"version": version}, ip=client_ip(request))
    return {"saved": str(path), "version": version}


def _validate_policy(path: Path, text: str) -> str:
    import tempfile

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise HTTPException(422, f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or "version" not in data:
        raise HTTPException(422, f"{path}: the policy must be a mapping with a 'version'")
    try:
        from dashboards import scoring
    except ImportError:
        return str(data["version"])  # the scoring module is not there yet: YAML shape checked only
    loader = getattr(scoring, "load_policy", None)
    if loader is None:
        return str(data["version"])
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=True) as tmp:
        tmp.write(text)
        tmp.flush()
        try:
            policy = loader(Path(tmp.name))
        except Exception as exc:  # the loader names the field and the fix
            raise HTTPException(422, str(exc).replace(tmp.name, str(path))) from None
    return str(getattr(policy, "version", data["version"]))


# ---- audit ---------------------------------------------------------------------------------------


@router.get("/api/audit")
async def audit(request: Request, target: str | None = None, username: str | None = None,
                action: str | None = None) -> list[dict[str, Any]]:
    user = current_user(request)
    if user.role not in ("admin", "supervisor"):
        raise HTTPException(403, "the audit log is for supervisors and admins")
    return request.app.state.auth.audit_entries(target=target, username=username, action=action)
