"""Count a class's instances and one method's calls during a test (pytest's monkeypatch undoes both)."""

from __future__ import annotations

from typing import Any


def spy(monkeypatch: Any, cls: type, method: str) -> tuple[list, list]:
    """(instances made, first arguments passed to `method`) from now until monkeypatch.undo()."""
    made, calls = [], []
    real_init, real_method = cls.__init__, getattr(cls, method)

    def init(self, *a, **kw):
        made.append(self)
        real_init(self, *a, **kw)

    def wrapped(self, arg, *a, **kw):
        calls.append(arg)
        return real_method(self, arg, *a, **kw)

    monkeypatch.setattr(cls, "__init__", init)
    monkeypatch.setattr(cls, method, wrapped)
    return made, calls
