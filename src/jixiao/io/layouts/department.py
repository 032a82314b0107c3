"""Layout family 6: 部门整体支出绩效自评表 (department-wide self-evaluation, 财预〔2020〕10号 style).

The same grid as the 项目支出 form (see mof.py). Each indicator row carries 指标权重 / 得分系数（%）/
指标得分 (得分 = 权重 × 系数; a blank 得分 is computed from them, exactly), a 是否核心指标 column
(是/否 → ``core``), and both 年初目标值 and 调整后目标值: the adjusted one is the target when filled,
and the 年初 one is then kept in the note as 「年初目标值：…」.

The header names the department (部门（单位）名称): it is the report's ``name`` and, unless a 主管部门
is given, its ``department`` and ``unit`` too. Funds rows split by 支出性质 (基本支出 / 项目支出)
restate the total a second way: they are recognised and not stored, so the sources still add up.
Scored by the ``mof-2020`` system.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from jixiao.domain import Indicator, ProjectInfo, Report, Source
from jixiao.io.cells import Cell, one_line
from jixiao.io.layouts.mof import (
    FUND_COLUMNS,
    GOAL_COLUMNS,
    INDICATOR_COLUMNS,
    INFO_LABELS,
    FormSpec,
    RowDraft,
    is_yes,
    read_forms,
    signature,
)
from jixiao.io.layouts.tables import percent_number
from jixiao.quantity import parse_score

LAYOUT = "department-2020"

INFO = {
    **INFO_LABELS,
    "name": ("部门名称", "单位名称", "部门单位名称", "预算部门名称", "预算单位名称"),
    "department": ("主管部门", "主管单位"),
    "unit": ("实施单位", "预算单位"),
}
FUND_ROWS = (
    ("total", ("年度资金总额", "资金总额", "合计", "总计")),
    ("fiscal", ("本年财政拨款", "当年财政拨款", "财政拨款", "一般公共预算", "财政资金")),
    ("carryover", ("上年结转资金", "上年结转", "结转资金")),
    ("unit_funds", ("单位资金", "单位自有资金", "自有资金")),
    ("other", ("其他资金", "其它资金", "其他", "其它")),
)
FUND_SKIPPED = ("基本支出", "项目支出", "按支出性质分", "按收入性质分", "按资金来源分")
COLUMNS = {
    **{k: v for k, v in INDICATOR_COLUMNS.items() if k not in ("target", "weight", "score")},
    "target_initial": ("年初目标值", "年初指标值", "年初设定目标值"),
    "target": ("调整后目标值", "调整后指标值", "全年目标值", "年度指标值", "目标值"),
    "weight": ("指标权重", "权重", "分值"),
    "coefficient": ("得分系数", "得分系数%", "完成系数"),
    "score": ("指标得分", "得分", "自评得分"),
    "core": ("是否核心指标", "核心指标"),
}


def weighted_row(draft: RowDraft, done: list[Indicator]) -> Indicator | None:
    initial, adjusted = draft.text("target_initial"), draft.text("target")
    notes = [draft.text("note")]
    if adjusted and initial:
        notes.append(f"年初目标值：{one_line(initial)}")
    weight = parse_score(draft.text("weight"))
    score = parse_score(draft.text("score"))
    coefficient = percent_number(draft.text("coefficient"))
    if score is None and weight is not None and coefficient is not None:
        score = weight * coefficient / 100  # exact in Decimal: 权重 × 系数
    return draft.indicator(
        target=adjusted or initial,
        score=score,
        note="；".join(one_line(n) for n in notes if n) or None,
        core=is_yes(draft.text("core")),
    )


def whole_department(project: ProjectInfo) -> ProjectInfo:
    return replace(project, department=project.department or project.name, unit=project.unit or project.name)


SPEC = FormSpec(
    layout=LAYOUT,
    titles=("部门整体支出绩效自评表", "部门整体支出绩效自评"),
    info=INFO,
    fund_columns=FUND_COLUMNS,
    fund_rows=FUND_ROWS,
    fund_skipped=FUND_SKIPPED,
    goal_columns=GOAL_COLUMNS,
    indicator_columns=COLUMNS,
    row_rule=weighted_row,
    finish_project=whole_department,
)


def detect(cells: Sequence[Cell]) -> int:
    titled, points, _text = signature(
        SPEC,
        cells,
        (("得分系数", 15), ("指标权重", 10), ("是否核心指标", 10), ("调整后目标值", 5), ("部门整体", 5)),
    )
    return min((60 if titled else 0) + points, 100)


def parse_all(cells: Sequence[Cell], file: str | None = None, source: Source | None = None) -> list[Report]:
    return read_forms(SPEC, cells, file, source)
