"""Aggregator ingest capacity: drain a backlog queued in Mosquitto while the workers were offline.

    .venv/bin/python bench/aggregator_drain.py [--incidents 20000] [--workers 1,2] [--batch 1000]
        [--backends postgresql,sqlite] [--protocol 5|3.1.1] [--direct]

Why a backlog: when the publishers run on the same cores as the workers (bench/aggregator_ingest.py)
the rate measured is the publishers' rate. Here the publishing is finished before the workers start,
so the workers, the broker and the database own the CPU while they drain:

1. start Mosquitto (`max_queued_messages 0` = unbounded per-session queues, in memory);
2. start each worker once (`counterwatch aggregator run`, persistent MQTT 5 session, one $share group),
   wait until it has subscribed, and stop it: its session and shared subscription stay on the broker;
3. publish the backlog at QoS 1 (every `new`, then every `end`, so a batch never holds both messages of
   one event and every `end` updates a stored row); the broker queues them for the offline sessions
   ($share splits them round-robin among the group's sessions);
4. start the workers again and time them until every row is stored at revision 1.

Prints two drain rates: `arrive/s` = messages / (last arrival − first arrival at the workers, from the
rows' received_at/updated_at; manual ack keeps arrival at most receive_maximum messages ahead of the
commits) and `stored/s` = messages / (all rows committed − first row seen, polled every 100 ms); the
time from starting the workers to the last row (process start-up and connect included); CPU per
message of the workers (net of start-up), Mosquitto and PostgreSQL, with the rate those would allow on
two idle cores; `load` = the 1-minute load average after the case; and `msg/CPU-s` = messages per
CPU-second of the worker processes (the workers' own capacity: on a shared box the wall rates
understate it, this figure hardly depends on the load).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
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
RECEIVE_MAXIMUM = 2000  # the workers' broker.receive_maximum (--receive-maximum)


def publish_backlog(port: int, edge: str, first: int, count: int) -> None:
    """Publish `count` incidents as every new message, then every end message, QoS 1; wait for PUBACKs."""
    import json

    from edge import topics
    from pipelines.events import Event

    client = publisher(port, edge)
    template = json.loads(Event.open("phone.use", "c00", 0.0, hall_id="hall1", edge_id=edge,
                                     evidence={"duration_s": 10.0, "score": 0.83}).to_json())
    now = time.time()
    infos = []
    for rev, kind in ((0, "new"), (1, "end")):
        for i in range(first, first + count):
            counter = f"c{i % 16:02d}"
            ev = {**template, "id": f"bench-{i:09d}", "counter_id": counter, "start_time": now - 60 + i * 1e-3,
                  "type": kind, "revision": rev}
            if kind == "end":
                ev["end_time"] = ev["start_time"] + 10
            infos.append(client.publish(topics.events("hall1", counter), json.dumps(ev), qos=1))
    for info in infos:
        info.wait_for_publish(600)
    client.loop_stop()
    client.disconnect()


def postgres_cpu(datadir: Path) -> float:
    """CPU seconds of a PostgreSQL cluster: the postmaster, its exited children and its live backends."""
    master = int((datadir / "postmaster.pid").read_text().split()[0])
    total = proc_cpu(master, children=True)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            total += proc_cpu(int(stat.parent.name))
    return total


def _spawn_workers(n: int, port: int, url: str, workdir: Path, tag: str, batch: int, phase: str,
                   protocol: str = "5") -> list:
    return [spawn_worker(workdir / f"{tag}-{i}.yaml",
                         f"broker: {{url: 'mqtt://127.0.0.1:{port}', receive_maximum: {RECEIVE_MAXIMUM}, "
                         f"protocol: '{protocol}'}}\n"
                         f"database_url: '{url}'\n"
                         f"group: {tag}\nclient_id: {tag}-{i}\nbatch_size: {batch}\nbatch_wait_ms: 20\n"
                         "session_expiry_s: 3600\nprune_every_s: 0\n",
                         workdir / f"{tag}-{i}-{phase}.log")
            for i in range(n)]


def _stop(procs: list) -> float:
    """SIGTERM the workers; returns their CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for proc, log, _ in procs:
        proc.send_signal(signal.SIGTERM)
        proc.wait(120)
        log.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_case(port: int, url: str, workers: int, incidents: int, publishers: int, batch: int, workdir: Path,
             protocol: str, broker_pid: int, pg_dir: Path | None) -> dict:
    from sqlalchemy import func, select

    from dashboards import tables as t
    from dashboards.store import Store

    store = Store.open(url)
    tag = f"drain{workers}-{time.monotonic_ns() % 10**9}"  # its own $share group: no stale sessions in it
    # 1. register the persistent sessions and the $share subscription, then go offline
    procs = _spawn_workers(workers, port, url, workdir, tag, batch, "register", protocol)
    wait_connected(procs)
    time.sleep(1.0)  # SUBACK
    idle_cpu = _stop(procs)  # start-up, connect and stop: subtracted from the drain's worker CPU
    # 2. the backlog, while nobody is consuming
    t_pub = time.time()
    per = incidents // publishers
    pubs = [subprocess.Popen([PY, __file__, "--publish", f"edge-{e}", "--port", str(port), "--first", str(e * per),
                              "--count", str(per)]) for e in range(publishers)]
    for p in pubs:
        p.wait()
    total = per * publishers
    publish_s = time.time() - t_pub
    with store.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(t.events)).scalar_one() == 0, "a worker was still running"
    # 3. drain
    t0 = time.time()
    broker0, pg0 = proc_cpu(broker_pid), postgres_cpu(pg_dir) if pg_dir else 0.0
    procs = _spawn_workers(workers, port, url, workdir, tag, batch, "drain", protocol)
    done = select(func.count()).select_from(t.events).where(t.events.c.revision == 1)
    first_row = None
    stored = 0
    while stored < total and time.time() - t0 < 900:
        with store.engine.connect() as c:
            stored = c.execute(done).scalar_one()
            if first_row is None and c.execute(select(func.count()).select_from(t.events)).scalar_one():
                first_row = time.time()
        time.sleep(0.1)  # the count is a scan of the table: poll gently, it competes for the same cores
    t_end = time.time()
    broker1, pg1 = proc_cpu(broker_pid), postgres_cpu(pg_dir) if pg_dir else 0.0
    cpu = _stop(procs) - idle_cpu
    with store.engine.connect() as c:
        rows = c.execute(select(func.count()).select_from(t.events)).scalar_one()
        first_at = c.execute(select(func.min(t.events.c.received_at))).scalar_one()
        last_at = c.execute(select(func.max(t.events.c.updated_at))).scalar_one()
    store.close()
    messages = 2 * total
    return {
        "messages": messages, "rows": rows, "complete": stored >= total,
        "rate": messages / (last_at - first_at) if last_at and first_at and last_at > first_at else float("nan"),
        "stored_rate": messages / (t_end - first_row) if first_row and t_end > first_row else float("nan"),
        "wall": t_end - t0, "first_row_s": (first_row or t_end) - t0, "publish_s": publish_s,
        "worker_us": 1e6 * cpu / messages, "broker_us": 1e6 * (broker1 - broker0) / messages,
        "db_us": 1e6 * (pg1 - pg0) / messages,
    }


