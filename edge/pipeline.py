"""The seam between the edge runtime and the per-counter pipeline (frames -> Observation -> Events).

The runtime accepts any object that satisfies `CounterPipeline`. Optional methods it uses when present:
`camera_lost(t_wall)` (same return as `process`) on every analysis tick while the camera is down,
`finish() -> list[Event]` on shutdown, then `close()` (release per-camera models), `on_queue_call(QueueCall)`
and `on_terminal(TerminalState)`.
The real one comes from
`pipelines.pipeline.make_pipeline(counter_cfg, models=...)` (imported lazily); an edge config may name
another factory as "module:function" in `pipeline_factory` (tests use a deterministic fake).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from calibration.config import CounterConfig
from pipelines.events import Event
from pipelines.messages import CounterStatus, QueueCall, TerminalState
from vision.observation import Observation

DEFAULT_FACTORY = "pipelines.pipeline:make_pipeline"


@runtime_checkable
class CounterPipeline(Protocol):
    def process(self, frame_bgr: np.ndarray, t_wall: float) -> tuple[Observation, list[Event], CounterStatus | None]:
        """Analyse one frame; return what was perceived, the event messages to publish, and the counter's
        status when it changed (None: unchanged)."""
        ...


def deliver_inbound(pipeline: Any, message: QueueCall | TerminalState) -> bool:
    """Pass a queue call / terminal switch to a pipeline that wants it (optional `on_queue_call`,
    `on_terminal` methods). Returns whether the pipeline took it."""
    name = "on_queue_call" if isinstance(message, QueueCall) else "on_terminal"
    fn = getattr(pipeline, name, None)
    if fn is None:
        return False
    fn(message)
    return True


def load_factory(spec: str | None) -> Callable[..., CounterPipeline]:
    """Import "module:function". A clear error when the module or function is missing."""
    spec = spec or DEFAULT_FACTORY
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"pipeline factory {spec!r}: module {exc.name!r} is not importable. Fix: set pipeline_factory in "
            "the edge config to an importable 'module:function'."
        ) from None
    fn = getattr(module, attr or "make_pipeline", None)
    if fn is None:
        raise RuntimeError(f"pipeline factory {spec!r}: {module_name} has no function {attr!r}.")
    return fn


# The default pipeline's settings in service, under the edge config's `pipeline_settings`: the desk stage runs on its
# own niced thread, holding no analysis slot (pipelines/background.py); offline it stays inline and replayable.
EDGE_SETTINGS: dict[str, Any] = {"desk_background": True}


def make_pipeline(counter_cfg: CounterConfig, factory: str | None = None, models: Any = None,
                  settings: dict[str, Any] | None = None) -> CounterPipeline:
    """Build one counter's pipeline; `models` are shared model instances passed to every counter; `settings`
    (the edge config's `pipeline_settings`) are validated into the default pipeline's PipelineSettings."""
    fn = load_factory(factory)
    kwargs: dict[str, Any] = {"models": models} if "models" in inspect.signature(fn).parameters else {}
    if factory in (None, DEFAULT_FACTORY):
        settings = {**EDGE_SETTINGS, **(settings or {})}
    if settings:
        kwargs["settings"] = make_settings(settings, factory)
    pipe = fn(counter_cfg, **kwargs)
    if not isinstance(pipe, CounterPipeline):
        raise TypeError(f"{factory or DEFAULT_FACTORY} returned {type(pipe).__name__}, which has no process() method")
    engine = getattr(pipe, "engine", None)
    if engine is not None and hasattr(engine, "isolate_failures"):
        engine.isolate_failures = True  # in service a failing rule is taken out alone, not the counter's pipeline
    return pipe


def make_settings(settings: dict[str, Any], factory: str | None = None) -> Any:
    """The edge config's `pipeline_settings` as the default pipeline's PipelineSettings; a ValueError that
    names the field and the fix when they do not validate."""
    if factory not in (None, DEFAULT_FACTORY):
        raise ValueError(f"field 'pipeline_settings' applies to {DEFAULT_FACTORY} only, not to {factory}. "
                         "Fix: remove pipeline_settings from the edge config.")
    from pydantic import ValidationError

    from pipelines.pipeline import PipelineSettings

    try:
        return PipelineSettings.model_validate(settings)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"])
        raise ValueError(f"field 'pipeline_settings.{field}': {err['msg']}. Fix: see "
                         "pipelines/pipeline.py PipelineSettings for the names and ranges.") from None
