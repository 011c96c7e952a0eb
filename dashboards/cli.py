"""Sub-commands of the aggregator side (see counterwatch/cli.py)."""

from __future__ import annotations

import typer

aggregator_app = typer.Typer(no_args_is_help=True)


def register_dashboard_commands(app: typer.Typer) -> None:
    """Top-level commands owned by dashboards/: `scores`, `report`."""
