"""The `counterwatch` command. Each package owns its own sub-commands in its `cli.py`;
they import heavy libraries (MediaPipe, OpenCV, SQLAlchemy) inside the commands so that
`--help` stays fast."""

from __future__ import annotations

import json
import os
from pathlib import Path

# MediaPipe and TFLite log through glog/absl on stderr; keep the CLI's output readable.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import typer

from calibration.cli import app as calibrate_app
from dashboards.cli import aggregator_app, register_dashboard_commands
from edge.cli import app as edge_app
from models.cli import app as models_app
from pipelines.cli import register_pipeline_commands
from simulator.cli import app as sim_app
from vision.cli import register_vision_commands

app = typer.Typer(
    help="CounterWatch: edge computer-vision monitor for government service counters.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(models_app, name="models", help="Install, list and import models (the model registry).")
app.add_typer(sim_app, name="sim", help="Render labelled counter scenes (the simulator).")
app.add_typer(calibrate_app, name="calibrate", help="Per-counter zones, slots and camera geometry.")
app.add_typer(edge_app, name="edge", help="The edge runtime: cameras, pipelines, MQTT publishing.")
app.add_typer(aggregator_app, name="aggregator", help="The hall aggregator: ingest, storage, board.")
register_vision_commands(app)
register_pipeline_commands(app)
register_dashboard_commands(app)


@app.command()
def schema(out: Path = typer.Option(Path("docs/schemas"), help="Directory for the JSON Schema files.")) -> None:
    """Write the JSON Schemas of the Observation and Event contracts."""
    for name, body in contract_schemas().items():
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.schema.json").write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        typer.echo(out / f"{name}.schema.json")


@app.command()
def demo(
    workdir: Path = typer.Option(Path("var/demo"), help="Where clips, counter files and the database go."),
    port: int = typer.Option(8080, help="Port of the live board on localhost."),
    fps: float = typer.Option(5.0, help="Analysed frames per second per camera."),
    seconds: float = typer.Option(0, help="Stop after this many seconds (0 = run until Ctrl-C)."),
) -> None:
    """Run the whole chain on embedded defaults: simulator clips for 3 counters, the edge runtime,
    an embedded MQTT broker, the aggregator on SQLite and the live board."""
    from counterwatch.demo import run_demo

    run_demo(workdir, port, fps, seconds or None, typer.echo)


def contract_schemas() -> dict[str, dict]:
    from pipelines.events import event_json_schema
    from pipelines.messages import CounterStatus, QueueCall, StaffLogin, TerminalState, adapter
    from vision.observation import observation_json_schema

    return {
        "observation": observation_json_schema(),
        "event": event_json_schema(),
        "queue_call": adapter(QueueCall).json_schema(),
        "terminal_state": adapter(TerminalState).json_schema(),
        "staff_login": adapter(StaffLogin).json_schema(),
        "counter_status": adapter(CounterStatus).json_schema(),
    }


if __name__ == "__main__":
    app()
