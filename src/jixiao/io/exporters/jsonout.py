"""JSON export: the contract report and its evaluation side by side (jixiao.export/1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jixiao.domain import Evaluation, Report
from jixiao.serialize import evaluation_json, report_json

EXPORT_SCHEMA = "jixiao.export/1"


def export_json(report: Report, evaluation: Evaluation) -> dict[str, Any]:
    return {
        "schema": EXPORT_SCHEMA,
        "report": report_json(report),
        "evaluation": evaluation_json(evaluation, report),
    }


def write_json(pairs: list[tuple[Report, Evaluation]], out: Path) -> None:
    """One object for one report, an array for several (as the CLI's --json does)."""
    docs = [export_json(r, ev) for r, ev in pairs]
    payload = docs[0] if len(docs) == 1 else docs
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
