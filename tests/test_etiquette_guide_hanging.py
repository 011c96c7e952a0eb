"""guide.gesture does not report an episode in which the arm hung all through, read out to the side from a steep view
before any resting reading (recorded tune_wide streams at (1.8 m, 1.7 m, -40 deg)).

From there MediaPipe reads the standing clerk's hanging right wrist 0.15 m out, at `lateral_m`, from the stream's
first frame, so no resting reading is learned to swing from: m_short, standing still before a 30-deg bow, raised a
violation "low guide" (elbow 170, forearm 151 deg from up, hand axis -81). A guide whose episode opens the same way
shows the arm off its hanging pose: the straight-arm guide's hand points out (axis -20..-25 on four frames)."""

from __future__ import annotations

from tests.test_etiquette_recorded import replay

BOW_HANGING = "bow_30__m_short__h1.8_d1.7_y-40__s24"
WRONG_ELBOW = "guide_wrong_elbow__f_old_heavy__h1.8_d1.7_y-40__s24"


def test_a_hanging_arm_before_any_resting_reading_is_no_guide():
    assert [e.rule_id for e in replay(BOW_HANGING)] == ["bow.angle"]


def test_without_the_check_the_hanging_arm_reads_as_a_failed_guide():
    (ev,) = replay(BOW_HANGING, rules={"guide.gesture": {"hand_out_deg": None}}, only=["guide.gesture"])
    assert ev.outcome == "violation" and ev.evidence["elbow_deg"] > 165


def test_a_straight_arm_guide_opened_on_the_hanging_arm_is_still_judged():
    (ev,) = replay(WRONG_ELBOW, only=["guide.gesture"])
    assert ev.outcome == "violation"
