"""The learned elbow lifter (pipelines/elbow_lift.py, session 29) and guide.gesture's `elbow_lifter` flag (on by
default since session 29's elbow2 note): its geometry is exact given the true depths; the rule takes the lifter's hold
median only where it agrees with the cue median's within their combined sigma (`lifter_agrees`), so on recorded tune
streams it reads the guide whose forearm points at the camera nearer its 120 deg than the cue median, while the
straight arm seen from the far right, which the lifter shrinks toward its training mean, keeps the cues' violation."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.elbow_lift import angle_from_depth, cam_rays, lifter, lifter_agrees
from pipelines.geometry import angle_between
from pipelines.rules.etiquette_guide import GuideParams
from tests.fixtures.etiquette import make_cam
from tests.test_etiquette_recorded import replay

# compliant low guide at (1.3 m, 2 m, -20 deg): the forearm comes at the camera and the cue median reads it 141.8
LOW = "guide_low__f_young_slim__h1.3_d2_y-20"
# the straight arm (170) at (1.8 m, 1.7 m, -40 deg), pointing at the camera: the median's length cue reads 169.3
STRAIGHT_FAR_RIGHT = "guide_wrong_elbow__f_old_heavy__h1.8_d1.7_y-40__s24"


def _on(enabled: bool = True) -> dict:
    return {"guide.gesture": {"elbow_lifter": enabled}}


@pytest.mark.parametrize("yaw", [-50.0, -20.0, 0.0, 30.0])
@pytest.mark.parametrize("elbow", [60.0, 120.0, 170.0])
def test_the_angle_follows_exactly_from_the_2d_joints_and_the_segments_depths(yaw, elbow):
    cam = make_cam(yaw=yaw)
    shoulder = np.array([-0.18, 1.45, 0.0])
    upper = np.array([0.1, -0.9, 0.3])
    upper /= np.linalg.norm(upper)
    # the forearm `elbow` deg from the upper arm, bent forward and toward the clerk's right
    side = np.cross(upper, np.array([0.3, 0.0, 1.0]))
    side /= np.linalg.norm(side)
    t = np.radians(180.0 - elbow)  # from the upper arm's direction (shoulder -> elbow)
    fore = np.cos(t) * upper + np.sin(t) * np.cross(side, upper)
    e = shoulder + 0.3 * upper
    pts = np.array([shoulder, e, e + 0.27 * fore])
    uv = cam.project(pts)
    p_cam = (pts - cam.C) @ cam.R.T
    d = cam_rays(cam, uv[1:2])[0]
    s = [float((p_cam[k] - p_cam[1]) @ d / np.linalg.norm(p_cam[k] - p_cam[1])) for k in (0, 2)]
    assert angle_from_depth(cam, uv, s[0], s[1]) == pytest.approx(angle_between(pts[0] - e, pts[2] - e), abs=1e-6)
    assert angle_from_depth(cam, uv, s[0], s[1]) == pytest.approx(elbow, abs=1e-6)


def test_the_weights_load_with_their_measured_sigma():
    lift = lifter()
    assert 10.0 < lift.sigma_deg < 30.0  # the hold medians' RMS error, leave-one-body-out on random-angle arms
    assert lift.r_w.shape == lift.r_mu.shape == (61,)


def test_the_hold_agreement_test():
    # combined sigma hypot(15, 18.6) = 23.9: 20 apart agrees, 46 apart (the straight arm at -40) does not
    assert lifter_agrees(125.0, 145.0, 15.0, 18.6, 1.0) is True
    assert lifter_agrees(123.4, 169.6, 15.0, 18.6, 1.0) is False
    assert lifter_agrees(123.4, 169.6, 15.0, 18.6, 2.0) is True
    assert lifter_agrees(None, 140.0, 15.0, 18.6, 1.0) is False and lifter_agrees(120.0, None, None, 18.6, 1.0) is False
    assert GuideParams().elbow_lifter is True and GuideParams().elbow_lifter_agree_sigmas == 1.0


def test_the_flag_off_reads_the_cue_median():
    (off,) = replay(LOW, rules=_on(False), only=["guide.gesture"])
    assert off.evidence["elbow_deg"] == off.evidence["elbow_cue_deg"] == pytest.approx(141.8, abs=0.1)
    assert off.evidence["elbow_source"] == "cue" and off.evidence["elbow_lifted_deg"] is None
    assert off.evidence["checks"]["elbow"] is None  # 141.8 is outside 105-135 by less than its sigma: unknown


def test_the_low_guide_toward_the_camera_reads_nearer_its_120():
    (off,) = replay(LOW, rules=_on(False), only=["guide.gesture"])
    (ev,) = replay(LOW, only=["guide.gesture"])  # the default: on
    assert ev.evidence["elbow_source"] == "lifter" and ev.evidence["elbow_cue_deg"] == off.evidence["elbow_deg"]
    assert abs(ev.evidence["elbow_deg"] - 120) < abs(off.evidence["elbow_deg"] - 120) - 8  # 129.3 against 141.8
    assert ev.evidence["elbow_sigma_deg"] == pytest.approx(lifter().sigma_deg, abs=0.05)  # the evidence rounds to 0.1
    assert ev.evidence["checks"]["elbow"] is True and ev.outcome == "pass"  # unknown with the flag off


def test_the_straight_arm_at_the_camera_from_the_far_right_keeps_its_violation():
    """The lifter alone shrinks this straight arm pointing at the camera toward its training mean (reads it ~123, a
    compliant bend); the cues read it straight (~170). The two hold medians part by more than their combined sigma,
    so the cue's reading stands and the violation with it (with the lifter alone: a pass)."""
    (off,) = replay(STRAIGHT_FAR_RIGHT, rules=_on(False), only=["guide.gesture"])
    (ev,) = replay(STRAIGHT_FAR_RIGHT, only=["guide.gesture"])
    assert off.outcome == "violation" and off.evidence["failed"] == ["elbow"]
    assert ev.evidence["elbow_lifted_deg"] < 135  # the lifter's own reading is still the miss
    assert ev.evidence["elbow_source"] == "cue" and ev.evidence["elbow_deg"] == off.evidence["elbow_deg"] > 160
    assert ev.outcome == "violation" and ev.evidence["failed"] == ["elbow"]
