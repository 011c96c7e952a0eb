"""An in-process MQTT broker (PyPI `amqtt`) so that the demo runs with no broker installed.

It is for the demo and for a single box only: anonymous, loopback, no persistence across restarts.
Production uses Mosquitto (docs/edge.md).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from dataclasses import dataclass


@dataclass
class EmbeddedBroker:
    host: str
    port: int
    _loop: asyncio.AbstractEventLoop
    _broker: object
    _thread: threading.Thread

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        fut = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)  # type: ignore[attr-defined]
        try:
            fut.result(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start_embedded_broker(port: int | None = None, host: str = "127.0.0.1", timeout: float = 10.0) -> EmbeddedBroker:
    """Start an amqtt broker on host:port (a free port when None) in a daemon thread; returns its handle."""
    from amqtt.broker import Broker

    port = port or free_port(host)
    for name in ("amqtt", "transitions"):  # amqtt logs every packet at INFO
        logging.getLogger(name).setLevel(logging.WARNING)
    config = {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }
    loop = asyncio.new_event_loop()
    ready: dict[str, object] = {}
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            broker = Broker(config, loop=loop)
            loop.run_until_complete(broker.start())
            ready["broker"] = broker
        except Exception as exc:  # reported to the caller below
            ready["error"] = exc
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="amqtt-broker", daemon=True)
    thread.start()
    if not started.wait(timeout):
        raise RuntimeError(f"embedded MQTT broker did not start on {host}:{port} within {timeout}s")
    if "error" in ready:
        raise RuntimeError(f"embedded MQTT broker failed on {host}:{port}: {ready['error']}. "
                           "Fix: pick a free port in broker.url, or run Mosquitto.")
    return EmbeddedBroker(host, port, loop, ready["broker"], thread)
