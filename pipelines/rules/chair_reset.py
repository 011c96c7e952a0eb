"""chair.reset: the client chair put back after the client leaves (000 一(三)3: 及时将接待座椅复位).

The desk stage reports `chair_out` while the calibrated client-chair zone (`zones.client_chair`) no longer looks as
on the reference frame. While a client is at the window the chair is theirs to move: the rule judges only with no
client seen in the client zone, and the chair must stay out `min_duration` s (the clerk's "promptly") to be an
incident. Without a chair zone (a counter camera does not see the chair) the desk stage never reports it and the rule
stays quiet; `calibrate preview` says whether a planned view sees the chair, `calibrate check` whether a drawn zone
is large enough.
"""

from __future__ import annotations

from typing import Any

from pipelines.engine import RuleContext, register
from pipelines.rules.desk_common import CHAIR_OUT, DeskStageRule, DeskTiming, client_present, min_duration
from vision.observation import Observation


@register
class ChairNotReset(DeskStageRule):
    """The client chair left out of its place with no client at the window (the clerk on the desk does not hide
    the chair: no pause for it)."""

    rule_id = "chair.reset"
    needs = frozenset({"chair", "people"})  # the desk stage, for the chair's zone alone (no items, no classifier)

    class Params(DeskTiming):
        # seconds after the client left (or since the chair was moved with nobody there) before it counts: "promptly",
        # before the next client is called to the window
        min_duration: float = min_duration(30.0)
        grace: float = 5.0  # someone standing in front of it for a moment (putting it back) does not end it
        update_every: float | None = 300.0

    def active(self, obs: Observation, ctx: RuleContext) -> dict[str, dict[str, Any]] | None:
        # a client sits on it, or is leaving it: theirs to move. Judged from the client zone where it is known: a queue
        # call keeps the context's client_present for minutes, long after the client left the chair
        seen = ctx.values.get("client_seen")
        if seen or (seen is None and client_present(obs, ctx)):
            return {}
        out = [d for d in obs.desk_objects if d.label == CHAIR_OUT]
        if not out:
            return {}
        d = out[0]
        return {"client_chair": {"box": [round(v, 1) for v in d.box], "changed_share": round(d.score, 3)}}
