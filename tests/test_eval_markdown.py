"""`counterwatch eval-report`: a saved eval report as the Markdown tables docs/accuracy.md holds."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from counterwatch.cli import app
from pipelines.eval_markdown import at_target, misses, report_markdown


def _row(rule: str, labels: int, tp: int, fp: int, f1: float | None) -> dict:
    return {"rule": rule, "labels": labels, "predicted": tp + fp, "tp": tp, "fp": fp, "fn": labels - tp,
            "precision": None, "recall": None, "f1": f1, "unmeasurable": 0,
            "time_to_alert_median_s": 1.5, "time_to_alert_max_s": 2.0}


def _report() -> dict:
    clip = {"clip": "/suite/heldout/phone_use__b__h1.3_d1.5_y0", "scenario": "phone_use", "cached": True,
            "time_scale": 1.0,
            "labels": [{"rule": "phone.use", "start": 1.0, "end": 4.0, "unseen": False},
                       {"rule": "post.chatting", "start": 2.0, "end": 3.0, "unseen": True}],
            # 1.5 s after the label ends: outside the 1 s tolerance, so both a miss and a false alarm
            "predicted": [{"rule": "phone.use", "start": 5.5, "end": 6.0},
                          {"rule": "post.chatting", "start": 2.0, "end": 3.0}]}
    hit = {"clip": "/suite/heldout/eating__b__h1.3_d1.5_y0/", "scenario": "eating", "cached": True,
           "time_scale": 1.0, "labels": [{"rule": "eat.food", "start": 1.0, "end": 4.0, "unseen": False}],
           "predicted": [{"rule": "eat.food", "start": 4.5, "end": 5.0}]}  # within tolerance: a hit
    return {"suite": "/suite/heldout/", "split": None, "clips": 2, "analyse_fps": 5.0, "tolerance_s": 1.0,
            "rules": [_row("eat.food", 1, 1, 0, 1.0), _row("phone.use", 1, 0, 1, 0.0),
                      _row("post.chatting", 0, 0, 0, None)],
            "events_on_do_nothing_clips": 0, "post_empty_while_present": 0, "per_clip": [clip, hit],
            "etiquette": {"views": {"h1.3 d1.5 yaw0": {
                "elbow_mae_deg": {"ours": 12.84, "naive": 17.9, "n": 48, "no_reading": 0},
                "palm_up_f1": {"ours": 0.9, "naive": 0.675, "n": 1471}}}},
            "advised": {"rules": [_row("eat.food", 1, 1, 0, 1.0)], "refused": [_row("phone.use", 1, 0, 1, 0.0)],
                        "views": {}, "clips_without_camera": 0}}


def test_misses_are_matched_as_the_scores_are():
    lines = misses(_report())
    assert lines == ["- **phone.use** — missed: phone_use__b__h1.3_d1.5_y0; "
                     "false alarms: phone_use__b__h1.3_d1.5_y0"]  # eat.food's late alert is a hit; the unseen
    # chatting label is neither a miss nor (matched to its incident) a false alarm


def test_rows_at_target_count_only_rows_with_labels():
    assert at_target(_report()["rules"]) == (1, 2)


def test_the_markdown_holds_each_table():
    md = report_markdown(_report())
    assert md.startswith("Split `heldout`: 2 clips at 5.0 fps; 1 of 2 rule rows at F1 ≥ 0.9;")
    assert "| eat.food | 1 | 1 | 1 | 0 | 0 | — | — | **1.00** | 1.5 / 2.0 | — |" in md
    assert "| phone.use | 1 | 1 | 0 | 1 | 1 | — | — | 0.00 |" in md
    assert "as the preview" not in md and "1 of 1 rows at target" in md
    assert "| phone.use | — | — | — | — | 1 | 0 | 1 |" in md  # refused by the preview: right-hand columns
    assert "| guiding elbow MAE (deg) | 12.8 (17.9), n 48 |" in md
    assert "| palm-up F1 (frames with a hand) | 0.900 (0.675), n 1471 |" in md


def test_the_cli_prints_markdown_and_refuses_what_is_not_a_report(tmp_path):
    good, bad, broken = tmp_path / "r.json", tmp_path / "bad.json", tmp_path / "broken.json"
    good.write_text(json.dumps(_report()))
    bad.write_text("{}")
    broken.write_text('{"rules": [')
    res = CliRunner().invoke(app, ["eval-report", str(good)])
    assert res.exit_code == 0, res.output
    assert res.output == report_markdown(_report())
    for path, why in ((bad, "not a `counterwatch eval --json` report"), (broken, "not a readable eval report")):
        res = CliRunner().invoke(app, ["eval-report", str(path)])
        assert res.exit_code == 2
        assert str(path) in res.output and why in res.output and "Fix:" in res.output
