"""JSON Schemas (draft 2020-12) of the contract documents, mirroring what ``jixiao.serialize`` emits.

``jixiao.report/1`` (``import --json``), ``jixiao.evaluation/1`` (``score --json``) and
``jixiao.findings/1`` (``check --json``). Every key the serializer writes is listed and required;
no other key is allowed, so a serializer change without a schema change fails the tests.
A file holding several forms prints a JSON array of such documents; each element follows the schema.

Run ``python -m jixiao.schema`` to write ``docs/schema/*.json``; ``--check`` exits 1 when they differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jixiao.domain import FUND_FIELDS, FUND_KEYS, SEVERITIES
from jixiao.serialize import EVALUATION_SCHEMA, FINDINGS_SCHEMA, REPORT_SCHEMA

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).parents[2] / "docs" / "schema"

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
DATE_PATTERN = r"^\d{4}-\d{2}(-\d{2})?$"
OPS = (">=", "<=", "=")
QUANTITY_KINDS = ("number", "text", "empty")
BASES = ("computed", "judgement", "missing")
FUND_UNITS = ("万元", "元")

# -- building blocks ---------------------------------------------------------------------------------
_DECIMAL = {"$ref": "#/$defs/decimal"}
_NDECIMAL = {"$ref": "#/$defs/decimal_or_null"}
_NSTR: dict[str, Any] = {"type": ["string", "null"]}
_STR: dict[str, Any] = {"type": "string"}
_NDATE: dict[str, Any] = {"type": ["string", "null"], "pattern": DATE_PATTERN}


def _d(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description}


def _obj(properties: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """An object whose keys are exactly ``properties`` (all present, null where missing)."""
    out: dict[str, Any] = {"type": "object"}
    if description:
        out["description"] = description
    out["properties"] = properties
    out["required"] = list(properties)
    out["additionalProperties"] = False
    return out


def _array(items: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "array"}
    if description:
        out["description"] = description
    out["items"] = items
    return out


def _path(description: str) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": _STR, "minItems": 1}


def _common_defs() -> dict[str, Any]:
    return {
        "decimal": {
            "type": "string",
            "description": '十进制数写成字符串（金额、分数、比率），如 "152"、"9.91"；从不用浮点数',
            "pattern": DECIMAL_PATTERN,
        },
        "decimal_or_null": {
            "type": ["string", "null"],
            "description": "十进制数字符串；缺失为 null",
            "pattern": DECIMAL_PATTERN,
        },
    }


def _finding_defs() -> dict[str, Any]:
    return {
        "finding": _obj(
            {
                "code": _d(
                    {"type": "string", "pattern": r"^JX\d{3}$"}, "问题编号，含义永远不变；见 docs/checks.md"
                ),
                "severity": _d({"enum": list(SEVERITIES)}, "严重程度：error 错误 / warning 警告 / info 提示"),
                "message": _d(_STR, "中文说明"),
                "where": _d(_STR, "位置的文字形式：文件:行号:报告内路径"),
                "location": {"$ref": "#/$defs/location"},
            },
            "一个问题（finding）",
        ),
        "location": _obj(
            {
                "file": _NSTR,
                "path": _d(_STR, "报告内路径，如 funds[合计].spent、indicators[5]"),
                "line": _d({"type": ["integer", "null"], "minimum": 1}, "文本文件中的行号（从 1 起）"),
                "cell": _d(_NSTR, "表格单元格，如 Sheet1!C5"),
            },
            "位置的各部分",
        ),
    }


# -- the three documents -----------------------------------------------------------------------------
def report_schema() -> dict[str, Any]:
    amounts = {f: _NDECIMAL for f in FUND_FIELDS}
    fund_row = _obj(
        {
            "key": _d({"enum": list(FUND_KEYS)}, "资金来源"),
            "label": _d(_STR, "表中的行名，如 市财政"),
            **amounts,
            "rate": _d(_NDECIMAL, "表中填报的执行率（%）"),
            "weight": _d(_NDECIMAL, "预算执行率的分值（表中有时）"),
            "score": _d(_NDECIMAL, "预算执行率的自评得分（表中有时）"),
        },
        "一行资金：planned 计划安排/年初预算，budget 全年预算/调整后预算，arrived 实际到位，"
        "spent 实际支出/全年执行数，balance 结余",
    )
    indicator = _obj(
        {
            "level1": _d(_NSTR, "一级指标"),
            "level2": _d(_NSTR, "二级指标"),
            "name": _d(_NSTR, "三级指标"),
            "target": _d({"anyOf": [{"$ref": "#/$defs/quantity"}, {"type": "null"}]}, "指标值（年度目标值）"),
            "actual": _d({"anyOf": [{"$ref": "#/$defs/quantity"}, {"type": "null"}]}, "实际完成值"),
            "weight": _d(_NDECIMAL, "分值"),
            "score": _d(_NDECIMAL, "得分"),
            "note": _d(_NSTR, "偏差原因分析及改进措施"),
            "empty": _d({"type": "boolean"}, "表中填“无”的行"),
            "core": _d({"type": "boolean"}, "核心指标（★）"),
        },
        "一行绩效指标",
    )
    return {
        "$schema": DRAFT,
        "title": REPORT_SCHEMA,
        "description": "一份绩效自评报告（jixiao import --json）。金额是十进制字符串，缺失为 null。",
        **_obj(
            {
                "schema": {"const": REPORT_SCHEMA},
                "source": _obj(
                    {
                        "file": _NSTR,
                        "layout": _d(_NSTR, "版式，如 yueyang-2-2"),
                        "format": _NSTR,
                        "encoding": _NSTR,
                        "part": _d({"enum": ["3-2", None]}, 'null：整份报告；"3-2"：只有附件3-2 评分表'),
                    },
                    "读入的文件",
                ),
                "title": _d(_NSTR, "报告标题"),
                "project": _obj(
                    {
                        "name": _d(_NSTR, "项目名称"),
                        "unit": _d(_NSTR, "项目单位 / 实施单位"),
                        "department": _d(_NSTR, "主管部门"),
                        "manager": _d(_NSTR, "项目负责人"),
                        "phone": _d(_NSTR, "联系电话"),
                        "address": _d(_NSTR, "地址"),
                        "postcode": _d(_NSTR, "邮编"),
                        "start": _d(_NDATE, "项目开始（ISO：2019-06 或 2019-06-01）"),
                        "end": _d(_NDATE, "项目结束（ISO）"),
                        "report_date": _d(_NDATE, "报告日期（ISO）"),
                        "year": _d({"type": ["integer", "null"]}, "评价的预算年度"),
                        "evaluation_type": _d(_NSTR, "评价类型"),
                        "evaluation_method": _d(_NSTR, "评价方式"),
                        "evaluator_org": _d(_NSTR, "评价机构"),
                        "filler": _d(_NSTR, "填报人"),
                        "filler_phone": _d(_NSTR, "填报人电话"),
                    },
                    "项目基本情况",
                ),
                "funds": _obj(
                    {
                        "unit": _d({"enum": list(FUND_UNITS)}, "资金表的单位"),
                        "rows": _array(fund_row),
                    },
                    "资金情况",
                ),
                "expenditures": _array(
                    _obj(
                        {
                            "item": _d(_NSTR, "支出内容"),
                            "amount": _d(_NDECIMAL, "金额"),
                            "amount_unit": _d(_STR, "金额的单位（未写时同资金表）"),
                            "voucher": _d(_NSTR, "会计凭证号"),
                            "note": _d(_NSTR, "备注"),
                        }
                    ),
                    "支出明细",
                ),
                "expenditure_total": _d(_NDECIMAL, "表中填写的支出合计"),
                "goals": _array(
                    _obj({"expected": _d(_NSTR, "预期目标"), "actual": _d(_NSTR, "实际完成情况")}),
                    "年度总体目标",
                ),
                "indicators": _array(indicator, "绩效指标"),
                "self_assessment": _obj(
                    {
                        "total": _d(_NDECIMAL, "自评综合得分"),
                        "grade": _d(_NSTR, "自评等次"),
                        "items": _array(
                            _obj(
                                {
                                    "path": _path("[一级, 二级, 三级] 指标"),
                                    "max": _d(_NDECIMAL, "分值"),
                                    "score": _d(_NDECIMAL, "自评得分"),
                                    "review_score": _d(_NDECIMAL, "表中填写的审核得分（财政审核评分）"),
                                }
                            )
                        ),
                        "review_total": _d(_NDECIMAL, "表头填写的财政审核评分"),
                        "review_grade": _d(_NSTR, "审核等次"),
                    },
                    "自评得分",
                ),
                "evaluators": _array(
                    _obj({"name": _NSTR, "title": _d(_NSTR, "职务/职称"), "unit": _d(_NSTR, "单位")}),
                    "评价组成员",
                ),
                "opinions": _array(
                    _obj(
                        {
                            "role": _d(_STR, "evaluation_group | unit | department | finance"),
                            "label": _STR,
                            "text": _NSTR,
                        }
                    ),
                    "意见栏",
                ),
                "narrative": _array(_obj({"heading": _STR, "text": _STR}), "报告正文各节"),
                "attachments": _array(
                    _obj(
                        {
                            "name": _STR,
                            "item": _d(_NSTR, "对应的三级指标"),
                            "criterion": _d(_NSTR, "对应的评价标准条目，如 ③"),
                        }
                    ),
                    "佐证材料",
                ),
                "missing_sections": _array(_STR, "导入时应有而没有找到的部分"),
                "unplaced": _array(
                    _obj(
                        {
                            "text": _STR,
                            "row": _NSTR,
                            "where": _STR,
                            "line": _d({"type": ["integer", "null"]}, "行号"),
                            "cell": _NSTR,
                        },
                        "版式没能放进任何栏目的单元格",
                    ),
                    "未识别的内容（单元格）",
                ),
            }
        ),
        "$defs": {
            **_common_defs(),
            "quantity": _obj(
                {
                    "raw": _d(_STR, "原文"),
                    "op": _d({"enum": [*OPS, None]}, "比较符"),
                    "value": _d(_NDECIMAL, "数值，中文数量级已折算（1.35亿 → 135000000）"),
                    "unit": _d(_NSTR, "单位，如 T、%、个、元"),
                    "kind": _d({"enum": list(QUANTITY_KINDS)}, "number 数值 / text 文字 / empty 空或无"),
                },
                "指标值：原文与解析结果",
            ),
        },
    }


def evaluation_schema() -> dict[str, Any]:
    item = _obj(
        {
            "path": _path('指标路径，末项是三级指标名；预算执行率为 ["预算执行率"]'),
            "max": _d(_DECIMAL, "分值"),
            "self_score": _d(_NDECIMAL, "自评得分"),
            "score": _d(_DECIMAL, "复算得分"),
            "basis": _d({"enum": list(BASES)}, "computed 计算 / judgement 判断 / missing 缺失"),
            "trace": _d(_STR, "计算过程（规则、取数、算式）"),
            "evidence": _array(_STR, "需要佐证材料的条目"),
        },
        "一个评分项",
    )
    properties: dict[str, Any] = {
        "schema": {"const": EVALUATION_SCHEMA},
        "system": _d(_STR, "指标体系编号，如 yueyang-2020"),
        "self_total": _d(_NDECIMAL, "报告的自评总分"),
        "self_grade": _d(_NSTR, "报告的自评等次"),
        "total": _d(_DECIMAL, "复算总分"),
        "grade": _d(_STR, "复算等次"),
        "items": _array(item, "各评分项"),
        "findings": _array({"$ref": "#/$defs/finding"}, "发现的问题"),
        "project": _obj({"name": _NSTR, "unit": _NSTR}, "项目（随报告输出时）"),
        "source": _obj({"file": _NSTR, "layout": _NSTR}, "来源文件（随报告输出时）"),
    }
    body = _obj(properties)
    body["required"] = [k for k in properties if k not in ("project", "source")]
    return {
        "$schema": DRAFT,
        "title": EVALUATION_SCHEMA,
        "description": "复算结果（jixiao score --json）。分数是十进制字符串，缺失为 null。",
        **body,
        "$defs": {**_common_defs(), **_finding_defs()},
    }


def findings_schema() -> dict[str, Any]:
    return {
        "$schema": DRAFT,
        "title": FINDINGS_SCHEMA,
        "description": "问题清单（jixiao check --json），问题对象与复算结果中的相同。",
        **_obj(
            {
                "schema": {"const": FINDINGS_SCHEMA},
                "findings": _array({"$ref": "#/$defs/finding"}),
            }
        ),
        "$defs": _finding_defs(),
    }


def schemas() -> dict[str, dict[str, Any]]:
    """File stem → schema: report, evaluation, findings."""
    return {"report": report_schema(), "evaluation": evaluation_schema(), "findings": findings_schema()}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jixiao.schema", description="生成 docs/schema/*.json")
    parser.add_argument("--check", action="store_true", help="只比较：文件与生成结果不同时退出码为 1")
    parser.add_argument("--out", type=Path, default=SCHEMA_DIR, help=f"输出目录（默认 {SCHEMA_DIR}）")
    args = parser.parse_args(argv)
    stale = []
    for stem, schema in schemas().items():
        path = args.out / f"{stem}.json"
        text = render(schema)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"已写入 {path}")
    if stale:
        names = "、".join(str(p) for p in stale)
        print(f"{names} 与代码不一致；运行 python -m jixiao.schema 重新生成", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
