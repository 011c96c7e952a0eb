"""Event-level accuracy of the rules on labelled clips (the simulator's suites).

Each clip directory holds the clip (clip.mp4), labels.json (per-interval rule labels and queue calls)
and counter.yaml. The pipeline runs once per clip and its Observation stream is cached beside the clip
(observations.jsonl + observations.meta.json); later evaluations only replay the rules on it.

Matching: per rule, each predicted incident (new … end, clip seconds) is matched one-to-one to a
labelled interval it overlaps (± `tolerance_s`), greedily by overlap. A predicted incident that matches
nothing is a false positive (so one incident split in two costs precision); an unmatched label is a
false negative. Time-to-alert = when the `new` message was emitted − the labelled start.

Unmeasurable labels: a label whose subject (`LABEL_SUBJECTS`: the visitor of stand.for_visitor, the client chair of
chair.reset) shows no part in the image on any of its frames (labels.json's per-frame joints / prop boxes) cannot be
found by any camera rule from that view; nor can a label whose truth hangs on the pause sign being shown or not
(`hangs_on_sign`) where the sign's marker, standing at its place, is not wholly inside the image, nor a slot rule's
label whose item, standing in its slot, shows no part of itself in the image (`slot_in_view`). Such a label is
counted per rule as `unmeasurable`, not as a miss, and an incident matched to it is dropped rather than scored
(`per_clip` marks such labels `"unseen": true`). A clip is scored only on the rules its counter.yaml enables
(`for_enabled_rules`): the simulator's hall camera, which sees the client chair, runs chair.reset alone.

Etiquette (report["etiquette"], per viewpoint): from the simulator's exact per-frame labels (bow_angle,
elbow angles, palm, finger spread) the bow and elbow MAE, 15/30/45 classification and guide pass/fail
accuracy, palm-up / fingers-together / greeting-detection F1, each beside the naive world-landmark
baseline where one exists (pipelines/etiquette_eval.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from calibration.config import CounterConfig
from pipelines.etiquette_eval import ETIQUETTE_RULES, clip_samples, merge, summarise
from pipelines.events import Event
from pipelines.messages import QueueCall, TerminalState
from pipelines.pipeline import PipelineSettings
from pipelines.rules.etiquette_common import BOW_CLASSES
from pipelines.rules.presence_post_empty import Params as PostEmptyParams
from vision.observation import Observation, read_observations

CACHE_VERSION = 3  # 2: clip/reference bytes instead of size, mtime and path; 3: only the settings set away from
# their defaults (a new PipelineSettings field no longer re-keys every stream; defaults live in pipeline.py, whose
# change the perception-code digest catches)
# Counter fields added since CACHE_VERSION 3: left unset they change no stream, so they do not re-key one (as the
# settings at their defaults do not). zones.client_chair (session 20) re-keyed every cached stream until this.
UNKEYED_WHEN_UNSET = (("zones", "client_chair"),)
CLIP_NAMES = ("clip.mp4", "clip.avi", "clip.mkv")
# Rules whose labels of kind "performed"/"compliant" expect a `pass` event (etiquette checks, and the
# after-hours desk check, which reports a cleared desk as a pass). For the other rules such a label marks
# an interval where no violation may be raised (a negative).
# point.one_finger is a violation rule (it fires on a one-finger point); its compliant labels (the open-hand
# guide clips) are negatives.
PASS_RULES = frozenset({
    "greet.raise_hand", "bow.angle", "guide.gesture", "handover.two_hands", "stand.for_visitor", "desk.end_of_day",
})
# Policy durations (what the standard allows, in real seconds). Time-compressed clips (labels.json
# time_scale: one clip second stands for that many real seconds) divide these, and only these, by the
# scale; perception-level times (grace, flicker memory) stay in clip seconds.
POLICY_PARAMS = {
    "post.empty": ("min_duration", "paused_limit_s"),
    "post.pause_sign": ("absent_without_sign_s",),
    "post.chatting": ("min_duration",),
    "phone.call": ("private_limit_s",),
    # desk rules: how long an item may lie there (the simulator's desk scenes are compressed 5-60x)
    "desk.personal_items": ("min_duration",),
    "phone.on_desk": ("min_duration",),
    "desk.allowed_items": ("min_duration",),
    "desk.displaced": ("min_duration",),
    "desk.clutter": ("min_duration", "smooth_s"),
    "item.unattended": ("min_duration",),
    "post.leave_secure": ("min_duration",),
    "chair.reset": ("min_duration",),
}


# What a rule's label needs the camera to see: ("persons", role) or ("props", name) in labels.json's frames.
LABEL_SUBJECTS: dict[str, tuple[str, str]] = {
    "stand.for_visitor": ("persons", "visitor"),
    "chair.reset": ("props", "client_chair"),
}


# Labels whose truth hangs on whether the pause sign is shown: every post.pause_sign label, and post.empty of an
# unsigned absence shorter than the paused limit (a longer one is a violation whether the sign is up or not). Where
# the sign's place is outside the image no camera can tell them (`sign_out_of_view_as_shown`): unmeasurable there.
# The limit is post.empty's default `paused_limit_s`.


def sim_camera(raw: dict[str, Any]):
    """The simulator's camera (`simulator.render.Camera`) a labels.json was rendered with; None when it lacks one."""
    cam = raw.get("camera") or {}
    if not {"width", "height", "hfov_deg", "height_m", "distance_m", "yaw_deg", "pitch_deg"} <= set(cam):
        return None
    from simulator.render import Camera

    return Camera.from_dict(cam)


