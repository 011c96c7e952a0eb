"""False alarms of the phone and posture rules at aslant views, on recorded simulator streams (scratch
renders of tune bodies at new views)."""

from __future__ import annotations

from tests.fixtures.rules import recorded_posture, run_rules, spans

# the eval profile's minimum durations (pipelines/eval_sim.yaml): a simulated behaviour holds ~2.4 s
SIM = {"phone.use": {"min_duration": 1.0}, "posture.slouch": {"min_duration": 1.0},
       "posture.head_on_desk": {"min_duration": 1.0}}


def _with(**params: dict) -> dict:
    return {r: {**SIM.get(r, {}), **params.get(r.replace(".", "_"), {})} for r in SIM}


def test_a_pen_holder_read_as_a_phone_beside_fingers_played_with_is_no_phone_use():
    # (1.45 m, 1.4 m, 52 deg) fidget_fingers: the SSD names the pen holder standing beside the hands a "cell phone"
    # (0.21-0.66) in the held look's crop, and the face pitches 30-39 deg on some frames: read as phone use 2.4-9.0 s.
    # Its box stands on the pen holder's slot over 0.39-0.55 of it.
    obs, counter = recorded_posture("fidget_fingers__m_short__h1.45_d1.4_y52")
    assert run_rules(obs, ["phone.use"], counter=counter, overrides=SIM) == []
    off = _with(phone_use={"slot_cover": 1.1})
    assert spans(run_rules(obs, ["phone.use"], counter=counter, overrides=off), "phone.use")
    # a phone held in front of the potted plant's slot there (55 deg): its bottom on the slot, covering 0.05 of it
    obs, counter = recorded_posture("phone_in_hand__m_heavy_tall__h1.45_d1.4_y55")
    (span,) = spans(run_rules(obs, ["phone.use"], counter=counter, overrides=SIM), "phone.use")
    assert span[0] <= 0.8 and span[1] >= 3.2


def test_lying_on_the_desk_fitted_with_the_head_over_the_shoulders_is_no_slump():
    # (1.45 m, 1.4 m, 40 deg) head_on_desk: the pose fits the head 0.30-0.42 sw over shoulders sunk 0.63 m below their
    # usual seated height, over lying_head_sw, and the slump cue read it (1.0-4.6 s); lying is head_on_desk's
    obs, counter = recorded_posture("head_on_desk__f_old_heavy__h1.45_d1.4_y40")
    evs = run_rules(obs, ["posture.slouch", "posture.head_on_desk"], counter=counter, overrides=SIM)
    assert spans(evs, "posture.slouch") == [] and spans(evs, "posture.head_on_desk")
    off = _with(posture_slouch={"lying_deep_sink_m": 9.0})
    assert spans(run_rules(obs, ["posture.slouch"], counter=counter, overrides=off), "posture.slouch")
