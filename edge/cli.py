"""Sub-commands of this package (see counterwatch/cli.py)."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command()
def run(
    config: Path = typer.Option(..., "--config", "-c", help="Edge YAML (see docs/edge.md)."),
    embedded_broker: bool = typer.Option(False, help="Start an in-process broker at broker.url (no Mosquitto)."),
) -> None:
    """Run the edge runtime: every camera of the config through its counter pipeline, events to MQTT.

    Stops gracefully on SIGTERM/Ctrl-C: flushes the event spool and publishes availability `stopped`.
    """
    import logging

    from edge.config import EdgeConfigError, load_edge_config

    try:
        cfg = load_edge_config(config)
    except EdgeConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if embedded_broker:
        cfg.broker.embedded = True
    logging.basicConfig(level=cfg.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from edge.runtime import EdgeRuntime

    try:
        runtime = EdgeRuntime(cfg)
    except (ValueError, RuntimeError, TypeError) as exc:
        typer.echo(f"{config}: {exc}", err=True)
        raise typer.Exit(2) from None
    runtime.run_forever()


@app.command()
def broker(port: int = typer.Option(1883, help="TCP port on 127.0.0.1.")) -> None:
    """Run the embedded (amqtt) MQTT broker in the foreground, for a demo without Mosquitto."""
    import signal
    import threading

    from edge.embedded import start_embedded_broker

    handle = start_embedded_broker(port)
    typer.echo(f"embedded broker at {handle.url}; Ctrl-C stops it")
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    handle.stop()
