"""The contract's JSON shapes (jixiao.report/1, jixiao.evaluation/1, jixiao.findings/1).

Amounts and scores are JSON strings holding decimals; a missing value is null.
"""

from __future__ import annotations

from typing import Any

from jixiao.domain import Evaluation, Finding, Quantity, Report
from jixiao.numbers import to_json

REPORT_SCHEMA = "jixiao.report/1"
EVALUATION_SCHEMA = "jixiao.evaluation/1"
FINDINGS_SCHEMA = "jixiao.findings/1"


def quantity_json(q: Quantity | None) -> dict[str, Any] | None:
    if q is None:
        return None
    return {"raw": q.raw, "op": q.op, "value": to_json(q.value), "unit": q.unit, "kind": q.kind}


def report_json(report: Report) -> dict[str, Any]:
    p = report.project
    return {
        "schema": REPORT_SCHEMA,
        "source": {
            "file": report.source.file,
            "layout": report.source.layout,
            "format": report.source.format,
            "encoding": report.source.encoding,
            "part": report.source.part,
        },
        "title": report.title,
        "project": {
            "name": p.name,
            "unit": p.unit,
            "department": p.department,
            "manager": p.manager,
            "phone": p.phone,
            "address": p.address,
            "postcode": p.postcode,
            "start": p.start,
            "end": p.end,
            "report_date": p.report_date,
            "year": p.year,
            "evaluation_type": p.evaluation_type,
            "evaluation_method": p.evaluation_method,
            "evaluator_org": p.evaluator_org,
            "filler": p.filler,
            "filler_phone": p.filler_phone,
        },
        "funds": {
            "unit": report.funds.unit,
            "rows": [
                {
                    "key": r.key,
                    "label": r.label,
                    "planned": to_json(r.planned),
                    "budget": to_json(r.budget),
                    "arrived": to_json(r.arrived),
                    "spent": to_json(r.spent),
                    "balance": to_json(r.balance),
                    "rate": to_json(r.stated_rate),
                    "weight": to_json(r.weight),
                    "score": to_json(r.score),
                }
                for r in report.funds.rows
            ],
        },
        "expenditures": [
            {
                "item": e.item,
                "amount": to_json(e.amount),
                "amount_unit": e.unit or report.funds.unit,
                "voucher": e.voucher,
                "note": e.note,
            }
            for e in report.expenditures
        ],
        "expenditure_total": to_json(report.expenditure_total),
        "goals": [{"expected": g.expected, "actual": g.actual} for g in report.goals],
        "indicators": [
            {
                "level1": i.level1,
                "level2": i.level2,
                "name": i.name,
                "target": quantity_json(i.target),
                "actual": quantity_json(i.actual),
                "weight": to_json(i.weight),
                "score": to_json(i.score),
                "note": i.note,
                "empty": i.empty,
                "core": i.core,
            }
            for i in report.indicators
        ],
        "self_assessment": {
            "total": to_json(report.self_assessment.total),
            "grade": report.self_assessment.grade,
            "items": [
                {
                    "path": list(i.path),
                    "max": to_json(i.max),
                    "score": to_json(i.score),
                    "review_score": to_json(i.review_score),
                }
                for i in report.self_assessment.items
            ],
            "review_total": to_json(report.self_assessment.review_total),
            "review_grade": report.self_assessment.review_grade,
        },
        "evaluators": [{"name": e.name, "title": e.title, "unit": e.unit} for e in report.evaluators],
        "opinions": [{"role": o.role, "label": o.label, "text": o.text} for o in report.opinions],
        "narrative": [{"heading": s.heading, "text": s.text} for s in report.narrative],
        "attachments": [
            {"name": a.name, "item": a.item, "criterion": a.criterion} for a in report.attachments
        ],
        "missing_sections": list(report.missing_sections),
        "unplaced": [
            {
                "text": u.text,
                "row": u.row,
                "where": u.place.render(),
                "line": u.place.line,
                "cell": u.place.cell,
            }
            for u in report.unplaced
        ],
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "where": f.where.render(),
        "location": {"file": f.where.file, "path": f.where.path, "line": f.where.line, "cell": f.where.cell},
    }


def evaluation_json(ev: Evaluation, report: Report | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema": EVALUATION_SCHEMA,
        "system": ev.system,
        "self_total": to_json(ev.self_total),
        "self_grade": ev.self_grade,
        "total": to_json(ev.total),
        "grade": ev.grade,
        "items": [
            {
                "path": list(i.path),
                "max": to_json(i.max),
                "self_score": to_json(i.self_score),
                "score": to_json(i.score),
                "basis": i.basis,
                "trace": i.trace,
                "evidence": list(i.evidence),
            }
            for i in ev.items
        ],
        "findings": [finding_json(f) for f in ev.findings],
    }
    if report is not None:
        out["project"] = {"name": report.project.name, "unit": report.project.unit}
        out["source"] = {"file": report.source.file, "layout": report.source.layout}
    return out


def findings_json(findings: list[Finding]) -> dict[str, Any]:
    return {"schema": FINDINGS_SCHEMA, "findings": [finding_json(f) for f in findings]}
