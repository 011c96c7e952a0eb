"""The packaged detectors recognise the simulator's props on rendered frames (crops as the pipeline
makes them; simulator.propcheck). Figures per viewpoint: bench/sim_prop_detection.py and docs/simulator.md.
The phone, the handbag, the mug and the donut box are not recognised reliably by either packaged SSD yet (see the docs);
the phone's shape is checked here instead."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulator.propcheck import DETECTORS, frame_at, score_prop

VIEW = {"height_m": 1.35, "distance_m": 1.5, "yaw_deg": 0.0, "width": 640, "height": 480, "fps": 1.0,
        "body": "f_mid"}


@pytest.fixture(scope="module")
def detectors():
    from vision.detector import load_detector

    return {m: load_detector(m, threads=1) for m in DETECTORS}


@pytest.mark.parametrize(("scenario", "prop", "t", "min_score"), [
    ("desk_clutter", "bottle", 2.0, 0.5),
    ("eating", "food", 2.0, 0.5),  # the banana in the hand
    ("personal_item_placed", "umbrella", 4.0, 0.3),
])
def test_detector_recognises_prop(sim_clip, detectors, scenario, prop, t, min_score):
    r = score_prop(sim_clip(scenario, **VIEW), prop, t, detectors)
    assert r.bbox is not None
    assert max(r.scores.values()) >= min_score, r.found


def test_phone_has_a_lit_screen_and_a_dark_bezel_at_the_right_size(sim_clip):
    clip = sim_clip("phone_on_desk", **VIEW)
    labels = json.loads((clip / "labels.json").read_text())
    info = labels["frames"][2]["props"]["phone"]
    x0, y0, x1, y1 = (int(v) for v in info["bbox"])
    assert info["where"] == "desk" and 25 <= x1 - x0 <= 80 and 20 <= y1 - y0 <= 80
    grey = frame_at(clip, 2)[y0:y1, x0:x1].mean(axis=2)
    assert (grey > 170).mean() > 0.15  # the lit screen
    assert (grey < 60).mean() > 0.05  # the bezel
    held = json.loads((sim_clip("phone_in_hand", **VIEW) / "labels.json").read_text())["frames"][2]["props"]["phone"]
    bw, bh = held["bbox"][2] - held["bbox"][0], held["bbox"][3] - held["bbox"][1]
    assert held["where"] == "hand_R" and min(bw, bh) >= 15 and max(bw, bh) <= 80


def test_props_stay_clear_of_the_hands_when_on_the_desk(sim_clip):
    """A phone or bag lying on the desk is not under the hands (the desk stage masks the hands out)."""
    for scenario, prop, t in (("phone_on_desk", "phone", 2), ("personal_item_placed", "handbag", 4)):
        labels = json.loads((sim_clip(scenario, **VIEW) / "labels.json").read_text())
        f = labels["frames"][t]
        x0, y0, x1, y1 = f["props"][prop]["bbox"]
        clerk = f["persons"][0]
        for side in ("R", "L"):
            wx, wy = clerk["joints_2d"][f"wrist.{side}"]
            assert not (x0 - 10 <= wx <= x1 + 10 and y0 - 10 <= wy <= y1 + 10), (scenario, side)
        assert np.isfinite([x0, y0, x1, y1]).all()


def test_desk_props_are_in_view_from_every_suite_viewpoint():
    """Every prop a scenario puts on the desk shows (at least 60 % of its box) from every viewpoint of
    every split (allowed items in their slots are the fixed layout; the open umbrella is bigger than the view)."""
    from simulator.clip import _bbox, camera_for
    from simulator.scenarios import SCENARIOS
    from simulator.scene import HOME, prop_meshes
    from simulator.suite import SPLITS

    for h, dist, yaw in [v for _, views in SPLITS.values() for v in views]:
        cam = camera_for(None, height_m=h, distance_m=dist, yaw_deg=yaw)
        for sc in SCENARIOS.values():
            for name, track in sc.props.items():
                for _, pl in track:
                    skip = name in ("client_chair", "sign", "umbrella") or pl == HOME.get(name)
                    if skip or not isinstance(pl, tuple):
                        continue
                    meshes = prop_meshes(name, *pl)
                    box = _bbox(cam, meshes)
                    assert box is not None, (sc.name, name, (h, dist, yaw))
                    full = cam.project(np.concatenate([m.vertices for m in meshes]))
                    area = np.prod(full.max(0) - full.min(0))
                    assert (box[2] - box[0]) * (box[3] - box[1]) >= 0.6 * area, (sc.name, name, (h, dist, yaw))
