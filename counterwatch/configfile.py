"""Loading a YAML config file into a pydantic model, with errors that name the file, field and fix.

Every config of the product (counter calibration, edge, aggregator, scoring policy) loads through
`load_yaml_model`, so that a mistake reads the same way wherever it is made.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

_FIXES = {
    "extra_forbidden": "remove it or check its spelling",
    "missing": "add this field",
}


def format_validation_error(path: str | Path, exc: ValidationError) -> str:
    """One line per problem: the file, the dotted field path, what is wrong and how to fix it."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        fix = _FIXES.get(err["type"], "correct the value")
        lines.append(f"{path}: field '{where}': {err['msg']} (got {err.get('input')!r}). Fix: {fix}.")
    return "\n".join(lines)


def load_yaml_model(path: str | Path, model: type[M], error: type[ValueError], kind: str) -> M:
    """Read `path` as YAML and validate it as `model`; any problem raises `error` with a clear message.

    `kind` names the file for the messages, e.g. "counter calibration file".
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: file not found. Fix: pass the path of a {kind}.") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {kind} ({exc.strerror}).") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc}). Fix: check indentation and quoting.") from None
    if not isinstance(data, dict):
        raise error(f"{path}: a {kind} must be a mapping of fields.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(format_validation_error(path, exc)) from None
