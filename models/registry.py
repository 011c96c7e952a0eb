"""Install, verify and locate models. Nothing here downloads at run time: wrappers call
`require()`, which fails with the install command when a model is absent or corrupt."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from models.fetch import fetch_package, read_chain
from models.manifest import ModelSpec, Source, all_models, cache_dir, get_spec

State = Literal["installed", "missing", "checksum-mismatch"]


class ModelMissingError(RuntimeError):
    """A model is not installed (or fails its checksum). The message names the fix."""


@dataclass(slots=True)
class ModelStatus:
    id: str
    state: State
    path: str
    licence: str
    task: str
    source: str
    detail: str = ""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _installed_dist_file(source: Source, member: list[str]) -> Path | None:
    """The file inside the running env's copy of a PyPI package, when that package is installed at
    exactly the pinned version (MediaPipe's legacy solutions load their models from there)."""
    if source.registry != "pypi" or len(member) != 1:
        return None
    try:
        dist = importlib.metadata.distribution(source.package)
    except importlib.metadata.PackageNotFoundError:
        return None
    if dist.version != source.version:
        return None
    return Path(str(dist.locate_file(member[0])))


def model_file(spec: ModelSpec) -> Path:
    """Where the model's file lives (it may not exist yet)."""
    return _installed_dist_file(spec.source, spec.source.path) or cache_dir() / spec.id / spec.filename


def labels_file(spec: ModelSpec) -> Path | None:
    lf = spec.labels.file() if spec.labels else None
    if lf is None:
        return None
    return _installed_dist_file(spec.source, lf.path) or cache_dir() / spec.id / "labels.txt"


def deploy_target(spec: ModelSpec) -> Path | None:
    if spec.deploy is None:
        return None
    found = importlib.util.find_spec(spec.deploy.package)
    if found is None or not found.submodule_search_locations:
        return None
    return Path(next(iter(found.submodule_search_locations))) / spec.deploy.path


def _check(path: Path | None, sha: str) -> State:
    if path is None or not path.exists():
        return "missing"
    return "installed" if sha256_file(path) == sha else "checksum-mismatch"


def status(spec: ModelSpec) -> ModelStatus:
    path = model_file(spec)
    checks = [(_check(path, spec.source.sha256), f"model file {path}")]
    lf = spec.labels.file() if spec.labels else None
    if lf is not None:
        checks.append((_check(labels_file(spec), lf.sha256), f"labels file {labels_file(spec)}"))
    target = deploy_target(spec)
    if spec.deploy is not None:
        checks.append((_check(target, spec.source.sha256), f"copy in {spec.deploy.package} ({target})"))
    state: State = "installed"
    detail = ""
    for s, what in checks:
        if s != "installed":
            state, detail = s, f"{what}: {s}"
            break
    return ModelStatus(spec.id, state, str(path), spec.licence, spec.task, spec.source.spec, detail)


def install_command(model_id: str | None = None) -> str:
    return "counterwatch models install" + (f" {model_id}" if model_id else "")


@cache
def _verified(model_id: str, path: str, mtime_ns: int) -> bool:
    return status(get_spec(model_id)).state == "installed"


def require(model_id: str) -> ModelSpec:
    """The spec of an installed, verified model (and the models it needs), else ModelMissingError."""
    try:
        spec = get_spec(model_id)
    except KeyError as exc:
        raise ModelMissingError(str(exc.args[0])) from None
    path = model_file(spec)
    mtime = path.stat().st_mtime_ns if path.exists() else 0
    if not _verified(spec.id, str(path), mtime):
        st = status(spec)
        raise ModelMissingError(
            f"model '{model_id}' is not usable ({st.detail}). Fix: run `{install_command(model_id)}`"
        )
    for dep in spec.requires:
        require(dep)
    return spec


def read_labels(spec: ModelSpec) -> list[str]:
    """Labels by class index ('' where an indexed file skips an id)."""
    if spec.labels is None:
        return []
    if spec.labels.inline is not None:
        return list(spec.labels.inline)
    path = labels_file(spec)
    assert path is not None
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    if spec.labels.format == "plain":
        return lines
    by_id = {int(i): name.strip() for i, name in (ln.split(maxsplit=1) for ln in lines)}
    return [by_id.get(i, "") for i in range(max(by_id) + 1)]


def _with_requires(ids: Iterable[str]) -> list[ModelSpec]:
    out: dict[str, ModelSpec] = {}
    todo = list(ids)
    while todo:
        spec = get_spec(todo.pop(0))
        if spec.id not in out:
            out[spec.id] = spec
            todo += spec.requires
    return list(out.values())


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def install(ids: Iterable[str] = (), log: Callable[[str], None] = print) -> list[ModelStatus]:
    """Install the named models (all when none is named) with what they require. Idempotent: a
    model already present with the right sha256 is not fetched again."""
    ids = list(ids)
    specs = _with_requires(ids) if ids else [s for s in all_models() if s.source.registry != "local"]
    archives: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="counterwatch-fetch-") as tmp:
        for spec in specs:
            if status(spec).state == "installed":
                continue
            if spec.source.registry == "local":
                raise ModelMissingError(
                    f"model '{spec.id}' was imported from {spec.source.path[0]} and its copy is gone or "
                    f"corrupt. Fix: run `counterwatch models import {spec.source.path[0]}` again"
                )
            key = spec.source.spec
            if key not in archives:
                log(f"fetching {key} ({spec.source.registry})")
                archives[key] = fetch_package(spec.source, Path(tmp) / str(len(archives)))
            _install_one(spec, archives[key], log)
    return [status(s) for s in specs]


def _install_one(spec: ModelSpec, archive: Path, log: Callable[[str], None]) -> None:
    data = read_chain(archive, spec.source.path)
    got = hashlib.sha256(data).hexdigest()
    if got != spec.source.sha256:
        raise ModelMissingError(
            f"{spec.id}: {spec.source.spec} {' -> '.join(spec.source.path)} has sha256 {got}, the "
            f"manifest expects {spec.source.sha256}. The package changed upstream; do not use it."
        )
    targets = [model_file(spec)] + ([deploy_target(spec)] if spec.deploy else [])
    for target in targets:
        if target is None:
            raise ModelMissingError(f"{spec.id}: package '{spec.deploy.package}' is not importable")  # type: ignore[union-attr]
        if _check(target, spec.source.sha256) != "installed":
            _write_atomic(target, data)
    lf = spec.labels.file() if spec.labels else None
    if lf is not None:
        labels = read_chain(archive, lf.path)
        if hashlib.sha256(labels).hexdigest() != lf.sha256:
            raise ModelMissingError(f"{spec.id}: labels file {' -> '.join(lf.path)} fails its sha256")
        path = labels_file(spec)
        assert path is not None
        if _check(path, lf.sha256) != "installed":
            _write_atomic(path, labels)
    log(f"installed {spec.id} -> {model_file(spec)}")


def remove_cached(model_id: str) -> None:
    """Delete the cached copy of a model (tests; reinstalling fetches it again)."""
    shutil.rmtree(cache_dir() / model_id, ignore_errors=True)
