"""Time of the six etiquette rules per frame: all in one Engine (the per-frame measurement shared through
RuleContext.values) against each rule in its own Engine (every rule measuring for itself, as before).

    .venv/bin/python -m bench.etiquette_speed [--frames 300]

Stream: the synthetic clerk of tests/fixtures/etiquette.py (exact projection, a right hand on every
frame) bowing 15/30/45 deg and guiding; 1280x720, frontal camera. Prints ms per frame, wall clock.
"""

from __future__ import annotations

import argparse
import time

from pipelines.etiquette_eval import ETIQUETTE_RULES

ETIQUETTE = list(ETIQUETTE_RULES)


def stream(n: int):
    from tests.fixtures.etiquette import GUIDE_120, REST, bow_profile, make_cam, make_stream

    cam = make_cam()
    bows = (bow_profile(15) + bow_profile(30) + bow_profile(45)) * (n // 150 + 1)
    bows = bows[:n]
    right = [GUIDE_120 if (i // 40) % 3 == 1 else REST for i in range(n)]
    return cam, make_stream(cam, bows, right=right, hands=True)


def run(cam, obs, rules: list[str]) -> tuple[float, int]:
    from pipelines.engine import Engine
    from tests.fixtures.etiquette import counter_for

    eng = Engine(counter_for(cam), only=rules)
    t0 = time.perf_counter()
    n_events = sum(len(eng.step(o)) for o in obs) + len(eng.finish())
    return time.perf_counter() - t0, n_events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=300)
    args = ap.parse_args()
    cam, obs = stream(args.frames)
    run(cam, obs[:20], ETIQUETTE)  # warm-up (imports, registry)
    shared, ev_shared = run(cam, obs, ETIQUETTE)
    alone = [run(cam, obs, [r]) for r in ETIQUETTE]
    separate, ev_sep = sum(t for t, _ in alone), sum(e for _, e in alone)
    n = len(obs)
    print(f"frames: {n}")
    for r, (t, _) in zip(ETIQUETTE, alone, strict=True):
        print(f"  {r:<20} alone: {1000 * t / n:6.2f} ms/frame")
    print(f"six rules, each measuring itself: {1000 * separate / n:6.2f} ms/frame ({ev_sep} event messages)")
    print(f"six rules, shared measurement:    {1000 * shared / n:6.2f} ms/frame ({ev_shared} event messages)")


if __name__ == "__main__":
    main()
