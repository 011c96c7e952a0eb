"""Sub-commands of the vision package (see counterwatch/cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def register_vision_commands(app: typer.Typer) -> None:
    """Top-level commands owned by vision/: `detect`."""

    @app.command()
    def detect(
        source: Path = typer.Argument(..., help="An image or a video file."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON (one line per analysed frame)."),
        out: Path = typer.Option(None, "--out", help="Write an annotated image here (for a video: the "
                                 "analysed frame with the most people)."),
        detector: list[str] = typer.Option(
            ["coral.ssd_mobilenet_v2_coco"], "--detector", "-d", help="Detector model id (repeatable)."
        ),
        complexity: int = typer.Option(1, help="Pose model complexity: 0 lite, 1 full, 2 heavy."),
        every: int = typer.Option(10, help="Video: analyse every Nth frame."),
        max_frames: int = typer.Option(30, help="Video: stop after this many analysed frames."),
    ) -> None:
        """Run pose, face, hands and the object detector(s) on an image or a video; print people,
        the nose position, head angles, hand gestures and objects."""
        from models.registry import ModelMissingError

        if not source.is_file():
            typer.secho(f"error: {source}: no such file", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        try:
            _detect(source, as_json, out, tuple(detector), complexity, max(every, 1), max_frames)
        except ModelMissingError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None


def _frames(source: Path, every: int, max_frames: int):
    import cv2

    if source.suffix.lower() in IMAGE_SUFFIXES:
        img = cv2.imread(str(source))
        if img is None:
            raise typer.BadParameter(f"{source}: not a readable image")
        yield 0, 0.0, img
        return
    cap = cv2.VideoCapture(str(source))
    if not cap.isOpened():
        raise typer.BadParameter(f"{source}: not a readable video")
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    i = n = 0
    while n < max_frames:
        ok, frame = cap.read()
        if not ok:
            break
        if i % every == 0:
            yield i, i / fps, frame
            n += 1
        i += 1
    cap.release()


def _detect(source: Path, as_json: bool, out: Path | None, detectors: tuple[str, ...], complexity: int,
            every: int, max_frames: int) -> None:  # fmt: skip
    import cv2

    from vision.draw import annotate
    from vision.perceive import FramePerception, summary

    still = source.suffix.lower() in IMAGE_SUFFIXES
    perception = FramePerception(detectors, complexity, still_images=still)
    best = None
    try:
        for index, t, frame in _frames(source, every, max_frames):
            obs = perception.run(frame, index, t)
            digest = summary(obs)
            if as_json:
                typer.echo(json.dumps(digest))
            else:
                _print_human(digest)
            if best is None or len(obs.people) > len(best[1].people):
                best = (frame, obs)
    finally:
        perception.close()
    if best is None:
        raise typer.BadParameter(f"{source}: no frames")
    if out is not None:
        cv2.imwrite(str(out), annotate(*best))
        if not as_json:
            typer.echo(f"annotated image: {out}")


def _print_human(d: dict) -> None:
    typer.echo(f"frame {d['frame']}: {len(d['people'])} people")
    for p in d["people"]:
        typer.echo(f"  person {p['score']:.2f} at {p['box']}")
    if d["pose"]:
        typer.echo(f"  pose: nose at {d['pose']['nose']} ({d['pose']['model']})")
    if d["face"]:
        f = d["face"]
        typer.echo(f"  face at {f['box']}: yaw {f['yaw']} pitch {f['pitch']} roll {f['roll']}, "
                   f"eyes {f['eye_aspect_ratio']}, mouth open {f['mouth_open']}, smile {f['smile']}")  # fmt: skip
    for h in d["hands"]:
        extended = [k for k, v in h["fingers"].items() if v == "extended"]
        typer.echo(f"  hand {h['handedness']}: extended {extended}{', index pointing' if h['index_pointing'] else ''}")
    for o in d["objects"]:
        typer.echo(f"  object {o['label']} {o['score']:.2f} at {o['box']}")
    typer.echo(f"  ms: {d['timings_ms']}")
