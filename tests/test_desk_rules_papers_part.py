"""With the clerk away, an unnamed object no larger than papers lying just beside them is a part of the same documents
(something in front splits the sheet: at (1.2 m, 1.95 m, 30) the evaluator pad hides its middle and the corner beside
the pad read as a weak "box"): post.leave_secure's, not an unattended item. Farther off it stays an unattended item."""

from __future__ import annotations

from tests.test_desk_rules import obj, run_all

PAPERS = (482.0, 610.0, 594.0, 660.0)  # 112 x 50 px


def test_a_corner_beside_the_papers_is_part_of_them():
    corner = obj("box", box=(424.0, 642.0, 456.0, 664.0), score=0.34)  # 26 px left of them
    assert run_all([(10, [], True), (200, [obj("papers", box=PAPERS), corner], False)]) == ["post.leave_secure"]


def test_an_unnamed_object_farther_off_stays_unattended():
    far = obj("box", box=(200.0, 642.0, 232.0, 664.0), score=0.34)  # 250 px left
    assert run_all([(10, [], True), (200, [obj("papers", box=PAPERS), far], False)]) == ["item.unattended",
                                                                                        "post.leave_secure"]
