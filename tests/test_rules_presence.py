"""post.empty (15-minute rule, pause sign, terminal pause, colleague covering, camera outage),
post.pause_sign and post.chatting on hand-made Observation streams."""

from __future__ import annotations

from datetime import datetime

from pipelines.engine import CHINA
from pipelines.messages import TerminalState
from tests.fixtures.rules import BEHAVIOUR_RULES, SIGN, frame, person, run_rules, seconds, spans, stream
from vision.observation import Marker

AWAY = frame(pose=None, face_=None)
RULES = ["post.empty", "post.pause_sign", "post.chatting"]


def test_do_nothing_stream_raises_nothing():
    assert run_rules(stream(seconds(frame(), 300)), BEHAVIOUR_RULES) == []


def test_absence_without_sign_is_one_event_from_when_it_began():
    evs = run_rules(stream(seconds(frame(), 10) + seconds(AWAY, 100) + seconds(frame(), 10)), RULES)
    assert spans(evs, "post.empty") == [(10.0, 109.8)]
    new = next(e for e in evs if e.rule_id == "post.empty")
    assert new.severity == "major" and new.evidence["sign_shown"] is False and new.evidence["duration_s"] == 60.0
    # the sign rule: absent 30 s without the sign
    (start, _), = spans(evs, "post.pause_sign")
    assert start == 10.0 and next(e for e in evs if e.rule_id == "post.pause_sign").evidence["reason"] == \
        "absent_without_sign"


def test_short_absence_and_exact_threshold():
    # 59.8 s away (299 frames at 5 fps): allowed; 60.0 s (301 frames): a violation.
    assert run_rules(stream(seconds(frame(), 5) + [AWAY] * 299 + seconds(frame(), 10)), ["post.empty"]) == []
    evs = run_rules(stream(seconds(frame(), 5) + [AWAY] * 301 + seconds(frame(), 10)), ["post.empty"])
    assert spans(evs, "post.empty") == [(5.0, 65.0)]


def test_pause_sign_allows_fifteen_minutes_then_violation():
    away_signed = frame(pose=None, face_=None, markers=[SIGN])
    ok = stream(seconds(frame(), 5) + seconds(away_signed, 14 * 60, fps=1) + seconds(frame(), 5, fps=1), fps=1)
    assert run_rules(ok, ["post.empty"]) == []
    long = stream(seconds(frame(), 5, fps=1) + seconds(away_signed, 17 * 60, fps=1) + seconds(frame(), 5, fps=1),
                  fps=1)
    evs = run_rules(long, ["post.empty"])
    (start, end), = spans(evs, "post.empty")
    assert start == 5.0 and end == 5 + 17 * 60 - 1
    assert evs[0].evidence["sign_shown"] is True and evs[0].evidence["limit_s"] == 900.0
    assert [e.type for e in evs].count("update") >= 1  # rate-limited updates while open


def test_sign_flicker_within_memory_keeps_the_exemption():
    # The marker is seen only on every 10th frame (the marker stage runs at a low rate): still shown.
    specs = seconds(frame(), 5) + [frame(pose=None, face_=None, markers=[SIGN] if i % 10 == 0 else [])
                                   for i in range(5 * 300)] + seconds(frame(), 5)
    assert run_rules(stream(specs), ["post.empty"]) == []


def test_removing_the_sign_mid_absence_applies_the_short_limit():
    specs = seconds(frame(), 5) + seconds(frame(pose=None, face_=None, markers=[SIGN]), 120) + seconds(AWAY, 30)
    evs = run_rules(stream(specs + seconds(frame(), 5)), ["post.empty"])
    (start, _), = spans(evs, "post.empty")
    assert start == 5.0  # the absence began at 5 s, with the sign


def test_terminal_paused_counts_as_the_sign():
    specs = seconds(frame(), 5) + seconds(AWAY, 300) + seconds(frame(), 5)
    pause = [TerminalState("c1", True, 4.0), TerminalState("c1", False, 306.0)]
    assert run_rules(stream(specs), ["post.empty"], calls=pause) == []


def test_colleague_covering_counts_as_staffed():
    # No pose of the clerk, but a person (the B-role colleague) sits in the post zone.
    covering = frame(pose=None, face_=None, people=[person(500, 150, 780, 700)])
    assert run_rules(stream(seconds(frame(), 5) + seconds(covering, 200) + seconds(frame(), 5)), RULES) == []


def test_camera_outage_is_never_an_empty_post():
    dark = frame(camera_ok=False)
    assert run_rules(stream(seconds(frame(), 5) + seconds(dark, 600) + seconds(frame(), 5)), RULES) == []
    # Absent 40 s, camera out 40 s, absent 40 s: the outage restarts the count, so no 60-s absence.
    specs = seconds(frame(), 5) + seconds(AWAY, 40) + seconds(dark, 40) + seconds(AWAY, 40) + seconds(frame(), 5)
    assert run_rules(stream(specs), ["post.empty"]) == []


