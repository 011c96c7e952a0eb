"""`counterwatch eval --advised`: each rule scored where `calibrate preview` accepts the clip's view, apart from
where it refuses it."""

from __future__ import annotations

import json
from types import SimpleNamespace

import cv2
import numpy as np
from typer.testing import CliRunner

import pipelines.clip as clip_mod
from calibration.preview import Viewpoint
from counterwatch.cli import app
from pipelines.eval_advised import AdvisedScores, preview_refusals
from pipelines.evaluate import Incident, Interval, evaluate
from tests.fixtures.rules import frame, seconds, stream


def _camera(h: float, d: float, yaw: float) -> dict:
    return {"height_m": h, "distance_m": d, "yaw_deg": yaw, "pitch_deg": Viewpoint(h, d, yaw).pitch(),
            "width": 640, "height": 480, "hfov_deg": 70.0}


def test_the_preview_is_asked_about_the_clips_own_camera():
    aside = preview_refusals({"camera": _camera(1.45, 1.4, 45.0)})
    assert {"phone.neck_clamp", "gaze.away", "drink.in_front", "greet.raise_hand"} <= aside
    assert "phone.use" not in aside and "posture.slouch" not in aside
    front = preview_refusals({"camera": _camera(1.35, 1.5, 0.0)})
    assert "phone.neck_clamp" not in front and "gaze.away" not in front
    assert preview_refusals({}) is None and preview_refusals({"camera": {"yaw_deg": 3}}) is None


def test_labels_and_incidents_of_a_refused_rule_are_scored_apart():
    raw = {"camera": _camera(1.45, 1.4, 45.0)}
    labels = [Interval("phone.neck_clamp", 1.0, 4.0), Interval("phone.use", 1.0, 4.0),
              Interval("greet.raise_hand:pass", 6.0, 8.0)]
    preds = [Incident("phone.neck_clamp", 1.5, 3.0, 2.0), Incident("phone.use", 1.2, 3.9, 1.5),
             Incident("gaze.away", 5.0, 6.0, 5.5)]
    tally = AdvisedScores()
    tally.add(raw, preds, labels, 0.5)
    tally.add({}, preds, labels, 0.5)  # no camera: neither table
    out = tally.as_dict()
    yes, no = ({r["rule"]: r for r in out[k]} for k in ("rules", "refused"))
    assert set(yes) == {"phone.use"} and (yes["phone.use"]["tp"], yes["phone.use"]["f1"]) == (1, 1.0)
    assert set(no) == {"phone.neck_clamp", "gaze.away", "greet.raise_hand:pass"}
    assert (no["phone.neck_clamp"]["labels"], no["phone.neck_clamp"]["tp"]) == (1, 1)  # found anyway
    assert (no["gaze.away"]["fp"], no["greet.raise_hand:pass"]["fn"]) == (1, 1)
    assert "phone.neck_clamp" in out["views"]["h1.45 d1.4 yaw45 pitch15.9"] and out["clips_without_camera"] == 1


def test_eval_reports_the_advised_scores_beside_the_plain_ones(tmp_path, monkeypatch):
    clip = tmp_path / "suite" / "neck_clamp__x__h1.45_d1.4_y45"
    clip.mkdir(parents=True)
    out = cv2.VideoWriter(str(clip / "clip.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 5.0, (64, 48))
    for _ in range(5):
        out.write(np.zeros((48, 64, 3), np.uint8))
    out.release()
    (clip / "labels.json").write_text(json.dumps({"camera": _camera(1.45, 1.4, 45.0), "intervals": [
        {"rule": "phone.neck_clamp", "start": 0.2, "end": 0.8}, {"rule": "phone.use", "start": 0.2, "end": 0.8}]}))

    def fake_analyze(clip, counter_path, record, **kw):  # a clerk sitting still: no event
        record.write_text("")
        return SimpleNamespace(frames=5, fps=5.0, observations=stream(seconds(frame(), 1)))

    monkeypatch.setattr(clip_mod, "analyze_clip", fake_analyze)
    report = evaluate(tmp_path / "suite", fps=5.0, advised=True)
    plain = {r["rule"]: r["labels"] for r in report["rules"]}
    yes, no = ({r["rule"]: r["labels"] for r in report["advised"][k]} for k in ("rules", "refused"))
    assert plain == {"phone.neck_clamp": 1, "phone.use": 1}
    assert yes == {"phone.use": 1} and no == {"phone.neck_clamp": 1}
    assert "advised" not in evaluate(tmp_path / "suite", fps=5.0)

    res = CliRunner().invoke(app, ["eval", str(tmp_path / "suite"), "--fps", "5", "--advised"])
    assert res.exit_code == 0, res.output
    assert "as `calibrate preview` advises" in res.output
    assert "preview says NO at h1.45 d1.4 yaw45 pitch15.9:" in res.output and "phone.neck_clamp" in res.output
