"""Camera sources: one decoding thread per camera that keeps only the newest frame.

A source is a video file (looped or played once), an rtsp:// (or http://) URL, a USB index, or a
directory of image frames. Each thread reconnects with exponential backoff when the source fails or
stalls, and never blocks another camera: the analysis loop only ever takes the latest frame.

Decoded frames are converted to BGR (cv2 `retrieve`) only when analysis asks for one (`request`, then
`wait_fresh`) plus `retrieve_fps` per second: H.264 must decode every frame (P-frames need their
predecessors), but the YUV->BGR conversion and copy of a frame nobody analyses is waste; a frame asked
for is the next one decoded, so it is at most one frame interval old when analysis takes it.

Status values: starting, online, reconnecting, error (the source cannot be opened or decoded: the
message says which file and why), finished (a file played once reached its end), stopped.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("counterwatch.edge.sources")

IMAGE_EXT = {".jpg", ".jpeg", ".png", ".bmp"}


class SourceError(RuntimeError):
    """The source cannot be opened or decoded; the message names the source and the likely cause."""


@dataclass(slots=True)
class Frame:
    image: np.ndarray  # BGR
    t_capture: float  # wall clock (time.time()) when decoded
    index: int  # frames delivered by this source so far (grows across reconnects)
    t_clip: float  # seconds into the clip (files) or since the source opened


class CameraSource:
    def __init__(
        self,
        name: str,
        source: str | int,
        loop: bool = True,
        realtime: bool = True,
        stall_s: float = 5.0,
        backoff_min_s: float = 0.25,
        backoff_max_s: float = 2.0,
        dir_fps: float = 5.0,
        retrieve_fps: float | None = None,
        decode_threads: int = 1,
    ) -> None:
        self.name, self.source, self.loop, self.realtime = name, source, loop, realtime
        # H.264 must decode every frame (grab), but only the frames analysis takes need the YUV->BGR
        # conversion and copy (retrieve): those asked for (`request`) plus retrieve_fps per second in the
        # background (None: every frame).
        self.retrieve_fps = retrieve_fps
        self.decode_threads = decode_threads  # FFmpeg decoder threads per camera (0 = FFmpeg's default)
        self.stall_s, self.dir_fps = stall_s, dir_fps
        self.backoff_min_s, self.backoff_max_s = backoff_min_s, backoff_max_s
        self.status = "starting"
        self.error: str | None = None
        self.reconnects = 0
        self.decode_ms: list[float] = []  # recent per-frame decode times (bounded)
        self._latest: Frame | None = None
        self._lock = threading.Lock()
        self._fresh = threading.Condition(self._lock)  # notified on every delivered frame
        self._want = threading.Event()  # analysis asked for a frame: convert the next one decoded
        self._stop = threading.Event()
        self._count = 0
        self._thread = threading.Thread(target=self._run, name=f"cam-{name}", daemon=True)

    # -- consumer side ---------------------------------------------------------------------------------
    def start(self) -> CameraSource:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.status = "stopped"

    def latest(self) -> Frame | None:
        with self._lock:
            return self._latest

    def request(self) -> int:
        """Analysis will want a frame: the decoder converts the next frame it decodes. Returns the index of
        the newest frame so far: pass it to `wait_fresh` to get a frame decoded after the request."""
        with self._lock:
            self._want.set()
            return self._count

    def wait_fresh(self, after_index: int, timeout: float) -> Frame | None:
        """The newest frame once one newer than `after_index` is there, or whatever is there after `timeout`
        seconds (the caller then sees an old frame or an outage; it never blocks longer)."""
        with self._fresh:
            self._fresh.wait_for(lambda: self._latest is not None and self._latest.index > after_index, timeout)
            return self._latest

    @property
    def kind(self) -> str:
        s = self.source
        if isinstance(s, int) or (isinstance(s, str) and s.isdigit()):
            return "usb"
        if "://" in str(s):
            return "stream"
        return "dir" if Path(s).is_dir() else "file"

    def online(self, now: float | None = None) -> bool:
        """A frame arrived within the stall window (the watchdog's view, independent of the thread)."""
        f = self.latest()
        now = time.time() if now is None else now
        return f is not None and now - f.t_capture <= self.stall_s and self.status == "online"

    # -- decoding thread -------------------------------------------------------------------------------
    def _run(self) -> None:
        delay = self.backoff_min_s
        while not self._stop.is_set():
            try:
                if self.kind == "dir":
                    self._play_dir()
                else:
                    self._play_capture()
                if self.status == "finished":
                    return
                delay = self.backoff_min_s  # a clean end of a looped file: restart at once
            except SourceError as exc:
                if str(exc) != self.error:
                    log.error("camera %s: %s", self.name, exc)
                self.error = str(exc)
                self.status = "error" if self.kind in ("file", "dir") else "reconnecting"
            if self._stop.is_set():
                return
            self.reconnects += 1
            self._stop.wait(delay)
            # A broken file does not heal in a second: retry it slowly (it may be replaced); streams fast.
            cap = self.backoff_max_s if self.kind in ("stream", "usb") else max(self.backoff_max_s, 30.0)
            delay = min(delay * 2, cap)

    def _deliver(self, image: np.ndarray, t_clip: float, decode_ms: float) -> None:
        with self._fresh:
            self._count += 1
            self._latest = Frame(image, time.time(), self._count, t_clip)
            self._fresh.notify_all()
        self.decode_ms = (self.decode_ms + [decode_ms])[-200:]
        if self.status != "online":
            log.info("camera %s online", self.name)
        self.status, self.error = "online", None

    def _open(self):  # -> cv2.VideoCapture
        import cv2

        src = self.source
        if self.kind == "usb":
            cap = cv2.VideoCapture(int(src))
        else:
            if self.kind == "file" and not Path(str(src)).exists():
                raise SourceError(f"video file {src} not found. Fix: correct cameras[].source in the edge config.")
            timeout_ms = int(self.stall_s * 1000)
            params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms]
            if self.decode_threads:  # FFmpeg's default is a thread per core for every camera: oversubscribed
                params += [cv2.CAP_PROP_N_THREADS, self.decode_threads]
            cap = cv2.VideoCapture(str(src), cv2.CAP_FFMPEG, params)
        if not cap.isOpened():
            cap.release()
            if self.kind == "file":
                raise SourceError(f"video file {src} cannot be opened: it is corrupt or truncated, or not a video "
                                  "(re-export it, e.g. `ffmpeg -i IN -c:v libx264 OUT.mp4`).")
            raise SourceError(f"cannot open {src}; retrying with backoff")
        return cap

    def _play_capture(self) -> None:
        import cv2

        cap = self._open()
        is_file = self.kind == "file"  # `kind` stats the path: not once per decoded frame
        try:
            fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
            fps = fps if 1 <= fps <= 120 else 25.0
            t0, n, got_any = time.monotonic(), 0, False
            period = 1.0 / self.retrieve_fps if self.retrieve_fps else 0.0
            next_retrieve = 0.0
            while not self._stop.is_set():
                t_read = time.perf_counter()
                if not cap.grab():
                    # A looped file rewinds in place: reopening it (demuxer and decoder set up again) left a
                    # gap of 100+ ms on a busy box in which a frame request found nothing new.
                    if not (is_file and self.loop and got_any and cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                            and cap.grab()):
                        break
                    t0, n = time.monotonic(), 0
                got_any = True
                now = time.monotonic()
                if self._want.is_set() or now >= next_retrieve:
                    self._want.clear()
                    ok, image = cap.retrieve()
                    if not ok or image is None:
                        break
                    # a late decoder does not owe frames: the next one is due one period from now at most
                    next_retrieve = max(next_retrieve + period, now) if period else 0.0
                    decode_ms = (time.perf_counter() - t_read) * 1000
                    t_clip = (cap.get(cv2.CAP_PROP_POS_MSEC) or 0.0) / 1000 if is_file else n / fps
                    self._deliver(image, t_clip, decode_ms)
                n += 1
                if self.realtime and is_file:
                    ahead = t0 + n / fps - time.monotonic()
                    if ahead > 0:
                        self._stop.wait(ahead)
        finally:
            cap.release()
        if self._stop.is_set():
            return
        if is_file:
            if not got_any:
                raise SourceError(f"video file {self.source} opened but no frame decodes: it is corrupt or "
                                  "truncated. Fix: re-export or replace the file.")
            if not self.loop:
                self.status = "finished"
            return
        raise SourceError(f"stream {self.source} stopped delivering frames; reconnecting")

    def _play_dir(self) -> None:
        import cv2

        files = sorted(p for p in Path(str(self.source)).iterdir() if p.suffix.lower() in IMAGE_EXT)
        if not files:
            raise SourceError(f"frame directory {self.source} holds no .jpg/.png images.")
        t0 = time.monotonic()
        for i, p in enumerate(files):
            if self._stop.is_set():
                return
            t_read = time.perf_counter()
            image = cv2.imread(str(p))
            if image is None:
                log.warning("camera %s: unreadable frame %s skipped", self.name, p)
                continue
            self._deliver(image, i / self.dir_fps, (time.perf_counter() - t_read) * 1000)
            if self.realtime:
                ahead = t0 + (i + 1) / self.dir_fps - time.monotonic()
                if ahead > 0:
                    self._stop.wait(ahead)
        if not self.loop:
            self.status = "finished"
