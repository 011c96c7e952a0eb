"""What the guiding gesture's measures were on the tune splits' views, for `calibrate preview`.

The geometry's predicted sigma (`pipelines.geometry.measurable_from`) holds for the bow, whose measured MAE stayed
within it on every view. It does not hold for the guiding elbow or the palm: their errors come from MediaPipe's depth
and hand model, which no closed form predicts (docs/rules.md, guide.gesture). So the preview reads those two from
the figures `counterwatch eval` measured on the tune splits, interpolated by camera yaw between the two nearest
measured yaws; past the measured range it says "not measured from here" and NO. The validation and held-out views
were not used to build the table, so they test it (docs/accuracy-history.md, session 21).

Rebuild the table from the eval reports of the tune splits:

    python -m calibration.measured_views TUNE_REPORT.json ... > calibration/measured_views.yaml
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

TABLE = Path(__file__).with_name("measured_views.yaml")
# issue #7's targets for the guiding gesture's measures
TARGETS = {"elbow_mae_deg": ("<=", 8.0), "palm_up_f1": (">=", 0.9), "fingers_together_f1": (">=", 0.9)}
NAMES = {"elbow_mae_deg": "guiding elbow MAE {:.1f} deg", "palm_up_f1": "palm-up F1 {:.3f}",
         "fingers_together_f1": "fingers-together F1 {:.3f}"}
_VIEW = re.compile(r"^h(?P<h>[-\d.]+) d(?P<d>[-\d.]+) yaw(?P<yaw>[-\d.]+)$")


@dataclass(frozen=True)
class MeasuredView:
    height_m: float
    distance_m: float
    yaw_deg: float
    figures: dict[str, float]


def from_reports(paths: list[Path]) -> list[dict]:
    """Each view of the reports' etiquette tables with the measures that have a target."""
    rows = []
    for path in paths:
        report = json.loads(path.read_text(encoding="utf-8"))
        for view, measures in report.get("etiquette", {}).get("views", {}).items():
            m = _VIEW.match(view)
            if m is None:
                raise ValueError(f"{path}: etiquette view {view!r} is not 'h<m> d<m> yaw<deg>'")
            figures = {k: float(measures[k]["ours"]) for k in TARGETS
                       if isinstance(measures.get(k), dict) and measures[k].get("ours") is not None}
            rows.append({"split": report.get("split") or path.stem, "height_m": float(m["h"]),
                         "distance_m": float(m["d"]), "yaw_deg": float(m["yaw"]), **figures})
    return sorted(rows, key=lambda r: r["yaw_deg"])


@cache
def table() -> tuple[MeasuredView, ...]:
    data = yaml.safe_load(TABLE.read_text(encoding="utf-8")) or {}
    return tuple(MeasuredView(float(r["height_m"]), float(r["distance_m"]), float(r["yaw_deg"]),
                              {k: float(r[k]) for k in TARGETS if k in r}) for r in data.get("views", []))


def predicted(measure: str, yaw_deg: float, views: tuple[MeasuredView, ...] | None = None) -> float | None:
    """The measure at this camera yaw, interpolated between the nearest measured yaws on either side (views at the
    same yaw averaged); None past the measured range."""
    by_yaw: dict[float, list[float]] = {}
    for v in views if views is not None else table():
        if measure in v.figures:
            by_yaw.setdefault(v.yaw_deg, []).append(v.figures[measure])
    points = sorted((y, sum(xs) / len(xs)) for y, xs in by_yaw.items())
    for (y0, a), (y1, b) in zip(points, points[1:], strict=False):
        if y0 <= yaw_deg <= y1:
            return a if y1 == y0 else a + (b - a) * (yaw_deg - y0) / (y1 - y0)
    return points[0][1] if len(points) == 1 and points[0][0] == yaw_deg else None


def within(measure: str, value: float) -> bool:
    op, target = TARGETS[measure]
    return value <= target if op == "<=" else value >= target


def guide_verdict(yaw_deg: float, views: tuple[MeasuredView, ...] | None = None) -> tuple[bool, str]:
    """guide.gesture's measured-accuracy verdict at this yaw: every measure with a target predicted within it."""
    views = views if views is not None else table()
    yaws = sorted({v.yaw_deg for v in views})
    if not yaws or not yaws[0] <= yaw_deg <= yaws[-1]:
        span = f"{yaws[0]:g}..{yaws[-1]:g}" if yaws else "none"
        return False, f"guiding gesture's elbow and palm not measured from this yaw (measured views: {span} deg)"
    parts, ok = [], True
    for measure in TARGETS:
        value = predicted(measure, yaw_deg, views)
        if value is None:
            continue
        good = within(measure, value)
        ok &= good
        op, target = TARGETS[measure]
        parts.append(NAMES[measure].format(value) + ("" if good else f" (target {op} {target:g})"))
    return ok, "measured on tune renders near this yaw: " + ", ".join(parts)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    rows = from_reports([Path(a) for a in argv])
    header = ("# Built by `python -m calibration.measured_views` from `counterwatch eval ... --json` reports of the\n"
              "# tune splits (docs/accuracy-history.md, session 21). Do not edit by hand.\n")
    sys.stdout.write(header + yaml.safe_dump({"views": rows}, sort_keys=False, allow_unicode=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
