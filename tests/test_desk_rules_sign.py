"""The pause sign reported as a desk object (seen from the side it stands partly outside its calibrated zone)
is recognised by its ArUco marker and raises no item.unattended. Inputs as recorded on the tune_wide clip
leave_sign_long f_old_heavy (1.5 m, 1.2 m, 40 deg): the object box and the marker corners of that frame."""

from __future__ import annotations

from calibration.config import default_counter
from pipelines.context import ContextDeriver
from pipelines.engine import Engine
from vision.observation import Marker, Observation
from vision.results import Detection

SIGN_BOX = (18.0, 273.0, 95.0, 378.0)
SIGN_MARKER = Marker(marker_id=7, corners=[(26.0, 298.0), (43.0, 312.0), (46.0, 351.0), (30.0, 335.0)])
BAG_BOX = (300.0, 380.0, 380.0, 450.0)


def run(objects: list[Detection], markers: list[Marker], seconds: int = 120, sign_id: int | None = 7) -> list:
    counter = default_counter(640, 480, counter_id="c01").model_copy(update={"sign_aruco_id": sign_id})
    eng, derive = Engine(counter, only=["item.unattended"]), ContextDeriver(counter)  # the context reads markers
    events = []
    for i in range(seconds):  # the clerk away (no pose), nobody at the client side; markers every 5th frame
        ran = ["pose", "desk"] + (["markers"] if i % 5 == 0 else [])
        obs = Observation(counter_id="c01", frame_index=i, t=float(i), image_size=(640, 480), ran=ran,
                          desk_objects=list(objects), markers=list(markers) if i % 5 == 0 else [])
        events += eng.step(obs, derive)
    return events + eng.finish()


def obj(box, label="unknown object") -> Detection:
    return Detection(box=box, label=label, score=0.5, source="change")


def test_the_sign_holding_its_marker_is_not_an_unattended_item():
    assert run([obj(SIGN_BOX)], [SIGN_MARKER]) == []
    without_marker = run([obj(SIGN_BOX)], [])
    assert [e.type for e in without_marker if e.type != "update"] == ["new", "end"]


def test_an_item_beside_the_sign_is_still_unattended():
    evs = run([obj(SIGN_BOX), obj(BAG_BOX, "handbag")], [SIGN_MARKER])
    new = [e for e in evs if e.type == "new"]
    assert len(new) == 1 and new[0].evidence["items"] == ["handbag"]


def test_another_marker_id_is_not_the_sign():
    other = Marker(marker_id=3, corners=SIGN_MARKER.corners)
    assert [e.type for e in run([obj(SIGN_BOX)], [other]) if e.type != "update"] == ["new", "end"]
