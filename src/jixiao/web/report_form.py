"""The 附件2-2 edit form: report JSON (jixiao.report/1) ⇄ flat form fields, and findings placed next to fields.

The form holds what a unit edits: project facts, funds, expenditures, goals, indicator rows,
self-scores, the evaluators, the sign-off opinions and the narrative of 五、评价报告综述; everything else
(source, attachments…) is kept from the revision being edited. Rows are addressed by position; a hidden ``i3.orig`` ties an indicator row to the stored one
so that an unchanged value keeps exactly the quantity the importer read.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from jixiao.numbers import to_json
from jixiao.quantity import parse_amount, parse_decimal

PROJECT_FIELDS = (
    ("name", "项目名称"),
    ("unit", "项目单位"),
    ("department", "主管部门"),
    ("manager", "项目负责人"),
    ("phone", "联系电话"),
    ("address", "地址"),
    ("postcode", "邮编"),
    ("start", "项目开始时间"),
    ("end", "项目结束时间"),
    ("year", "评价年度"),
    ("evaluation_type", "评价类型"),
    ("evaluation_method", "评价方式"),
    ("evaluator_org", "评价机构"),
    ("report_date", "报告日期"),
    ("filler", "填报人"),
    ("filler_phone", "填报人电话"),
)
FUND_COLUMNS = {
    "planned": "计划安排",
    "budget": "全年预算",
    "arrived": "实际到位",
    "spent": "实际支出",
    "balance": "结余",
    "rate": "执行率（%）",
}
ALWAYS_FUND_COLUMNS = ("planned", "arrived", "spent", "balance")
INDICATOR_FIELDS = ("level1", "level2", "name", "target", "actual", "weight", "score", "note")
LEVEL2_SUGGESTIONS = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
)
MAX_ROWS = 500
EMPTY_WORDS = frozenset({"无", "/", "-", "—"})


def fund_columns(doc: Mapping[str, Any]) -> list[str]:
    rows = (doc.get("funds") or {}).get("rows") or []
    return [c for c in FUND_COLUMNS if c in ALWAYS_FUND_COLUMNS or any(r.get(c) is not None for r in rows)]


def self_items(doc: Mapping[str, Any], leaves: Sequence[tuple[tuple[str, ...], Any]]) -> list[dict]:
    """The report's self-score items, plus the system's items the report has no line for."""
    items = [dict(i) for i in (doc.get("self_assessment") or {}).get("items") or []]
    have = {tuple(i.get("path") or ()) for i in items}
    for path, points in leaves:
        if tuple(path) not in have:
            items.append({"path": list(path), "max": to_json(points), "score": None, "review_score": None})
    return items


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):  # an indicator quantity
        return str(value.get("raw") or "")
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def values_from_doc(doc: Mapping[str, Any], leaves: Sequence[tuple[tuple[str, ...], Any]] = ()) -> dict:
    """Flat field name → text for the edit form."""
    v: dict[str, str] = {}
    project = doc.get("project") or {}
    for key, _label in PROJECT_FIELDS:
        v[f"p.{key}"] = _text(project.get(key))
    funds = doc.get("funds") or {}
    v["funds.unit"] = funds.get("unit") or "万元"
    for i, row in enumerate(funds.get("rows") or []):
        for col in FUND_COLUMNS:
            v[f"f{i}.{col}"] = _text(row.get(col))
    expenditures = doc.get("expenditures") or []
    v["e_count"] = str(len(expenditures))
    for i, e in enumerate(expenditures):
        for key in ("item", "amount", "voucher", "note"):
            v[f"e{i}.{key}"] = _text(e.get(key))
    v["exp_total"] = _text(doc.get("expenditure_total"))
    goals = doc.get("goals") or []
    v["g_count"] = str(len(goals))
    for i, g in enumerate(goals):
        v[f"g{i}.expected"] = _text(g.get("expected"))
        v[f"g{i}.actual"] = _text(g.get("actual"))
    indicators = doc.get("indicators") or []
    v["i_count"] = str(len(indicators))
    for i, row in enumerate(indicators):
        for key in INDICATOR_FIELDS:
            v[f"i{i}.{key}"] = _text(row.get(key))
        v[f"i{i}.core"] = "1" if row.get("core") else ""
        v[f"i{i}.orig"] = str(i)
    evaluators = doc.get("evaluators") or []
    v["r_count"] = str(len(evaluators))
    for i, person in enumerate(evaluators):
        for key in ("name", "title", "unit"):
            v[f"r{i}.{key}"] = _text(person.get(key))
    for i, opinion in enumerate(doc.get("opinions") or []):
        v[f"o{i}.text"] = _text(opinion.get("text"))
    narrative = doc.get("narrative") or []
    v["n_count"] = str(len(narrative))
    for i, section in enumerate(narrative):
        v[f"n{i}.heading"] = _text(section.get("heading"))
        v[f"n{i}.text"] = _text(section.get("text"))
    sa = doc.get("self_assessment") or {}
    v["s.total"] = _text(sa.get("total"))
    v["s.grade"] = _text(sa.get("grade"))
    items = self_items(doc, leaves)
    v["s_count"] = str(len(items))
    for j, item in enumerate(items):
        v[f"s{j}.path"] = "/".join(item.get("path") or ())
        v[f"s{j}.max"] = _text(item.get("max"))
        v[f"s{j}.score"] = _text(item.get("score"))
    return v


def add_blank_rows(v: dict, table: str | None = None) -> dict:
    """One empty row at the end of each growing table (two in ``table``): how rows are added without JS."""
    v = dict(v)
    for prefix in ("e", "g", "i", "r", "n"):
        extra = 2 if table == prefix else 1
        count = _count(v, prefix)
        v[f"{prefix}_count"] = str(count + extra)
    return v


def _count(v: Mapping[str, str], prefix: str) -> int:
    try:
        return max(0, min(int(v.get(f"{prefix}_count", "0")), MAX_ROWS))
    except ValueError:
        return 0


class FormErrors(dict):
    """field name → Chinese message."""


def doc_from_form(v: Mapping[str, str], base: Mapping[str, Any]) -> tuple[dict, FormErrors]:
    """The report JSON the form describes, built over ``base`` (the revision being edited)."""
    doc = copy.deepcopy(dict(base))
    errors = FormErrors()
    doc["project"] = project = dict(doc.get("project") or {})
    for key, label in PROJECT_FIELDS:
        name = f"p.{key}"
        if name not in v:
            continue
        text = v[name].strip()
        if key == "year":
            if text and not (text.isdigit() and 1990 <= int(text) <= 2100):
                errors[name] = f"{label}应是四位年份，如 2019"
            project[key] = int(text) if text.isdigit() else None
        else:
            project[key] = text or None
    funds = dict(doc.get("funds") or {})
    doc["funds"] = funds
    unit = v.get("funds.unit", funds.get("unit") or "万元")
    if unit not in ("万元", "元"):
        errors["funds.unit"] = "金额单位应是 万元 或 元"
        unit = "万元"
    funds["unit"] = unit
    rows = [dict(r) for r in funds.get("rows") or []]
    for i, row in enumerate(rows):
        for col, label in FUND_COLUMNS.items():
            name = f"f{i}.{col}"
            if name in v:
                row[col] = (
                    _decimal(v[name], name, label, errors) if col == "rate" else _money(v, name, unit, errors)
                )
    funds["rows"] = rows
    if "e_count" in v:
        doc["expenditures"] = _expenditures(v, unit, errors)
    if "exp_total" in v:
        doc["expenditure_total"] = _money(v, "exp_total", unit, errors)
    if "g_count" in v:
        doc["goals"] = [
            {
                "expected": v.get(f"g{i}.expected", "").strip() or None,
                "actual": v.get(f"g{i}.actual", "").strip() or None,
            }
            for i in range(_count(v, "g"))
            if not v.get(f"g{i}.del")
            and (v.get(f"g{i}.expected", "").strip() or v.get(f"g{i}.actual", "").strip())
        ]
    if "i_count" in v:
        doc["indicators"] = _indicators(v, base.get("indicators") or [], errors)
    if "r_count" in v:
        doc["evaluators"] = [
            {key: v.get(f"r{i}.{key}", "").strip() or None for key in ("name", "title", "unit")}
            for i in range(_count(v, "r"))
            if not v.get(f"r{i}.del")
            and any(v.get(f"r{i}.{key}", "").strip() for key in ("name", "title", "unit"))
        ]
    opinions = [dict(o) for o in doc.get("opinions") or []]
    for i, opinion in enumerate(opinions):
        if f"o{i}.text" in v:
            opinion["text"] = v[f"o{i}.text"].strip() or None
    doc["opinions"] = opinions
    if "n_count" in v:
        doc["narrative"] = [
            {"heading": v.get(f"n{i}.heading", "").strip(), "text": v.get(f"n{i}.text", "").strip()}
            for i in range(_count(v, "n"))
            if not v.get(f"n{i}.del")
            and (v.get(f"n{i}.heading", "").strip() or v.get(f"n{i}.text", "").strip())
        ]
    if "s_count" in v:
        doc["self_assessment"] = _self_assessment(v, doc.get("self_assessment") or {}, errors)
    return doc, errors


def _money(v: Mapping[str, str], name: str, unit: str, errors: FormErrors) -> str | None:
    text = v.get(name, "").strip()
    if not text or text in EMPTY_WORDS:
        return None
    value, written = parse_amount(text)
    if value is None:
        errors[name] = f"「{text}」不是金额：请只填数字（单位：{unit}）"
        return None
    if written not in (None, unit):
        errors[name] = f"本表金额单位是{unit}，「{text}」写的是{written}：请换算后只填数字"
        return None
    return to_json(value)


def _decimal(text: str, name: str, label: str, errors: FormErrors) -> str | None:
    text = text.strip().removesuffix("%").removesuffix("分").strip()
    if not text:
        return None
    value = parse_decimal(text)
    if value is None:
        errors[name] = f"{label}「{text}」不是数字"
        return None
    return to_json(value)


def _expenditures(v: Mapping[str, str], unit: str, errors: FormErrors) -> list[dict]:
    out = []
    for i in range(_count(v, "e")):
        fields = {k: v.get(f"e{i}.{k}", "").strip() for k in ("item", "amount", "voucher", "note")}
        if v.get(f"e{i}.del") or not any(fields.values()):
            continue
        out.append(
            {
                "item": fields["item"] or None,
                "amount": _money(v, f"e{i}.amount", unit, errors),
                "amount_unit": unit,
                "voucher": fields["voucher"] or None,
                "note": fields["note"] or None,
            }
        )
    return out


def _indicators(v: Mapping[str, str], stored: Sequence[Mapping[str, Any]], errors: FormErrors) -> list[dict]:
    out = []
    for i in range(_count(v, "i")):
        fields = {k: v.get(f"i{i}.{k}", "").strip() for k in INDICATOR_FIELDS}
        if v.get(f"i{i}.del") or not any(fields[k] for k in ("level1", "level2", "name", "target", "actual")):
            continue
        orig = v.get(f"i{i}.orig", "")
        before = stored[int(orig)] if orig.isdigit() and int(orig) < len(stored) else {}
        row: dict[str, Any] = {
            "level1": fields["level1"] or None,
            "level2": fields["level2"] or None,
            "name": fields["name"] or None,
        }
        for key in ("target", "actual"):
            old = before.get(key)
            if old and (old.get("raw") or "") == fields[key]:
                row[key] = old  # unchanged: keep what the importer understood
            else:
                row[key] = fields[key] or None  # new text: parsed like an imported cell
        row["weight"] = _decimal(fields["weight"], f"i{i}.weight", "分值", errors)
        row["score"] = _decimal(fields["score"], f"i{i}.score", "得分", errors)
        row["note"] = fields["note"] or None
        row["core"] = bool(v.get(f"i{i}.core"))
        filled = [
            fields[k] for k in ("name", "target", "actual") if fields[k] and fields[k] not in EMPTY_WORDS
        ]
        row["empty"] = not filled
        out.append(row)
    return out


def _self_assessment(v: Mapping[str, str], stored: Mapping[str, Any], errors: FormErrors) -> dict:
    sa = dict(stored)
    if "s.total" in v:
        sa["total"] = _decimal(v["s.total"], "s.total", "自评总分", errors)
    if "s.grade" in v:
        sa["grade"] = v["s.grade"].strip() or None
    review = {tuple(i.get("path") or ()): i.get("review_score") for i in stored.get("items") or []}
    items = []
    for j in range(_count(v, "s")):
        path = [p for p in v.get(f"s{j}.path", "").split("/") if p]
        if not path:
            continue
        scored = _decimal(v.get(f"s{j}.score", ""), f"s{j}.score", "自评得分", errors)
        stated_max = _decimal(v.get(f"s{j}.max", ""), f"s{j}.max", "分值", errors)
        if scored is None and tuple(path) not in review:
            continue  # a system item the report has no line for, still blank
        items.append(
            {"path": path, "max": stated_max, "score": scored, "review_score": review.get(tuple(path))}
        )
    sa["items"] = items
    return sa


# --------------------------------------------------------------------------- findings next to fields

_ROW = re.compile(r"^(funds|expenditures|indicators|items|self_assessment\.items)\[([^\]]+)\]")


def anchor(path: str) -> str:
    """Where on the form a finding belongs: ``indicators[5].actual`` → ``ind:5``; unknown → ``other``."""
    path = path or ""
    match = _ROW.match(path)
    if match:
        kind, key = match.groups()
        return {
            "funds": "fund",
            "expenditures": "exp",
            "indicators": "ind",
            "items": "item",
            "self_assessment.items": "item",
        }[kind] + f":{key}"
    if path.startswith("project."):
        return "p." + path.split(".", 1)[1]
    for prefix, name in (
        ("funds", "funds"),
        ("expenditures", "expenditures"),
        ("indicators", "indicators"),
        ("goals", "goals"),
        ("self_assessment", "self"),
    ):
        if path.startswith(prefix):
            return name
    return "other"


def findings_by_anchor(findings: Sequence[Mapping[str, Any]]) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(anchor((f.get("location") or {}).get("path") or ""), []).append(f)
    return out
