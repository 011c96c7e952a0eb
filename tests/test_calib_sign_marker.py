"""CounterConfig.sign_marker: where the calibration read the pause sign's marker, read the pipeline's way; the
simulator's record of it; the rules' trust in it; the stream cache not re-keyed by it."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from calibration.config import CalibrationError, CounterConfig, default_counter
from calibration.sign_marker import read_sign_marker, search_box
from vision.markers import generate_marker


def _counter(zone, marker=None, aruco_id=7, size=(640, 480)):
    cfg = default_counter(*size, counter_id="c1")
    return cfg.model_copy(update={"zones": cfg.zones.model_copy(update={"sign": zone}), "sign_aruco_id": aruco_id,
                                  "sign_marker": marker})


ZONES = [None, [(40.0, 320.0), (190.0, 320.0), (185.0, 440.0), (35.0, 440.0)],  # whole
         [(0.0, 351.0), (204.0, 338.0), (205.0, 479.0), (0.0, 479.0)],  # cut along two edges
         [(0.0, 285.0), (27.0, 298.0), (0.8, 416.0), (0.0, 415.0)],  # a sliver at the side edge
         [(630.0, 470.0), (639.0, 470.0), (639.0, 479.0)]]  # too small a window: the whole frame


@pytest.mark.parametrize("zone", ZONES)
def test_the_search_window_is_the_pipelines(zone):
    from pipelines.pipeline import CounterPipelineImpl

    cfg = _counter(zone)
    assert search_box(cfg, 640, 480) == CounterPipelineImpl._sign_roi(SimpleNamespace(counter=cfg), 640, 480)


def _frame_with_marker(x, y, marker_id=7, side=60):
    frame = np.full((480, 640, 3), 150, np.uint8)
    m = cv2.cvtColor(generate_marker(marker_id, side), cv2.COLOR_GRAY2BGR)
    frame[y:y + m.shape[0], x:x + m.shape[1]] = m
    return frame


def test_the_marker_counts_with_its_id_and_centre_in_the_sign_zone():
    frame = _frame_with_marker(60, 340)  # marker 60 px with a 10-px quiet zone: corners at (70, 350)-(130, 410)
    corners = read_sign_marker(_counter(ZONES[1]), frame)
    assert corners is not None and len(corners) == 4
    assert abs(min(x for x, _ in corners) - 70) <= 2 and abs(max(y for _, y in corners) - 410) <= 2
    assert read_sign_marker(_counter(ZONES[1], aruco_id=8), frame) is None  # another id is not the sign
    assert read_sign_marker(_counter(ZONES[1], aruco_id=None), frame) is not None  # no id set: any marker
    # its centre outside the zone: the rules would not count it (context._is_sign), so neither does the record
    assert read_sign_marker(_counter([(400.0, 100.0), (600.0, 100.0), (600.0, 300.0)]), frame) is None
    assert read_sign_marker(_counter(ZONES[1]), np.full((480, 640, 3), 150, np.uint8)) is None


def test_the_record_validates():
    corners = [[1.0, 2.0], [3.0, 2.0], [3.0, 4.0], [1.0, 4.0]]
    assert CounterConfig(counter_id="c", sign_marker=corners).sign_marker == [tuple(c) for c in corners]
    assert CounterConfig(counter_id="c", sign_marker="unread").sign_marker == "unread"
    for bad in ("unknown", corners[:3]):
        with pytest.raises(ValueError):
            CounterConfig(counter_id="c", sign_marker=bad)


def test_a_bad_record_in_a_file_names_the_field(tmp_path):
    from calibration.config import load_counter

    path = tmp_path / "c.yaml"
    path.write_text("counter_id: c\nsign_marker: [[1, 2], [3, 4], [5, 6]]\n", encoding="utf-8")
    with pytest.raises(CalibrationError, match="sign_marker"):
        load_counter(path)


def test_the_record_does_not_re_key_cached_streams_but_the_sign_zone_does(tmp_path):
    import pipelines.evaluate as ev
    from pipelines.pipeline import PipelineSettings

    clip = tmp_path / "clip.avi"
    out = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 5.0, (64, 48))
    out.write(np.zeros((48, 64, 3), np.uint8))
    out.release()
    s = PipelineSettings()
    base = ev._cache_key(clip, _counter(ZONES[2]), s, 5.0)
    assert ev._cache_key(clip, _counter(ZONES[2], "unread"), s, 5.0) == base
    assert ev._cache_key(clip, _counter(ZONES[2], [(1, 2), (3, 2), (3, 4), (1, 4)]), s, 5.0) == base
    assert ev._cache_key(clip, _counter(ZONES[1]), s, 5.0) != base  # perception searches the zone


def _sim_labels(height_m, distance_m, yaw_deg):
    from simulator.clip import camera_for
    from simulator.scenarios import SCENARIOS

    cam = camera_for(SCENARIOS["leave_nosign_short"], height_m=height_m, distance_m=distance_m, yaw_deg=yaw_deg,
                     width=640, height=480)
    return {"camera": cam.as_dict(), "render": {"light_gain": 1.0}}, cam


def test_the_simulator_records_the_marker_where_the_pipeline_reads_it_and_unread_where_the_frame_cuts_it():
    from calibration.sim_reference import sign_marker_record
    from pipelines.context import _zone_in_frame
    from simulator.clip import suggested_counter

    # tune_wide (1.2 m, 1.25 m, -10 deg): the sign zone runs off the side and bottom edges, the marker is whole
    labels, cam = _sim_labels(1.2, 1.25, -10.0)
    counter = suggested_counter(cam)
    assert not _zone_in_frame(counter["zones"]["sign"], 640, 480)
    corners = sign_marker_record(labels, counter)
    assert isinstance(corners, list) and len(corners) == 4
    assert all(0 < x < 639 and 0 < y < 479 for x, y in corners)
    # tune_side (1.3 m, 1.2 m, 35 deg): the side edge cuts the sign itself
    labels, cam = _sim_labels(1.3, 1.2, 35.0)
    assert sign_marker_record(labels, suggested_counter(cam)) == "unread"


def test_the_reference_draws_the_sign_as_the_clips_do_so_a_dim_aslant_marker_is_still_read():
    # (1.5 m, 1.2 m, 38 deg) at a dim light gain: the clips read the shown sign's marker; a reference that put the
    # sign into the static scene (painter's order by mean depth) painted its board over the marker's corner there
    from calibration.sim_reference import sign_marker_record
    from simulator.clip import suggested_counter

    labels, cam = _sim_labels(1.5, 1.2, 38.0)
    labels["render"]["light_gain"] = 0.8568
    corners = sign_marker_record(labels, suggested_counter(cam))
    assert isinstance(corners, list) and len(corners) == 4
