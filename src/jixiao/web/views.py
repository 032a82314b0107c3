"""What the pages show, computed from the contract JSON: the 评分表 rows, the block chart, the history."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from jixiao.web.charts import bar_chart
from jixiao.web.report_form import FUND_COLUMNS, PROJECT_FIELDS
from jixiao.workflow import ACTIONS, STATES

MISSING_TEXT = "无法评价（缺少指标）"


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def scoresheet(evaluation: Mapping[str, Any], review: Mapping[str, Any] | None) -> list[dict]:
    """Rows of the official table: 一级/二级 cells span their children (rowspan), like the paper form."""
    reviewed = {tuple(i["path"]): i for i in (review or {}).get("items") or []}
    items = evaluation.get("items") or []
    rows = []
    for n, item in enumerate(items):
        path = list(item["path"])
        levels = ([""] * (3 - len(path)) + path) if len(path) < 3 else [*path[:2], "/".join(path[2:])]
        other = reviewed.get(tuple(item["path"]))
        rows.append(
            {
                "n": n,
                "l1": levels[0],
                "l2": levels[1],
                "name": levels[2],
                "key": "/".join(item["path"]),
                "max": item.get("max"),
                "self": item.get("self_score"),
                "score": item.get("score"),
                "review": other.get("score") if other else None,
                "review_trace": other.get("trace")
                if other and other.get("trace") != item.get("trace")
                else None,
                "basis": item.get("basis"),
                "missing": item.get("basis") == "missing",
                "trace": item.get("trace"),
                "evidence": item.get("evidence") or [],
                "l1_span": 0,
                "l2_span": 0,
            }
        )
    for level, span in (("l1", "l1_span"), ("l2", "l2_span")):
        start = 0
        for i in range(1, len(rows) + 1):
            same = (
                i < len(rows)
                and rows[i][level] == rows[start][level]
                and (level == "l1" or rows[i]["l1"] == rows[start]["l1"])
            )
            if not same:
                rows[start][span] = i - start
                start = i
    return rows


def blocks(evaluation: Mapping[str, Any]) -> list[dict]:
    """Totals per 一级指标 block: 满分, 自评 (None when the report states none), 复算."""
    out: dict[str, dict] = {}
    for item in evaluation.get("items") or []:
        b = out.setdefault(
            item["path"][0], {"name": item["path"][0], "max": Decimal(0), "self": None, "score": Decimal(0)}
        )
        b["max"] += _dec(item.get("max")) or 0
        b["score"] += _dec(item.get("score")) or 0
        self_score = _dec(item.get("self_score"))
        if self_score is not None:
            b["self"] = (b["self"] or Decimal(0)) + self_score
    return list(out.values())


def block_chart(evaluation: Mapping[str, Any], review: Mapping[str, Any] | None = None):
    rows = blocks(evaluation)
    series = [
        ("满分", "bar-max", [b["max"] for b in rows]),
        ("自评", "bar-self", [b["self"] for b in rows]),
        ("复算", "bar-score", [b["score"] for b in rows]),
    ]
    if review:
        series.append(("审核", "bar-review", [b["score"] for b in blocks(review)]))
    return bar_chart("按一级指标：自评与复算得分", [b["name"] for b in rows], series)


# --------------------------------------------------------------------------- history

ACTION_NAMES = {
    "report.create": "新建报告",
    "report.update": "修改报告",
    "report.review": "填写审核意见",
    "attachment.add": "上传佐证材料",
} | {f"report.{k}": v for k, v in ACTIONS.items()}
_SECTION = {
    "project": "项目基本情况",
    "funds": "资金情况",
    "expenditures": "支出明细",
    "expenditure_total": "支出合计",
    "goals": "绩效目标",
    "indicators": "绩效指标",
    "self_assessment": "自评得分",
}
_FIELD = (
    dict(PROJECT_FIELDS)
    | FUND_COLUMNS
    | {
        "level1": "一级指标",
        "level2": "二级指标",
        "name": "三级指标",
        "target": "年度指标值",
        "actual": "实际完成值",
        "weight": "分值",
        "score": "得分",
        "note": "偏差原因",
        "empty": "是否为空",
        "core": "核心指标",
        "item": "支出内容",
        "amount": "金额",
        "voucher": "会计凭证号",
        "expected": "预期目标",
        "total": "总分",
        "grade": "等次",
        "raw": "",
        "unit": "单位",
        "label": "名称",
    }
)
_STEP = re.compile(r"\.([a-z_]+)|\[(\d+)\]")


def humanize_path(path: str) -> str:
    """$.indicators[10].target.raw → 绩效指标 第11行 年度指标值."""
    parts = []
    for name, index in _STEP.findall(path.removeprefix("$")):
        if index:
            parts.append(f"第{int(index) + 1}行")
        elif name in ("rows", "items"):
            continue
        elif not parts and name in _SECTION:
            parts.append(_SECTION[name])
        else:
            label = _FIELD.get(name, name)
            if label:
                parts.append(label)
    return " ".join(parts) or path


def show_value(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, Mapping):
        if "raw" in value:
            return str(value.get("raw") or "（空）")
        shown = [(k, v) for k, v in value.items() if v not in (None, "", False, [])]
        return "；".join(f"{_FIELD.get(k, k) or k}：{show_value(v)}" for k, v in shown) or "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return str(value)


def history_rows(entries: Sequence[Any]) -> list[dict]:
    """Audit entries as lines a person reads: who, when, what, and each change old → new."""
    out = []
    for e in entries:
        detail = e.detail or {}
        changes = []
        if e.action == "report.update":
            for c in detail.get("changes") or []:
                if str(c.get("path", "")).startswith("$.source"):
                    continue
                changes.append(
                    {
                        "what": humanize_path(c["path"]),
                        "old": show_value(c.get("old")),
                        "new": show_value(c.get("new")),
                    }
                )
        elif e.action == "report.review":
            for c in detail.get("answers") or []:
                changes.append(
                    {
                        "what": "审核答案 " + c["path"].removeprefix("$.").replace(".", " "),
                        "old": show_value(c.get("old")),
                        "new": show_value(c.get("new")),
                    }
                )
            before, after = (detail.get("review_total") or [None, None])[:2]
            changes.append({"what": "审核得分", "old": show_value(before), "new": show_value(after)})
        state = detail.get("state")
        if state:
            changes.append(
                {"what": "状态", "old": STATES.get(state[0], state[0]), "new": STATES.get(state[1], state[1])}
            )
        out.append(
            {
                "at": e.at,
                "user": e.user_login or "系统",
                "action": ACTION_NAMES.get(e.action, e.action),
                "comment": detail.get("comment"),
                "note": detail.get("filename") or detail.get("source") or detail.get("project"),
                "changes": changes,
                "more": max(0, (detail.get("changed") or 0) - len(detail.get("changes") or [])),
            }
        )
    return out
