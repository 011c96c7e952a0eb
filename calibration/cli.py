"""Sub-commands of this package (see counterwatch/cli.py): `counterwatch calibrate capture|check|pitch|preview`."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command()
def capture(
    source: str = typer.Option(..., help="Video/image file, frames directory, rtsp:// URL or USB camera index."),
    out: Path = typer.Option(..., help="Where to write the reference frame (e.g. ref.jpg)."),
    frames: int = typer.Option(7, min=1, help="Frames to take; the reference is their per-pixel median."),
    every: float = typer.Option(0.5, min=0.0, help="Seconds between frames."),
) -> None:
    """Take a clean-desk reference frame (the median of a few frames) from a camera source."""
    import cv2

    from calibration.capture import CaptureError, median_frame, read_frames

    try:
        imgs = read_frames(source, frames, every)
    except CaptureError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    ref = median_frame(imgs)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), ref):
        typer.echo(f"error: {out}: cannot write this image (check the extension and the directory)", err=True)
        raise typer.Exit(2)
    h, w = ref.shape[:2]
    typer.echo(f"{out}: {w}x{h}, median of {len(imgs)} frame(s). Set reference_image: {out.name} in the counter file.")


@app.command()
def check(
    counter: Path = typer.Argument(..., help="The counter YAML file."),
    out: Path | None = typer.Option(None, help="Write the zones and slots drawn over the reference frame here."),
) -> None:
    """Validate a counter file against its reference frame; exit 1 when there are problems."""
    import cv2

    from calibration.check import check_counter, draw_overlay, load_reference
    from calibration.config import CalibrationError, load_counter

    try:
        cfg = load_counter(counter)
    except CalibrationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    ref = load_reference(cfg)
    problems = check_counter(cfg, ref)
    if out is not None:
        cv2.imwrite(str(out), draw_overlay(cfg, ref))
        typer.echo(f"overlay: {out}")
    for p in problems:
        typer.echo(p.render(counter), err=True)
    if ref is not None and cfg.sign_aruco_id is not None and cfg.sign_marker is None:
        from calibration.sign_marker import read_sign_marker

        # the marker read the pipeline's way: the rules then know the camera sees the sign where it stands
        corners = read_sign_marker(cfg, ref)
        if corners:
            typer.echo(f"sign_marker: {[[x, y] for x, y in corners]}   # put in the counter file")
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{counter}: ok ({len(cfg.slots)} slots, zones: "
               f"{', '.join(k for k, v in cfg.zones.model_dump().items() if v)})")


@app.command()
def pitch(
    reference: str = typer.Argument(..., help="A frame, frames directory or video of the clerk sitting upright."),
    frames: int = typer.Option(15, min=1, help="Frames to use from a video or directory."),
) -> None:
    """Estimate the camera's downward pitch from the clerk sitting upright (see docs/calibration.md)."""
    from calibration.capture import CaptureError, read_frames
    from calibration.pitch import estimate_pitch
    from vision.pose import PoseEstimator

    try:
        imgs = read_frames(reference, frames, every_s=0.2)
    except CaptureError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    with PoseEstimator(complexity=2 if len(imgs) == 1 else 1, static_image_mode=len(imgs) == 1) as est:
        poses = [est.process(img) for img in imgs]
    result = estimate_pitch(poses)
    if result is None:
        typer.echo(f"error: {reference}: no upright clerk found (shoulders must be visible and above the hips). "
                   "Fix: use a frame with the clerk sitting upright facing the camera.", err=True)
        raise typer.Exit(1)
    typer.echo(f"pitch_deg: {result.pitch_deg}   # ± {result.spread_deg} (median of {result.frames} frame(s))")
    typer.echo("Put it under camera: in the counter file.")


@app.command()
def preview(
    height_m: float = typer.Option(1.35, "--height-m", min=0.3, max=5.0, help="Lens height above the floor (m)."),
    distance_m: float = typer.Option(1.5, "--distance-m", min=0.3, max=9.0,
                                      help="Horizontal distance from the camera to the clerk (m)."),
    yaw_deg: float = typer.Option(0.0, "--yaw-deg", min=-90, max=90,
                                  help="Horizontal angle to the clerk; + puts the camera on the clerk's left."),
    pitch_deg: float | None = typer.Option(None, "--pitch-deg", help="Downward tilt; default: aimed at the "
                                           "seated clerk's chest (1.05 m)."),
    width: int = typer.Option(640, min=64, help="Image width (px)."),
    height: int = typer.Option(480, min=48, help="Image height (px)."),
    hfov_deg: float = typer.Option(70.0, "--hfov-deg", min=10, max=170, help="Horizontal field of view (deg)."),
    body: str = typer.Option("m_young_avg", help="Simulator body seated at the counter."),
    out: Path | None = typer.Option(None, help="Write the rendered view here (e.g. preview.png)."),
) -> None:
    """Plan a camera placement: render the view and list which rules can be measured within target from there."""
    import cv2
    from pydantic import ValidationError

    from calibration.preview import Viewpoint, table_rows
    from calibration.preview import preview as run_preview

    vp = Viewpoint(height_m, distance_m, yaw_deg, pitch_deg, width, height, hfov_deg)
    try:
        img, verdicts = run_preview(vp, body)
    except ValidationError as exc:
        typer.echo(f"error: this viewpoint is not a valid camera: {exc.errors()[0]['loc'][0]}: "
                   f"{exc.errors()[0]['msg']}. Fix: change --height-m/--distance-m/--pitch-deg.", err=True)
        raise typer.Exit(2) from None
    except (FileNotFoundError, KeyError) as exc:
        typer.echo(f"error: {exc}. Fix: pass --body with a body from simulator/assets.", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"camera {height_m:g} m high, {distance_m:g} m away, yaw {yaw_deg:g} deg, pitch {vp.pitch():.1f} deg"
               f" down, {width}x{height}, hfov {hfov_deg:g} deg")
    rows = [("rule", "measurable", "view", "accuracy", "why"), *table_rows(verdicts)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    n_ok = sum(v.measurable for v in verdicts)
    typer.echo(f"{n_ok}/{len(verdicts)} assessed rules measurable within target from here "
               "(view = in frame at a usable size in the simulator; accuracy = predicted error within target; "
               "- = not assessed by that check)")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(out), img):
            typer.echo(f"error: {out}: cannot write this image (check the extension and the directory)", err=True)
            raise typer.Exit(2)
        typer.echo(f"preview: {out}")


@app.command("sim-reference")
def sim_reference(
    suite: Path = typer.Argument(..., help="A simulator clip directory or a suite of them (counterwatch sim suite)."),
    overwrite: bool = typer.Option(False, help="Re-render references (and sign_marker) that already exist."),
) -> None:
    """Give simulator clips a clean-desk reference frame (reference.png + reference_image in counter.yaml),
    so the desk stage runs on them, and the calibration's sign_marker (where the sign's marker is read)."""
    from calibration.sim_reference import add_reference, add_sign_marker

    dirs = sorted(p.parent for p in suite.rglob("labels.json")) if suite.is_dir() else []
    if not dirs:
        typer.echo(f"error: {suite}: no clip directories with labels.json. Fix: pass a `counterwatch sim` output.",
                   err=True)
        raise typer.Exit(2)
    done = sum(add_reference(d, overwrite) for d in dirs)
    signs = sum(add_sign_marker(d, overwrite) for d in dirs)
    typer.echo(f"{suite}: {done} reference(s) written, {len(dirs) - done} already set; "
               f"{signs} sign_marker(s) written")
