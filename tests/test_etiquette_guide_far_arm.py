"""guide.gesture seen from 35-50 deg on the clerk's left (recorded __s7 streams of the tune bodies at views no split
uses): the far-side elbow's misplacement in the elbow and gap sigmas, and the left hand judged against its error."""

from __future__ import annotations

import numpy as np
import pytest

import pipelines.rules.etiquette_guide as guide
from pipelines.rules.etiquette_guide import LEFT_HAND_SIGMA_M, left_hand_at_abdomen
from tests.test_etiquette_recorded import replay

# and the cue median's path (`elbow_lifter` off; the rule reads it where the lifter disagrees with it)
NO_GUARDS = {"min_arm_visibility": 0.0, "elbow_depth_alternative": False, "elbow_lifter": False}
BENT_50 = "guide_bent__m_young_avg__h1.6_d1.3_y50__s7"  # compliant bent guide, elbow scored 0.29, read 85 deg
BENT_35 = "guide_bent__f_old_heavy__h1.3_d1.2_y35__s7"  # compliant bent guide, left wrist read 0.036 m up (true 0.125)
HIGH_50 = "guide_high__m_short__h1.6_d1.3_y50__s7"  # compliant high guide, left wrist read 0.184 m left (true 0.05)


def events(name: str, **rules) -> list:
    return replay(name, rules={"guide.gesture": rules}, only=["guide.gesture"])


def test_a_far_side_elbows_misplacement_makes_its_misread_angle_unknown():
    # without the visibility bar and the other depth root, only the joint's expected error keeps it from failing
    evs = events(BENT_50, **NO_GUARDS)
    assert len(evs) == 1 and evs[0].outcome == "pass", evs[0].evidence
    assert "elbow" in evs[0].evidence["unknown"] and evs[0].evidence["elbow_deg"] < 95


def test_without_the_joint_error_the_same_guide_fails_its_elbow(monkeypatch):
    monkeypatch.setattr(guide, "ELBOW_PX_SLOPE", 0.0)
    evs = events(BENT_50, **NO_GUARDS)
    assert len(evs) == 1 and evs[0].outcome == "violation" and evs[0].evidence["failed"] == ["elbow"]


@pytest.mark.parametrize("name", [BENT_35, HIGH_50])
def test_a_left_hand_read_just_outside_the_window_is_unknown(name):
    evs = events(name)
    assert len(evs) == 1 and evs[0].outcome == "pass", evs[0].evidence
    assert evs[0].evidence["checks"]["left_hand_abdomen"] is None


@pytest.mark.parametrize("name", [BENT_35, HIGH_50])
def test_judged_on_the_plain_window_the_same_guides_fail_on_the_left_hand(name):
    evs = events(name, confident_sigmas=0.0)
    assert len(evs) == 1 and evs[0].outcome == "violation" and evs[0].evidence["failed"] == ["left_hand_abdomen"]


@pytest.mark.parametrize(("lw", "expected"), [
    ((0.05, 0.13, 0.29), True),
    ((0.064, 0.036, 0.289), None),  # BENT_35's reading
    ((0.20, -0.05, 0.05), False),  # hanging at the side: out by more than a sigma on two axes
    ((0.05, -0.20, 0.45), False),  # on the desk
])
def test_left_hand_judged_against_its_sigma(lw, expected):
    assert left_hand_at_abdomen(np.array(lw), LEFT_HAND_SIGMA_M, 1.0) is expected


# compliant high guide from (1.5 m, 1.9 m, -50 deg), tune_sweep: the left arm is behind the body, scored 0.33-0.5
HIGH_M50 = "guide_high__m_heavy_tall__h1.5_d1.9_y-50__s11"


def test_a_left_arm_hidden_behind_the_body_leaves_the_left_hand_unknown():
    (ev,) = events(HIGH_M50)
    e = ev.evidence
    assert e["left_arm_visibility"] < 0.5 and e["left_wrist_m"][0] > 0.25  # guessed 0.29 m out to the left
    assert e["checks"]["left_hand_abdomen"] is None and ev.outcome == "pass"


def test_judged_whatever_the_visibility_the_hidden_left_hand_fails():
    (ev,) = events(HIGH_M50, min_arm_visibility=0.0)
    assert ev.outcome == "violation" and ev.evidence["failed"] == ["left_hand_abdomen"]
