"""Grab a clean-desk reference frame from a camera source: the per-pixel median of a few frames spread
over a short time, so a passing hand or sensor noise does not end up in the reference."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

IMAGE_EXT = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


class CaptureError(RuntimeError):
    """The source cannot be opened or yields no frame; the message names it and the fix."""


def read_frames(source: str, frames: int = 7, every_s: float = 0.5) -> list[np.ndarray]:
    """Up to `frames` frames: from an image, a directory of images, a video file, an rtsp:// URL or a USB index."""
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXT)
        if not files:
            raise CaptureError(f"{source}: no images ({', '.join(sorted(IMAGE_EXT))}) in this directory")
        step = max(1, len(files) // frames)
        imgs = [cv2.imread(str(p)) for p in files[::step][:frames]]
        return [i for i in imgs if i is not None]
    if path.suffix.lower() in IMAGE_EXT:
        img = cv2.imread(str(path))
        if img is None:
            raise CaptureError(f"{source}: cannot read this image. Fix: check the path and the file")
        return [img]
    live = source.isdigit() or "://" in source
    if not live and not path.exists():
        raise CaptureError(f"{source}: no such file. Fix: pass a video/image file, a frames directory, "
                           "an rtsp:// URL or a USB camera index")
    cap = cv2.VideoCapture(int(source) if source.isdigit() else source)
    if not cap.isOpened():
        raise CaptureError(f"{source}: cannot open the source. Fix: check the URL/credentials or the device index")
    out: list[np.ndarray] = []
    try:
        if live:
            deadline = time.monotonic() + frames * every_s + 10
            last = 0.0
            while len(out) < frames and time.monotonic() < deadline:
                ok, frame = cap.read()
                if ok and time.monotonic() - last >= every_s:
                    out.append(frame)
                    last = time.monotonic()
        else:
            n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or frames
            fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
            step = max(1, min(int(every_s * fps), n // frames))
            for k in range(frames):
                cap.set(cv2.CAP_PROP_POS_FRAMES, k * step)
                ok, frame = cap.read()
                if ok:
                    out.append(frame)
    finally:
        cap.release()
    if not out:
        raise CaptureError(f"{source}: the source delivered no frame")
    return out


def median_frame(frames: list[np.ndarray]) -> np.ndarray:
    shape = frames[0].shape
    same = [f for f in frames if f.shape == shape]
    return np.median(np.stack(same), axis=0).astype(np.uint8) if len(same) > 1 else same[0]
