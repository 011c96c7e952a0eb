"""Sub-commands of the aggregator side (see counterwatch/cli.py). Heavy imports stay inside commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from dashboards.cli_common import aggregator_config, fail, scoring_policy

aggregator_app = typer.Typer(no_args_is_help=True)
roster_app = typer.Typer(no_args_is_help=True, help="Who works at which counter (scores reach people through it).")
aggregator_app.add_typer(roster_app, name="roster")

CONFIG_OPT = typer.Option(None, "--config", "-c", help="Aggregator YAML (database, broker, retention).")
DB_OPT = typer.Option(None, "--db", help="SQLAlchemy database URL (overrides --config; env COUNTERWATCH_DB).")


def _store(config: Path | None, db: str | None):  # type: ignore[no-untyped-def]
    from dashboards.store import Store

    return Store.open(db or aggregator_config(config).database_url)


@aggregator_app.command("run")
def run(config: Path = typer.Option(..., "--config", "-c", help="Aggregator YAML file."),
        verbose: bool = typer.Option(False, "--verbose", "-v")) -> None:
    """Subscribe to the edges' MQTT topics and store events, status and availability until stopped."""
    import logging

    from dashboards.worker import run_worker

    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run_worker(aggregator_config(config))


@roster_app.command("import")
def roster_import(
    csv_file: Path = typer.Argument(..., help="CSV: hall_id,counter_id,staff_id,start,end[,staff_name]"),
    config: Path | None = CONFIG_OPT,
    db: str | None = DB_OPT,
    timezone: str = typer.Option("Asia/Shanghai", help="Timezone of start/end values without an offset."),
) -> None:
    """Import roster spans from a CSV file (a span already stored is skipped)."""
    from dashboards.roster import RosterError, import_spans, read_csv

    try:
        spans = read_csv(csv_file, timezone)
    except RosterError as exc:
        fail(str(exc))
    inserted = import_spans(_store(config, db), spans)
    typer.echo(f"{csv_file}: {len(spans)} span(s) read, {inserted} new")


@aggregator_app.command("prune")
def prune(
    config: Path | None = CONFIG_OPT,
    db: str | None = DB_OPT,
    days: float | None = typer.Option(None, help="Keep this many days (default: retention_days of --config)."),
    snapshot_dir: Path | None = typer.Option(None, help="Snapshot directory (default: snapshot_dir of --config)."),
) -> None:
    """Delete events, follow-up history, reject samples and snapshots older than the retention age."""
    from dashboards.retention import prune as do_prune
    from dashboards.store import Store

    cfg = aggregator_config(config)
    store = Store.open(db or cfg.database_url)
    keep = days if days is not None else cfg.retention_days
    counts = do_prune(store, keep * 86400, snapshot_dir or cfg.snapshot_dir)
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()) + f" (older than {keep:g} days removed)")


def register_dashboard_commands(app: typer.Typer) -> None:
    """Top-level commands owned by dashboards/: `scores`, `report`."""
    from dashboards.web.cli import register_board_commands

    register_board_commands(app, aggregator_app)  # `report`, and `aggregator board`

    @app.command("scores")
    def scores(
        hall: str = typer.Option(..., "--hall", help="Hall id."),
        day: str = typer.Option(..., "--day", help="YYYY-MM-DD, in the policy's timezone."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON (with the event ids of every line)."),
        config: Path | None = CONFIG_OPT,
        db: str | None = DB_OPT,
        policy: Path | None = typer.Option(None, help="Scoring policy YAML (default: the config's or the built-in)."),
        save: bool = typer.Option(False, help="Also save the scores (for reports and later verification)."),
        verify: bool = typer.Option(False, help="Recompute and compare with the saved scores; exit 1 on a mismatch."),
    ) -> None:
        """Daily supervision scores per counter and per staff member (100 − deductions)."""
        import time
        from datetime import date

        from dashboards.scoring import compute_day, recompute_differences, save_day

        try:
            the_day = date.fromisoformat(day)
        except ValueError:
            fail(f"--day '{day}' is not a date; write YYYY-MM-DD")
        cfg = aggregator_config(config)
        pol = scoring_policy(cfg, policy)
        store = _store(config, db)
        if verify:
            diffs = recompute_differences(store, hall, the_day, pol)
            for line in diffs:
                typer.echo(f"mismatch: {line}")
            typer.echo("saved scores reproduced" if not diffs else f"{len(diffs)} mismatch(es)")
            raise typer.Exit(1 if diffs else 0)
        result = compute_day(store, hall, the_day, pol)
        if save:
            save_day(store, result, time.time())
        if as_json:
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
            return
        _print_scores(result)


def _print_scores(result) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{result.hall_id}[/bold] {result.day} ({result.timezone}), policy {result.policy_version}")
    for title, subjects in (("Counters", result.counters), ("Staff", result.staff)):
        table = Table(title=title)
        for col in ("id", "score", "deductions by category", "greet rate", "bow rate", "dismissed"):
            table.add_column(col)
        for s in subjects:
            cats = ", ".join(f"{c} −{v:g}" for c, v in s.deductions_by_category.items()) or "—"
            rates = [f"{r:.0%} ({c.passed}/{c.passed + c.violated})" if (r := c.rate) is not None else "—"
                     for c in (s.greet, s.bow)]
            table.add_row(s.subject_id, f"{s.score:g}", cats, *rates, str(len(s.dismissed_event_ids)))
        console.print(table)
    if result.unassigned_event_ids:
        console.print(f"{len(result.unassigned_event_ids)} violation(s) with no roster span (counter scores only)")
