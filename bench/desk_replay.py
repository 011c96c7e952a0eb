"""The desk stage alone, replayed over recorded perception: CPU per desk run, classifier crops, and its output.

    # a bench clip (clip720.mp4 + counter.yaml in CLIP_DIR), looped, the desk every --every analysed frames:
    .venv/bin/python -m bench.desk_replay record CLIP_DIR              # once: pose/hands/markers on every frame
    .venv/bin/python -m bench.desk_replay bench CLIP_DIR --loops 30 --every 25 [--profile]
    # suite clips (clip.mp4, counter.yaml, observations.jsonl): the desk on the frames it ran on when perceived
    .venv/bin/python -m bench.desk_replay suite CLIP_DIR... [--check] [--out desk.json] [--chair-only]

`bench` models the edge cadence (`desk_every` 25 = a desk run every 5 s); on a short looped clip the runs land on
different moments of it, so `--every` equal to the clip's analysed frames (every run on the same frame) models a
still desk. `--check` counts runs whose objects differ from the recorded stream's; `--out` writes every run's
objects (label, box, score, class) so two commits' replays can be compared (run one from a `git worktree` with
`PYTHONPATH` on it). CPU is `time.process_time` of the desk call (the classifier's SSDs run in the calling thread)."""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import time
from dataclasses import replace
from pathlib import Path

import cv2

from pipelines.clip import counter_for
from pipelines.pipeline import CounterPipelineImpl, PipelineSettings
from vision.desk_change import DeskChangeDetector
from vision.observation import Observation, read_observations
from vision.results import Detection


def sampled(clip: Path, fps: float = 5.0) -> list:
    """The clip's frames at `fps` (every frame of a 5-fps suite clip, every 5th of a 25-fps camera clip)."""
    cap = cv2.VideoCapture(str(clip))
    step = max(1, round(cap.get(cv2.CAP_PROP_FPS) / fps))
    out, i = [], 0
    while True:
        ok, f = cap.read()
        if not ok:
            return out
        if i % step == 0:
            out.append(f)
        i += 1


def record_perception(d: Path) -> None:
    """The clip's perception at 5 fps with the desk stage (and so the hands) on every frame, no rules."""
    frames = sampled(d / "clip720.mp4")
    h, w = frames[0].shape[:2]
    pipe = CounterPipelineImpl(counter_for(d / "counter.yaml", w, h), settings=PipelineSettings(desk_every=1),
                               wall_clock=False, source=str(d))
    lines = [pipe.perceive(f, i * 0.2).to_json() for i, f in enumerate(frames)]
    (d / "desk_replay.jsonl").write_text("\n".join(lines) + "\n")


def write_stream(src: Path, dst: Path, obs: list[Observation]) -> None:
    """A scratch clip: the clip and reference linked, labels, counter and cache meta copied, the stream rewritten."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("clip.mp4", "reference.png"):
        if (src / name).exists() and not (dst / name).exists():
            (dst / name).symlink_to(src / name)
    for name in ("labels.json", "counter.yaml", "observations.meta.json"):
        shutil.copy(src / name, dst / name)
    (dst / "observations.jsonl").write_text("".join(o.to_json() + "\n" for o in obs))


def key(dets: list[Detection]) -> list:
    return [(d.label, [round(v, 2) for v in d.box], round(d.score, 3), d.class_id) for d in dets]


class Replay:
    def __init__(self, profile: bool, chair_only: bool = False) -> None:
        self.chair_only = chair_only
        self.prof = cProfile.Profile() if profile else None
        self.cpu: list[float] = []
        self.crops = 0

    def detector(self, clip: Path, counter: Path) -> DeskChangeDetector:
        cap = cv2.VideoCapture(str(clip))
        cfg = counter_for(counter, int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        det = DeskChangeDetector(cv2.imread(str(cfg.reference_image)), cfg, items=not self.chair_only)
        inner = det.classifier
        if inner is not None:
            def counted(crop):  # type: ignore[no-untyped-def]
                self.crops += 1
                return inner(crop)
            det.classifier = counted
        return det

    def run(self, det: DeskChangeDetector, frame, o: Observation, t: float) -> list[Detection]:
        c0 = time.process_time()
        if self.prof:
            self.prof.enable()
        out = det.process(frame, o.pose, o.hands, t=t, markers=o.markers if "markers" in o.ran else None)
        if self.prof:
            self.prof.disable()
        self.cpu.append(time.process_time() - c0)
        return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("record", "bench", "suite"))
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--loops", type=int, default=30)
    ap.add_argument("--every", type=int, default=25)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--chair-only", action="store_true", help="the stage as a hall camera running chair.reset alone "
                    "builds it (no slots, objects or classifier)")
    ap.add_argument("--stream", type=Path, help="suite: write each clip's recorded stream with the replayed desk "
                    "objects to STREAM/<split>/<clip> (a scratch suite for `eval --rules-only`)")
    a = ap.parse_args()
    if a.mode == "record":
        for d in a.dirs:
            record_perception(d)
        return
    r, record, differ = Replay(a.profile, a.chair_only), {}, 0
    for d in a.dirs:
        outs = []
        if a.mode == "bench":
            det = r.detector(d / "clip720.mp4", d / "counter.yaml")
            obs, frames = read_observations(str(d / "desk_replay.jsonl")), sampled(d / "clip720.mp4")
            span, k = len(obs) * 0.2, 0
            for loop in range(a.loops):
                for o, f in zip(obs, frames, strict=False):
                    if k % a.every == 0:
                        outs.append(key(r.run(det, f, o, loop * span + o.t)))
                    k += 1
        else:
            det = r.detector(d / "clip.mp4", d / "counter.yaml")
            obs, frames = read_observations(str(d / "observations.jsonl")), sampled(d / "clip.mp4")
            replayed = []
            for o, f in zip(obs, frames, strict=False):
                if "desk" in o.ran:
                    desk = r.run(det, f, o, o.t)
                    outs.append(key(desk))
                    differ += a.check and outs[-1] != key(o.desk_objects)
                    o = replace(o, desk_objects=desk)
                replayed.append(o)
            if a.stream:
                write_stream(d, a.stream / d.parent.name / d.name, replayed)
        record[str(d)] = outs
    n = max(1, len(r.cpu))
    print(f"{len(r.cpu)} desk runs: {1000 * sum(r.cpu) / n:.1f} ms CPU a run (median "
          f"{1000 * sorted(r.cpu)[len(r.cpu) // 2] if r.cpu else 0:.1f}), {r.crops} classifier crops"
          + (f", {differ} runs differ from the recorded stream" if a.check else ""))
    if a.out:
        Path(a.out).write_text(json.dumps(record))
    if r.prof:
        pstats.Stats(r.prof).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
