"""Rules only, over a recorded Observation stream: deterministic, no model, the fast way to tune.

Queue calls and terminal switches in a replayed file carry clip seconds (the same clock as
Observation.t) and are applied just before the first Observation at or after their time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from calibration.config import CounterConfig
from pipelines.events import Event
from pipelines.messages import QueueCall, TerminalState, decode
from pipelines.pipeline import CounterPipelineImpl, PipelineSettings
from vision.observation import Observation


class CallsFileError(ValueError):
    """A queue-call JSONL line that does not parse; names the file, line and field."""


def read_calls(path: str | Path) -> list[QueueCall | TerminalState]:
    """QueueCall lines ({"counter_id", "ticket", "time"}); TerminalState lines ({"paused": ...}) also allowed."""
    out: list[QueueCall | TerminalState] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                kind = TerminalState if "paused" in json.loads(line) else QueueCall
                out.append(decode(kind, line))
            except (ValidationError, json.JSONDecodeError, TypeError) as exc:
                if isinstance(exc, ValidationError):
                    err = exc.errors()[0]
                    what = f"field '{'.'.join(str(p) for p in err['loc']) or '(line)'}': {err['msg']}"
                else:
                    what = f"not a JSON object ({exc})"
                raise CallsFileError(
                    f"{path}:{lineno}: {what}. Fix: each line must be a QueueCall JSON object "
                    '{"counter_id": "c1", "ticket": "A012", "time": 12.5} (time in clip seconds).'
                ) from None
    return out


def replay(
    observations: Iterable[Observation],
    counter: CounterConfig,
    inbound: Iterable[QueueCall | TerminalState] = (),
    source: str = "counter config",
    settings: PipelineSettings | None = None,
    only: list[str] | None = None,
) -> list[Event]:
    """Every event message the rules emit over the stream, in order (new/update/end)."""
    return [ev for _, ev in replay_timed(observations, counter, inbound, source, settings, only)]


def replay_timed(
    observations: Iterable[Observation],
    counter: CounterConfig,
    inbound: Iterable[QueueCall | TerminalState] = (),
    source: str = "counter config",
    settings: PipelineSettings | None = None,
    only: list[str] | None = None,
) -> list[tuple[float, Event]]:
    """(clip time the message was emitted, message): the emission time gives the time-to-alert."""
    pipe = CounterPipelineImpl(
        counter, settings=settings, wall_clock=False, perception=False, source=source, only_rules=only
    )
    pending = sorted(inbound, key=lambda m: m.time)
    k, events, t = 0, [], 0.0
    for obs in observations:
        while k < len(pending) and pending[k].time <= obs.t:
            msg = pending[k]
            if isinstance(msg, QueueCall):
                pipe.on_call(msg)
            else:
                pipe.on_terminal(msg)
            k += 1
        t = obs.t
        events += [(t, ev) for ev in pipe.step_observation(obs)[0]]
    return events + [(t, ev) for ev in pipe.finish()]