def test_brief_occlusion_does_not_end_an_absence():
    # The pose detector glitches onto a poster for 3 frames mid-absence: still one incident.
    specs = seconds(frame(), 5) + seconds(AWAY, 50) + [frame(people=[])] * 3 + seconds(AWAY, 50) + seconds(frame(), 10)
    assert len(spans(run_rules(stream(specs), ["post.empty"]), "post.empty")) == 1


def test_outside_working_hours_is_not_an_empty_post():
    evening = datetime(2026, 11, 23, 19, 0, tzinfo=CHINA).timestamp()  # a Monday, after 17:00
    obs = stream(seconds(frame(), 5) + seconds(AWAY, 200))
    for o in obs:
        o.wall_time = evening + o.t
    assert run_rules(obs, ["post.empty"]) == []


def test_sign_left_up_after_return_is_a_pause_sign_violation():
    specs = seconds(frame(), 5) + seconds(frame(pose=None, face_=None, markers=[SIGN]), 60) + \
        seconds(frame(markers=[SIGN]), 40) + seconds(frame(), 10)
    evs = run_rules(stream(specs), RULES)
    (start, end), = spans(evs, "post.pause_sign")
    assert start == 65.0 and abs(end - 104.8) < 1e-6 + 10  # ends once the sign is gone (10-s sign memory)
    assert evs[0].evidence["reason"] == "sign_not_removed" and spans(evs, "post.empty") == []


def test_visitor_lingering_is_chatting_and_a_short_visit_is_not():
    visit = frame(people=[person(480, 150, 800, 720), person(850, 100, 1100, 700)])
    short = run_rules(stream(seconds(frame(), 5) + seconds(visit, 30) + seconds(frame(), 20)), RULES)
    assert short == []
    evs = run_rules(stream(seconds(frame(), 5) + seconds(visit, 90) + seconds(frame(), 20)), RULES)
    (start, _), = spans(evs, "post.chatting")
    assert start == 5.0 and evs[0].evidence["visitors"] == 1


def _counter_with_sign_zone(zone, sign_marker=None):
    from calibration.config import default_counter

    cfg = default_counter(1280, 720, counter_id="c1")
    return cfg.model_copy(update={"zones": cfg.zones.model_copy(update={"sign": zone}), "sign_marker": sign_marker})


# A close camera cuts the desk corner where the sign stands: the calibrated zone runs off the frame's edge.
CUT_ZONE = [(0.0, 600.0), (90.0, 600.0), (80.0, 719.0), (0.0, 719.0)]
INSIDE_ZONE = [(960.0, 360.0), (1100.0, 360.0), (1100.0, 500.0), (960.0, 500.0)]


def test_sign_out_of_view_is_neither_an_unsigned_absence_nor_a_short_limit():
    # Away 5 min: with the sign's place out of view, nothing says the sign was missing.
    specs = seconds(frame(), 5) + seconds(AWAY, 300) + seconds(frame(), 5)
    assert run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(CUT_ZONE)) == []
    # The same absence where the sign's place is in view and empty: both rules fire.
    evs = run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(INSIDE_ZONE))
    assert spans(evs, "post.empty") == [(5.0, 304.8)] and len(spans(evs, "post.pause_sign")) == 1
    assert next(e for e in evs if e.rule_id == "post.empty").evidence["sign_in_view"] is True
    # Out of view, the paused limit still applies: 17 min away is a violation, marked sign_in_view false.
    long = stream(seconds(frame(), 5, fps=1) + seconds(AWAY, 17 * 60, fps=1) + seconds(frame(), 5, fps=1), fps=1)
    evs = run_rules(long, RULES, counter=_counter_with_sign_zone(CUT_ZONE))
    assert [s[0] for s in spans(evs, "post.empty")] == [5.0] and spans(evs, "post.pause_sign") == []
    assert evs[0].evidence["sign_in_view"] is False and evs[0].evidence["limit_s"] == 900.0
    # The operator may choose the short limit instead.
    evs = run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(CUT_ZONE),
                    overrides={"post.empty": {"sign_out_of_view_as_shown": False}})
    assert spans(evs, "post.empty") == [(5.0, 304.8)] and spans(evs, "post.pause_sign") == []


def test_a_zone_at_the_edge_counts_as_in_view_once_its_marker_was_read():
    sign_at_edge = Marker(0, [(10, 620), (60, 620), (60, 670), (10, 670)])
    specs = seconds(frame(markers=[sign_at_edge]), 5) + seconds(frame(), 20) + seconds(AWAY, 120) + \
        seconds(frame(), 5)
    evs = run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(CUT_ZONE))
    # the marker read once makes the edge zone observable: the unsigned absence is flagged by both rules
    assert spans(evs, "post.empty") == [(25.0, 144.8)] and spans(evs, "post.pause_sign") == [(25.0, 144.8)]


