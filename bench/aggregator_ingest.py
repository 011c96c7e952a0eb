"""Aggregator ingest benchmark: sustained rate and lag, 1 and 2 workers, SQLite and PostgreSQL.

    .venv/bin/python bench/aggregator_ingest.py [--messages 20000] [--edges 4] [--backends sqlite,postgresql]

Starts its own Mosquitto (on a free port) and, for PostgreSQL, a throw-away server from Debian's
binaries (tests/fixtures/postgres.py). For each backend and worker count it starts the workers as
real `counterwatch aggregator run` processes on one $share group, lets several simulated edges (one
process each) publish a burst of new+end messages at QoS 1 as fast as they can, and reports:
  rate     messages stored per second, from the first publish to the last row stored
  publish  the edges' own publish rate (the rate cannot exceed it)
  lag      arrival delay (received_at − publish time) p50 / p95, and the drain time after the
           last publish until every row is stored
  worker us / msg/CPU-s   CPU of the worker processes per message (net of start-up and connect) and
           messages per worker CPU-second: the workers' capacity, which the wall rate understates when
           the publishers, the broker and the database share the cores (or other jobs run)
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._agg_common import (  # noqa: E402
    bench_servers,
    proc_cpu,
    publisher,
    spawn_worker,
    wait_connected,
)

PY = sys.executable


def publish_edge(port: int, edge: str, incidents: int, start_at: float) -> None:
    """One simulated edge: `incidents` events, each a new then an end message, QoS 1, from start_at."""
    import json
    import uuid

    from edge import topics
    from pipelines.events import Event

    client = publisher(port, edge)
    # Serialise from a template at publish time (start_time = publish time, for the lag figure).
    template = json.loads(Event.open("phone.use", "c00", 0.0, hall_id="hall1", edge_id=edge,
                                     evidence={"duration_s": 10.0}).to_json())
    counters = [(f"c{i:02d}", topics.events("hall1", f"c{i:02d}")) for i in range(8)]
    time.sleep(max(0.0, start_at - time.time()))
    infos = []
    for i in range(incidents):
        counter, topic = counters[i % 8]
        now = time.time()
        ev = {**template, "id": uuid.uuid4().hex, "counter_id": counter, "start_time": now}
        infos.append(client.publish(topic, json.dumps(ev), qos=1))
        end = {**ev, "type": "end", "revision": 1, "end_time": now + 10}
        infos.append(client.publish(topic, json.dumps(end), qos=1))
    for info in infos:
        info.wait_for_publish(300)
    client.loop_stop()
    client.disconnect()


def storage_capacity(url: str, messages: int, batch: int = 1000) -> tuple[float, float]:
    """Messages/s one writer stores without MQTT (validation + batched upsert), to tell the
    storage side apart from the broker and the publishers; and messages per CPU-second of the writer
    thread (the database server's CPU not included)."""
    from dashboards.ingest import Ingestor
    from dashboards.store import Store
    from edge import topics
    from pipelines.events import Event

    store = Store.open(url)
    items = []
    for i in range(messages // 2):
        ev = Event.open("phone.use", f"c{i % 8:02d}", 1000.0 + i, hall_id="hall1", edge_id="edge-a")
        t = topics.events("hall1", ev.counter_id)
        end = ev.next("end", end_time=1010.0 + i)
        items += [(t, ev.to_json().encode(), 0.0, None), (t, end.to_json().encode(), 0.0, None)]
    ingestor = Ingestor(store)
    start, cpu = time.perf_counter(), time.thread_time()
    for k in range(0, len(items), batch):
        ingestor.handle_batch(items[k:k + batch])
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
    store.close()
    return len(items) / elapsed, len(items) / cpu


def run_case(port: int, url: str, workers: int, edges: int, incidents_per_edge: int, workdir: Path) -> dict:
    from sqlalchemy import func, select

    from dashboards import tables as t
    from dashboards.store import Store

    store = Store.open(url)
    procs = [spawn_worker(workdir / f"agg{i}.yaml",
                          f"broker: {{url: 'mqtt://127.0.0.1:{port}'}}\ndatabase_url: '{url}'\ngroup: bench\n"
                          f"client_id: bench-{i}-{time.monotonic_ns()}\nbatch_size: 1000\nbatch_wait_ms: 20\n"
                          "session_expiry_s: 0\n", workdir / f"agg{i}.log")
             for i in range(workers)]
    wait_connected(procs)
    time.sleep(1.0)  # subscriptions
    cpu0 = sum(proc_cpu(proc.pid) for proc, *_ in procs)
    total = edges * incidents_per_edge
    t0 = time.time() + 4  # the edges connect and import first, then all start publishing at t0
    pubs = [subprocess.Popen([PY, __file__, "--publish-edge", f"edge-{e}", "--port", str(port),
                              "--incidents", str(incidents_per_edge), "--start-at", str(t0)]) for e in range(edges)]
    done_publishing = None
    stored = 0
    query = select(func.count()).select_from(t.events).where(t.events.c.revision == 1)
    while True:
        if done_publishing is None and all(p.poll() is not None for p in pubs):
            done_publishing = time.time()
        with store.engine.connect() as c:
            stored = c.execute(query).scalar_one()
        if stored >= total:
            break
        if time.time() - t0 > 600:
            print(f"  timed out with {stored}/{total} rows", flush=True)
            break
        time.sleep(0.05)
    t_end = time.time()
    if done_publishing is None:
        for p in pubs:
            p.wait()
        done_publishing = time.time()
    cpu = sum(proc_cpu(proc.pid) for proc, *_ in procs) - cpu0
    for proc, log, _ in procs:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        log.close()
    with store.engine.connect() as c:
        delays = sorted(r[0] for r in c.execute(select(t.events.c.received_at - t.events.c.start_time)))
    store.close()
    messages = 2 * stored
    return {
        "rate": messages / (t_end - t0),
        "publish": 2 * total / (done_publishing - t0),
        "p50": statistics.median(delays) if delays else float("nan"),
        "p95": delays[int(0.95 * (len(delays) - 1))] if delays else float("nan"),
        "drain": max(0.0, t_end - done_publishing),
        "messages": messages,
        "worker_us": 1e6 * cpu / messages if messages else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20000, help="messages per case (new + end per incident)")
    parser.add_argument("--edges", type=int, default=4, help="simulated edges publishing in parallel")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--publish-edge", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--incidents", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publish_edge:
        publish_edge(args.port, args.publish_edge, args.incidents, args.start_at)
        return
    with bench_servers("cw-bench-") as (workdir, broker, port, dbs):
        incidents = args.messages // 2 // args.edges
        print(f"{args.edges} edges x {incidents} incidents (new+end) = {2 * incidents * args.edges} messages per case; "
              f"{os.cpu_count()} CPUs", flush=True)
        print(f"{'backend':<11}{'workers':>8}{'rate msg/s':>12}{'publish/s':>11}{'lag p50 s':>11}{'p95 s':>8}"
              f"{'drain s':>9}{'worker us':>10}{'msg/CPU-s':>10}{'load':>6}", flush=True)
        for backend in args.backends.split(","):
            url = dbs.url(backend, "direct.db")
            wall, per_cpu = storage_capacity(url, args.messages)
            print(f"{backend:<11}{'direct':>8}{wall:>12.0f}   (one writer, no MQTT: validation + batched upsert; "
                  f"{per_cpu:.0f} msg per writer CPU-s)", flush=True)
            for n in (int(w) for w in args.workers.split(",") if w.strip() and int(w) > 0):
                url = dbs.url(backend, f"bench-{n}.db")
                r = run_case(port, url, n, args.edges, incidents, workdir)
                print(f"{backend:<11}{n:>8}{r['rate']:>12.0f}{r['publish']:>11.0f}{r['p50']:>11.3f}{r['p95']:>8.3f}"
                      f"{r['drain']:>9.2f}{r['worker_us']:>10.0f}{1e6 / r['worker_us']:>10.0f}"
                      f"{os.getloadavg()[0]:>6.1f}", flush=True)


if __name__ == "__main__":
    main()
