"""MediaPipe Pose finds the simulated clerk in >= 95 % of frames at distances >= 1.0 m."""

from __future__ import annotations

import pytest

from bench.sim_landmark_error import evaluate_clip


@pytest.mark.slow
def test_mediapipe_finds_clerk_in_suite_sample(sim_clip):
    import mediapipe as mp

    sample = [("do_nothing", "f_mid", 1.25, 1.1, 0.0), ("bow_30", "m_old_slim", 1.45, 1.4, 45.0),
              ("guide_horizontal", "f_avg_tall", 1.7, 1.8, -35.0)]  # held-out bodies and viewpoints
    people = found = 0
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        for scenario, body, h, dist, yaw in sample:
            clip = sim_clip(scenario, body=body, height_m=h, distance_m=dist, yaw_deg=yaw, width=640, height=480,
                            fps=2.0)
            p, f, errors = evaluate_clip(clip, pose)
            people, found = people + p, found + f
    assert people >= 20
    assert found / people >= 0.95
