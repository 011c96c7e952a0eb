"""Items joined into one changed area: what the tiles find, the rest under the hands, and an area no look can name."""

from __future__ import annotations

import cv2
import numpy as np

from tests.fixtures.desk import settled_objects
from vision.results import Detection

AREA = (420, 520, 760, 680)  # x1, y1, x2, y2: a sheet (or a grey mat) with a snack lying on its corner
SNACK = (430, 530, 500, 580)


def _magenta(crop: np.ndarray) -> np.ndarray:
    return (crop[..., 0] > 150) & (crop[..., 1] < 80) & (crop[..., 2] > 180)


def _frame(ref: np.ndarray, area: tuple[int, int, int, int] = (245, 245, 240),
           snacks: tuple[tuple[int, int, int, int], ...] = (SNACK,)) -> np.ndarray:
    img = ref.copy()
    cv2.rectangle(img, AREA[:2], AREA[2:], area, -1)
    for s in snacks:
        cv2.rectangle(img, s[:2], s[2:], (200, 40, 230), -1)
    return img


def _ssd_like(person: bool = True, named_up_to: int = 260, cup_share: float = 0.0):
    """The snack named on crops of at most `named_up_to` px (a tile; the generous crop is larger), one box per piece;
    `person`: the clerk on every crop; `cup_share`: the generous crop also names a sure cup boxing this share of it."""

    def classify(crop: np.ndarray) -> list[Detection]:
        h, w = crop.shape[:2]
        out = [Detection((0, 0, w, h), "person", 0.9, "fake")] if person else []
        if cup_share and w > 600:  # the generous crop: the area padded by 204 px left and right
            out.append(Detection((204, 0, 204 + cup_share * (w - 408), h), "cup", 0.8, "fake"))
        mask = _magenta(crop)
        if max(h, w) <= named_up_to and mask.any():
            n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8))
            for i in range(1, n):
                x, y, bw, bh = stats[i][:4]
                out.append(Detection((x, y, x + bw, y + bh), "donut", 0.9, "fake"))
        return out

    return classify


def _run(classifier, frame_of=_frame) -> list[Detection]:
    return settled_objects(frame_of, classifier)


def test_the_rest_under_the_hands_is_papers_when_the_tight_look_names_an_item_already_found():
    # the tight look at the whole area (360 px) names the snack too: the papers around it are still an item
    out = _run(_ssd_like(named_up_to=400))
    assert sorted(d.label for d in out) == ["donut", "papers"]
    papers = next(d for d in out if d.label == "papers")
    assert papers.box[2] >= AREA[2] - 5 and papers.box[3] >= AREA[3] - 5


def test_an_area_no_look_can_name_is_looked_at_in_tiles():
    grey_mat = lambda ref: _frame(ref, area=(120, 120, 120))  # noqa: E731 - neither papers nor a phone
    assert sorted(d.label for d in _run(_ssd_like(person=False), grey_mat)) == ["donut"]
    # nothing named in its tiles either: it stays one unnamed item
    assert [d.label for d in _run(_ssd_like(person=False, named_up_to=0), grey_mat)] == ["unknown object"]


def test_food_pieces_a_few_pixels_apart_are_one_snack_box():
    apart = ((430, 530, 470, 575), (478, 530, 518, 575))  # 8 px apart
    out = _run(_ssd_like(), lambda ref: _frame(ref, snacks=apart))
    donuts = [d for d in out if d.label == "donut"]
    assert len(donuts) == 1
    assert donuts[0].box[0] <= 432 and donuts[0].box[2] >= 516


def test_a_sure_class_boxing_a_third_of_its_area_is_items_joined():
    out = _run(_ssd_like(person=False, cup_share=0.3))
    assert sorted(d.label for d in out) == ["cup", "donut"]


def test_an_area_only_a_weak_class_names_is_looked_at_in_tiles():
    # the hand reaching into a snack box: the generous crop names a weak bottle over the whole area, the tiles the snack
    grey_mat = lambda ref: _frame(ref, area=(120, 120, 120))  # noqa: E731 - neither papers nor a phone

    def weak_bottle(named_up_to: int):
        inner = _ssd_like(person=False, named_up_to=named_up_to)

        def classify(crop: np.ndarray) -> list[Detection]:
            h, w = crop.shape[:2]
            return inner(crop) + [Detection((0, 0, w, h), "bottle", 0.34, "fake")]

        return classify

    assert sorted(d.label for d in _run(weak_bottle(260), grey_mat)) == ["donut"]
    # nothing sure in its tiles: it stays what the weak look named it
    assert [d.label for d in _run(weak_bottle(0), grey_mat)] == ["bottle"]
