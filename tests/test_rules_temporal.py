"""IncidentTracker on recorded condition streams: flicker, occlusion, thresholds, lifecycle."""

from __future__ import annotations

from pipelines.temporal import Clock, IncidentTracker, SlowBaseline, Timing, toward


def run(stream, timing, fps=10.0):
    """stream: list of True/False/None per frame at `fps`; returns all events and the tracker."""
    tr = IncidentTracker("phone.use", "c1", timing)
    events = []
    for i, v in enumerate(stream):
        t = i / fps
        events += tr.step(Clock(t, 1000.0 + t), v, {"score": i})
    events += tr.finish(Clock(len(stream) / fps, 1000.0 + len(stream) / fps))
    return events


def test_one_incident_despite_flicker_and_occlusion():
    stream = [True] * 40 + [False] * 5 + [True] * 30 + [None] * 10 + [True] * 20 + [False] * 40
    evs = run(stream, Timing(min_duration=3.0, grace=1.0, update_every=None))
    assert [e.type for e in evs] == ["new", "end"]
    assert len({e.id for e in evs}) == 1
    new, end = evs
    assert new.clip_start == 0.0 and new.start_time == 1000.0
    assert end.clip_end == (40 + 5 + 30 + 10 + 20 - 1) / 10
    assert end.revision == 1 and end.evidence["duration_s"] == end.clip_end


def test_shorter_than_min_duration_raises_nothing_and_threshold_is_inclusive():
    assert run([True] * 29 + [False] * 30, Timing(min_duration=3.0, grace=0.5)) == []
    evs = run([True] * 31 + [False] * 30, Timing(min_duration=3.0, grace=0.5))
    assert [e.type for e in evs] == ["new", "end"] and evs[0].clip_start == 0.0


def test_a_span_of_exactly_min_duration_counts_though_its_clip_times_subtract_a_hair_under_it():
    # at 5 fps the frames at 1.0 and 1.4 s are 5/5 and 7/5: 1.4 - 1.0 = 0.3999... in floating point
    stream = [False] * 5 + [True] * 3 + [False] * 10
    evs = run(stream, Timing(min_duration=0.4, grace=0.3), fps=5.0)
    assert [e.type for e in evs] == ["new", "end"] and evs[0].clip_start == 1.0
    assert run([False] * 5 + [True] * 2 + [False] * 10, Timing(min_duration=0.4, grace=0.3), fps=5.0) == []


def test_an_etiquette_episode_of_exactly_its_hold_is_kept():
    from pipelines.rules.etiquette_common import Episodes

    def episodes(n_on: int) -> list:
        eps, out = Episodes(0.4, 0.3), []
        for i, on in enumerate([False] * 5 + [True] * n_on + [False] * 5):
            closed = eps.step(i / 5.0, 1000.0 + i / 5.0, on)
            if closed is not None:
                out.append((closed[0][0], closed[1][0]))
        return out

    assert episodes(3) == [(1.0, 1.4)]  # 1.0, 1.2, 1.4 s: exactly the 0.4-s hold
    assert episodes(2) == []


def test_gap_longer_than_grace_splits_incidents_and_cooldown_blocks_restart():
    stream = [True] * 40 + [False] * 20 + [True] * 40 + [False] * 20
    split = run(stream, Timing(min_duration=1.0, grace=1.0))
    assert [e.type for e in split] == ["new", "end", "new", "end"]
    assert split[0].id != split[2].id
    cooled = run(stream, Timing(min_duration=1.0, grace=1.0, cooldown=10.0))
    assert [e.type for e in cooled] == ["new", "end"]


def test_updates_are_rate_limited_and_max_open_ends_the_incident():
    evs = run([True] * 300, Timing(min_duration=1.0, grace=1.0, update_every=10.0, max_open=25.0))
    types = [e.type for e in evs]
    assert types[0] == "new" and types.count("update") == 2 and "end" in types
    first_end = evs[types.index("end")]
    assert first_end.clip_end == 25.0
    assert [e.revision for e in evs[: types.index("end") + 1]] == list(range(types.index("end") + 1))


def test_unknown_frames_never_start_an_incident():
    assert run([None] * 100, Timing(min_duration=1.0)) == []