# The slot rules' labels name the allowed item whose slot they judge (detail "item"). Where no part of that item,
# standing in its slot, is in the image (`simulator.scene.slot_item_in_view` 0: from close and low the desk's front half
# is below the frame) no camera can tell it there or gone: unmeasurable. A sliver in view still counts (a miss), even
# where the desk stage cannot judge it (`calibrate preview` says NO under MIN_SLOT_IN_VIEW): that is the stage's limit.
SLOT_RULES = frozenset({"desk.allowed_items", "desk.displaced"})


def slot_in_view(raw: dict[str, Any], rule_id: str, detail: dict[str, Any]) -> bool | None:
    """Whether any part of the allowed item a slot rule's label names, standing in its slot, is in the clip's image;
    None for other rules, an item with no slot, or no camera to tell."""
    from simulator.scene import DESK_ITEMS, slot_item_in_view

    item = detail.get("item")
    cam = sim_camera(raw) if rule_id in SLOT_RULES and item in DESK_ITEMS else None
    return None if cam is None else slot_item_in_view(cam, item) > 0.0


def hangs_on_sign(rule_id: str, detail: dict[str, Any]) -> bool:
    """Whether a violation label's truth depends on seeing the pause sign (or its absence)."""
    if rule_id == "post.pause_sign":
        return True
    absent_min = detail.get("absent_min")
    return (rule_id == "post.empty" and detail.get("sign") is False and absent_min is not None
            and float(absent_min) * 60.0 < PostEmptyParams().paused_limit_s)


def sign_place_in_view(raw: dict[str, Any]) -> bool | None:
    """Whether the simulator's pause-sign marker, standing at its place, lies wholly inside the clip's image;
    None without the camera to tell."""
    cam = sim_camera(raw)
    if cam is None:
        return None
    from simulator.scene import sign_place_in_view as marker_in_view

    return marker_in_view(cam)


class SuiteError(ValueError):
    """A suite directory or labels file that cannot be used; names the file and the fix."""


@dataclass
class Interval:
    rule: str  # rule id, or "rule_id:outcome" for non-violation outcomes
    start: float
    end: float
    unseen: bool = False  # its subject (LABEL_SUBJECTS) or the sign it hangs on is out of the image: unmeasurable


