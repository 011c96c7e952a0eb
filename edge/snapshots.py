"""Evidence snapshots: JPEGs with faces blurred by default, kept on the edge under a size/age limit.

Faces are found with OpenCV's bundled Haar cascades (frontal + profile; no download), plus any face
boxes the pipeline already measured (the Observation's face), so a face the cascade misses but
MediaPipe found is blurred too. Each face box is grown by 25 % and pixelated to ~7 blocks across (not a light Gaussian
blur, which can be partly reversed).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger("counterwatch.edge.snapshots")

Box = tuple[float, float, float, float]  # x1, y1, x2, y2


@cache
def _cascades() -> list:
    import cv2

    names = ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml")
    return [cv2.CascadeClassifier(os.path.join(cv2.data.haarcascades, n)) for n in names]


def detect_faces(image_bgr: np.ndarray) -> list[Box]:
    import cv2

    gray = cv2.equalizeHist(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY))
    min_side = max(20, min(gray.shape) // 25)
    boxes: list[Box] = []
    for cascade in _cascades():
        for x, y, w, h in cascade.detectMultiScale(gray, 1.1, 4, minSize=(min_side, min_side)):
            boxes.append((float(x), float(y), float(x + w), float(y + h)))
    return boxes


def blur_faces(image_bgr: np.ndarray, extra_boxes: Iterable[Box] = ()) -> tuple[np.ndarray, int]:
    """A copy of the image with every detected (or given) face pixelated; returns (image, faces blurred)."""
    import cv2

    out = image_bgr.copy()
    h, w = out.shape[:2]
    boxes = detect_faces(image_bgr) + list(extra_boxes)
    for x1, y1, x2, y2 in boxes:
        gx, gy = 0.25 * (x2 - x1), 0.25 * (y2 - y1)
        a, b = max(0, int(x1 - gx)), max(0, int(y1 - gy))
        c, d = min(w, int(x2 + gx)), min(h, int(y2 + gy))
        if c - a < 2 or d - b < 2:
            continue
        roi = out[b:d, a:c]
        # ~7 blocks across the grown box: too coarse for any face detector or a human to identify.
        block = max(4, (c - a) // 7)
        small = cv2.resize(roi, (max(1, (c - a) // block), max(1, (d - b) // block)), interpolation=cv2.INTER_AREA)
        out[b:d, a:c] = cv2.resize(small, (c - a, d - b), interpolation=cv2.INTER_NEAREST)
    return out, len(boxes)


class SnapshotStore:
    """Writes `<dir>/<snapshot_id>.jpg` and prunes the oldest files beyond `max_mb` or `max_age_h`."""

    def __init__(self, directory: str | Path, blur: bool = True, max_mb: float = 500.0, max_age_h: float = 72.0,
                 jpeg_quality: int = 80) -> None:
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.blur, self.max_bytes, self.max_age_s = blur, int(max_mb * 1e6), max_age_h * 3600
        self.jpeg_quality = jpeg_quality
        self.pruned = 0
        self._lock = threading.Lock()

    def save(self, snapshot_id: str, image_bgr: np.ndarray, face_boxes: Iterable[Box] = ()) -> bytes:
        """Encode (faces blurred unless switched off), store, prune; returns the JPEG bytes."""
        import cv2

        if self.blur:
            image_bgr, _ = blur_faces(image_bgr, face_boxes)
        ok, buf = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise ValueError(f"snapshot {snapshot_id}: JPEG encoding failed for an image of shape {image_bgr.shape}")
        jpeg = buf.tobytes()
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in snapshot_id)
        with self._lock:
            (self.dir / f"{safe}.jpg").write_bytes(jpeg)
            self.prune()
        return jpeg

    def path(self, snapshot_id: str) -> Path:
        return self.dir / f"{snapshot_id}.jpg"

    def prune(self, now: float | None = None) -> int:
        """Delete files older than the age limit, then the oldest until the folder fits the size limit."""
        now = time.time() if now is None else now
        files = sorted(((p.stat().st_mtime, p.stat().st_size, p) for p in self.dir.glob("*.jpg")),
                       key=lambda t: t[0])
        total, removed = sum(s for _, s, _ in files), 0
        for mtime, size, p in files:
            if now - mtime > self.max_age_s or total > self.max_bytes:
                p.unlink(missing_ok=True)
                total -= size
                removed += 1
        self.pruned += removed
        return removed
