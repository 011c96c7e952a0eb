"""Retention: prune events, their follow-up log, reject samples, closed roster spans and snapshot
files older than the configured age (`counterwatch aggregator prune`, and periodically while running)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from dashboards.store import Store


def prune(store: Store, max_age_s: float, snapshot_dir: Path | None = None, now: float | None = None) -> dict[str, int]:
    """Delete what ended more than `max_age_s` ago; returns the number removed per kind."""
    cutoff = (time.time() if now is None else now) - max_age_s
    counts = store.prune(cutoff)
    counts["snapshots"] = prune_snapshots(snapshot_dir, cutoff) if snapshot_dir else 0
    return counts


def prune_snapshots(snapshot_dir: Path, cutoff: float) -> int:
    """Remove snapshot JPEGs last written before `cutoff` (and the directories left empty)."""
    removed = 0
    if not snapshot_dir.is_dir():
        return 0
    for path in snapshot_dir.rglob("*.jpg"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker pruned it first
            continue
    for folder in sorted((p for p in snapshot_dir.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        with contextlib.suppress(OSError):  # not empty
            folder.rmdir()
    return removed