@dataclass
class Labels:
    intervals: list[Interval]
    inbound: list[QueueCall | TerminalState]
    split: str | None = None
    scenario: str = ""
    do_nothing: bool = False
    time_scale: float = 1.0
    negatives: list[Interval] = field(default_factory=list)  # compliant intervals of violation-only rules
    # the wall clock at clip t = 0 (unix s) and how fast it runs per clip second; None = no wall clock
    # (the pipeline then counts the clip as working hours)
    wall_start: float | None = None
    wall_rate: float = 1.0
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # the parsed labels.json (per-frame etiquette)


@dataclass
class Incident:
    rule: str
    start: float
    end: float
    alert_t: float  # clip time the `new` message was emitted


@dataclass
class RuleScore:
    rule: str
    labels: int = 0
    predicted: int = 0
    tp: int = 0
    unmeasurable: int = 0  # labels whose subject the camera cannot see (not in `labels`)
    alert_delays: list[float] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.labels if self.labels else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if r is None:
            return None
        if p is None:  # labels but no prediction at all
            return 0.0
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, Any]:
        d = self.alert_delays
        return {
            "rule": self.rule, "labels": self.labels, "predicted": self.predicted, "tp": self.tp,
            "fp": self.predicted - self.tp, "fn": self.labels - self.tp,
            "precision": _r(self.precision), "recall": _r(self.recall), "f1": _r(self.f1),
            "unmeasurable": self.unmeasurable,
            "time_to_alert_median_s": _r(statistics.median(d)) if d else None,
            "time_to_alert_max_s": _r(max(d)) if d else None,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def rule_key(rule_id: str, outcome: str | None) -> str:
    return rule_id if outcome in (None, "violation") else f"{rule_id}:{outcome}"


def _num(d: dict[str, Any], *keys: str) -> float | None:
    for k in keys:
        if k in d and d[k] is not None:
            return float(d[k])
    return None


def subject_in_view(raw: dict[str, Any], rule_id: str, start: float, end: float) -> bool | None:
    """Whether any part of the label's subject (LABEL_SUBJECTS) is in the image on any of its frames; None when the
    rule names no subject or labels.json has no per-frame truth to tell."""
    subject = LABEL_SUBJECTS.get(rule_id)
    frames = [f for f in raw.get("frames") or [] if start <= float(f.get("t", -1.0)) <= end]
    cam = raw.get("camera") or {}
    if subject is None or not frames or "width" not in cam:
        return None
    kind, name = subject
    w, h = float(cam["width"]), float(cam["height"])
    for f in frames:
        if kind == "props":
            if ((f.get("props") or {}).get(name) or {}).get("bbox") is not None:
                return True
            continue
        for person in f.get("persons") or []:
            if person.get("role") == name and any(
                    0 <= x < w and 0 <= y < h for x, y in (person.get("joints_2d") or {}).values()):
                return True
    return False


def load_labels(path: Path) -> Labels:
    """labels.json: {"intervals": [{"rule_id", "start", "end", "outcome"?}], "calls": [QueueCall], ...}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteError(
            f"{path}: cannot read labels ({exc}). Fix: re-render the clip with `counterwatch sim`."
        ) from None
    rows = data.get("intervals", data.get("labels", data.get("events", [])))
    intervals, negatives = [], []
    sign_seen = functools.cache(lambda: sign_place_in_view(data))
    for n, row in enumerate(rows):
        rid = row.get("rule_id", row.get("rule"))
        start, end = _num(row, "start", "start_s", "t0", "clip_start"), _num(row, "end", "end_s", "t1", "clip_end")
        if rid is None or start is None or end is None:
            raise SuiteError(f"{path}: intervals[{n}] needs rule_id, start and end (clip seconds); got {row!r}.")
        kind = row.get("kind", row.get("outcome", "violation"))
        if rid == "bow.angle" and (row.get("detail") or {}).get("class") == "none":
            negatives.append(Interval(rid, start, end))  # a near miss (8/22 deg): no class, nothing to pass
        elif kind == "violation" or rid in PASS_RULES:
            detail = row.get("detail") or {}
            unseen = subject_in_view(data, rid, start, end) is False or slot_in_view(data, rid, detail) is False or (
                kind == "violation" and hangs_on_sign(rid, detail) and sign_seen() is False)
            intervals.append(Interval(rid if kind == "violation" else rule_key(rid, "pass"), start, end, unseen))
        else:
            negatives.append(Interval(rid, start, end))
    inbound: list[QueueCall | TerminalState] = []
    counter_id = data.get("counter_id", "counter")
    for c in data.get("calls", data.get("queue_calls", [])):
        inbound.append(QueueCall(c.get("counter_id", counter_id), str(c.get("ticket", "")), float(c["time"])))
    for s in data.get("terminal", data.get("terminal_states", [])):
        inbound.append(TerminalState(s.get("counter_id", counter_id), bool(s["paused"]), float(s["time"])))
    wall = data.get("wall_start")
    wall_start = _num(wall, "unix") if isinstance(wall, dict) else (float(wall) if wall is not None else None)
    time_scale, seconds_scale = float(data.get("time_scale", 1.0)), float(data.get("seconds_scale", 1.0) or 1.0)
    return Labels(intervals, inbound, data.get("split"), str(data.get("scenario", path.parent.name)),
                  bool(data.get("do_nothing", not rows)), time_scale, negatives,
                  wall_start, time_scale / seconds_scale, data)


def for_enabled_rules(labels: Labels, counter: CounterConfig) -> Labels:
    """The labels the clip's counter can be scored on: a camera set up without a rule (`disabled_rules`; the simulator's
    hall camera, which sees the client chair, runs chair.reset alone) raises none of its events, nor should it."""
    off = set(counter.disabled_rules)
    if not off:
        return labels
    return replace(labels, intervals=[x for x in labels.intervals if x.rule.split(":")[0] not in off])


def with_wall_clock(obs: list[Observation], labels: Labels) -> list[Observation]:
    """The clip's Observations on its labelled wall clock (labels.json `wall_start`), so working hours apply:
    an after-hours clip is not judged as an unsigned absence. Without `wall_start` the stream is unchanged."""
    if labels.wall_start is None:
        return obs
    return [replace(o, wall_time=labels.wall_start + o.t * labels.wall_rate) for o in obs]


def compressed(
    counter: CounterConfig, settings: PipelineSettings, scale: float
) -> tuple[CounterConfig, PipelineSettings]:
    """The counter and settings for a time-compressed clip: policy durations divided by the scale."""
    if scale == 1.0:
        return counter, settings
    from pipelines.engine import build_params, load_rules

    registry = load_rules()
    rules = {k: dict(v) for k, v in counter.rules.items()}
    for rid, names in POLICY_PARAMS.items():
        if rid not in registry:
            continue
        eff = build_params(registry[rid], rules.get(rid, {}), "evaluation")
        for name in names:
            rules.setdefault(rid, {})[name] = getattr(eff, name) / scale
    ctx = settings.context.model_copy(update={"client_call_window_s": settings.context.client_call_window_s / scale})
    return counter.model_copy(update={"rules": rules}), settings.model_copy(update={"context": ctx})


def desk_cadence(settings: PipelineSettings, scale: float) -> PipelineSettings:
    """The desk stage's cadence for a time-compressed clip: `desk_every` analysed frames stand for that
    many frames of real time, so a clip compressed x`scale` looks at its desk `scale` times as often
    (the shipped 25 frames = 5 s at 5 fps; an 8-s desk scene at x10 would otherwise get two looks)."""
    if scale <= 1.0:
        return settings
    return settings.model_copy(update={"desk_every": max(1, round(settings.desk_every / scale))})


def event_outcome(ev: Event) -> str | None:
    """The outcome scored. bow.angle reports a bow with no queue call before it as `info` with its class;
    a bow of a recognised class (15/30/45) was performed, so it counts as `pass` against a `performed` label."""
    if ev.rule_id == "bow.angle" and ev.outcome == "info" and ev.evidence.get("class") in BOW_CLASSES:
        return "pass"
    return ev.outcome


def incidents(timed: list[tuple[float, Event]]) -> list[Incident]:
    """Group the event messages into incidents (by id), in clip seconds."""
    out: dict[str, Incident] = {}
    for t, ev in timed:
        key = rule_key(ev.rule_id, event_outcome(ev))
        start = ev.clip_start if ev.clip_start is not None else t
        inc = out.get(ev.id)
        if inc is None:
            inc = out[ev.id] = Incident(key, start, start, t)
        if ev.type == "end":
            inc.end = ev.clip_end if ev.clip_end is not None else t
        else:
            inc.end = max(inc.end, t)
    return list(out.values())


def match(preds: list[Incident], labels: list[Interval], tolerance_s: float) -> list[tuple[Incident, Interval]]:
    """One-to-one greedy matching by overlap (with ± tolerance)."""
    pairs = []
    for p in preds:
        for lab in labels:
            ov = min(p.end, lab.end) + tolerance_s - max(p.start, lab.start)
            if ov >= 0:
                pairs.append((ov, p, lab))
    pairs.sort(key=lambda x: -x[0])
    used_p: set[int] = set()
    used_l: set[int] = set()
    out = []
    for _, p, lab in pairs:
        if id(p) in used_p or id(lab) in used_l:
            continue
        used_p.add(id(p))
        used_l.add(id(lab))
        out.append((p, lab))
    return out


def score_clip(scores: dict[str, RuleScore], preds: list[Incident], labels: list[Interval], tolerance_s: float) -> None:
    """Add one clip's incidents and labels to the per-rule scores."""
    for r in {i.rule for i in preds} | {lab.rule for lab in labels}:
        p = [i for i in preds if i.rule == r]
        lab = [x for x in labels if x.rule == r]
        s = scores.setdefault(r, RuleScore(r))
        pairs = match(p, lab, tolerance_s)
        # an incident matched to an unmeasurable label is neither scored nor a false alarm
        dropped = [pi for pi, li in pairs if li.unseen]
        pairs = [(pi, li) for pi, li in pairs if not li.unseen]
        s.unmeasurable += sum(x.unseen for x in lab)
        s.labels += sum(not x.unseen for x in lab)
        s.predicted += len(p) - len(dropped)
        s.tp += len(pairs)
        s.alert_delays += [max(0.0, pi.alert_t - li.start) for pi, li in pairs]


