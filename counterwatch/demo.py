"""The demo: the whole chain on embedded defaults, with nothing to install by hand.

Simulator clips for three counters → the edge runtime (one process, three cameras) → an embedded
MQTT broker (amqtt) → the aggregator on SQLite → the live board. Ctrl-C stops everything.

The simulator compresses long behaviours (a 25-minute absence lasts seconds in a clip), so the demo
counters get the same compressed policy durations that `counterwatch eval` uses, and working hours
that cover the whole day, so that alerts appear whatever the time of day.
"""

from __future__ import annotations

import json
import signal
import threading
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import yaml

HALL = "demo-hall"
# counter id → simulator scenario; chosen so that each counter shows a different kind of alert.
COUNTERS = {
    "c01": "head_on_desk",
    "c02": "leave_nosign_long",
    "c03": "arms_crossed",
}


@dataclass
class DemoPaths:
    root: Path

    @property
    def clips(self) -> Path:
        return self.root / "clips"

    @property
    def counters(self) -> Path:
        return self.root / "counters"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'aggregator.db'}"


def clip_dir(paths: DemoPaths, scenario: str) -> Path:
    return paths.clips / f"{scenario}-x3"


def render_clips(paths: DemoPaths, fps: float, echo) -> dict[str, dict]:
    """Render each counter's clip once (cached by scenario name); returns the labels per counter."""
    from simulator.clip import RenderOptions, render_clip

    labels = {}
    for counter_id, scenario in COUNTERS.items():
        out = clip_dir(paths, scenario)
        if not (out / "labels.json").exists():
            echo(f"rendering the {scenario} clip for {counter_id} (first run only)…")
            # Stretched 3x so that each behaviour outlasts the shipped rules' minimum durations.
            render_clip(scenario, out, RenderOptions(fps=fps, seed=1, seconds_scale=3.0))
        labels[counter_id] = json.loads((out / "labels.json").read_text(encoding="utf-8"))
    return labels


def write_counter_files(paths: DemoPaths, labels: dict[str, dict]) -> list[Path]:
    """One calibration file per counter: the simulator's suggested zones, compressed policy durations."""
    from calibration.config import Hours, load_counter
    from pipelines.evaluate import compressed
    from pipelines.pipeline import PipelineSettings

    paths.counters.mkdir(parents=True, exist_ok=True)
    files = []
    for counter_id, scenario in COUNTERS.items():
        base = load_counter(clip_dir(paths, scenario) / "counter.yaml")
        cfg = base.model_copy(update={
            "counter_id": counter_id,
            "hall_id": HALL,
            "hours": Hours(open=time(0, 0), close=time(23, 59, 59), breaks=[], weekdays=list(range(7))),
        })
        cfg, _ = compressed(cfg, PipelineSettings(), float(labels[counter_id].get("time_scale", 1.0)))
        path = paths.counters / f"{counter_id}.yaml"
        path.write_text(yaml.safe_dump(cfg.model_dump(mode="json"), allow_unicode=True, sort_keys=False))
        files.append(path)
    return files


def edge_config(paths: DemoPaths, counter_files: list[Path], broker_url: str, fps: float):
    from edge.config import EdgeConfig

    return EdgeConfig.model_validate({
        "hall_id": HALL,
        "edge_id": "demo-edge",
        "broker": {"url": broker_url},
        "spool": {"path": str(paths.root / "edge-spool.sqlite")},
        "snapshots": {"dir": str(paths.root / "edge-snapshots")},
        "cameras": [
            {"counter": str(f), "source": str(clip_dir(paths, COUNTERS[f.stem]) / "clip.mp4"), "loop": True, "fps": fps}
            for f in counter_files
        ],
    })


def run_demo(root: Path, port: int, fps: float, seconds: float | None, echo) -> None:
    from dashboards.auth import ensure_admin
    from dashboards.config import AggregatorConfig
    from dashboards.store import Store
    from dashboards.web import serve
    from dashboards.web.app import BoardSettings
    from dashboards.worker import Worker
    from edge.embedded import start_embedded_broker
    from edge.runtime import EdgeRuntime

    paths = DemoPaths(root.resolve())  # the edge config below is built in code: its paths must not depend on the cwd
    root.mkdir(parents=True, exist_ok=True)
    labels = render_clips(paths, fps, echo)
    counter_files = write_counter_files(paths, labels)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    broker = start_embedded_broker()
    store = Store.open(paths.db_url)
    password = ensure_admin(paths.db_url)
    agg_cfg = AggregatorConfig.model_validate({
        "broker": {"url": broker.url, "protocol": "3.1.1"},
        "database_url": paths.db_url,
        "shared_subscription": False,
        "snapshot_dir": str(root / "snapshots"),
    })
    worker = Worker(agg_cfg, store)
    worker.start()
    board = serve(store, port=port, block=False, settings=BoardSettings(
        calibration_dir=paths.counters, snapshot_dir=root / "snapshots"))
    runtime = EdgeRuntime(edge_config(paths, counter_files, broker.url, fps)).start()

    echo(f"CounterWatch demo: {len(COUNTERS)} counters of hall '{HALL}' → embedded broker {broker.url}")
    echo(f"Live board: {board.url}")
    echo(f"Log in as admin with password: {password}" if password else
         "Log in as admin with the password printed on the first run (or delete the demo folder).")
    echo("Ctrl-C stops everything.")
    try:
        stop.wait(seconds)
    finally:
        echo("stopping: edge (flushes its spool), aggregator, board, broker…")
        runtime.stop()
        worker.stop()
        board.stop()
        broker.stop()
        echo(f"events stored in {paths.db_url}: {store.count_events()}")