def test_the_calibrations_marker_record_decides_whether_the_sign_is_in_view():
    specs = seconds(frame(), 5) + seconds(AWAY, 120) + seconds(frame(), 5)
    read_there = [(10.0, 630.0), (60.0, 630.0), (60.0, 680.0), (10.0, 680.0)]
    # the zone runs off the frame's edge, but the calibration read the marker in it: an unsigned absence is seen
    evs = run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(CUT_ZONE, read_there))
    assert spans(evs, "post.empty") == [(5.0, 124.8)] and spans(evs, "post.pause_sign") == [(5.0, 124.8)]
    assert next(e for e in evs if e.rule_id == "post.empty").evidence["sign_in_view"] is True
    # a whole zone where the calibration stood the sign and could not read it: the sign may be up unread
    assert run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(INSIDE_ZONE, "unread")) == []
    # ... until the stream reads it there
    seen = Marker(0, [(1000, 400), (1050, 400), (1050, 450), (1000, 450)])
    specs = seconds(frame(markers=[seen]), 5) + seconds(frame(), 20) + seconds(AWAY, 120) + seconds(frame(), 5)
    evs = run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(INSIDE_ZONE, "unread"))
    assert spans(evs, "post.empty") == [(25.0, 144.8)] and spans(evs, "post.pause_sign") == [(25.0, 144.8)]


# The tune_wide (1.8 m, 1.7 m, -40 deg) sign zone (640x480 scaled to 1280x720): its front corner reaches the last row.
CORNER_ZONE = [(609.2, 593.7), (774.2, 519.3), (805.4, 629.7), (650.4, 718.2)]


def test_a_zone_touching_the_edge_at_one_corner_is_in_view_but_one_cut_along_the_edge_is_not():
    specs = seconds(frame(), 5) + seconds(AWAY, 120) + seconds(frame(), 5)
    evs = run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(CORNER_ZONE))
    assert spans(evs, "post.empty") == [(5.0, 124.8)] and spans(evs, "post.pause_sign") == [(5.0, 124.8)]
    assert next(e for e in evs if e.rule_id == "post.empty").evidence["sign_in_view"] is True
    # control: the same zone with its front edge cut along the last row (two vertices on it)
    cut = CORNER_ZONE[:3] + [(700.0, 719.0), (640.0, 719.0)]
    assert run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(cut)) == []
    # and a vertex beyond the frame is cut even when it is the only one
    beyond = CORNER_ZONE[:3] + [(650.4, 730.0)]
    assert run_rules(stream(specs), RULES, counter=_counter_with_sign_zone(beyond)) == []


def test_a_half_hidden_visitor_scores_low_but_still_counts_once():
    clerk_box = person(480, 150, 800, 720)
    # the visitor's body box scores 0.35 (half behind the clerk), with a duplicate head box inside it
    visit = frame(people=[clerk_box, person(850, 100, 1100, 700, score=0.35), person(880, 100, 1000, 300, 0.32)])
    evs = run_rules(stream(seconds(frame(), 5) + seconds(visit, 90) + seconds(frame(), 20)), RULES)
    (start, _), = spans(evs, "post.chatting")
    assert start == 5.0 and evs[0].evidence["visitors"] == 1 and spans(evs, "post.empty") == []
    # a box the detector barely believes (0.2) is not a visitor
    faint = frame(people=[clerk_box, person(850, 100, 1100, 700, score=0.2)])
    assert run_rules(stream(seconds(frame(), 5) + seconds(faint, 90) + seconds(frame(), 20)), RULES) == []


def test_a_visitor_beside_the_clerk_seen_in_the_client_zone_is_no_client():
    # tune_sweep (1.5 m, 1.9 m, -50 deg): the visitor standing beside the clerk projects into the client zone; at the
    # clerk's depth their box is as narrow as a standing person there (0.43 of the clerk box's height), where a client
    # at the window, nearer the camera, reads 0.84 or wider (or is cut by the frame's bottom edge)
    from calibration.config import default_counter

    cfg = default_counter(1280, 720, counter_id="c1")
    cfg = cfg.model_copy(update={"zones": cfg.zones.model_copy(update={"client": [(840, 0), (1280, 0), (1280, 720),
                                                                                   (840, 720)]})})
    clerk_box = person(480, 150, 800, 720)  # 570 px high
    visitor = frame(people=[clerk_box, person(850, 100, 1100, 700)])  # 250 px wide
    evs = run_rules(stream(seconds(frame(), 5) + seconds(visitor, 90) + seconds(frame(), 20)), RULES, counter=cfg)
    assert len(spans(evs, "post.chatting")) == 1
    # a client at the window: wide, or cut by the bottom edge
    for client in (person(850, 150, 1279, 700), person(900, 300, 1100, 720)):
        at_window = frame(people=[clerk_box, client])
        assert run_rules(stream(seconds(frame(), 5) + seconds(at_window, 90) + seconds(frame(), 20)), RULES,
                         counter=cfg) == []
    # control: judged by the zone alone, the visitor is a client
    from pipelines.context import ContextParams
    from pipelines.pipeline import PipelineSettings
    from pipelines.replay import replay

    zone_only = PipelineSettings(context=ContextParams(client_min_width=0.0))
    evs = replay(stream(seconds(frame(), 5) + seconds(visitor, 90) + seconds(frame(), 20)), cfg, [],
                 settings=zone_only, only=RULES)
    assert spans(evs, "post.chatting") == []
