"""The fixed tune / held-out split of bodies and viewpoints for the scenario x body x viewpoint suite.

Accuracy figures must come from the held-out split: its bodies and viewpoints are never used
for tuning. Viewpoints are (camera height m, distance m, yaw deg)."""

from __future__ import annotations

from dataclasses import dataclass

TUNE_BODIES = ["m_young_avg", "f_young_slim", "f_old_heavy", "m_heavy_tall", "m_short"]
HELDOUT_BODIES = ["m_old_slim", "f_avg_tall", "f_mid"]
TUNE_VIEWS = [(1.35, 1.5, 0.0), (1.6, 1.3, 30.0), (1.3, 2.0, -20.0)]
HELDOUT_VIEWS = [(1.45, 1.4, 45.0), (1.25, 1.1, 0.0), (1.7, 1.8, -35.0)]


@dataclass(frozen=True)
class Job:
    scenario: str
    body: str
    height_m: float
    distance_m: float
    yaw_deg: float
    split: str

    @property
    def name(self) -> str:
        return f"{self.scenario}__{self.body}__h{self.height_m:g}_d{self.distance_m:g}_y{self.yaw_deg:g}"


def jobs(scenarios: list[str], split: str = "all") -> list[Job]:
    """One job per scenario x viewpoint of the split; bodies rotate over the jobs (a fixed pattern)."""
    out = []
    for sp, bodies, views in (("tune", TUNE_BODIES, TUNE_VIEWS), ("heldout", HELDOUT_BODIES, HELDOUT_VIEWS)):
        if split not in (sp, "all"):
            continue
        for i, sc in enumerate(scenarios):
            for k, (h, d, y) in enumerate(views):
                out.append(Job(sc, bodies[(i + k) % len(bodies)], h, d, y, sp))
    return out
