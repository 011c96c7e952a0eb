"""`counterwatch calibrate preview`: before mounting a camera, which rules can be measured from there?

Two independent verdicts are combined per rule:
- "view": the simulator renders a seated clerk at the counter from the planned viewpoint and checks what
  is in the frame and at what pixel size (`simulator.preview.render_preview`);
- "accuracy": the etiquette geometry predicts whether the angle rules stay within their accuracy targets
  from there (`pipelines.geometry.measurable_from`: bow MAE <= 4 deg, hand size); the guiding gesture's elbow and
  palm, which no closed form predicts, are read from what the tune splits measured near that yaw
  (`calibration.measured_views`); and a rule's own view gate says whether it judges from there at all
  (`view_gates`).
A rule is measurable within target only when every verdict that covers it says yes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The simulator aims the camera at the seated clerk's chest, about 1.05 m above the floor
# (simulator.preview's default). The pitch is computed here and passed to both verdicts so that they
# judge the same camera.
AIM_HEIGHT_M = 1.05


@dataclass(frozen=True)
class Viewpoint:
    height_m: float = 1.35
    distance_m: float = 1.5
    yaw_deg: float = 0.0
    pitch_deg: float | None = None
    width: int = 640
    height: int = 480
    hfov_deg: float = 70.0

    def pitch(self) -> float:
        if self.pitch_deg is not None:
            return self.pitch_deg
        return math.degrees(math.atan2(self.height_m - AIM_HEIGHT_M, self.distance_m))


@dataclass(frozen=True)
class Verdict:
    rule_id: str
    measurable: bool
    view: tuple[bool, str] | None  # simulator render: in view, at what size
    accuracy: tuple[bool, str] | None  # predicted accuracy against the target

    def why(self) -> str:
        parts = []
        for name, v in (("view", self.view), ("accuracy", self.accuracy)):
            if v is not None:
                parts.append(f"{name}: {v[1]}")
        return "; ".join(parts)


def combine(view: dict[str, dict], accuracy: dict[str, tuple[bool, str]]) -> list[Verdict]:
    """Per rule, in catalogue order (unknown ids last): measurable only if every verdict covering it agrees."""
    from pipelines.catalogue import catalogue

    order = {rid: i for i, rid in enumerate(catalogue())}
    out = []
    for rid in sorted(set(view) | set(accuracy), key=lambda r: (order.get(r, len(order)), r)):
        v = (bool(view[rid]["measurable"]), str(view[rid]["why"])) if rid in view else None
        a = (bool(accuracy[rid][0]), str(accuracy[rid][1])) if rid in accuracy else None
        ok = all(x[0] for x in (v, a) if x is not None)
        out.append(Verdict(rid, ok, v, a))
    return out


def view_gates(yaw_deg: float) -> dict[str, tuple[bool, str]]:
    """Every rule whose parameters name the widest camera yaw it is judged or measured within target at
    (`max_view_yaw_deg`, its default, or `max_view_yaw_left_deg` / `max_view_yaw_right_deg` for a camera on the clerk's
    left / right; the field's description says why, docs/rules.md gives the per-frame evidence): past it, not
    measurable from this camera."""
    from pipelines.engine import load_rules

    out = {}
    # a gate on one side only: the clerk's left (yaw > 0), where the right arm is the far one, or the right
    side = "left" if yaw_deg > 0 else "right" if yaw_deg < 0 else None
    for rid, rule in load_rules().items():
        fields = rule.Params.model_fields
        field = fields.get(f"max_view_yaw_{side}_deg") if side else None
        where = f" on the clerk's {side}" if field is not None else ""
        field = field or fields.get("max_view_yaw_deg")
        if field is None:
            continue
        gate, why = float(field.default), (field.description or "").removeprefix("calibrate preview: ")
        ok = abs(yaw_deg) <= gate
        out[rid] = (ok, f"within {gate:g} deg of the clerk's front{where}"
                        + ("" if ok else f" (camera {abs(yaw_deg):g} deg aside): {why}"))
    return out


def preview(vp: Viewpoint, body: str = "m_young_avg"):
    """Render the viewpoint and judge it: (BGR image, verdicts)."""
    from calibration.config import Camera
    from calibration.measured_views import guide_verdict
    from pipelines.geometry import measurable_from
    from simulator.preview import render_preview

    pitch = vp.pitch()
    img, view = render_preview(vp.height_m, vp.distance_m, vp.yaw_deg, pitch_deg=pitch, width=vp.width,
                               height=vp.height, hfov_deg=vp.hfov_deg, body=body)
    cam = Camera(width=vp.width, height=vp.height, height_m=vp.height_m, distance_m=vp.distance_m,
                 yaw_deg=vp.yaw_deg, pitch_deg=pitch, hfov_deg=vp.hfov_deg)
    accuracy = measurable_from(cam)
    extra = {rid: [gate] for rid, gate in view_gates(vp.yaw_deg).items()}
    extra.setdefault("guide.gesture", []).append(guide_verdict(vp.yaw_deg))
    for rid, more in extra.items():  # all must hold; where one fails, only the failing ones say why
        verdicts = [v for v in (accuracy.get(rid), *more) if v is not None]
        failing = [why for ok, why in verdicts if not ok]
        accuracy[rid] = (not failing, "; ".join(failing or [why for _, why in verdicts]))
    return img, combine(view, accuracy)


def _mark(v: tuple[bool, str] | None) -> str:
    return "-" if v is None else ("yes" if v[0] else "NO")


def table_rows(verdicts: list[Verdict]) -> list[tuple[str, str, str, str, str]]:
    """(rule, measurable, view, accuracy, why) as printed."""
    return [(v.rule_id, "yes" if v.measurable else "NO", _mark(v.view), _mark(v.accuracy), v.why())
            for v in verdicts]
