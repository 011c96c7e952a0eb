"""CPU and coverage of evidence-snapshot face searches on real images (the current one vs. cheaper candidates).

    .venv/bin/python bench/snapshot_faces.py [--repeat 3] [--only NAME,...] [--sim N]

Per image: the current search's boxes (edge/snapshots.py, OpenCV's frontal + profile Haar cascades at scale 1.1 over
the whole frame), each candidate's boxes, whether every current box is covered (>= 90 % of the current box's area lies
inside the region the candidate pixelates, i.e. its boxes grown by 25 % as blur_faces grows them) and process CPU ms
(time.process_time, OpenCV's worker threads included; the minimum of --repeat runs).

Images (all on disk, no download): scikit-image's astronaut / camera / coffee, ultralytics' zidane.jpg / bus.jpg (the
copies in ~/.cache/counterwatch/media), opencv-doc's messi5.jpg and frames of vtest.avi (pedestrians), carphone
frames, a few simulator tune clips' frames (rendered clerks and visitors), and most of them again scaled to fit a
1280x720 frame (padded with grey) as the edge's cameras deliver them.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from edge import snapshots  # noqa: E402

MEDIA = Path.home() / ".cache" / "counterwatch" / "media"
OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
SUITE = Path("/work/suite27/tune")
GROW = 0.25  # blur_faces grows every box by 25 % per side
COVER = 0.90  # a current box counts as covered when this share of it is pixelated by the candidate

Box = tuple[float, float, float, float]


def _frame(path: Path, index: int) -> np.ndarray | None:
    cap = cv2.VideoCapture(str(path))  # read up to the frame (seeking fails on some of these files)
    f = None
    for _ in range(index + 1):
        ok, f = cap.read()
        if not ok:
            f = None
            break
    cap.release()
    return f


def to_720p(img: np.ndarray) -> np.ndarray:
    """Scaled (keeping the aspect) to fit 1280x720, padded with grey: the edge camera's frame size."""
    h, w = img.shape[:2]
    s = min(1280 / w, 720 / h)
    small = cv2.resize(img, (round(w * s), round(h * s)), interpolation=cv2.INTER_LINEAR if s > 1 else cv2.INTER_AREA)
    out = np.full((720, 1280, 3), 128, np.uint8)
    y, x = (720 - small.shape[0]) // 2, (1280 - small.shape[1]) // 2
    out[y:y + small.shape[0], x:x + small.shape[1]] = small
    return out


