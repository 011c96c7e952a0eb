"""The fixed tune / held-out split of bodies and viewpoints for the scenario x body x viewpoint suite,
and the incremental, parallel suite renderer behind `counterwatch sim suite`.

Accuracy figures must come from the held-out split: its bodies and viewpoints are never used
for tuning. Viewpoints are (camera height m, distance m, yaw deg)."""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

TUNE_BODIES = ["m_young_avg", "f_young_slim", "f_old_heavy", "m_heavy_tall", "m_short"]
HELDOUT_BODIES = ["m_old_slim", "f_avg_tall", "f_mid"]
TUNE_VIEWS = [(1.35, 1.5, 0.0), (1.6, 1.3, 30.0), (1.3, 2.0, -20.0)]
HELDOUT_VIEWS = [(1.45, 1.4, 45.0), (1.25, 1.1, 0.0), (1.7, 1.8, -35.0)]
# A second tune set (tune bodies) spanning the installer's range of yaw, height and distance more widely than
# TUNE_VIEWS, so rules can be tuned for viewpoint generalisation without looking at the held-out views.
TUNE_WIDE_VIEWS = [(1.5, 1.2, 40.0), (1.2, 1.25, -10.0), (1.8, 1.7, -40.0)]
# tune_side (session 6's validation split, turned into a tune split in session 7 once its weak rows were known):
# the tune bodies at views beside the tune ones, each clip on another body than in tune.
TUNE_SIDE_VIEWS = [(1.4, 1.6, 20.0), (1.55, 1.45, -30.0), (1.3, 1.2, 35.0)]
# A validation set (session 7): the tune bodies at views no other split uses, rotated so each scenario x view is
# played by another body than in tune and tune_side. Rules are not tuned on it: it checks that a change made on the
# tune splits generalises before held-out is measured.
VALIDATION_VIEWS = [(1.5, 1.35, -25.0), (1.65, 1.55, 10.0), (1.35, 1.3, 48.0)]
# tune_sweep (session 10): a fourth tune split at the edges of the installer's range (a close camera just off
# the front, a far low one, a far high one at -50 deg), each scenario x view slot on another body than in tune,
# tune_side and validation, so rules can be checked for viewpoint generalisation beyond the other tune views.
TUNE_SWEEP_VIEWS = [(1.6, 1.15, -15.0), (1.3, 1.75, 25.0), (1.5, 1.9, -50.0)]
# heldout2 (session 23): a second held-out split, because the first has been measured after every session since
# session 2 and its misses have named what helpers reproduced on tune bodies. Three new bodies (exported with
# scripts/export_bodies.py) at three views no other split uses. No rule was tuned on it and nobody looked at it
# before its first measurement (docs/accuracy.md).
HELDOUT2_BODIES = ["m_young_tall_slim", "f_young_short_heavy", "m_mid_broad"]
HELDOUT2_VIEWS = [(1.5, 1.5, 15.0), (1.4, 1.3, 38.0), (1.7, 1.65, -45.0)]
# heldout3 (session 29): a third held-out split, because heldout2 has been measured after every session since 23.
# Three new bodies (scripts/export_bodies.py) at three views no other split and no helper's scratch render used (the
# helpers' scratch yaws are <= -50, -40, -30, -20..-5, 5, 20..33, 53..60). Chosen before anything was rendered there.
HELDOUT3_BODIES = ["f_old_slim_short", "m_young_heavy", "f_mid_tall_broad"]
HELDOUT3_VIEWS = [(1.5, 1.45, -3.0), (1.35, 1.25, 42.0), (1.75, 1.75, -42.0)]
SPLITS = {"tune": (TUNE_BODIES, TUNE_VIEWS), "tune_wide": (TUNE_BODIES, TUNE_WIDE_VIEWS),
          "tune_side": (TUNE_BODIES, TUNE_SIDE_VIEWS), "validation": (TUNE_BODIES, VALIDATION_VIEWS),
          "tune_sweep": (TUNE_BODIES, TUNE_SWEEP_VIEWS), "heldout": (HELDOUT_BODIES, HELDOUT_VIEWS),
          "heldout2": (HELDOUT2_BODIES, HELDOUT2_VIEWS), "heldout3": (HELDOUT3_BODIES, HELDOUT3_VIEWS)}
# The client chair (chair.reset) stands under or beside a counter camera: no split's view sees it. Its clips are
# rendered from a hall camera instead, mounted behind the client area: each view of the split raised HALL_RISE_M and
# moved HALL_BACK_M back along its own yaw (2.3-2.9 m up, 3.1-4.0 m away), which sees the whole chair in its place.
# Such a camera is set up for those rules alone (its counter.yaml disables the others, which judge the clerk from the
# counter camera): from there the desk covers 3 % of the frame and the clerk is 3-4 m away.
HALL_RISE_M, HALL_BACK_M = 1.1, 2.0
HALL_RULES = frozenset({"chair.reset"})
# Shifts the body rotation, so a scenario x view slot pairs with other bodies than in tune.
BODY_OFFSET = {"tune_side": 2, "validation": 1, "tune_sweep": 3}
# Bump when the renderer's output changes for the same parameters (forces a re-render of the suite).
RENDER_VERSION = 3  # 3: head pitch sign, detector-recognisable props, arm poses, reference.png


