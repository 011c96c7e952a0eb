"""Sub-commands of this package (see counterwatch/cli.py): `counterwatch sim ...`."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.suite import SPLITS

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_scenarios() -> None:
    """List the scenarios with the rule ids they label, and the body shapes."""
    from simulator.body import body_ids
    from simulator.scenarios import DIAGNOSTIC, SCENARIOS

    for name, sc in SCENARIOS.items():
        typer.echo(f"{name:26s} {','.join(sc.rules) or '-':40s} {sc.description}")
    for name, sc in DIAGNOSTIC.items():  # `sim render` only: in no split
        typer.echo(f"{name:26s} {','.join(sc.rules) or '-':40s} (diagnostic, in no split) {sc.description}")
    typer.echo("bodies: " + ", ".join(body_ids()))


@app.command()
def render(
    scenario: str = typer.Argument(..., help="scenario name (see `counterwatch sim list`)"),
    out: Path = typer.Option(..., "--out", help="output directory for clip.mp4, labels.json, counter.yaml"),
    body: str = typer.Option("m_young_avg", help="body shape id"),
    camera_height: float = typer.Option(1.35, help="camera height above the floor, m"),
    camera_yaw: float = typer.Option(0.0, help="camera yaw around the clerk, degrees (+ = clerk's left)"),
    camera_pitch: float = typer.Option(None, help="downward tilt, degrees (default: aim at the clerk)"),
    distance: float = typer.Option(1.5, help="horizontal distance camera -> clerk, m"),
    width: int = typer.Option(640), height: int = typer.Option(480),
    seed: int = typer.Option(0, help="seed for shirt/skin colour, light, noise (same seed = same labels)"),
    fps: float = typer.Option(10.0),
    seconds_scale: float = typer.Option(1.0, help="stretch the scenario timeline by this factor"),
    codec: str = typer.Option("mp4v", help="mp4v | h264 (ffmpeg libx264)"),
) -> None:
    """Render one scenario to a labelled clip."""
    from simulator.clip import RenderOptions, camera_for, render_clip
    from simulator.scenarios import DIAGNOSTIC, SCENARIOS

    sc = SCENARIOS.get(scenario) or DIAGNOSTIC.get(scenario)  # the diagnostic ones render here only (in no split)
    if sc is None:
        raise typer.BadParameter(f"unknown scenario {scenario!r}; run `counterwatch sim list`")
    cam = camera_for(sc, height_m=camera_height, yaw_deg=camera_yaw, distance_m=distance,
                     pitch_deg=camera_pitch, width=width, height=height)
    labels = render_clip(sc, out, RenderOptions(body=body, camera=cam, seed=seed, fps=fps,
                                                      seconds_scale=seconds_scale, codec=codec))
    typer.echo(f"{out}/clip.mp4: {labels['n_frames']} frames; labels.json, counter.yaml")


@app.command()
def suite(
    out: Path = typer.Option(..., "--out", help="output directory (one sub-directory per clip, index.json)"),
    split: str = typer.Option("all", help=f"{', '.join(SPLITS)} or all"),
    seed: int = typer.Option(0, help="base seed; each clip's seed = base + crc32(clip name)"),
    fps: float = typer.Option(10.0),
    width: int = typer.Option(640), height: int = typer.Option(480),
    only: str = typer.Option("", help="comma-separated scenario names (default: all)"),
    codec: str = typer.Option("mp4v", help="mp4v | h264 (ffmpeg libx264)"),
    jobs: int = typer.Option(1, "--jobs", "-j", help="render this many clips in parallel (processes)"),
) -> None:
    """Render every scenario x viewpoint of the split (bodies rotate over the jobs), with a progress bar.

    Incremental: clips already in OUT/index.json with the same content hash (scenario definition,
    body, camera, seed, fps, codec, renderer version) are skipped."""
    from simulator.clip import CODECS
    from simulator.scenarios import SCENARIOS
    from simulator.suite import SuiteSettings, run_suite
    from simulator.suite import jobs as suite_jobs

    if split not in (*SPLITS, "all"):
        raise typer.BadParameter(f"--split must be one of {', '.join(SPLITS)} or all")
    if codec not in CODECS:
        raise typer.BadParameter(f"--codec must be one of {', '.join(CODECS)}")
    names = [n for n in only.split(",") if n] or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise typer.BadParameter(f"unknown scenario(s) {', '.join(unknown)}; run `counterwatch sim list`")
    res = run_suite(out, suite_jobs(names, split), SuiteSettings(seed=seed, fps=fps, width=width, height=height,
                                                                 codec=codec), n_jobs=max(1, jobs))
    typer.echo(f"{res['rendered']} clips rendered, {res['skipped']} up to date; "
               f"{len(res['index'])} in {out}/index.json")
