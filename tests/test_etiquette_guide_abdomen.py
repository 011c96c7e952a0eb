"""guide.gesture on recorded tune streams: the left hand at the abdomen (how far forward MediaPipe puts a hand
held in front of a heavy body), the lateral trigger of a low guide, and no gesture during a deep bow."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.rules.etiquette_guide import left_hand_at_abdomen
from tests.test_etiquette_recorded import replay


@pytest.mark.parametrize(("lw", "expected"), [
    ((0.05, 0.13, 0.29), True),   # the usual read of the simulator's hand 0.29 m in front of the hips
    ((-0.02, 0.15, 0.42), True),  # the heavy body at (1.3 m, -20 deg): MediaPipe puts the same hand 0.42 m forward
    ((0.05, -0.20, 0.45), False),  # standing with the hand on the desk: below the hips
    ((0.20, -0.05, 0.05), False),  # hanging at the side
    ((0.05, 0.60, 0.30), False),  # raised to the chest
    ((0.05, 0.15, 0.60), False),  # reaching forward
])
def test_left_hand_at_abdomen(lw, expected):
    assert left_hand_at_abdomen(np.array(lw)) is expected


def test_recorded_heavy_body_compliant_guide_passes():
    evs = [e for e in replay("guide_horizontal__m_heavy_tall__h1.3_d2_y-20", only=["guide.gesture"])]
    assert len(evs) == 1
    ev = evs[0].evidence
    assert ev["checks"]["left_hand_abdomen"] is True and evs[0].outcome == "pass", ev
    assert 105 <= ev["elbow_deg"] <= 135 and ev["position"] == "horizontal"


def test_deep_bow_swinging_the_arms_out_is_no_guide():
    # in a 45-deg bow the hanging right wrist swings 0.12-0.15 m out from the shoulder
    loose = replay("bow_45__m_short__h1.6_d1.3_y30", rules={"guide.gesture": {"lateral_m": 0.12, "max_bow_deg": 90.0}},
                   only=["guide.gesture"])
    assert [e.rule_id for e in loose] == ["guide.gesture"]
    assert replay("bow_45__m_short__h1.6_d1.3_y30", rules={"guide.gesture": {"lateral_m": 0.12}},
                  only=["guide.gesture"]) == []
    assert replay("bow_45__m_short__h1.6_d1.3_y30", only=["guide.gesture"]) == []


def test_low_guide_with_the_wrist_0_16_m_out_is_detected():
    evs = replay("guide_low__f_young_slim__h1.3_d2_y-20", only=["guide.gesture"])
    assert len(evs) == 1 and evs[0].evidence["position"] == "low"
    assert replay("guide_low__f_young_slim__h1.3_d2_y-20", rules={"guide.gesture": {"lateral_m": 0.20}},
                  only=["guide.gesture"]) == []
