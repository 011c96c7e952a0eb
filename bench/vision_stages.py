"""Per-stage perception timings on the packaged test media, or CPU per call on a clip.

    .venv/bin/python bench/vision_stages.py [--repeat N]
    .venv/bin/python bench/vision_stages.py --clip /tmp/bench_clip/clip720.mp4 [--frames 40]
    .venv/bin/python bench/vision_stages.py --pipeline CLIP_DIR_OR_FILE [--fps 5] [--settings k=v,...]
    .venv/bin/python bench/vision_stages.py --memory /tmp/bench_clip/clip720.mp4

Default: median wall milliseconds per stage: pose lite/full, face mesh, hands, and each detector on the
full frame vs. on a 320x320 crop (the detection-on-crops path).

--clip: CPU milliseconds per call (process CPU, MediaPipe/TFLite worker threads included, so a busy
box changes it less than wall time) of every stage the counter pipeline schedules, on every 5th frame
of the clip (5 fps analysis of a 25 fps camera), each in video mode as the pipeline runs it: what one
run of a stage costs, to multiply by its runs per analysed frame (bench/edge_throughput.py prints those).

--pipeline: the whole counter pipeline (full rule set, the clip's counter.yaml) in this process, no edge
runtime, on the clip's frames at --fps: CPU per analysed frame and how often each stage really ran.
Quick to compare clips (a typing clerk vs one on the phone) or code versions (run it from an
`git archive` of another commit)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402


def sampled_frames(path: Path, step: int, limit: int | None = None) -> list:
    """Every step-th decoded frame of the clip, at most limit of them."""
    cap = cv2.VideoCapture(str(path))
    frames, i = [], 0
    while limit is None or len(frames) < limit:
        ok, f = cap.read()
        if not ok:
            break
        if i % step == 0:
            frames.append(f)
        i += 1
    cap.release()
    return frames


def median_ms(fn, frames, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        for f in frames:
            t = time.perf_counter()
            fn(f)
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def cpu_ms(fn, frames, warm: int = 3) -> float:
    for f in frames[:warm]:
        fn(f)
    t = time.process_time()
    for f in frames[warm:]:
        fn(f)
    return (time.process_time() - t) * 1000 / max(1, len(frames) - warm)


def clip_cpu(clip: Path, n: int) -> None:
    """CPU per call of each pipeline stage on a clip (every 5th frame)."""
    from vision.detector import load_detector
    from vision.face import FaceAnalyzer
    from vision.hands import HandTracker
    from vision.markers import detect_markers
    from vision.pose import PoseEstimator

    frames = sampled_frames(clip, 5, n)
    if len(frames) < 5:
        raise SystemExit(f"{clip}: fewer than 25 decodable frames")
    h, w = frames[0].shape[:2]
    with PoseEstimator(1) as probe:
        pose = next((p for p in (probe.process(f) for f in frames) if p is not None), None)
    nose = (pose.landmarks[0].x, pose.landmarks[0].y) if pose else (w / 2, h / 3)
    sw = abs(pose.landmarks[11].x - pose.landmarks[12].x) if pose else w / 5
    head = (nose[0] - sw, nose[1] - sw, nose[0] + sw, nose[1] + sw)
    hand = (nose[0] - sw / 2, nose[1] + sw, nose[0] + sw / 2, nose[1] + 2 * sw)
    rows: list[tuple[str, float]] = []
    for complexity, name in ((0, "pose lite"), (1, "pose full")):
        with PoseEstimator(complexity) as est:
            rows.append((f"{name}, full frame", cpu_ms(est.process, frames)))
    with PoseEstimator(1) as est:
        small = (w // 2, h // 2)
        rows.append(("pose full, frame at half size", cpu_ms(lambda f: est.process(cv2.resize(f, small)), frames)))
    with HandTracker() as hands:
        rows.append(("hands, full frame", cpu_ms(hands.process, frames)))
    with FaceAnalyzer() as face:
        rows.append(("face mesh, full frame", cpu_ms(face.process, frames)))
    with FaceAnalyzer() as face:
        rows.append(("face mesh, head crop (2 shoulder widths)", cpu_ms(lambda f: face.process(f, head), frames)))
    det = load_detector("coral.ssd_mobilenet_v2_coco")
    rows.append(("SSD detector, full frame (people)", cpu_ms(det.detect, frames)))
    rows.append(("SSD detector, one hand crop", cpu_ms(lambda f: det.detect(f, hand), frames)))
    rows.append(("ArUco markers, full frame", cpu_ms(detect_markers, frames)))
    rows.append(("ArUco markers, a quarter of the frame",
                 cpu_ms(lambda f: detect_markers(f[: h // 2, : w // 2]), frames)))
    print(f"{clip.name} {w}x{h}, {len(frames)} frames (every 5th); CPU ms per call")
    width = max(len(r[0]) for r in rows)
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:7.1f}")


def model_memory(clip: Path, n: int = 20) -> None:
    """RSS growth (MB) of building each per-camera MediaPipe graph and running it on n frames of the clip:
    what every camera adds, since these graphs track one person and cannot be shared."""
    import mediapipe  # noqa: F401  (the library itself is not a camera's memory)

    from bench._cpu_meter import rss_mb
    from vision.face import FaceAnalyzer
    from vision.hands import HandTracker
    from vision.pose import PoseEstimator

    frames = sampled_frames(clip, 5, n)
    keep = []  # alive to the end, as in a running pipeline
    print(f"{clip.name}: RSS growth per model, built and run on {len(frames)} frames (MB)")
    for name, make in (("pose full", lambda: PoseEstimator(1)), ("pose lite", lambda: PoseEstimator(0)),
                       ("face mesh", FaceAnalyzer), ("hands", HandTracker)):
        before = rss_mb()
        model = make()
        for f in frames:
            model.process(f)
        keep.append(model)
        print(f"{name:<10} {rss_mb() - before:6.0f}")


def pipeline_cpu(clip: Path, fps: float, settings: str) -> None:
    """CPU per analysed frame of make_pipeline on a clip, and the real runs of each stage per frame."""
    from pipelines.clip import counter_for
    from pipelines.pipeline import PipelineSettings, make_pipeline

    path = clip / "clip.mp4" if clip.is_dir() else clip
    cap = cv2.VideoCapture(str(path))
    src_fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    cap.release()
    step = max(1, round(src_fps / fps))
    frames = sampled_frames(path, step)
    if len(frames) < 8:
        raise SystemExit(f"{path}: fewer than 8 frames at {fps} fps")
    counter_yaml = path.with_name("counter.yaml")
    h, w = frames[0].shape[:2]
    # load_counter (via counter_for) resolves the reference image beside the YAML, as the eval does
    counter = counter_for(counter_yaml if counter_yaml.exists() else None, w, h)
    overrides = dict(kv.split("=", 1) for kv in settings.split(",") if kv)
    pipe = make_pipeline(counter, settings=PipelineSettings.model_validate(overrides), wall_clock=False)
    dt = step / src_fps
    warm = 3
    for k in range(warm):  # models load on first use
        pipe.process(frames[k], k * dt)
    runs: dict[str, int] = {}
    t0 = time.process_time()
    for k in range(warm, len(frames)):
        obs, _, _ = pipe.process(frames[k], k * dt)
        for stage in obs.timings_ms:  # timed only when the stage really ran (not carried)
            runs[stage] = runs.get(stage, 0) + 1
    n = len(frames) - warm
    cpu = (time.process_time() - t0) * 1000 / n
    print(f"{path.parent.name if clip.is_dir() else path.name} {w}x{h} at {1 / dt:.1f} fps, {n} frames: "
          f"CPU {cpu:.1f} ms per analysed frame; stage runs per frame: "
          + " ".join(f"{k}={v / n:.2f}" for k, v in runs.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--clip", type=Path, help="CPU per call of each pipeline stage on this clip instead")
    ap.add_argument("--frames", type=int, default=40, help="--clip: frames to time (every 5th of the clip)")
    ap.add_argument("--pipeline", type=Path, nargs="+", help="CPU per analysed frame of the whole pipeline instead")
    ap.add_argument("--fps", type=float, default=5.0, help="--pipeline: analysed frames per second of clip")
    ap.add_argument("--settings", default="", help="--pipeline: PipelineSettings overrides, k=v,...")
    ap.add_argument("--memory", type=Path, help="RSS growth of each per-camera MediaPipe graph on this clip instead")
    args = ap.parse_args()
    if args.memory:
        model_memory(args.memory)
        return
    if args.pipeline:
        for clip in args.pipeline:
            pipeline_cpu(clip, args.fps, args.settings)
        return
    if args.clip:
        clip_cpu(args.clip, args.frames)
        return

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
