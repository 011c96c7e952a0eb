"""guide.gesture reads the palm only from a hand MediaPipe labels as the right one (recorded simulator streams).

The palm normal's sign depends on which hand it is. From (1.8 m, 1.7 m, -40 deg) the compliant horizontal guide's
hand sits on the right wrist but is labelled Left (scored 0.66-0.85) on every held frame: the label's sign read the
upward palm at -0.97 and the guide failed on its palm. A hand whose label and wrist disagree gives no palm reading,
so that palm is unknown; a palm-down guide from the same view, labelled Right, still fails on it."""

from __future__ import annotations

from tests.test_etiquette_recorded import replay

GUIDE_MISLABELLED = "guide_horizontal__m_heavy_tall__h1.8_d1.7_y-40__geo4"
PALM_DOWN_SAME_VIEW = "guide_palm_down__m_heavy_tall__h1.8_d1.7_y-40__s8"


def _guide(name: str, **params) -> list:
    return replay(name, rules={"guide.gesture": params} if params else None, only=["guide.gesture"])


def test_a_mislabelled_guiding_hand_leaves_the_palm_unknown_and_the_guide_passes():
    evs = _guide(GUIDE_MISLABELLED)
    assert len(evs) == 1 and evs[0].outcome == "pass"
    assert evs[0].evidence["palm_up"] is None and "palm_up" in evs[0].evidence["unknown"]


def test_with_the_label_deciding_the_sign_the_same_guide_fails_on_its_palm():
    # control: geometry.palm_up_score's choice (the label, scored >= 0.8) reads the upward palm down
    evs = _guide(GUIDE_MISLABELLED, palm_needs_label_agree=False)
    assert len(evs) == 1 and evs[0].outcome == "violation" and evs[0].evidence["failed"] == ["palm_up"]


def test_a_palm_down_guide_from_the_same_view_still_fails_on_its_palm():
    evs = _guide(PALM_DOWN_SAME_VIEW)
    assert len(evs) == 1 and evs[0].outcome == "violation" and "palm_up" in evs[0].evidence["failed"]
    assert evs[0].evidence["palm_up"] <= -0.4
