"""Sub-commands of this package (see counterwatch/cli.py)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
