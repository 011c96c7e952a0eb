"""Per-stage perception timings on the packaged test media.

    .venv/bin/python bench/vision_stages.py [--repeat N]

Prints median milliseconds per stage: pose lite/full, face mesh, hands, and each detector on the
full frame vs. on a 320x320 crop (the detection-on-crops path)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402


def median_ms(fn, frames, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        for f in frames:
            t = time.perf_counter()
            fn(f)
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from tests.media import fetch
    from vision.detector import load_detector
    from vision.face import FaceAnalyzer
    from vision.hands import HandTracker
    from vision.pose import PoseEstimator

    media = fetch(log=lambda _m: None)
    cap = cv2.VideoCapture(str(media["carphone_pristine.mp4"]))
    clip = [cap.read()[1] for _ in range(30)]
    stills = {name: cv2.imread(str(media[name])) for name in ("astronaut.png", "zidane.jpg")}
    rows: list[tuple[str, str, float]] = []
    for complexity, name in ((0, "pose lite"), (1, "pose full")):
        with PoseEstimator(complexity) as pose:
            rows.append((name, "carphone 176x144 (tracking)", median_ms(pose.process, clip, args.repeat)))
        with PoseEstimator(complexity, static_image_mode=True) as pose:
            ms = median_ms(pose.process, [stills["astronaut.png"]], args.repeat)
            rows.append((name, "astronaut 512x512 (still)", ms))
    with FaceAnalyzer() as face:
        rows.append(("face mesh", "carphone 176x144 (tracking)", median_ms(face.process, clip, args.repeat)))
    with HandTracker(static_image_mode=True) as hands:
        rows.append(("hands", "zidane 1280x720 (still)", median_ms(hands.process, [stills["zidane.jpg"]], args.repeat)))
        crop = (900.0, 300.0, 1280.0, 600.0)
        ms = median_ms(lambda f: hands.process(f, crop), [stills["zidane.jpg"]], args.repeat)
        rows.append(("hands", "zidane crop 380x300", ms))
    for model_id in ("coral.ssd_mobilenet_v2_coco", "objectron.ssd_mobilenet_v2_oidv4"):
        det = load_detector(model_id)
        img = stills["zidane.jpg"]
        rows.append((model_id, "zidane full frame", median_ms(det.detect, [img], args.repeat * 3)))
        roi = (900.0, 250.0, 1220.0, 570.0)
        ms = median_ms(lambda f, det=det, roi=roi: det.detect(f, roi), [img], args.repeat * 3)
        rows.append((model_id, "zidane crop 320x320", ms))
    width = max(len(r[0]) for r in rows)
    for stage, what, ms in rows:
        print(f"{stage:<{width}}  {what:<30} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