def direct(url: str, incidents: int, batch: int) -> str:
    """The writer alone (no MQTT): validation + batch upsert of the same backlog, in this thread;
    CPU per message of this thread and of the database backend (PostgreSQL)."""
    from sqlalchemy import text

    from dashboards.ingest import Ingestor
    from dashboards.store import Store
    from edge import topics
    from pipelines.events import Event

    items = []
    for rev, kind in ((0, "new"), (1, "end")):
        for i in range(incidents):
            ev = Event.open("phone.use", f"c{i % 16:02d}", 1_700_000_000.0 + i, hall_id="hall1", edge_id="edge-a",
                            evidence={"duration_s": 10.0, "score": 0.83})
            ev.id, ev.type, ev.revision = f"bench-{i:09d}", kind, rev
            items.append((topics.events("hall1", ev.counter_id), ev.to_json().encode(), time.time(), None))
    store = Store.open(url)
    ingestor = Ingestor(store)
    backend_pid = None
    if store.dialect == "postgresql":
        with store.engine.connect() as c:  # the pool hands this same connection to the writer below
            backend_pid = c.execute(text("SELECT pg_backend_pid()")).scalar_one()
    w0, c0, d0 = time.perf_counter(), time.thread_time(), proc_cpu(backend_pid) if backend_pid else 0.0
    for k in range(0, len(items), batch):
        ingestor.handle_batch(items[k:k + batch])
    w1, c1, d1 = time.perf_counter(), time.thread_time(), proc_cpu(backend_pid) if backend_pid else 0.0
    n = len(items)
    assert store.count_events() == incidents
    store.close()
    return (f"{n / (w1 - w0):>8.0f} msg/s wall, writer CPU {1e6 * (c1 - c0) / n:.0f} us/msg "
            f"({n / (c1 - c0):.0f} msg/CPU-s), database backend CPU {1e6 * (d1 - d0) / n:.0f} us/msg")


