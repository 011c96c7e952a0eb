"""The real packaged carphone clip (a seated man talking) through the full pipeline: no posture or
phone events, and a recorded stream that replays to the same events."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from counterwatch.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_carphone_raises_no_posture_or_phone_events(media, vision_models, tmp_path):
    clip = media["carphone_pristine.mp4"]
    rec = tmp_path / "carphone.jsonl"
    res = runner.invoke(app, ["analyze", str(clip), "--record", str(rec), "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout.strip().splitlines()[-1])
    assert payload["frames_analysed"] > 30
    bad = [e for e in payload["events"] if e["rule_id"].startswith(("posture.", "phone."))]
    assert bad == []
    lines = rec.read_text().splitlines()
    assert len(lines) == payload["frames_analysed"]
    seen = [json.loads(x) for x in lines]
    assert sum(o["pose"] is not None for o in seen) > 0.8 * len(seen)  # the man is found, not skipped
    again = runner.invoke(app, ["replay", str(rec), "--json"], catch_exceptions=False)
    replayed = json.loads(again.stdout.strip().splitlines()[-1])["events"]
    key = [(e["rule_id"], e["type"], e["clip_start"]) for e in payload["events"]]
    assert [(e["rule_id"], e["type"], e["clip_start"]) for e in replayed] == key
