"""The rule catalogue (rule id → category, names, clause), loaded once from catalogue.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATEGORIES = ("工作纪律", "仪容仪表", "行为举止", "服务态度", "办公环境")


@dataclass(frozen=True, slots=True)
class RuleInfo:
    rule_id: str
    category: str
    zh: str
    en: str
    clause: str
    camera: bool = True


@cache
def catalogue() -> dict[str, RuleInfo]:
    data = yaml.safe_load((Path(__file__).with_name("catalogue.yaml")).read_text(encoding="utf-8"))
    return {rid: RuleInfo(rule_id=rid, **fields) for rid, fields in data["rules"].items()}


def rule_info(rule_id: str) -> RuleInfo:
    try:
        return catalogue()[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id '{rule_id}'; known ids: {', '.join(sorted(catalogue()))}") from None
