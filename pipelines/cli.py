"""Sub-commands of the pipelines package (see counterwatch/cli.py): analyze, replay, eval."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


@contextmanager
def _clear_errors() -> Iterator[None]:
    """Turn the known bad-input errors into one clear message on stderr and exit code 2."""
    from calibration.config import CalibrationError
    from pipelines.clip import ClipError
    from pipelines.engine import RuleConfigError
    from pipelines.evaluate import SuiteError
    from pipelines.replay import CallsFileError
    from vision.observation import ObservationStreamError

    try:
        yield
    except (CalibrationError, ClipError, RuleConfigError, ObservationStreamError, CallsFileError, SuiteError) as exc:
        _fail(str(exc))
    except FileNotFoundError as exc:
        _fail(f"{exc.filename}: file not found. Fix: check the path.")


def _progress(total: int, desc: str, quiet: bool = False) -> Any:
    from tqdm import tqdm

    return tqdm(total=total or None, desc=desc, unit="frame", file=sys.stderr, disable=quiet, leave=False)


def _event_line(t: float, ev: Any) -> str:
    span = f"{ev.clip_start:7.1f}s" if ev.clip_start is not None else ""
    if ev.type == "end" and ev.clip_end is not None:
        span += f" → {ev.clip_end:.1f}s"
    shown = {k: v for k, v in ev.evidence.items() if not isinstance(v, list | dict)}
    return f"[{t:7.1f}s] {ev.type:<6} {ev.rule_id:<22} {ev.outcome:<9} {span:<20} {ev.clause}  {shown}"


def _print_events(timed: list[tuple[float, Any]], as_json: bool, extra: dict[str, Any]) -> None:
    if as_json:
        payload = {**extra, "events": [json.loads(ev.to_json()) | {"emitted_at": round(t, 3)} for t, ev in timed]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    for t, ev in timed:
        typer.echo(_event_line(t, ev))
    incidents = len({ev.id for _, ev in timed})
    typer.echo(f"{incidents} incident(s), {len(timed)} event message(s)", err=True)


def register_pipeline_commands(app: typer.Typer) -> None:
    """Top-level commands owned by pipelines/: `analyze`, `replay`, `eval`."""

    @app.command()
    def analyze(
        clip: Path = typer.Argument(..., help="Video clip of one counter (mp4/avi/mkv)."),
        counter: Path | None = typer.Option(None, "--counter", help="Counter YAML (default: one clerk)."),
        calls: Path | None = typer.Option(None, "--calls", help="Queue calls JSONL (clip seconds)."),
        record: Path | None = typer.Option(None, "--record", help="Write the Observation stream (JSONL) here."),
        fps: float = typer.Option(10.0, "--fps", help="Frames analysed per second of clip (0 = every frame)."),
        as_json: bool = typer.Option(False, "--json", help="Print only JSON on stdout."),
    ) -> None:
        """Run the full pipeline (perception + rules) over a clip and print the events."""
        from pipelines.clip import analyze_clip, probe
        from pipelines.replay import read_calls

        with _clear_errors():
            inbound = read_calls(calls) if calls else []
            cap, _, n, _, _ = probe(clip)
            cap.release()
            with _progress(n, f"analyze {clip.name}") as bar:
                res = analyze_clip(clip, counter, inbound, record, analyse_fps=fps,
                                   progress=lambda i, _n: bar.update(i - bar.n))
        _print_events(res.events, as_json, {"clip": str(clip), "counter_id": res.counter.counter_id,
                                            "frames_analysed": res.frames, "fps": res.fps})

    @app.command()
    def replay(
        observations: Path = typer.Argument(..., help="Recorded Observation stream (JSONL from analyze --record)."),
        counter: Path | None = typer.Option(None, "--counter", help="Counter YAML (default: one clerk, frame size "
                                            "from the stream)."),
        calls: Path | None = typer.Option(None, "--calls", help="Queue calls JSONL (clip seconds)."),
        as_json: bool = typer.Option(False, "--json", help="Print only JSON on stdout."),
    ) -> None:
        """Re-run only the rules on a recorded stream (deterministic, no models)."""
        from calibration.config import default_counter, load_counter
        from pipelines.replay import read_calls, replay_timed
        from vision.observation import read_observations

        with _clear_errors():
            inbound = read_calls(calls) if calls else []
            obs = read_observations(str(observations))
            if counter:
                cfg = load_counter(counter)
            else:
                w, h = next((o.image_size for o in obs if o.image_size != (0, 0)), (1280, 720))
                cfg = default_counter(w, h)
            with _progress(len(obs), f"replay {observations.name}") as bar:
                timed = replay_timed(_ticking(obs, bar), cfg, inbound, source=str(counter or "default counter"))
        _print_events(timed, as_json, {"observations": str(observations), "counter_id": cfg.counter_id,
                                       "frames": len(obs)})

    @app.command("eval")
    def eval_(
        suite: Path = typer.Argument(..., help="Suite directory of labelled clips (counterwatch sim suite)."),
        split: str | None = typer.Option(None, "--split", help="Only this split (e.g. tune, heldout)."),
        fps: float = typer.Option(10.0, "--fps", help="Frames analysed per second of clip."),
        tolerance: float = typer.Option(1.0, "--tolerance", help="Seconds of slack when matching by overlap."),
        refresh: bool = typer.Option(False, "--refresh", help="Re-run perception even when a cached stream exists."),
        rules_only: bool = typer.Option(False, "--rules-only", help="Replay the recorded streams, even when the "
                                        "perception code changed since; never perceive (an error names a clip "
                                        "without a stream recorded from these inputs). For tuning rules."),
        overrides: Path | None = typer.Option(None, "--overrides", help="YAML rule_id: {param: value} merged over "
                                              "every clip's counter (an eval profile)."),
        settings_file: Path | None = typer.Option(None, "--settings", help="YAML of pipeline settings (as an edge "
                                                  "config's pipeline_settings, e.g. pose_complexity: 0), to measure "
                                                  "what they cost in accuracy."),
        advised: bool = typer.Option(False, "--advised", help="Also score each rule only at the views where "
                                     "`calibrate preview` says it can be measured within target (and, apart, "
                                     "where it says not)."),
        as_json: bool = typer.Option(False, "--json", help="Print only JSON on stdout."),
    ) -> None:
        """Per-rule event-level precision/recall/F1 and time-to-alert on labelled clips."""
        from counterwatch.configfile import load_yaml_model
        from pipelines.evaluate import SuiteError, evaluate, load_overrides
        from pipelines.pipeline import PipelineSettings

        with _clear_errors(), _progress(0, "eval") as bar:
            rule_overrides = load_overrides(overrides)
            settings = (load_yaml_model(settings_file, PipelineSettings, SuiteError, "pipeline settings file")
                        if settings_file else None)

            def on_clip(d: Path, cached: bool) -> None:
                bar.set_description(f"eval {d.name}{' (cached)' if cached else ''}")

            def progress(i: int, n: int) -> None:
                bar.total = n
                bar.update(i - bar.n) if i >= bar.n else bar.reset(total=n)

            report = evaluate(suite, split, fps, tolerance, refresh, on_clip=on_clip, progress=progress,
                              overrides=rule_overrides, rules_only=rules_only, settings=settings, advised=advised)
        if as_json:
            sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
            return
        _print_report(report)

    @app.command("eval-report")
    def eval_report(
        report: Path = typer.Argument(..., help="A saved `counterwatch eval --json` report."),
    ) -> None:
        """A saved eval report as Markdown tables (per rule, as the preview advises, etiquette per viewpoint, and
        the clips with a miss or a false alarm), for docs/accuracy.md."""
        from pipelines.eval_markdown import report_markdown
        from pipelines.evaluate import SuiteError

        with _clear_errors():
            try:
                data = json.loads(report.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise SuiteError(f"{report}: not a readable eval report ({exc}). Fix: save one with "
                                 "`counterwatch eval SUITE --json > REPORT.json`.") from exc
            if not isinstance(data, dict) or not {"rules", "per_clip", "clips"} <= set(data):
                raise SuiteError(f"{report}: not a `counterwatch eval --json` report (no rules, per_clip or clips). "
                                 "Fix: save one with `counterwatch eval SUITE --json > REPORT.json`.")
            sys.stdout.write(report_markdown(data))


def _ticking(obs: list, bar: Any) -> Iterator:
    for o in obs:
        bar.update(1)
        yield o


def _print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    def f(x: Any) -> str:
        return "—" if x is None else (f"{x:.2f}" if isinstance(x, float) else str(x))

    table = Table(title=f"{report['suite']} split={report['split']} clips={report['clips']}")
    for col in ("rule", "labels", "predicted", "tp", "fp", "fn", "precision", "recall", "F1", "alert p50 s", "max s",
                "unseen"):
        table.add_column(col)
    for r in report["rules"]:
        table.add_row(r["rule"], *(f(r.get(k)) for k in ("labels", "predicted", "tp", "fp", "fn", "precision", "recall",
                                                          "f1", "time_to_alert_median_s", "time_to_alert_max_s",
                                                          "unmeasurable")))
    con = Console(width=max(Console().width, 150))
    con.print(table)
    if any(r.get("unmeasurable") for r in report["rules"]):
        con.print("unseen: labels whose subject is wholly outside the image from that view (not counted in labels)")
    con.print(f"events on do-nothing clips: {report['events_on_do_nothing_clips']}; "
              f"post.empty while the clerk is present: {report['post_empty_while_present']}")
    if report.get("etiquette", {}).get("views"):
        from pipelines.etiquette_eval import print_etiquette

        print_etiquette(report["etiquette"], con)
    if "advised" in report:
        _print_advised(report["advised"], con, f)


def _print_advised(adv: dict[str, Any], con: Any, f: Callable[[Any], str]) -> None:
    """Per rule: the scores where `calibrate preview` accepts the clip's view, beside those where it refuses it."""
    from rich.table import Table

    table = Table(title="as `calibrate preview` advises: scored where it says yes | where it says NO")
    for col in ("rule", "labels", "tp", "fp", "F1", "| NO: labels", "found", "fp "):
        table.add_column(col)
    yes, no = ({r["rule"]: r for r in adv[k]} for k in ("rules", "refused"))
    for rule in sorted(set(yes) | set(no)):
        table.add_row(rule, *(f(yes.get(rule, {}).get(k)) for k in ("labels", "tp", "fp", "f1")),
                      *(f(no.get(rule, {}).get(k)) for k in ("labels", "tp", "fp")))
    con.print(table)
    for view, rules in adv["views"].items():
        con.print(f"preview says NO at {view}: {', '.join(rules) or '-'}")
    if adv["clips_without_camera"]:
        con.print(f"{adv['clips_without_camera']} clips have no camera in labels.json: not in either table")
