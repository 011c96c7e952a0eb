"""Sub-commands of the vision package (see counterwatch/cli.py)."""

from __future__ import annotations

import typer


def register_vision_commands(app: typer.Typer) -> None:
    """Top-level commands owned by vision/: `detect`."""
