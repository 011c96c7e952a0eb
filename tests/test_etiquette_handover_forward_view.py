"""handover.two_hands from far to the side, where the across reach's forward move reads as a move away from the client.
Streams: tune_sweep at (1.5 m, 1.9 m, -50 deg), perception at 0cafaeb (the suite20 recordings, cut by
bench/etiquette_fixture.py).

There the modelled across reach (0.12 m toward the client, 0.17 up, 0.18 forward), back-projected onto the hands'
plane, reads 0.21-0.26 m *away* from the client: its forward part dominates. A real reach then reads away too
(toward -0.07..-0.29 m on both hands of the two-hand handover), so the "not away from the client" guard and the
turned-shoulders guard rejected every frame: the two-hand handover raised nothing. Its wrists' image moves do run
along the across reach's image (progress 0.5-1.3 on both hands). The reading clerk of gaze_client, whose pose drags
the right wrist 11-24 px toward the client's side while the true wrist stays put, moved along the sideways reach's
image and against the across reach's (-0.23..-0.61): it was a one-hand violation. In the one-hand handover the pose
drags the hand left on the desk 55-83 px (0.35-0.50 m "toward the client" on the plane) against the across reach's
image (-0.58..-1.7), while the reaching hand moves along it (0.45-1.25)."""

from __future__ import annotations

import math

import numpy as np

from pipelines.geometry import CameraModel
from pipelines.rules.etiquette_handover import apparent_toward
from tests.test_etiquette_recorded import replay

TWO_HANDS = "handover_two_hands__f_young_slim__h1.5_d1.9_y-50__s24"
GAZE = "gaze_client__f_young_slim__h1.5_d1.9_y-50__s24"
ONE_HAND = "handover_one_hand__f_old_heavy__h1.5_d1.9_y-50__s24"
OFF = {"handover.two_hands": {"forward_view": False}}


def _handovers(name: str, rules: dict | None = None) -> list:
    return [e for e in replay(name, rules=rules, only=["handover.two_hands"]) if e.rule_id == "handover.two_hands"]


def test_a_two_hand_handover_seen_from_far_aside_passes():
    evs = _handovers(TWO_HANDS)
    assert [(e.outcome, e.evidence["hand"]) for e in evs] == [("pass", "both")]
    assert evs[0].evidence["both_hands_share"] >= 0.75 and evs[0].evidence["lean_checked"] is True
    assert _handovers(TWO_HANDS, OFF) == []  # before: the reach read as moving away, nothing


def test_a_reading_clerk_whose_pose_drags_a_wrist_sideways_hands_nothing_over():
    assert _handovers(GAZE) == []
    before = _handovers(GAZE, OFF)
    assert [(e.outcome, e.evidence["hand"]) for e in before] == [("violation", "right")]


def test_a_one_hand_handover_far_aside_is_a_violation_the_dragged_desk_hand_no_partner():
    # the reaching right hand alone is out; the left, dragged by the pose against the across reach's image, is not
    # taken for the second hand (read by its image move alone it followed: a pass)
    evs = _handovers(ONE_HAND)
    assert [(e.outcome, e.evidence["hand"], e.evidence["both_hands_share"]) for e in evs] == [
        ("violation", "right", 0.0)]
    ev = evs[0].evidence
    assert ev["lean_checked"] is True and ev["forward_view"] is True
    # the client's person box holds the reaching wrist on 7 of its 12 frames (from the detector run at 2.0 s, whose
    # client box does not hold the clerk's mid-shoulders; the run at 0.0 s, whose box does, was taken for the
    # clerk's): the hidden-hand test, not applied here, would call it unknown
    assert ev["hand_hidden_share"] >= 0.5
    assert _handovers(ONE_HAND, OFF) == []  # before: the reach read as moving away, nothing


def test_only_a_camera_far_aside_reads_the_across_reach_as_away():
    rest = np.array([-0.13, 0.79, 0.4])

    def toward(h: float, d: float, yaw: float) -> float:
        cam = CameraModel.make(yaw_deg=yaw, pitch_deg=math.degrees(math.atan2(h - 1.0, d)), height_m=h,
                               distance_m=d, hfov_deg=70, width=640, height=480)
        return apparent_toward(cam, rest, -1.0)

    assert toward(1.5, 1.9, -50) < -0.15  # the forward move dominates
    assert toward(1.35, 1.5, 0) > 0.05 and toward(1.6, 1.3, 30) > 0.05  # the reach reads toward the client
