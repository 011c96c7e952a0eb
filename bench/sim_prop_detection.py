"""What the packaged detectors find on the simulator's props: best score of the expected class per
prop, on a crop around the prop (simulator.propcheck), for a few viewpoints.

    .venv/bin/python bench/sim_prop_detection.py [--views 1.35,1.5,0 1.45,1.4,45] [--body f_mid]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--views", nargs="*", default=["1.35,1.5,0", "1.6,1.3,30", "1.45,1.4,45", "1.7,1.8,-35"])
    ap.add_argument("--body", default="f_mid")
    ap.add_argument("--min-score", type=float, default=0.2)
    a = ap.parse_args()
    from simulator.clip import RenderOptions, camera_for, render_clip
    from simulator.propcheck import CASES, DETECTORS, score_prop
    from simulator.scenarios import SCENARIOS
    from vision.detector import load_detector

    dets = {m: load_detector(m, threads=1) for m in DETECTORS}
    short = {m: m.split(".")[0] for m in DETECTORS}
    with tempfile.TemporaryDirectory() as tmp:
        for view in a.views:
            h, dist, yaw = (float(v) for v in view.split(","))
            print(f"\nview h={h} d={dist} yaw={yaw}")
            rendered: dict[str, Path] = {}
            for sc, prop, t in CASES:
                if sc not in rendered:
                    cam = camera_for(SCENARIOS[sc], height_m=h, distance_m=dist, yaw_deg=yaw)
                    rendered[sc] = Path(tmp) / f"{sc}_{view}"
                    render_clip(sc, rendered[sc], RenderOptions(body=a.body, camera=cam, fps=2.0))
                r = score_prop(rendered[sc], prop, t, dets, a.min_score)
                sc_txt = "  ".join(f"{short[m]}={r.scores.get(m, 0):.2f}" for m in DETECTORS)
                box = "none" if r.bbox is None else f"{r.bbox[2] - r.bbox[0]:.0f}x{r.bbox[3] - r.bbox[1]:.0f}px"
                top = {short[m]: v[:3] for m, v in r.found.items()}
                print(f"  {sc:22s} {prop:10s} t={r.t:4.1f} {r.where:10s} {box:9s} {sc_txt}  top={top}")


if __name__ == "__main__":
    main()
