"""`counterwatch report`: scores, violations with clauses, follow-up, compliance; HTML, PDF and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import re
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from counterwatch.cli import app as cli
from dashboards.roster import Span, import_spans

TZ = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour: int, minute: int = 0) -> float:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ).timestamp()


def _seed(board_env, day: dt.date) -> dict[str, str]:
    """A day at hall1: c01 has a phone violation (kept) and an eating one dismissed as a false alarm;
    greetings 1 pass / 1 violation; the day before, one dozing violation at c01."""
    import_spans(board_env.store, [Span("hall1", "c01", "li.na", _at(day, 8), _at(day, 18)),
                                   Span("hall1", "c01", "li.na", _at(day - dt.timedelta(days=1), 8),
                                        _at(day - dt.timedelta(days=1), 18))])
    phone = board_env.violation("phone.use", "c01", start=_at(day, 10), end=_at(day, 10) + 40)
    food = board_env.violation("eat.food", "c01", start=_at(day, 11), end=_at(day, 11) + 60)
    board_env.violation("greet.raise_hand", "c01", start=_at(day, 9), outcome="pass", snapshot=False)
    board_env.violation("greet.raise_hand", "c01", start=_at(day, 9, 30), snapshot=False)
    board_env.violation("posture.dozing", "c01", start=_at(day - dt.timedelta(days=1), 15),
                        end=_at(day - dt.timedelta(days=1), 15) + 30)
    board_env.store.follow_up(phone.id, "confirm", actor="mgr1")
    board_env.store.follow_up(food.id, "dismiss", actor="mgr1", comment="a throat lozenge")
    return {"phone": phone.id, "food": food.id}


def test_day_report_html_pdf_csv(board_env, tmp_path):
    day = dt.date(2025, 11, 20)
    ids = _seed(board_env, day)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", "--hall", "hall1", "--day", day.isoformat(), "--pdf", "--csv",
                                      "--out", str(out), "--db", str(board_env.store.engine.url),
                                      "--snapshot-dir", str(board_env.snapshot_dir)])
    assert result.exit_code == 0, result.output
    stem = "report-hall1-day-2025-11-20"
    html = (out / f"{stem}.html").read_text(encoding="utf-8")
    # Scores: phone.use costs 3 (greeting violation 1 more); the dismissed eating event costs nothing.
    counter_row = re.search(r'<table id="counter-scores">.*?</table>', html, re.S).group(0)
    assert ">c01<" in counter_row and ">96<" in counter_row
    assert ">li.na<" in re.search(r'<table id="staff-scores">.*?</table>', html, re.S).group(0)
    # Violations by rule with clauses, and the event rows with their follow-up.
    by_rule = re.search(r'<table id="by-rule">.*?</table>', html, re.S).group(0)
    assert "玩手机 / Phone use" in by_rule and "003 D.1; 002 (6)" in by_rule
    assert f'id="ev-{ids["phone"]}"' in html and f'id="ev-{ids["food"]}"' in html
    food_row = re.search(rf'<tr id="ev-{ids["food"]}">.*?</tr>', html, re.S).group(0)
    assert "误报/False alarm" in food_row and "a throat lozenge" in food_row and ">0<" in food_row
    # Follow-up: 3 violations, 2 closed.
    assert "2 / 3 closed" in html
    # Greeting compliance 1 of 2; trend plots and evidence thumbnails are inlined.
    assert re.search(r"Greeting compliance<b>50%</b>1 / 2", html)
    assert html.count("data:image/png;base64,") >= 2 and "data:image/jpeg;base64," in html
    pdf = (out / f"{stem}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert (out / f"{stem}-trend_counter.png").read_bytes().startswith(b"\x89PNG")
    with (out / f"{stem}-scores.csv").open(encoding="utf-8-sig") as f:
        scores = {(r["day"], r["kind"], r["subject_id"]): r for r in csv.DictReader(f)}
    assert float(scores[("2025-11-20", "counter", "c01")]["score"]) == 96
    assert float(scores[("2025-11-20", "staff", "li.na")]["工作纪律"]) == 3
    with (out / f"{stem}-events.csv").open(encoding="utf-8-sig") as f:
        events = {r["event_id"]: r for r in csv.DictReader(f)}
    assert events[ids["food"]]["status"] == "dismissed" and float(events[ids["food"]]["deduction"]) == 0
    assert float(events[ids["phone"]]["closed_after_s"]) > 0


def test_week_report_has_every_day_and_the_board_serves_the_same_report(board_env, tmp_path):
    day = dt.date(2025, 11, 20)  # a Thursday
    _seed(board_env, day)
    out = tmp_path / "w"
    result = CliRunner().invoke(cli, ["report", "--hall", "hall1", "--week", day.isoformat(), "--out", str(out),
                                      "--db", str(board_env.store.engine.url)])
    assert result.exit_code == 0, result.output
    html = (out / "report-hall1-week-2025-11-17.html").read_text(encoding="utf-8")
    header = re.search(r'<table id="counter-scores">\s*<tr>(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"11-\d\d", header) == [f"11-{d}" for d in range(17, 24)]
    assert ">95<" in html  # the dozing day (Wednesday): 100 − 5
    sup = board_env.client("sup")
    served = sup.get("/reports/hall1/week/2025-11-20.html")
    assert served.status_code == 200 and 'id="counter-scores"' in served.text and ">95<" in served.text
    assert sup.get("/reports/hall1/week/2025-11-20.pdf").content.startswith(b"%PDF")


def test_report_command_errors_name_the_problem(tmp_path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = runner.invoke(cli, ["report", "--hall", "h", "--day", "2025-13-01", "--db", db])
    assert result.exit_code == 2 and "--day '2025-13-01' is not a date" in result.output
    result = runner.invoke(cli, ["report", "--hall", "h", "--day", "2025-11-01", "--week", "2025-11-01", "--db", db])
    assert result.exit_code == 2 and "exactly one of --day, --week or --month" in result.output
