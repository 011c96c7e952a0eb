"""The electronic supervision report (电子监察报告) of one hall over a day, a week or a month.

    data = build_report(store, "hall1", period_of("day", date(2025, 11, 20)), policy, snapshot_dir)
    html = render_html(data)           # one self-contained file (plots and thumbnails inlined)
    write_pdf(html, Path("r.pdf"))     # WeasyPrint; Chinese needs fonts-noto-cjk
    write_csv(data, Path("out"))       # scores and events as two CSV files

Scores come from dashboards/scoring.py (the same numbers as `counterwatch scores`); this module
only gathers, aggregates and lays them out.
"""

from __future__ import annotations

import base64
import csv
import io
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from dashboards.scoring import DayScores, ScoringPolicy, compute_day, day_bounds
from dashboards.store import EventFilter, EventRow, Store
from dashboards.web.views import STATUS_LABELS, rule_names
from pipelines.catalogue import CATEGORIES

PeriodKind = Literal["day", "week", "month"]
MAX_THUMBNAILS = 24


@dataclass(slots=True, frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        return f"{self.start.isoformat()} – {(self.end - timedelta(days=1)).isoformat()}"

    @property
    def slug(self) -> str:
        return f"{self.kind}-{self.start.isoformat()}"


def period_of(kind: str, day: date) -> Period:
    """The day itself, the Monday-to-Sunday week holding it, or its calendar month."""
    if kind == "day":
        return Period("day", day, day + timedelta(days=1))
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period("week", start, start + timedelta(days=7))
    if kind == "month":
        start = day.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return Period("month", start, nxt)
    raise ValueError(f"period '{kind}': use day, week or month")


@dataclass
class ReportData:
    hall_id: str
    period: Period
    policy_version: str
    timezone: str
    generated_at: float
    days: list[DayScores]
    counters: list[dict[str, Any]]  # per counter: mean score, per-day scores, deductions, compliance
    staff: list[dict[str, Any]]
    by_category: list[dict[str, Any]]
    by_rule: list[dict[str, Any]]
    events: list[dict[str, Any]]  # violations, oldest first
    followup: dict[str, Any]
    compliance: dict[str, dict[str, Any]]
    plots: dict[str, bytes] = field(default_factory=dict)  # name → PNG
    thumbnails: dict[str, str] = field(default_factory=dict)  # event id → data: URI


def _after(at: float | None, received_at: float) -> float | None:
    """Seconds from the alert reaching the board to a follow-up step (None if not taken, or if the
    step predates the arrival, as with events back-filled from a replayed spool)."""
    return None if at is None or at < received_at else at - received_at


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median_s": None, "p90_s": None, "max_s": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"median_s": statistics.median(ordered), "p90_s": p90, "max_s": ordered[-1]}


def _subjects(days: list[DayScores], kind: str) -> list[dict[str, Any]]:
    per: dict[str, dict[str, Any]] = {}
    for d in days:
        for s in d.counters if kind == "counter" else d.staff:
            entry = per.setdefault(s.subject_id, {
                "id": s.subject_id, "scores": {}, "deductions": Counter(), "greet": [0, 0], "bow": [0, 0],
                "violations": 0, "dismissed": 0,
            })
            entry["scores"][d.day] = s.score
            entry["deductions"].update(s.deductions_by_category)
            entry["greet"][0] += s.greet.passed
            entry["greet"][1] += s.greet.violated
            entry["bow"][0] += s.bow.passed
            entry["bow"][1] += s.bow.violated
            entry["violations"] += sum(line.count for line in s.lines)
            entry["dismissed"] += len(s.dismissed_event_ids)
    out = []
    for entry in sorted(per.values(), key=lambda e: e["id"]):
        scores = list(entry["scores"].values())
        entry["mean"] = round(sum(scores) / len(scores), 2) if scores else None
        entry["min"] = min(scores) if scores else None
        entry["deductions"] = {c: round(entry["deductions"][c], 2) for c in CATEGORIES if entry["deductions"].get(c)}
        for name in ("greet", "bow"):
            passed, violated = entry[name]
            entry[name] = {"passed": passed, "violated": violated,
                           "rate": None if passed + violated == 0 else passed / (passed + violated)}
        out.append(entry)
    return out


def build_report(
    store: Store, hall_id: str, period: Period, policy: ScoringPolicy, snapshot_dir: Path | None = None,
    now: float | None = None,
) -> ReportData:
    """Gather a hall's scores, violations, follow-up and compliance for the period."""
    now = time.time() if now is None else now
    days = [compute_day(store, hall_id, d, policy) for d in period.days]
    since, _ = day_bounds(period.start, policy.tz)
    until, _ = day_bounds(period.end, policy.tz)
    rows = store.events(EventFilter(hall_id=hall_id, since=since, until=until, newest_first=False))
    violations = [r for r in rows if r.outcome == "violation"]
    spans = store.roster_spans(hall_id, since, until)
    from dashboards.scoring import staff_for

    by_rule: dict[str, dict[str, Any]] = {}
    for r in violations:
        names = rule_names(r.rule_id)
        entry = by_rule.setdefault(r.rule_id, {
            "rule_id": r.rule_id, "zh": names["zh"], "en": names["en"], "category": r.category,
            "clause": r.clause, "count": 0, "dismissed": 0, "deduction": 0.0,
        })
        entry["count"] += 1
        if r.status == "dismissed":
            entry["dismissed"] += 1
    for d in days:
        for s in d.counters:
            for line in s.lines:
                if line.rule_id in by_rule:
                    by_rule[line.rule_id]["deduction"] = round(by_rule[line.rule_id]["deduction"] + line.deduction, 2)
    cat_counts = Counter(r.category for r in violations if r.status != "dismissed")
    by_category = [{"category": c, "count": cat_counts.get(c, 0),
                    "deduction": round(sum(e["deduction"] for e in by_rule.values() if e["category"] == c), 2)}
                   for c in CATEGORIES]

    events = []
    for r in violations:
        names = rule_names(r.rule_id)
        events.append({
            "id": r.id, "counter_id": r.counter_id, "staff_id": staff_for(r, spans), "rule_id": r.rule_id,
            "zh": names["zh"], "en": names["en"], "category": r.category, "clause": r.clause,
            "start_time": r.start_time, "duration_s": None if r.end_time is None else r.end_time - r.start_time,
            "evidence": r.evidence, "status": r.status, "status_label": "/".join(STATUS_LABELS.get(r.status, ())),
            "owner": r.owner, "comment": r.comment,
            "deduction": 0.0 if r.status == "dismissed" else policy.event_deduction(r),
            "ack_after_s": _after(r.acknowledged_at, r.received_at),
            "closed_after_s": _after(r.closed_at, r.received_at),
            "snapshot": r.snapshot,
        })
    status_counts = Counter(r.status for r in violations)
    closed = sum(status_counts[s] for s in ("confirmed", "dismissed", "rectified"))
    open_rows = [r for r in violations if r.status in ("open", "acknowledged")]
    followup = {
        "total": len(violations), "closed": closed,
        "rate": None if not violations else closed / len(violations),
        "by_status": {s: status_counts.get(s, 0) for s in STATUS_LABELS},
        "ack": _stats([e["ack_after_s"] for e in events if e["ack_after_s"] is not None]),
        "close": _stats([e["closed_after_s"] for e in events if e["closed_after_s"] is not None]),
        "oldest_open_s": max((now - r.received_at for r in open_rows), default=None),
    }
    compliance = {}
    for name in ("greet", "bow"):
        passed = sum(getattr(s, name).passed for d in days for s in d.counters)
        violated = sum(getattr(s, name).violated for d in days for s in d.counters)
        compliance[name] = {"passed": passed, "violated": violated,
                            "rate": None if passed + violated == 0 else passed / (passed + violated)}
    data = ReportData(
        hall_id=hall_id, period=period, policy_version=policy.version, timezone=policy.timezone,
        generated_at=now, days=days, counters=_subjects(days, "counter"), staff=_subjects(days, "staff"),
        by_category=by_category, by_rule=sorted(by_rule.values(), key=lambda e: (-e["count"], e["rule_id"])),
        events=events, followup=followup, compliance=compliance,
    )
    data.plots = _plots(store, hall_id, period, policy, data)
    data.thumbnails = _thumbnails(violations, snapshot_dir)
    return data


# ---- plots and thumbnails ------------------------------------------------------------------------


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    for name in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei"):
        try:
            font_manager.findfont(name, fallback_to_default=False)
            return name
        except ValueError:
            continue
    return None


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def _plots(store: Store, hall_id: str, period: Period, policy: ScoringPolicy, data: ReportData) -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    # A day report shows the 7 days up to it, so the trend has a context.
    if period.kind == "day":
        trend_days = [period.start - timedelta(days=i) for i in range(6, -1, -1)]
        scored = {d.day: d for d in data.days}
        trend = [scored.get(d.isoformat()) or compute_day(store, hall_id, d, policy) for d in trend_days]
    else:
        trend = data.days
    plots = {}
    for kind, title in (("counter", "Score per counter 窗口得分"), ("staff", "Score per staff member 人员得分")):
        series: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for d in trend:
            for s in d.counters if kind == "counter" else d.staff:
                series[s.subject_id].append((d.day[5:], s.score))
        if not series:
            continue
        fig, ax = plt.subplots(figsize=(7.5, 2.8))
        for subject, points in sorted(series.items()):
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=subject)
        ax.set_title(title)
        ax.set_ylim(max(0, min(p[1] for pts in series.values() for p in pts) - 5), policy.base + 2)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=min(6, len(series)), loc="lower left")
        plots[f"trend_{kind}"] = _png(fig)
    fig, ax = plt.subplots(figsize=(7.5, 2.4))
    ax.bar([c["category"] for c in data.by_category], [c["count"] for c in data.by_category], color="#c0504d")
    ax.set_title("Violations by category 违规类别")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", alpha=0.3)
    plots["by_category"] = _png(fig)
    return plots


