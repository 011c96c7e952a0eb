"""The live board (FastAPI). `create_app` builds the app; `serve` runs it with uvicorn.

For the demo and `counterwatch aggregator board`:

    from dashboards.auth import ensure_admin
    from dashboards.web import serve
    password = ensure_admin("sqlite:///cw.db")            # None when an admin exists already
    server = serve("sqlite:///cw.db", port=8080, block=False, settings=BoardSettings(...))
    print(server.url, password)
    ...
    server.stop()
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboards.store import Store
    from dashboards.web.app import BoardSettings


@dataclass
class BoardServer:
    """A running board: `url` to print, `stop()` to end it (the uvicorn server in a thread)."""

    url: str
    server: Any
    thread: threading.Thread | None

    def stop(self, timeout: float = 10) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout)


def create_app(store: Store, settings: BoardSettings | None = None, auth: Any = None) -> Any:
    from dashboards.web.app import create_app as _create

    return _create(store, settings, auth)


def serve(
    store: Store | str, host: str = "127.0.0.1", port: int = 8080, settings: BoardSettings | None = None,
    block: bool = True, log_level: str = "warning",
) -> BoardServer:
    """Serve the board. block=False starts it in a thread and returns once it accepts connections."""
    import uvicorn

    from dashboards.store import Store as _Store

    if isinstance(store, str):
        store = _Store.open(store)
    app = create_app(store, settings)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0', '::') else host}:{port}/"
    if block:
        server.run()
        return BoardServer(url, server, None)
    thread = threading.Thread(target=server.run, name="board", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the board did not start on {host}:{port} (port in use?)")
        time.sleep(0.02)
    return BoardServer(url, server, thread)
