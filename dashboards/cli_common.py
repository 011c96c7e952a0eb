"""What the aggregator-side commands share: reading the aggregator config and failing clearly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import typer

from dashboards.config import AggregatorConfig

DEFAULT_DB = "sqlite:///counterwatch.db"


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def aggregator_config(config: Path | None) -> AggregatorConfig:
    """The config file's settings, or the defaults with the database from COUNTERWATCH_DB."""
    from dashboards.config import ConfigError, load_config

    if config is None:
        return AggregatorConfig(database_url=os.environ.get("COUNTERWATCH_DB", DEFAULT_DB))
    try:
        return load_config(config)
    except ConfigError as exc:
        fail(str(exc))


def scoring_policy(cfg: AggregatorConfig, override: Path | None):  # type: ignore[no-untyped-def]
    """The scoring policy named on the command line, else the config's; a bad file exits clearly."""
    from dashboards.config import ConfigError
    from dashboards.scoring import load_policy

    try:
        return load_policy(override or cfg.scoring_policy)
    except ConfigError as exc:
        fail(str(exc))
