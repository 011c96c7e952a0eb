"""CPU the rules take per frame, replayed over cached perception streams (no models run).

    .venv/bin/python -m bench.rules_replay SUITE/tune/do_nothing__* [--repeat 10] [--profile 15]

Each argument is a clip directory of a `counterwatch eval` suite with its cached `observations.jsonl`. The
whole rule set (the clip's counter.yaml) replays every stream `--repeat` times; prints the process CPU per
frame (what the edge bench's `rules` column charges an analysed frame), then, with `--profile N`, the N
functions of the rules and geometry with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path


def load(dirs: list[Path]) -> list[tuple[list, object]]:
    from pipelines.clip import counter_for
    from vision.observation import read_observations

    clips = []
    for d in dirs:
        stream = d / "observations.jsonl"
        if not stream.is_file():
            raise SystemExit(f"{d}: no observations.jsonl (run `counterwatch eval` on the suite first)")
        obs = read_observations(str(stream))
        clips.append((obs, counter_for(d / "counter.yaml", *obs[0].image_size)))
    return clips


def replay_all(clips: list[tuple[list, object]], repeat: int) -> int:
    from pipelines.replay import replay_timed

    frames = 0
    for _ in range(repeat):
        for obs, counter in clips:
            replay_timed(obs, counter, [], source="bench")
            frames += len(obs)
    return frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="+", type=Path)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--profile", type=int, default=0, help="print the top N rule/geometry functions")
    args = ap.parse_args()
    clips = load(args.clips)
    replay_all(clips, 1)  # imports, rule registry, first-call caches
    t0 = time.process_time()
    frames = replay_all(clips, args.repeat)
    cpu = time.process_time() - t0
    print(f"rules replay: {cpu / frames * 1000:.2f} ms CPU per frame over {frames} frames "
          f"({len(clips)} clips x {args.repeat})")
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(replay_all, clips, 1)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumtime").print_stats("rules/|geometry|context", args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