def test_a_per_frame_min_duration_applies_to_the_frames_that_pass_it():
    timing = Timing(min_duration=3.0, grace=0.5, update_every=None)
    tr = IncidentTracker("post.empty", "c1", timing)
    # 2 s under the tracker's own 3 s, then the limit drops to 1 s: the candidate (from 0 s) is confirmed at 2 s
    evs = []
    for i in range(40):
        t = i / 10
        evs += tr.step(Clock(t, 1000.0 + t), True, {}, min_duration=None if t < 2.0 else 1.0)
    assert [(e.type, e.clip_start) for e in evs] == [("new", 0.0)] and evs[0].start_time == 1000.0
    assert evs[0].evidence["duration_s"] == 2.0  # opened on the first frame given the shorter limit
    assert tr.timing.min_duration == 3.0  # the tracker's timing is left as it was
    # and a longer per-frame duration holds the same stream back
    assert run_with([True] * 40, timing, min_duration=5.0) == []


def run_with(stream, timing, min_duration, fps=10.0):
    tr = IncidentTracker("phone.call", "c1", timing)
    return [e for i, v in enumerate(stream) for e in tr.step(Clock(i / fps, i / fps), v, min_duration=min_duration)]


def test_slow_baseline_reads_each_frame_against_the_usual_before_it_and_restarts_after_a_long_gap():
    base = SlowBaseline(tau_s=10.0)
    assert base.update(0.0, (1.0, 4.0)) == (1.0, 4.0)  # the first sight is the baseline
    assert base.update(5.0, (3.0, 4.0)) == (1.0, 4.0)  # read against the usual before this frame ...
    assert base.usual == (2.0, 4.0)  # ... which then moves half way (5 s of a 10 s time constant)
    assert base.update(15.0, (3.0, 4.0)) == (2.0, 4.0)  # 10 s later: all the way
    assert base.usual == (3.0, 4.0)
    assert not base.fresh(25.0) and base.fresh(25.5)  # more than tau_s unseen starts afresh
    assert base.update(26.0, (-1.0, 0.0)) == (-1.0, 0.0)
    assert toward((0.0,), (8.0,), dt=-1.0, tau_s=4.0) == (0.0,) and toward((0.0,), (8.0,), 1.0, 4.0) == (2.0,)


def test_slow_baseline_learning_only_from_some_frames_restarts_on_sight_and_goes_stale_on_learning():
    base = SlowBaseline(tau_s=10.0)
    assert base.fresh(0.0) and base.look(0.0, (1.0,)) == (1.0,)  # the first sight starts it, nothing learnt
    base.learn(0.0, (1.0,))
    for t in (4.0, 8.0, 12.0):  # seen but not learnt from (a clamp held): kept, not restarted ...
        assert not base.fresh(t) and base.look(t, (9.0,)) == (1.0,)
    assert base.stale(12.0) and not base.stale(10.0)  # ... but stale past tau_s without a learning frame
    base.learn(15.0, (6.0,))  # a learning frame moves it by the time since the last one (all the way: 15 s)
    assert base.usual == (6.0,) and not base.stale(15.0)
    assert base.fresh(25.5) and base.look(25.5, (2.0,)) == (2.0,)  # unseen more than tau_s: afresh


def test_slow_baseline_seeded_over_its_first_seconds_is_their_median_not_the_first_frame():
    base = SlowBaseline(tau_s=10.0, seed_s=1.0)
    for t, v in ((0.0, 70.0), (0.2, 130.0), (0.4, 131.0), (0.6, 129.0), (0.8, 132.0)):  # a misfitted first frame
        base.update(t, (v,))
        assert base.seeding(t)
    assert base.usual == (130.0,) and not base.seeding(1.0)
    assert base.update(1.0, (140.0,)) == (130.0,) and abs(base.usual[0] - 130.2) < 1e-9  # then 0.2 s of 10 s
    assert base.fresh(12.0) and base.update(12.0, (80.0,)) == (80.0,) and base.seeding(12.0)  # a restart seeds again
    plain = SlowBaseline(tau_s=10.0)  # seed_s 0: the first frame is the baseline
    plain.update(0.0, (70.0,))
    assert plain.usual == (70.0,) and not plain.seeding(0.0)
