"""`calibrate preview` reads the guiding gesture's elbow and palm from what the tune splits measured near its yaw."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from calibration.measured_views import MeasuredView, from_reports, guide_verdict, predicted, table
from counterwatch.cli import app

VIEWS = (
    MeasuredView(1.3, 2.0, -20.0, {"elbow_mae_deg": 12.0, "palm_up_f1": 0.93}),
    MeasuredView(1.35, 1.5, 0.0, {"elbow_mae_deg": 10.0, "palm_up_f1": 0.80}),
    MeasuredView(1.6, 1.3, 0.0, {"elbow_mae_deg": 6.0, "palm_up_f1": 0.90}),  # same yaw: averaged
    MeasuredView(1.4, 1.6, 20.0, {"elbow_mae_deg": 7.0, "palm_up_f1": 0.95}),
)


def test_a_measure_is_interpolated_between_the_nearest_measured_yaws():
    assert predicted("elbow_mae_deg", 0.0, VIEWS) == pytest.approx(8.0)
    assert predicted("elbow_mae_deg", -10.0, VIEWS) == pytest.approx(10.0)
    assert predicted("palm_up_f1", 15.0, VIEWS) == pytest.approx(0.85 + 0.10 * 0.75)
    assert predicted("elbow_mae_deg", -20.0, VIEWS) == pytest.approx(12.0)
    assert predicted("elbow_mae_deg", 20.5, VIEWS) is None and predicted("palm_up_f1", -21.0, VIEWS) is None


def test_the_verdict_names_each_measure_against_its_target():
    ok, why = guide_verdict(18.0, VIEWS)
    assert ok and "guiding elbow MAE 7.1 deg" in why and "target" not in why
    ok, why = guide_verdict(-10.0, VIEWS)
    assert not ok and "guiding elbow MAE 10.0 deg (target <= 8)" in why and "palm-up F1 0.890 (target >= 0.9)" in why
    ok, why = guide_verdict(35.0, VIEWS)
    assert not ok and "not measured from this yaw (measured views: -20..20 deg)" in why


def test_the_table_is_rebuilt_from_eval_reports(tmp_path):
    report = {"split": "tune", "etiquette": {"views": {
        "h1.3 d2 yaw-20": {"elbow_mae_deg": {"ours": 12.2, "naive": 20.0, "n": 48}, "palm_up_f1": {"ours": 0.93},
                           "bow_mae_deg": {"ours": 2.1}, "fingers_together_f1": {"ours": None}},
        "h1.6 d1.3 yaw30": {"elbow_mae_deg": {"ours": 9.6}}}}}
    path = tmp_path / "tune.json"
    path.write_text(json.dumps(report))
    rows = from_reports([path])
    assert rows == [
        {"split": "tune", "height_m": 1.3, "distance_m": 2.0, "yaw_deg": -20.0, "elbow_mae_deg": 12.2,
         "palm_up_f1": 0.93},
        {"split": "tune", "height_m": 1.6, "distance_m": 1.3, "yaw_deg": 30.0, "elbow_mae_deg": 9.6},
    ]
    report["etiquette"]["views"] = {"frontal": {}}
    path.write_text(json.dumps(report))
    with pytest.raises(ValueError, match="tune.json: etiquette view 'frontal'"):
        from_reports([path])


def test_the_shipped_table_holds_only_tune_views():
    # the validation and held-out views test the table, so none of them may be in it
    import yaml

    from calibration.measured_views import TABLE

    rows = yaml.safe_load(TABLE.read_text(encoding="utf-8"))["views"]
    assert len(rows) == 12 and all(r["split"].startswith("tune") for r in rows)
    assert len(table()) == 12 and all(set(v.figures) == {"elbow_mae_deg", "palm_up_f1", "fingers_together_f1"}
                                      for v in table())


def test_preview_reads_the_guide_from_the_measured_table():
    res = CliRunner().invoke(app, ["calibrate", "preview", "--height-m", "1.4", "--distance-m", "1.6",
                                   "--yaw-deg", "-35", "--width", "320", "--height", "240"])
    assert res.exit_code == 0, res.output
    row = next(ln for ln in res.output.splitlines() if ln.startswith("guide.gesture"))
    assert row.split()[1] == "NO" and "guiding elbow MAE 22.8 deg (target <= 8)" in row
    assert "palm-up F1 0.877 (target >= 0.9)" in row  # session 28: -40 0.725 -> 0.828
