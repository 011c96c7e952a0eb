"""Sub-commands of the pipelines package (see counterwatch/cli.py)."""

from __future__ import annotations

import typer


def register_pipeline_commands(app: typer.Typer) -> None:
    """Top-level commands owned by pipelines/: `analyze`, `replay`, `eval`."""
