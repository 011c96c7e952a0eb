"""The part every MediaPipe solution wrapper (pose, face, hands) shares: it owns one graph."""

from __future__ import annotations

from typing import Any, Self


class MediaPipeGraph:
    """A wrapper around one MediaPipe solution graph (`_graph`). close() frees its native memory (~100 MB a
    graph); the wrapper is also a context manager that closes it."""

    _graph: Any

    def close(self) -> None:
        self._graph.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