@dataclass(frozen=True)
class Job:
    scenario: str
    body: str
    height_m: float
    distance_m: float
    yaw_deg: float
    split: str

    @property
    def name(self) -> str:
        return f"{self.scenario}__{self.body}__h{self.height_m:g}_d{self.distance_m:g}_y{self.yaw_deg:g}"

    def seed(self, base: int) -> int:
        """Per-clip seed from the base seed and the clip's name, so it does not depend on which
        other scenarios are in the run (`--only`)."""
        return (base + zlib.crc32(self.name.encode())) % (1 << 31)


def hall_scenario(name: str) -> bool:
    """A scenario rendered from the hall camera: its labels are for a rule only a hall camera sees (HALL_RULES)."""
    from simulator.scenarios import SCENARIOS

    return name in SCENARIOS and bool(HALL_RULES & set(SCENARIOS[name].rules))


def jobs(scenarios: list[str], split: str = "all") -> list[Job]:
    """One job per scenario x viewpoint of the split; bodies rotate over the jobs (a fixed pattern keyed
    on the scenario's place in SCENARIOS, so a subset renders the same clips as the full suite)."""
    from simulator.scenarios import SCENARIOS

    order = {name: i for i, name in enumerate(SCENARIOS)}
    out = []
    for sp, (bodies, views) in SPLITS.items():
        if split not in (sp, "all"):
            continue
        for i, sc in enumerate(scenarios):
            i = order.get(sc, i)
            hall = hall_scenario(sc)
            for k, (h, d, y) in enumerate(views):
                if hall:
                    h, d = round(h + HALL_RISE_M, 2), round(d + HALL_BACK_M, 2)
                out.append(Job(sc, bodies[(i + k + BODY_OFFSET.get(sp, 0)) % len(bodies)], h, d, y, sp))
    return out


@dataclass(frozen=True)
class SuiteSettings:
    seed: int = 0
    fps: float = 10.0
    width: int = 640
    height: int = 480
    codec: str = "mp4v"


def _options(job: Job, st: SuiteSettings):
    from simulator.clip import RenderOptions, camera_for
    from simulator.scenarios import SCENARIOS

    cam = camera_for(SCENARIOS[job.scenario], height_m=job.height_m, distance_m=job.distance_m,
                     yaw_deg=job.yaw_deg, width=st.width, height=st.height)
    return RenderOptions(body=job.body, camera=cam, seed=job.seed(st.seed), fps=st.fps, codec=st.codec,
                         split=job.split, only_rules=tuple(sorted(HALL_RULES)) if hall_scenario(job.scenario) else None)


def content_hash(job: Job, st: SuiteSettings) -> str:
    """Hash of everything a clip depends on: the scenario's definition (keyframes, props, labels),
    the body, the camera, seed, fps, codec and the renderer/labels versions."""
    from simulator.clip import LABELS_VERSION
    from simulator.scenarios import SCENARIOS

    text = "\n".join([repr(SCENARIOS[job.scenario]), repr(_options(job, st)), f"labels={LABELS_VERSION}",
                      f"render={RENDER_VERSION}"])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _entry(job: Job, st: SuiteSettings, digest: str) -> dict:
    return {"dir": job.name, "scenario": job.scenario, "body": job.body, "split": job.split,
            "height_m": job.height_m, "distance_m": job.distance_m, "yaw_deg": job.yaw_deg,
            "seed": job.seed(st.seed), "fps": st.fps, "codec": st.codec, "hash": digest}


def render_job(job: Job, st: SuiteSettings, out: Path) -> dict:
    """Render one suite clip (top level so worker processes can run it)."""
    from simulator.clip import render_clip

    digest = content_hash(job, st)
    render_clip(job.scenario, out / job.name, _options(job, st))
    return _entry(job, st, digest)


def _done(out: Path, entry: dict | None, digest: str) -> bool:
    d = out / entry["dir"] if entry else None
    return bool(entry and entry.get("hash") == digest and (d / "labels.json").exists() and (d / "clip.mp4").exists())


def run_suite(out: Path, todo: list[Job], st: SuiteSettings, n_jobs: int = 1, progress: bool = True) -> dict:
    """Render the jobs into out/<job.name>/, skipping clips already in out/index.json with the same
    content hash. index.json is rewritten after every clip, so an interrupted run resumes.
    Returns {"rendered": n, "skipped": n, "index": [...]}."""
    from tqdm import tqdm

    out.mkdir(parents=True, exist_ok=True)
    index_path = out / "index.json"
    old = {e["dir"]: e for e in json.loads(index_path.read_text())} if index_path.exists() else {}
    index = dict(old)
    pending, skipped = [], 0
    for job in todo:
        digest = content_hash(job, st)
        if _done(out, old.get(job.name), digest):
            skipped += 1
        else:
            pending.append(job)

    def save() -> None:
        tmp = index_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(sorted(index.values(), key=lambda e: e["dir"]), indent=1))
        tmp.replace(index_path)

    bar = tqdm(total=len(pending), desc="sim suite", unit="clip", disable=not progress)
    if n_jobs <= 1:
        for job in pending:
            index[job.name] = render_job(job, st, out)
            save()
            bar.update()
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            futures = [pool.submit(render_job, job, st, out) for job in pending]
            for fut in as_completed(futures):
                e = fut.result()
                index[e["dir"]] = e
                save()
                bar.update()
    bar.close()
    save()
    return {"rendered": len(pending), "skipped": skipped, "index": sorted(index.values(), key=lambda e: e["dir"])}
