"""`counterwatch eval --advised`: the scores an installer who follows `calibrate preview` would see.

For each clip the preview is asked about the clip's own camera (labels.json's camera block). A rule it says cannot
be measured within target from there is one such an installer would not enable on that camera, so its labels and
incidents go to the `refused` table instead of the `advised` one. The two tables together hold every scored label:
`advised` is what the preview promises, `refused` shows what the preview gave up (how many of those labels the rule
found anyway). Both are reported; neither replaces the plain per-rule table.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.evaluate import Incident, Interval, RuleScore

CAMERA_KEYS = ("height_m", "distance_m", "yaw_deg", "pitch_deg", "width", "height", "hfov_deg")


def preview_refusals(raw: dict[str, Any]) -> frozenset[str] | None:
    """The rules `calibrate preview` says cannot be measured within target from the clip's camera; None when
    labels.json has no camera to ask about."""
    cam = raw.get("camera") or {}
    if not set(CAMERA_KEYS) <= set(cam):
        return None
    return _refused(tuple(float(cam[k]) for k in CAMERA_KEYS))


@functools.cache
def _refused(camera: tuple[float, ...]) -> frozenset[str]:
    from calibration.preview import Viewpoint, preview

    h, d, yaw, pitch, width, height, hfov = camera
    _, verdicts = preview(Viewpoint(h, d, yaw, pitch, int(width), int(height), hfov))
    return frozenset(v.rule_id for v in verdicts if not v.measurable)


@dataclass
class AdvisedScores:
    advised: dict[str, RuleScore] = field(default_factory=dict)
    refused: dict[str, RuleScore] = field(default_factory=dict)
    views: dict[str, list[str]] = field(default_factory=dict)  # view and pitch -> the rules the preview refused
    clips_without_camera: int = 0

    def add(self, raw: dict[str, Any], preds: list[Incident], labels: list[Interval], tolerance_s: float) -> None:
        from pipelines.etiquette_eval import view_key
        from pipelines.evaluate import score_clip

        refused = preview_refusals(raw)
        if refused is None:
            self.clips_without_camera += 1
            return
        # the simulator aims each body's camera at its chest: one view, a pitch per body, and verdicts may differ
        self.views[f"{view_key(raw['camera'])} pitch{float(raw['camera']['pitch_deg']):.1f}"] = sorted(refused)

        def kept(rule: str) -> bool:
            return rule.split(":")[0] not in refused

        score_clip(self.advised, [i for i in preds if kept(i.rule)], [x for x in labels if kept(x.rule)], tolerance_s)
        score_clip(self.refused, [i for i in preds if not kept(i.rule)], [x for x in labels if not kept(x.rule)],
                   tolerance_s)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rules": [self.advised[r].as_dict() for r in sorted(self.advised)],
            "refused": [self.refused[r].as_dict() for r in sorted(self.refused)],
            "views": dict(sorted(self.views.items())),
            "clips_without_camera": self.clips_without_camera,
        }