def images(n_sim: int) -> list[tuple[str, np.ndarray]]:
    out: list[tuple[str, np.ndarray]] = []
    try:
        from skimage import data

        for name in ("astronaut", "camera", "coffee"):
            im = getattr(data, name)()
            im = cv2.cvtColor(im, cv2.COLOR_GRAY2BGR) if im.ndim == 2 else np.ascontiguousarray(im[:, :, ::-1])
            out.append((name, im))
    except ImportError:
        print("scikit-image not installed: its images skipped")
    for p in (MEDIA / "zidane.jpg", MEDIA / "bus.jpg", OPENCV_DATA / "messi5.jpg"):
        im = cv2.imread(str(p))
        if im is None:
            print(f"missing: {p}")
        else:
            out.append((p.stem, im))
    for path, frames, tag in ((OPENCV_DATA / "vtest.avi", (0, 300, 600), "vtest"),
                              (MEDIA / "carphone_pristine.mp4", (0, 60), "carphone")):
        if not path.exists():
            print(f"missing: {path}")
            continue
        for i in frames:
            f = _frame(path, i)
            if f is not None:
                out.append((f"{tag}#{i}", f))
    if SUITE.exists():
        clips = sorted(p for p in SUITE.iterdir() if (p / "clip.mp4").exists())
        picked = [c for c in clips if c.name.split("__")[0] in
                  ("chatting_visitor", "colleague_brief_visit", "gaze_client", "greet_raise_hand", "do_nothing",
                   "handover_two_hands", "drinking_client")]
        for c in picked[::max(1, len(picked) // max(1, n_sim))][:n_sim]:
            f = _frame(c / "clip.mp4", 10)  # the clips are 20 frames long
            if f is not None:
                out.append((f"sim:{c.name.split('__')[0]}/{c.name.split('__')[1]}", f))
    else:
        print(f"missing: {SUITE}")
    # The edge's frame size: every non-720p image again, scaled to fit 1280x720.
    out += [(f"{n}@720p", to_720p(im)) for n, im in list(out) if im.shape[:2] != (720, 1280)]
    return out


# -- searches ------------------------------------------------------------------------------------------------------
def _gray(img: np.ndarray) -> np.ndarray:
    return cv2.equalizeHist(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY))


def _run(gray: np.ndarray, scale: float, neighbours: int, min_side: int, max_side: int = 0, factor: float = 1.0,
         ) -> list[Box]:
    boxes: list[Box] = []
    kw = {"minSize": (min_side, min_side)}
    if max_side:
        kw["maxSize"] = (max_side, max_side)
    for cascade in snapshots._cascades():
        for x, y, w, h in cascade.detectMultiScale(gray, scale, neighbours, **kw):
            boxes.append((x * factor, y * factor, (x + w) * factor, (y + h) * factor))
    return boxes


def current(img: np.ndarray) -> list[Box]:
    """The search as it was before session 29 (faces): scale 1.1, 4 neighbours, the whole frame."""
    g = _gray(img)
    return _run(g, 1.1, 4, max(20, min(g.shape) // 25))


def shipped(img: np.ndarray) -> list[Box]:
    """edge.snapshots.detect_faces as it is in this checkout."""
    return snapshots.detect_faces(img)


def scale(s: float, n: int = 4) -> Callable[[np.ndarray], list[Box]]:
    def f(img: np.ndarray) -> list[Box]:
        g = _gray(img)
        return _run(g, s, n, max(20, min(g.shape) // 25))
    return f


def split(small_scale: float = 1.1) -> Callable[[np.ndarray], list[Box]]:
    """Faces >= 2x the cascade window on a half-size frame; the full frame only for min_side..52 px."""
    def f(img: np.ndarray) -> list[Box]:
        g = _gray(img)
        min_side = max(20, min(g.shape) // 25)
        half = cv2.resize(g, (g.shape[1] // 2, g.shape[0] // 2), interpolation=cv2.INTER_AREA)
        return _run(g, small_scale, 4, min_side, 52) + _run(half, 1.1, 4, 24, 0, 2.0)
    return f


def hybrid(big: int, small_scale: float = 1.2, small_n: int = 3) -> Callable[[np.ndarray], list[Box]]:
    """The current search's own pyramid levels (1.1^k) for faces >= big px (cheap: a reduced image), a coarser
    pyramid (small_scale, small_n neighbours) over min_side..1.1*big, where nearly all the CPU goes."""
    def f(img: np.ndarray) -> list[Box]:
        g = _gray(img)
        min_side = max(20, min(g.shape) // 25)
        if big <= min_side:
            return _run(g, 1.1, 4, min_side)
        return _run(g, 1.1, 4, big) + _run(g, small_scale, small_n, min_side, int(big * 1.1))
    return f


def profile_coarse(img: np.ndarray) -> list[Box]:
    """The frontal cascade as now; the profile cascade (twice the frontal's CPU) at scale 1.2, 3 neighbours."""
    g = _gray(img)
    min_side = max(20, min(g.shape) // 25)
    frontal, profile = snapshots._cascades()
    out: list[Box] = []
    for cascade, s, n in ((frontal, 1.1, 4), (profile, 1.2, 3)):
        out += [(float(x), float(y), float(x + w), float(y + h))
                for x, y, w, h in cascade.detectMultiScale(g, s, n, minSize=(min_side, min_side))]
    return out


@functools.cache
def _person_detector():
    from vision.detector import load_detector

    return load_detector("coral.ssd_mobilenet_v2_coco")  # the pipeline's default detector_model


def people_roi(min_score: float = 0.3, grow: float = 0.1) -> Callable[[np.ndarray], list[Box]]:
    """The current search (same scale, neighbours, minSize, whole-frame equalisation) only inside the person boxes
    the SSD finds on this very frame (the pipeline's people are up to people_every = 10 analysed frames old),
    each grown by `grow`; the whole frame when it finds nobody. The SSD's CPU is counted in."""
    def f(img: np.ndarray) -> list[Box]:
        from vision.detector import detect_people

        people = detect_people(_person_detector(), img, min_score)
        g = _gray(img)
        min_side = max(20, min(g.shape) // 25)
        if not people:
            return _run(g, 1.1, 4, min_side)
        H, W = g.shape
        out: list[Box] = []
        for d in people:
            x1, y1, x2, y2 = d.box
            gx, gy = grow * (x2 - x1), grow * (y2 - y1)
            a, b, c, e = max(0, int(x1 - gx)), max(0, int(y1 - gy)), min(W, int(x2 + gx)), min(H, int(y2 + gy))
            if c - a < min_side or e - b < min_side:
                continue
            out += [(x + a, y + b, x2_ + a, y2_ + b) for x, y, x2_, y2_ in _run(g[b:e, a:c], 1.1, 4, min_side)]
        return out
    return f


CANDIDATES: dict[str, Callable[[np.ndarray], list[Box]]] = {
    "s1.2": scale(1.2),
    "s1.2n3": scale(1.2, 3),
    "split": split(),
    "hyb60": hybrid(60),
    "hyb60n4": hybrid(60, 1.2, 4),
    "hyb45": hybrid(45),
    "prof1.2": profile_coarse,
    "people": people_roi(),
    "people.2": people_roi(0.2, 0.2),
}


# -- scoring -------------------------------------------------------------------------------------------------------
def pixelated_mask(boxes: list[Box], shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    m = np.zeros((h, w), bool)
    for x1, y1, x2, y2 in boxes:
        gx, gy = GROW * (x2 - x1), GROW * (y2 - y1)
        a, b = max(0, int(x1 - gx)), max(0, int(y1 - gy))
        c, d = min(w, int(x2 + gx)), min(h, int(y2 + gy))
        m[b:d, a:c] = True
    return m


def coverage(ref: list[Box], cand: list[Box], shape: tuple[int, int]) -> list[float]:
    """Per current box: the share of it the candidate pixelates."""
    m = pixelated_mask(cand, shape)
    out = []
    for x1, y1, x2, y2 in ref:
        a, b, c, d = int(x1), int(y1), int(np.ceil(x2)), int(np.ceil(y2))
        out.append(float(m[b:d, a:c].mean()) if c > a and d > b else 1.0)
    return out


def cpu_ms(fn: Callable[[np.ndarray], list[Box]], img: np.ndarray, repeat: int) -> tuple[float, list[Box]]:
    best, boxes = float("inf"), []
    for _ in range(repeat):
        t0 = time.process_time()
        boxes = fn(img)
        best = min(best, (time.process_time() - t0) * 1000)
    return best, boxes


def fmt(boxes: list[Box]) -> str:
    return " ".join(f"[{int(a)},{int(b)},{int(c - a)}x{int(d - b)}]" for a, b, c, d in boxes) or "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated candidate names (default: all)")
    ap.add_argument("--sim", type=int, default=4, help="simulator clips to take a frame of")
    ap.add_argument("--quiet", action="store_true", help="no per-box lines, only the table")
    args = ap.parse_args()
    cands = {"shipped": shipped, **CANDIDATES}
    if args.only:
        cands = {k: v for k, v in cands.items() if k in args.only.split(",")}
    print(f"cv2 {cv2.__version__}, threads {cv2.getNumThreads()}, cpus {os.cpu_count()}, repeat {args.repeat}")
    imgs = images(args.sim)
    totals = {"current": 0.0, **{k: 0.0 for k in cands}}
    missed = {k: [] for k in cands}
    cols = list(cands)
    print(f"{'image':44s} {'size':>9s} {'cur ms':>7s} {'n':>2s} | " + " | ".join(f"{c:>14s}" for c in cols))
    for name, img in imgs:
        ms, ref = cpu_ms(current, img, args.repeat)
        totals["current"] += ms
        cells, lines = [], [f"    current: {fmt(ref)}"]
        for c in cols:
            cms, boxes = cpu_ms(cands[c], img, args.repeat)
            totals[c] += cms
            cov = coverage(ref, boxes, img.shape[:2])
            miss = [b for b, v in zip(ref, cov, strict=True) if v < COVER]
            if miss:
                missed[c].append((name, miss, min(cov)))
            cells.append(f"{cms:6.0f} {'ok' if not miss else f'MISS{len(miss)}':>6s}")
            note = f"  <- misses {fmt(miss)} (min cover {min(cov):.2f})" if miss else ""
            lines.append(f"    {c}: {fmt(boxes)}{note}")
        print(f"{name:44s} {img.shape[1]:4d}x{img.shape[0]:<4d} {ms:7.0f} {len(ref):2d} | " + " | ".join(cells))
        if not args.quiet:
            print("\n".join(lines))
    print("\ntotal CPU ms: " + ", ".join(f"{k} {v:.0f}" for k, v in totals.items()))
    for c in cols:
        print(f"{c}: {len(missed[c])} image(s) with a current box not covered"
              + "".join(f"\n    {n}: {fmt(m)} (min cover {v:.2f})" for n, m, v in missed[c]))


if __name__ == "__main__":
    main()