def main() -> None:
    global RECEIVE_MAXIMUM
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=20000, help="events per case (2 messages each)")
    ap.add_argument("--publishers", type=int, default=4)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--batch", type=int, default=1000, help="worker batch_size")
    ap.add_argument("--backends", default="postgresql,sqlite")
    ap.add_argument("--protocol", default="5", choices=["5", "3.1.1"], help="the workers' MQTT protocol")
    ap.add_argument("--receive-maximum", type=int, default=RECEIVE_MAXIMUM,
                    help="the workers' broker.receive_maximum (MQTT 5 flow control)")
    ap.add_argument("--direct", action="store_true", help="only the writer, without MQTT (see direct())")
    ap.add_argument("--publish", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    RECEIVE_MAXIMUM = args.receive_maximum
    if args.publish:
        publish_backlog(args.port, args.publish, args.first, args.count)
        return
    with bench_servers("cw-drain-") as (workdir, broker, port, dbs):
        print(f"backlog of {args.incidents} incidents = {2 * args.incidents} messages per case, batch_size "
              f"{args.batch}, MQTT {args.protocol}, receive_maximum {RECEIVE_MAXIMUM}; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        if not args.direct:
            print("CPU columns: microseconds of CPU per message (workers net of start-up, Mosquitto, PostgreSQL); "
                  "the capacity bound is cores / their sum", flush=True)
            print(f"{'backend':<11}{'workers':>8}{'arrive/s':>10}{'stored/s':>10}{'start->done s':>14}{'1st row s':>10}"
                  f"{'worker us':>10}{'msg/CPU-s':>10}{'broker us':>10}{'db us':>7}{'bound/2 cores':>14}{'load':>6}",
                  flush=True)
        for backend in args.backends.split(","):
            if args.direct:
                url = dbs.url(backend, "direct.db")
                print(f"{backend:<11}  direct {direct(url, args.incidents, args.batch)}", flush=True)
                continue
            for n in (int(w) for w in args.workers.split(",")):
                url = dbs.url(backend, f"drain-{n}-{time.monotonic_ns()}.db")
                r = run_case(port, url, n, args.incidents, args.publishers, args.batch, workdir, args.protocol,
                             broker.pid, dbs.pg.datadir if backend == "postgresql" else None)
                flag = "" if r["complete"] and r["rows"] == args.incidents else f"  INCOMPLETE ({r['rows']} rows)"
                bound = 2e6 / (r["worker_us"] + r["broker_us"] + r["db_us"])
                print(f"{backend:<11}{n:>8}{r['rate']:>10.0f}{r['stored_rate']:>10.0f}{r['wall']:>14.2f}{r['first_row_s']:>10.2f}"
                      f"{r['worker_us']:>10.0f}{1e6 / r['worker_us']:>10.0f}{r['broker_us']:>10.0f}{r['db_us']:>7.0f}"
                      f"{bound:>14.0f}{os.getloadavg()[0]:>6.1f}{flag}",
                      flush=True)

if __name__ == "__main__":
    main()
