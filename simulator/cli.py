"""Sub-commands of this package (see counterwatch/cli.py): `counterwatch sim ...`."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_scenarios() -> None:
    """List the scenarios with the rule ids they label, and the body shapes."""
    from simulator.body import body_ids
    from simulator.scenarios import SCENARIOS

    for name, sc in SCENARIOS.items():
        typer.echo(f"{name:26s} {','.join(sc.rules) or '-':40s} {sc.description}")
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
) -> None:
    """Render one scenario to a labelled clip."""
    from simulator.clip import RenderOptions, camera_for, render_clip
    from simulator.scenarios import SCENARIOS

    if scenario not in SCENARIOS:
        raise typer.BadParameter(f"unknown scenario {scenario!r}; run `counterwatch sim list`")
    cam = camera_for(SCENARIOS[scenario], height_m=camera_height, yaw_deg=camera_yaw, distance_m=distance,
                     pitch_deg=camera_pitch, width=width, height=height)
    labels = render_clip(scenario, out, RenderOptions(body=body, camera=cam, seed=seed, fps=fps,
                                                      seconds_scale=seconds_scale))
    typer.echo(f"{out}/clip.mp4: {labels['n_frames']} frames; labels.json, counter.yaml")


@app.command()
def suite(
    out: Path = typer.Option(..., "--out", help="output directory (one sub-directory per clip)"),
    split: str = typer.Option("all", help="tune | heldout | all (see simulator/suite.py)"),
    seed: int = typer.Option(0), fps: float = typer.Option(10.0),
    width: int = typer.Option(640), height: int = typer.Option(480),
    only: str = typer.Option("", help="comma-separated scenario names (default: all)"),
) -> None:
    """Render every scenario x viewpoint of the split (bodies rotate over the jobs), with a progress bar."""
    import json

    from tqdm import tqdm

    from simulator.clip import RenderOptions, camera_for, render_clip
    from simulator.scenarios import SCENARIOS
    from simulator.suite import jobs

    if split not in ("tune", "heldout", "all"):
        raise typer.BadParameter("--split must be tune, heldout or all")
    names = [n for n in only.split(",") if n] or list(SCENARIOS)
    todo = jobs(names, split)
    index = []
    for i, job in enumerate(tqdm(todo, desc="sim suite", unit="clip")):
        sc = SCENARIOS[job.scenario]
        cam = camera_for(sc, height_m=job.height_m, distance_m=job.distance_m, yaw_deg=job.yaw_deg,
                         width=width, height=height)
        render_clip(sc, out / job.name, RenderOptions(body=job.body, camera=cam, seed=seed + i, fps=fps))
        index.append({"dir": job.name, "scenario": job.scenario, "body": job.body, "split": job.split,
                      "height_m": job.height_m, "distance_m": job.distance_m, "yaw_deg": job.yaw_deg})
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.json").write_text(json.dumps(index, indent=1))
    typer.echo(f"{len(index)} clips in {out} (index.json)")