def _thumbnails(rows: list[EventRow], snapshot_dir: Path | None) -> dict[str, str]:
    if snapshot_dir is None:
        return {}
    from PIL import Image

    from dashboards.ingest import snapshot_path

    out = {}
    for r in [r for r in rows if r.snapshot][:MAX_THUMBNAILS]:
        path = snapshot_path(snapshot_dir, r.hall_id, r.counter_id, r.snapshot or "")
        if not path.is_file():
            continue
        try:
            with Image.open(path) as img:
                img.thumbnail((240, 180))
                buf = io.BytesIO()
                img.convert("RGB").save(buf, format="JPEG", quality=75)
        except OSError:
            continue  # a damaged snapshot: the row still shows, without its picture
        out[r.id] = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
    return out


# ---- output --------------------------------------------------------------------------------------


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page (plots and thumbnails as data: URIs)."""
    from datetime import datetime

    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "web" / "templates"),
                      autoescape=select_autoescape(["html"]))
    tz = __import__("zoneinfo").ZoneInfo(data.timezone)
    env.filters["ts"] = lambda t: "" if t is None else datetime.fromtimestamp(t, tz).strftime("%Y-%m-%d %H:%M:%S")
    env.filters["dur"] = _duration
    env.filters["rate"] = _rate
    plots = {k: "data:image/png;base64," + base64.b64encode(v).decode() for k, v in data.plots.items()}
    return env.get_template("report.html").render(r=data, plots=plots, categories=CATEGORIES)


def write_pdf(html: str, path: Path) -> Path:
    from weasyprint import HTML

    HTML(string=html).write_pdf(str(path))
    return path


def write_csv(data: ReportData, out_dir: Path, stem: str) -> list[Path]:
    """Two CSV files: the scores (one row per subject and day) and the violations."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scores_path, events_path = out_dir / f"{stem}-scores.csv", out_dir / f"{stem}-events.csv"
    with scores_path.open("w", newline="", encoding="utf-8-sig") as f:  # BOM: Excel opens UTF-8 Chinese right
        w = csv.writer(f)
        w.writerow(["hall_id", "day", "kind", "subject_id", "score", *CATEGORIES, "greet_passed", "greet_violated",
                    "bow_passed", "bow_violated", "dismissed", "policy_version"])
        for d in data.days:
            for s in d.counters + d.staff:
                w.writerow([d.hall_id, d.day, s.kind, s.subject_id, s.score,
                            *[s.deductions_by_category.get(c, 0) for c in CATEGORIES],
                            s.greet.passed, s.greet.violated, s.bow.passed, s.bow.violated,
                            len(s.dismissed_event_ids), d.policy_version])
    with events_path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["event_id", "start_time", "counter_id", "staff_id", "rule_id", "rule_zh", "rule_en", "category",
                    "clause", "duration_s", "deduction", "status", "owner", "comment", "ack_after_s",
                    "closed_after_s"])
        for e in data.events:
            w.writerow([e["id"], e["start_time"], e["counter_id"], e["staff_id"] or "", e["rule_id"], e["zh"],
                        e["en"], e["category"], e["clause"], e["duration_s"], e["deduction"], e["status"],
                        e["owner"] or "", e["comment"] or "", e["ack_after_s"], e["closed_after_s"]])
    return [scores_path, events_path]


def write_report(
    store: Store, hall_id: str, period: Period, policy: ScoringPolicy, out_dir: Path,
    pdf: bool = False, csv_files: bool = False, snapshot_dir: Path | None = None,
) -> list[Path]:
    """Write report-<hall>-<period>.html (and .pdf, CSVs) into out_dir; returns the paths written."""
    data = build_report(store, hall_id, period, policy, snapshot_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"report-{hall_id}-{period.slug}"
    html = render_html(data)
    written = [out_dir / f"{stem}.html"]
    written[0].write_text(html, encoding="utf-8")
    for name, png in data.plots.items():  # the plots also as files, for slides and mail
        (out_dir / f"{stem}-{name}.png").write_bytes(png)
        written.append(out_dir / f"{stem}-{name}.png")
    if pdf:
        written.append(write_pdf(html, out_dir / f"{stem}.pdf"))
    if csv_files:
        written += write_csv(data, out_dir, stem)
    return written
