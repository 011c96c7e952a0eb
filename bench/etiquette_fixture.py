"""Cut a suite clip's cached perception stream down to what the etiquette rules read, for the unit tests.

    .venv/bin/python bench/etiquette_fixture.py CLIP_DIR [CLIP_DIR ...] [--out tests/data/etiquette]

Writes OUT/<clip name>.json.gz: {"counter": the clip's counter.yaml, "calls": its queue calls,
"observations": one JSON object per frame}. Face landmarks, desk/detector results and timings are
dropped (the rules read the face pitch, the pose, the hands, the person boxes and the near stage's regions only),
so a 30-frame clip takes tens of kB instead of a megabyte.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import yaml

KEEP = ("counter_id", "frame_index", "t", "wall_time", "image_size", "camera_ok", "ran", "pose", "face", "hands",
        "people", "near")


def trim(obs: dict) -> dict:
    out = {k: obs[k] for k in KEEP if k in obs}
    if out.get("face"):
        out["face"] = {**out["face"], "landmarks": []}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=Path("tests/data/etiquette"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for d in args.clips:
        counter = yaml.safe_load((d / "counter.yaml").read_text())
        counter.pop("reference_image", None)
        labels = json.loads((d / "labels.json").read_text())
        lines = (d / "observations.jsonl").read_text().splitlines()
        data = {"clip": d.name, "counter": counter, "calls": labels.get("queue_calls", []),
                "observations": [trim(json.loads(x)) for x in lines if x.strip()]}
        path = args.out / f"{d.name}.json.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(data, fh, separators=(",", ":"))
        print(f"{path}: {len(data['observations'])} frames, {path.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
