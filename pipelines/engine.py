"""The rule engine: runs every enabled rule of one counter over a stream of Observations.

A rule is a small class in its own module under `pipelines/rules/`, registered with `@register`.
It declares its rule id (its clause comes from the catalogue), the perception stages it needs, and
a pydantic `Params` model whose defaults can be overridden per counter under `rules:` in the
counter YAML. Rules see only Observations and the `RuleContext`; never a model or a socket.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from calibration.config import CounterConfig
from pipelines.catalogue import rule_info
from pipelines.events import Event
from pipelines.messages import QueueCall, TerminalState
from pipelines.temporal import Clock
from vision.observation import Observation

log = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8))


class RuleParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class RuleContext:
    """What the rules know besides the frame: hours, queue calls, the terminal, who is present."""

    counter: CounterConfig
    clock: Clock = field(default_factory=lambda: Clock(0.0, 0.0))
    calls: list[QueueCall] = field(default_factory=list)  # calls not yet older than 10 minutes
    terminal_paused: bool = False
    in_hours: bool = True
    clerk_present: bool | None = None  # None = unknown (camera outage, stage not run)
    client_present: bool | None = None
    values: dict[str, Any] = field(default_factory=dict)  # per-frame derived values shared by rules
    camera: Any = None  # this counter's CameraModel, built on the first frame a rule needs it (rules/_frame.py)
    memory: dict[Any, Any] = field(default_factory=dict)  # per-stream state behind shared values (rules/_frame.py)

    def per_frame(self, key: Any, compute: Callable[[], Any]) -> Any:
        """This frame's value under `key` in `values` (cleared every frame), computed on first use only."""
        if key not in self.values:
            self.values[key] = compute()
        return self.values[key]

    def stream_state(self, key: Any, make: Callable[[], Any]) -> Any:
        """The per-stream state kept under `key` in `memory`, made by `make` on first use only."""
        if key not in self.memory:
            self.memory[key] = make()
        return self.memory[key]

    def calls_since(self, seconds: float) -> list[QueueCall]:
        return [c for c in self.calls if 0 <= self.clock.t - c.time <= seconds]


class Rule:
    rule_id: ClassVar[str]
    needs: ClassVar[frozenset[str]] = frozenset({"pose"})
    Params: ClassVar[type[RuleParams]] = RuleParams

    def __init__(self, counter: CounterConfig, params: RuleParams) -> None:
        self.counter, self.params = counter, params
        self.info = rule_info(self.rule_id)

    def stages(self) -> frozenset[str]:
        """The perception stages this rule reads with its parameters: `needs`, less those whose only reader its
        parameters switch off (so a counter's config does not run a model for nothing)."""
        return self.needs

    def step(self, obs: Observation, ctx: RuleContext) -> list[Event]:
        raise NotImplementedError

    def finish(self, ctx: RuleContext) -> list[Event]:
        """End of stream: close what is open. Rules built on IncidentTracker close their trackers."""
        return []


RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    rule_info(cls.rule_id)  # refuses ids that are not in the catalogue
    if cls.rule_id in RULES and RULES[cls.rule_id] is not cls:
        raise ValueError(f"two rule classes claim '{cls.rule_id}'")
    RULES[cls.rule_id] = cls
    return cls


def load_rules() -> dict[str, type[Rule]]:
    """Import every module in pipelines/rules so that their @register runs. Sorted by rule id: the engine runs
    (and reports) the rules in this order, which must not depend on which module some caller imported first."""
    import pipelines.rules as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{mod.name}")
    return {r: RULES[r] for r in sorted(RULES)}


class RuleConfigError(ValueError):
    """A bad per-rule parameter in the counter config; names the field and the fix."""


def build_params(rule: type[Rule], overrides: dict[str, Any], source: str) -> RuleParams:
    try:
        return rule.Params.model_validate(overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            known = ", ".join(rule.Params.model_fields)
            lines.append(
                f"{source}: field 'rules.{rule.rule_id}.{where}': {err['msg']} "
                f"(got {err.get('input')!r}). Fix: use one of the parameters [{known}] with a valid value."
            )
        raise RuleConfigError("\n".join(lines)) from None


class Engine:
    """All enabled rules of one counter, fed one Observation at a time.

    `isolate_failures` (the edge runtime's setting): a rule that raises is logged with the frame, taken out of
    service until restart (its state may be half-updated) and listed in `failed`; the counter's other rules go
    on. Off (eval, replay, tests), the error propagates so that a bug is seen, not averaged away."""

    def __init__(self, counter: CounterConfig, only: list[str] | None = None, source: str = "counter config",
                 isolate_failures: bool = False):
        self.counter = counter
        registry = load_rules()
        ids = [r for r in registry if r not in counter.disabled_rules and (only is None or r in only)]
        self.rules = [
            registry[r](counter, build_params(registry[r], counter.rules.get(r, {}), source)) for r in ids
        ]
        self.ctx = RuleContext(counter=counter)
        self.isolate_failures = isolate_failures
        self.failed: dict[str, str] = {}  # rule id -> the error that took it out of service

    @property
    def needs(self) -> frozenset[str]:
        """The perception stages the enabled rules read, with their parameters."""
        return frozenset().union(*(r.stages() for r in self.rules)) if self.rules else frozenset()

    def on_call(self, call: QueueCall) -> None:
        self.ctx.calls.append(call)

    def on_terminal(self, state: TerminalState) -> None:
        self.ctx.terminal_paused = state.paused

    def step(self, obs: Observation, derive: Any = None) -> list[Event]:
        """Run every rule on one Observation. `derive(obs, ctx)` fills the shared context."""
        ctx = self.ctx
        ctx.clock = Clock(obs.t, obs.wall_time if obs.wall_time is not None else obs.t)
        ctx.calls = [c for c in ctx.calls if ctx.clock.t - c.time <= 600]
        ctx.in_hours = in_working_hours(self.counter, obs.wall_time)
        ctx.values = {}
        if derive is not None:
            derive(obs, ctx)
        events: list[Event] = []
        for rule in list(self.rules):
            for ev in self._guarded(rule, rule.step, obs, ctx, where=f"frame {obs.frame_index} (t={obs.t:.2f} s)"):
                ev.hall_id = ev.hall_id or self.counter.hall_id
                events.append(ev)
        return events

    def finish(self) -> list[Event]:
        events: list[Event] = []
        for rule in list(self.rules):
            events.extend(self._guarded(rule, rule.finish, self.ctx, where="finish"))
        return events

    def _guarded(self, rule: Rule, call: Any, *args: Any, where: str) -> list[Event]:
        if not self.isolate_failures:
            return call(*args)
        try:
            return call(*args)
        except Exception as exc:  # one rule's bug must not silence the counter's other rules
            log.exception("rule %s of counter %s failed on %s; taken out of service until restart",
                          rule.rule_id, self.counter.counter_id, where)
            self.failed[rule.rule_id] = f"{type(exc).__name__}: {exc} (on {where})"
            self.rules.remove(rule)
            return []


def in_working_hours(counter: CounterConfig, wall_time: float | None) -> bool:
    """Recorded clips without a wall clock count as working hours."""
    if wall_time is None:
        return True
    now = datetime.fromtimestamp(wall_time, CHINA)
    hours = counter.hours
    if now.weekday() not in hours.weekdays:
        return False
    tod = now.time()
    if not (hours.open <= tod < hours.close):
        return False
    return not any(start <= tod < end for start, end in hours.breaks)
