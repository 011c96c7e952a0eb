"""bow.angle: the world-landmark cue's error grows with the bend (MediaPipe's world torso follows a bow with a gain
that varies by view), so its weight falls as the bend deepens (`WORLD_GAIN_SD`, session 26).

tune_sweep's 45-deg bow at (1.6 m, 1.15 m, -15 deg): the perspective fit reads 47.1-47.2 at the hold, the world cue
55.5-57.5 (gain ~1.2) with a sigma (4 deg) near the fit's (3): fused, the peak read 50.5, past the apology class."""

from __future__ import annotations

import math

import pipelines.geometry as geometry
from pipelines.geometry import world_bow_sigma
from tests.test_etiquette_recorded import replay

CLIP = "bow_45__f_young_slim__h1.6_d1.15_y-15"


def _bows():
    return [e for e in replay(CLIP, only=["bow.angle"]) if e.rule_id == "bow.angle"]


def test_steep_close_45_deg_bow_is_an_apology():
    bows = _bows()
    assert len(bows) == 1 and bows[0].evidence["class"] == "apology"
    assert abs(bows[0].evidence["peak_deg"] - 45) <= 3


def test_control_without_the_gain_term_the_world_cue_pushes_it_past_the_class(monkeypatch):
    monkeypatch.setattr(geometry, "WORLD_GAIN_SD", 0.0)
    bows = _bows()
    assert len(bows) == 1 and bows[0].evidence["class"] != "apology" and bows[0].evidence["peak_deg"] > 50


def test_gain_term_leaves_upright_frames_and_the_preview_alone():
    from tests.test_etiquette_geometry import make_cam

    cam = make_cam(yaw=-15)
    assert world_bow_sigma(cam, 0.0, gain_sd=0.3) == world_bow_sigma(cam, 0.0)
    assert math.isclose(world_bow_sigma(cam, 45.0, gain_sd=0.3),
                        math.hypot(world_bow_sigma(cam, 45.0), 0.3 * 45.0))