def find_clips(suite: Path, split: str | None) -> list[Path]:
    """Clip dirs (with labels.json) under the suite, or under suite/<split> when that folder exists."""
    if not suite.is_dir():
        raise SuiteError(f"{suite}: not a directory. Fix: render a suite with `counterwatch sim suite --out DIR`.")
    root = suite / split if split and (suite / split).is_dir() else suite
    # os.walk follows symlinked clip directories, so a folder of links to some suite clips is a suite
    dirs = sorted(Path(dp) for dp, _, files in os.walk(root, followlinks=True) if "labels.json" in files)
    if split and root == suite:
        dirs = [d for d in dirs if load_labels(d / "labels.json").split in (None, split)]
    if not dirs:
        raise SuiteError(f"{root}: no clip directories with labels.json. Fix: `counterwatch sim suite --out {suite}`.")
    return dirs


def clip_file(d: Path) -> Path:
    for name in CLIP_NAMES:
        if (d / name).exists():
            return d / name
    vids = sorted(p for p in d.iterdir() if p.suffix.lower() in (".mp4", ".avi", ".mkv"))
    if not vids:
        raise SuiteError(f"{d}: no clip (clip.mp4). Fix: re-render it with `counterwatch sim render`.")
    return vids[0]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@functools.cache
def perception_code_digest() -> str:
    """Digest of the code that decides what goes into an Observation (vision/, the pipeline, decoding), so a
    perception change invalidates the cached streams instead of silently replaying stale ones."""
    root = Path(__file__).resolve().parent.parent
    files = [*sorted((root / "vision").rglob("*.py")), *(root / "pipelines" / f for f in ("pipeline.py", "clip.py"))]
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _cache_key(clip: Path, counter: CounterConfig, settings: PipelineSettings, fps: float) -> str:
    """What the recorded stream depends on besides the perception code: the clip's and the reference frame's
    bytes (not their paths or mtimes, so a copied suite keeps its cache), the counter, the settings set away from
    their defaults, the fps."""
    # rules and sign_marker are read by the rules alone (perception searches the sign zone)
    cfg = counter.model_dump(mode="json", exclude={"rules", "sign_marker"})
    for section, name in UNKEYED_WHEN_UNSET:
        if cfg.get(section, {}).get(name) is None:
            cfg[section].pop(name, None)
    ref = cfg.get("reference_image")
    if ref and Path(ref).is_file():
        cfg["reference_image"] = _file_digest(Path(ref))
    changed = settings.model_dump(mode="json", exclude_defaults=True)
    # float: the CLI passes 5.0, and a script's 5 must not key the same stream apart (session 22)
    body = json.dumps([CACHE_VERSION, _file_digest(clip), cfg, changed, float(fps)], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def observations_for(
    d: Path, counter_path: Path | None, settings: PipelineSettings, fps: float, refresh: bool = False,
    progress: Callable[[int, int], None] | None = None, shared_models: dict[str, Any] | None = None,
    rules_only: bool = False,
) -> tuple[list, CounterConfig, bool]:
    """(observations, counter, from_cache). Runs the pipeline when the cache is missing or stale: recorded from
    other inputs, or by other perception code. `rules_only` (tuning rules while perception code moves) replays a
    stream recorded by other perception code, and never perceives: a stream that is missing or was recorded from
    other inputs is an error, since re-perceiving it would overwrite a recorded suite (session 22 lost four splits'
    streams that way, to scripts that called this with other settings)."""
    from pipelines.clip import analyze_clip, counter_for, probe

    clip = clip_file(d)
    cap, _, _, w, h = probe(clip)
    cap.release()
    counter = counter_for(counter_path, w, h)
    key, code = _cache_key(clip, counter, settings, fps), perception_code_digest()
    obs_path, meta_path = d / "observations.jsonl", d / "observations.meta.json"
    meta: dict[str, Any] = {}
    if not refresh and obs_path.exists() and meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
            if meta.get("key") == key and (rules_only or meta.get("code") == code):
                return read_observations(str(obs_path)), counter, True
        except (OSError, json.JSONDecodeError):
            pass
    if rules_only:
        why = (f"its recorded stream was recorded from other inputs (key {meta.get('key')}, this eval's {key}: "
               "the clip, the counter's zones or camera, the pipeline settings or the fps differ)"
               if meta.get("key") else "it has no usable recorded stream (observations.jsonl and its .meta.json)")
        raise SuiteError(
            f"{d}: {why}; --rules-only never perceives, so as not to overwrite a recorded suite. Fix: eval with "
            "the fps, --settings and counter the stream was recorded with, or without --rules-only to record it."
        )
    res = analyze_clip(clip, counter_path, record=obs_path, analyse_fps=fps, settings=settings,
                       progress=progress, shared_models=shared_models, keep_observations=True)
    meta_path.write_text(json.dumps({"key": key, "code": code, "frames": res.frames, "fps": res.fps}))
    return res.observations, counter, False


def load_overrides(path: Path | None) -> dict[str, dict[str, Any]]:
    """A YAML mapping rule id -> parameters, merged over every clip's counter rules (an eval profile)."""
    if path is None:
        return {}
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SuiteError(
            f"{path}: cannot read the overrides ({exc}). Fix: a YAML mapping rule_id: {{param: value}}."
        ) from None
    rules = data.get("rules", data)
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise SuiteError(f"{path}: expected a mapping rule_id: {{param: value}}.")
    return rules


def evaluate(
    suite: Path, split: str | None = None, fps: float = 10.0, tolerance_s: float = 1.0, refresh: bool = False,
    settings: PipelineSettings | None = None, on_clip: Callable[[Path, bool], None] | None = None,
    progress: Callable[[int, int], None] | None = None, overrides: dict[str, dict[str, Any]] | None = None,
    rules_only: bool = False, advised: bool = False,
) -> dict[str, Any]:
    """Score every clip of the suite; `advised` adds the scores at the views `calibrate preview` accepts per rule
    (`pipelines.eval_advised`)."""
    from pipelines.eval_advised import AdvisedScores
    from pipelines.replay import replay_timed

    if refresh and rules_only:
        raise SuiteError("--refresh re-perceives every clip and --rules-only never perceives. Fix: use one of them.")
    settings = settings or PipelineSettings()
    scores: dict[str, RuleScore] = {}
    clips_out, shared = [], {}
    quiet_events = empty_while_present = 0
    etiquette: dict[str, dict[str, list]] = {}
    as_advised = AdvisedScores() if advised else None
    for d in find_clips(suite, split):
        labels = load_labels(d / "labels.json")
        counter_path = d / "counter.yaml" if (d / "counter.yaml").exists() else None
        obs, counter, cached = observations_for(d, counter_path, desk_cadence(settings, labels.time_scale), fps,
                                                refresh, progress, shared, rules_only)
        if on_clip:
            on_clip(d, cached)
        if overrides:
            merged = {r: {**counter.rules.get(r, {}), **overrides.get(r, {})} for r in {*counter.rules, *overrides}}
            counter = counter.model_copy(update={"rules": merged})
        labels, off = for_enabled_rules(labels, counter), set(counter.disabled_rules)
        cfg, run_settings = compressed(counter, settings, labels.time_scale)
        timed = replay_timed(with_wall_clock(obs, labels), cfg, labels.inbound,
                             source=str(counter_path or "default counter"), settings=run_settings)
        preds = [i for i in incidents(timed) if not i.rule.endswith(":info")]
        # a camera that runs no etiquette rule (the hall camera) adds no view to the etiquette tables
        if labels.raw.get("frames") and labels.raw.get("camera") and not set(ETIQUETTE_RULES) <= off:
            view, samples = clip_samples(obs, labels.raw, cfg, [ev for _, ev in timed])
            merge(etiquette.setdefault(view, {}), samples)
        score_clip(scores, preds, labels.intervals, tolerance_s)
        if as_advised is not None:
            as_advised.add(labels.raw, preds, labels.intervals, tolerance_s)
        if labels.do_nothing:
            quiet_events += len(preds)
        present = [x for x in labels.intervals if x.rule == "post.empty"]
        empty_while_present += sum(
            1 for i in preds if i.rule == "post.empty" and not any(match([i], present, tolerance_s))
        )
        clips_out.append({
            "clip": str(d), "scenario": labels.scenario, "cached": cached, "time_scale": labels.time_scale,
            "labels": [vars(x) for x in labels.intervals],
            "predicted": [{"rule": i.rule, "start": round(i.start, 2), "end": round(i.end, 2)} for i in preds],
        })
    per_rule = [scores[r].as_dict() for r in sorted(scores)]
    return {
        "suite": str(suite), "split": split, "clips": len(clips_out), "analyse_fps": fps, "tolerance_s": tolerance_s,
        "overrides": overrides or {},
        "rules": per_rule, "events_on_do_nothing_clips": quiet_events,
        "post_empty_while_present": empty_while_present, "per_clip": clips_out,
        "etiquette": {"views": {v: summarise(etiquette[v]) for v in sorted(etiquette)}},
        **({"advised": as_advised.as_dict()} if as_advised is not None else {}),
    }
