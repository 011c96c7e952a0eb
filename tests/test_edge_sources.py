"""Camera sources inside the runtime: an RTSP drop and return, and a corrupt file that fails alone.

RTSP is served for real: Debian's `rtsp-server-perl` relays a stream that ffmpeg pushes from a clip;
killing both is a camera outage, starting them again is the camera's return.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from edge import topics
from edge.config import load_edge_config
from edge.runtime import EdgeRuntime
from tests.fixtures.mqtt import free_port
from tests.test_edge_fakes import make_clip, make_fake_pipeline, write_counter, write_edge_config
from tests.test_edge_mqtt import Subscriber, wait_for

pytestmark = pytest.mark.mqtt


class RtspCamera:
    """An RTSP "camera": rtsp-server-perl on a free port, fed by ffmpeg looping a clip."""

    def __init__(self, clip: Path, log: Path) -> None:
        self.clip, self.log = clip, log
        self.client_port, self.source_port = free_port(), free_port()
        self.procs: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.client_port}/live"

    def start(self) -> None:
        out = self.log.open("ab")
        self.procs = [subprocess.Popen(
            ["rtsp-server-perl", "-c", str(self.client_port), "-s", str(self.source_port),
             "--rtp_start_port", str(random.randrange(20000, 60000, 2)), "-l", "1"], stdout=out, stderr=out)]
        # The relay must listen before the pusher connects (perl starts slowly on a busy machine).
        assert wait_for(lambda: _listening(self.source_port) and _listening(self.client_port), 15), "relay down"
        self.procs.append(subprocess.Popen(
            ["ffmpeg", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", str(self.clip), "-c", "copy",
             "-f", "rtsp", f"rtsp://127.0.0.1:{self.source_port}/live"], stdout=out, stderr=out))

    def kill(self) -> None:
        for p in reversed(self.procs):
            p.kill()
            p.wait(5)
        self.procs = []


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture
def clip(tmp_path) -> Path:
    return make_clip(tmp_path / "clip.mp4", seconds=3)


def run_runtime(config: Path) -> EdgeRuntime:
    return EdgeRuntime(load_edge_config(config), pipeline_factory=make_fake_pipeline).start()


@pytest.mark.skipif(shutil.which("rtsp-server-perl") is None, reason="apt-get install rtsp-server-perl")
def test_rtsp_drop_and_return(tmp_path, mosquitto, clip):
    cam = RtspCamera(clip, tmp_path / "rtsp.log")
    cam.start()
    cams = [{"counter": str(write_counter(tmp_path / "c1.yaml", "c1")), "source": cam.url, "fps": 5, "stall_s": 2},
            {"counter": str(write_counter(tmp_path / "c2.yaml", "c2")), "source": str(clip), "fps": 5}]
    status_c1 = topics.status("hall1", "c1")
    sub = Subscriber(mosquitto.host, mosquitto.port, [status_c1])
    rt = run_runtime(write_edge_config(tmp_path, mosquitto.url, cams))
    try:
        p1, p2 = rt.workers["c1"].pipeline, rt.workers["c2"].pipeline
        assert wait_for(lambda: p1.frames >= 5, 20), (rt.stats(), cam.log.read_text()[-2000:])
        cam.kill()
        assert wait_for(lambda: b'"camera_offline"' in b"".join(sub.payloads(status_c1)), 10), rt.stats()
        frames_c2 = p2.frames
        time.sleep(2)
        assert p2.frames >= frames_c2 + 5  # the other camera never waited for the dead one
        assert all(b'"empty"' not in p for p in sub.payloads(status_c1))
        frames_c1 = p1.frames
        cam.start()
        back = time.monotonic()
        assert wait_for(lambda: p1.frames > frames_c1, 10), (rt.stats(), cam.log.read_text()[-2000:])
        resumed_after = time.monotonic() - back
        assert resumed_after < 5.0, f"analysis resumed {resumed_after:.1f}s after the source came back"
        assert wait_for(lambda: sub.payloads(status_c1)[-1:] != [] and b'"serving"' in sub.payloads(status_c1)[-1])
        assert rt.stats()["cameras"]["c1"]["reconnects"] >= 1
    finally:
        cam.kill()
        rt.stop(timeout=2)
        sub.close()


def test_corrupt_and_truncated_files_fail_alone(tmp_path, mosquitto, clip):
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 50)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(clip.read_bytes()[: clip.stat().st_size // 3])
    cams = [{"counter": str(write_counter(tmp_path / f"{c}.yaml", c)), "source": str(src), "fps": 5}
            for c, src in (("bad", corrupt), ("cut", truncated), ("good", clip))]
    rt = run_runtime(write_edge_config(tmp_path, mosquitto.url, cams))
    try:
        good = rt.workers["good"].pipeline
        assert wait_for(lambda: good.frames >= 10, 15)
        stats = rt.stats()["cameras"]
        assert stats["good"]["status"] == "online" and stats["good"]["error"] is None
        for name, path in (("bad", corrupt), ("cut", truncated)):
            assert stats[name]["status"] == "error", stats[name]
            assert str(path) in stats[name]["error"] and "corrupt or truncated" in stats[name]["error"]
            assert rt.workers[name].pipeline.frames == 0
    finally:
        rt.stop(timeout=2)


def test_missing_file_names_the_fix(tmp_path, mosquitto):
    cams = [{"counter": str(write_counter(tmp_path / "c1.yaml", "c1")), "source": str(tmp_path / "nope.mp4")}]
    rt = run_runtime(write_edge_config(tmp_path, mosquitto.url, cams))
    try:
        assert wait_for(lambda: rt.workers["c1"].source.error is not None, 5)
        assert "not found" in rt.workers["c1"].source.error and "cameras[].source" in rt.workers["c1"].source.error
    finally:
        rt.stop(timeout=2)


def test_frame_directory_source(tmp_path, mosquitto, clip):
    frames = tmp_path / "frames"
    frames.mkdir()
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(clip), "-frames:v", "6", str(frames / "f%03d.jpg")],
                   check=True)
    cams = [{"counter": str(write_counter(tmp_path / "c1.yaml", "c1")), "source": str(frames), "fps": 20,
             "loop": False}]
    rt = run_runtime(write_edge_config(tmp_path, mosquitto.url, cams))
    try:
        assert wait_for(lambda: rt.workers["c1"].source.status == "finished", 5)
        assert rt.workers["c1"].source.latest().index == 6
        assert 1 <= rt.workers["c1"].pipeline.frames <= 6
    finally:
        rt.stop(timeout=2)



def test_only_requested_frames_are_converted_and_they_are_fresh(clip):
    from edge.sources import CameraSource

    src = CameraSource("c1", str(clip), retrieve_fps=1.0).start()  # a 10 fps clip played in real time
    try:
        assert wait_for(lambda: src.latest() is not None, 10)
        taken = []
        for _ in range(6):
            seen = src.request()
            frame = src.wait_fresh(seen, 1.0)
            taken.append((seen, frame.index, time.time() - frame.t_capture))
            time.sleep(0.25)
        assert all(index > seen for seen, index, _age in taken), taken  # decoded after the request
        assert sorted(age for *_, age in taken)[3] < 0.15, taken  # converted at once, not up to 1 s ago
        # ~2 s of a 10 fps clip is ~20 decoded frames: only the 6 asked for, plus ~1 a second, were converted
        assert src.latest().index <= 6 + 4
    finally:
        src.stop()
