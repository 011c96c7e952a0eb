"""Commands owned by the board: `counterwatch report` and `counterwatch aggregator board`.

Registered from dashboards/cli.py (register_dashboard_commands). Heavy imports stay inside.
"""

from __future__ import annotations

from pathlib import Path

import typer

from dashboards.cli_common import aggregator_config, fail, scoring_policy


def register_board_commands(app: typer.Typer, aggregator_app: typer.Typer) -> None:
    """`report` on the top-level app, `board` under `aggregator`."""

    @app.command("report")
    def report(
        hall: str = typer.Option(..., "--hall", help="Hall id."),
        day: str | None = typer.Option(None, "--day", help="A day report: YYYY-MM-DD (policy timezone)."),
        week: str | None = typer.Option(None, "--week", help="The Monday–Sunday week holding this date."),
        month: str | None = typer.Option(None, "--month", help="The month holding this date (YYYY-MM or a date)."),
        pdf: bool = typer.Option(False, "--pdf", help="Also write a PDF (WeasyPrint; Chinese needs fonts-noto-cjk)."),
        csv: bool = typer.Option(False, "--csv", help="Also write the scores and the violations as CSV."),
        out: Path = typer.Option(Path("reports"), "--out", help="Output directory."),
        config: Path | None = typer.Option(None, "--config", "-c", help="Aggregator YAML (database, snapshots)."),
        db: str | None = typer.Option(None, "--db", help="SQLAlchemy URL (overrides --config; env COUNTERWATCH_DB)."),
        policy: Path | None = typer.Option(None, help="Scoring policy YAML (default: the config's)."),
        snapshot_dir: Path | None = typer.Option(None, help="Evidence snapshots (default: the config's)."),
    ) -> None:
        """Write the electronic supervision report (电子监察报告) of a hall: HTML, and PDF/CSV on request."""
        from datetime import date

        from dashboards.report import period_of, write_report
        from dashboards.store import Store

        chosen = [(k, v) for k, v in (("day", day), ("week", week), ("month", month)) if v]
        if len(chosen) != 1:
            fail("give exactly one of --day, --week or --month with a date (YYYY-MM-DD)")
        kind, text = chosen[0]
        if kind == "month" and len(text) == 7:
            text += "-01"
        try:
            period = period_of(kind, date.fromisoformat(text))
        except ValueError:
            fail(f"--{kind} '{text}' is not a date; write YYYY-MM-DD")
        cfg = aggregator_config(config)
        pol = scoring_policy(cfg, policy)
        store = Store.open(db or cfg.database_url)
        for path in write_report(store, hall, period, pol, out, pdf=pdf, csv_files=csv,
                                 snapshot_dir=snapshot_dir or cfg.snapshot_dir):
            typer.echo(path)

    @aggregator_app.command("board")
    def board(
        config: Path | None = typer.Option(None, "--config", "-c", help="Aggregator YAML (database, snapshots)."),
        db: str | None = typer.Option(None, "--db", help="SQLAlchemy URL (overrides --config; env COUNTERWATCH_DB)."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for the hall network)."),
        port: int = typer.Option(8080, help="TCP port."),
        calibration_dir: Path | None = typer.Option(None, help="Counter calibration YAMLs the admin may edit."),
        ingest: bool = typer.Option(False, "--ingest", help="Also run an MQTT ingest worker in this process."),
        secure_cookies: bool = typer.Option(False, help="Mark cookies Secure (when served behind HTTPS)."),
    ) -> None:
        """Serve the live alert board (and, with --ingest, the MQTT ingest) until Ctrl-C."""
        from dashboards.auth import ensure_admin
        from dashboards.store import Store
        from dashboards.web import serve
        from dashboards.web.app import BoardSettings

        cfg = aggregator_config(config)
        url = db or cfg.database_url
        store = Store.open(url)
        password = ensure_admin(store.engine)
        worker = None
        if ingest:
            from dashboards.worker import Worker

            worker = Worker(cfg, store)
            worker.start()
        settings = BoardSettings(calibration_dir=calibration_dir, snapshot_dir=cfg.snapshot_dir,
                                 scoring_policy=cfg.scoring_policy, secure_cookies=secure_cookies)
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        typer.echo(f"board: http://{shown}:{port}/")
        if password:
            typer.echo(f"first login: admin / {password}  (change it under Users)")
        try:
            serve(store, host=host, port=port, settings=settings, block=True)
        finally:
            if worker is not None:
                worker.stop()
