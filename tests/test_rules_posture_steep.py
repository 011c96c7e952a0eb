"""posture.head_on_desk seen from 50 deg aside and above (tune_sweep's camera 1.5 m high, 1.9 m away, -50 deg), on a
perception stream recorded there (tests/data/posture; the face mesh dropped, no posture rule reads it)."""

from __future__ import annotations

from tests.fixtures.rules import recorded_posture, run_rules, spans


def test_a_clerk_lost_half_way_down_onto_the_desk_from_50_deg_aside_is_head_on_desk():
    # the head falls 2.07 -> 1.35 -> 0.26 sw over the shoulders in 0.4 s, then the pose is lost for 4 s (lying on the
    # forearms hides the body): the last frame seen showed the head down, if not yet to the shoulder line
    obs, counter = recorded_posture("head_on_desk__f_young_slim__h1.5_d1.9_y-50")  # labelled 0.8-4.2 s
    sim = {"posture.head_on_desk": {"min_duration": 1.0}}  # pipelines/eval_sim.yaml

    def run(**params: float) -> list[tuple[float | None, float | None]]:
        overrides = {"posture.head_on_desk": {**sim["posture.head_on_desk"], **params}}
        return spans(run_rules(obs, ["posture.head_on_desk"], counter=counter, overrides=overrides),
                     "posture.head_on_desk")

    ((start, end),) = run()
    assert start is not None and end is not None and start <= 1.0 and end >= 4.2
    assert run(lost_head_sw=0.2) == []  # control: only a head at the shoulder line carried the loss over
