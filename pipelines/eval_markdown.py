"""`counterwatch eval-report REPORT.json`: a saved `counterwatch eval --json` report as Markdown tables.

The tables in docs/accuracy.md are generated this way, so each figure there can be traced to one report and the
command that produced it rather than copied by hand.
"""

from __future__ import annotations

from typing import Any

from pipelines.etiquette_eval import ROW_NAMES

TARGET_F1 = 0.9  # issue #6: every rule F1 >= 0.9


def _f(x: Any, digits: int = 2) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _f1(x: float | None) -> str:
    """An F1 at target is bold, so the misses stand out."""
    return _f(x) if x is None or x < TARGET_F1 else f"**{x:.2f}**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(r) + " |" for r in rows)]


def rules_table(report: dict[str, Any]) -> list[str]:
    rows = [[r["rule"], *(_f(r.get(k)) for k in ("labels", "predicted", "tp", "fp", "fn", "precision", "recall")),
             _f1(r.get("f1")), f"{_f(r.get('time_to_alert_median_s'), 1)} / {_f(r.get('time_to_alert_max_s'), 1)}",
             _f(r.get("unmeasurable") or None)]
            for r in report["rules"]]
    return _table(["rule", "labels", "predicted", "TP", "FP", "FN", "precision", "recall", "F1",
                   "time-to-alert p50 / max (s)", "unmeasurable"], rows)


def advised_table(adv: dict[str, Any]) -> list[str]:
    yes, no = ({r["rule"]: r for r in adv[k]} for k in ("rules", "refused"))
    rows = [[rule, *(_f(yes.get(rule, {}).get(k)) for k in ("labels", "tp", "fp")), _f1(yes.get(rule, {}).get("f1")),
             *(_f(no.get(rule, {}).get(k)) for k in ("labels", "tp", "fp"))]
            for rule in sorted(set(yes) | set(no))]
    return _table(["rule", "labels (preview yes)", "TP", "FP", "F1", "labels (preview NO)", "found", "FP"], rows)


def at_target(rows: list[dict[str, Any]]) -> tuple[int, int]:
    """(rows at F1 >= target, rows with labels)."""
    scored = [r for r in rows if r.get("labels")]
    return sum(1 for r in scored if (r.get("f1") or 0.0) >= TARGET_F1), len(scored)


def etiquette_table(etq: dict[str, Any]) -> list[str]:
    """One row per measure, one column per viewpoint: ours (naive world landmarks), n."""
    views = etq.get("views", {})
    if not views:
        return []
    rows = []
    for key, name in ROW_NAMES.items():
        if not any(key in v for v in views.values()):
            continue
        cells = []
        for v in views.values():
            m = v.get(key)
            if m is None:
                cells.append("—")
                continue
            naive = "" if m.get("naive") is None else f" ({_f(m['naive'], 3 if 'f1' in key else 1)})"
            cells.append(f"{_f(m['ours'], 3 if 'f1' in key or 'accuracy' in key else 1)}{naive}, n {m['n']}")
        rows.append([name, *cells])
    return _table(["measure: ours (naive world landmarks), n", *views], rows)


def misses(report: dict[str, Any]) -> list[str]:
    """Per rule, the clips with a missed label and the clips with a false alarm, matched as the scores are
    (`pipelines.evaluate.match`: one to one by time overlap within the report's tolerance)."""
    from pipelines.evaluate import Incident, Interval, match

    missed: dict[str, list[str]] = {}
    false: dict[str, list[str]] = {}
    tol = float(report.get("tolerance_s", 1.0))
    for c in report["per_clip"]:
        name = c["clip"].rstrip("/").rsplit("/", 1)[-1]
        labels = [Interval(x["rule"], x["start"], x["end"], x.get("unseen", False)) for x in c["labels"]]
        preds = [Incident(p["rule"], p["start"], p["end"], p["start"]) for p in c["predicted"]]
        for rule in {x.rule for x in labels} | {p.rule for p in preds}:
            lab = [x for x in labels if x.rule == rule]
            pairs = match([p for p in preds if p.rule == rule], lab, tol)
            hit = {id(li) for _, li in pairs}
            if any(not x.unseen and id(x) not in hit for x in lab):
                missed.setdefault(rule, []).append(name)
            if sum(p.rule == rule for p in preds) > len(pairs):
                false.setdefault(rule, []).append(name)
    return [f"- **{rule}** — missed: {', '.join(sorted(missed.get(rule, []))) or '-'}; "
            f"false alarms: {', '.join(sorted(false.get(rule, []))) or '-'}"
            for rule in sorted(set(missed) | set(false))]


def report_markdown(report: dict[str, Any]) -> str:
    ok, n = at_target(report["rules"])
    split = report.get("split") or str(report["suite"]).rstrip("/").rsplit("/", 1)[-1]
    out = [f"Split `{split}`: {report['clips']} clips at {report['analyse_fps']} fps; "
           f"{ok} of {n} rule rows at F1 ≥ {TARGET_F1}; events on do-nothing clips: "
           f"{report['events_on_do_nothing_clips']}; post.empty while the clerk is present: "
           f"{report['post_empty_while_present']}.", "", *rules_table(report)]
    if "advised" in report:
        ok_a, n_a = at_target(report["advised"]["rules"])
        out += ["", f"Where `calibrate preview` says the rule can be measured from the clip's camera: {ok_a} of {n_a} "
                "rows at target. Right: the labels at the views where it says NO, and how many were found anyway.",
                "", *advised_table(report["advised"])]
    table = etiquette_table(report.get("etiquette", {}))
    if table:
        out += ["", "Etiquette measures per viewpoint:", "", *table]
    lines = misses(report)
    if lines:
        out += ["", "Clips with a miss or a false alarm, per rule (matched as the scores are):", "", *lines]
    return "\n".join(out) + "\n"
