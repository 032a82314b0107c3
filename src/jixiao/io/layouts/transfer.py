"""Layout family 4: 中央对地方转移支付区域绩效目标自评表 (财预〔2020〕10号 的转移支付自评).

The same grid as the 项目支出 form (see mof.py), with its own words: funds in 全年预算数（A）/
全年执行数（B）/ 分值 / 执行率（B/A）/ 得分 and no 年初 column; rows 年度资金总额 / 其中：中央补助 /
地方资金; the 分值 column may come before 年度指标值. Row rules:

- a ★ before a 三级指标 name marks a core indicator (``core=True``, the name without the ★);
- a 「其中：…」 row under an indicator restates part of it: it is not an indicator of its own, so it
  is kept out of ``indicators`` and written into its parent's note (「其中：…：指标值 …，实际完成值 …」);
- 地方资金 is read as funds key ``other`` (label 地方资金): it lumps provincial, city and county money,
  so none of those keys fits; forms that split it (省级资金 / 市级资金 / 县级资金) get those keys;
- the 注 / 说明 block that restates the scoring rules at the end is skipped.

Scored by the ``mof-2020`` system, like the 项目支出 form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from jixiao.domain import Indicator, Report, Source
from jixiao.io.cells import Cell, compact, one_line
from jixiao.io.layouts.mof import (
    FUND_COLUMNS,
    GOAL_COLUMNS,
    INDICATOR_COLUMNS,
    INFO_LABELS,
    FormSpec,
    RowDraft,
    read_forms,
    signature,
)

LAYOUT = "transfer-2020"
CORE_MARKS = "★☆*"

INFO = {
    **INFO_LABELS,
    "name": ("转移支付名称", "转移支付项目名称", "项目名称", "专项名称"),
    "department": ("中央主管部门", "主管部门"),
    "unit": ("实施单位", "资金使用单位"),
    "unit_fallback": ("地方主管部门", "地方财政部门", "省级主管部门", "填报单位"),
}
FUND_ROWS = (
    ("total", ("年度资金总额", "资金总额", "合计", "总计")),
    ("central", ("中央补助", "中央财政资金", "中央资金", "中央财政", "中央补助资金")),
    ("provincial", ("省级资金", "省级财政资金", "省级补助", "省级财政")),
    ("city", ("市级资金", "市级财政资金", "市级财政")),
    ("county", ("县级资金", "县级财政资金", "市县资金", "县级财政")),
    ("other", ("地方资金", "地方财政资金", "地方配套", "其他资金", "其它资金")),
)
GOALS = {
    **GOAL_COLUMNS,
    "expected": (*GOAL_COLUMNS["expected"], "年初设定目标", "区域年度目标"),
}


def core_row(draft: RowDraft, done: list[Indicator]) -> Indicator | None:
    name = draft.name or ""
    if compact(name).startswith("其中") and done:
        parent = done[-1]
        target, actual = draft.text("target") or "—", draft.text("actual") or "—"
        part = f"{one_line(name)}：指标值 {one_line(target)}，实际完成值 {one_line(actual)}"
        done[-1] = replace(parent, note="；".join(p for p in (parent.note, part) if p))
        return None
    core = name.lstrip().startswith(tuple(CORE_MARKS))
    if core:
        return draft.indicator(name=name.lstrip().lstrip(CORE_MARKS).strip() or None, core=True)
    return draft.indicator()


SPEC = FormSpec(
    layout=LAYOUT,
    titles=("转移支付区域绩效目标自评表", "转移支付绩效目标自评表", "转移支付绩效自评表"),
    info=INFO,
    fund_columns=FUND_COLUMNS,
    fund_rows=FUND_ROWS,
    goal_columns=GOALS,
    indicator_columns=INDICATOR_COLUMNS,
    row_rule=core_row,
)


def detect(cells: Sequence[Cell]) -> int:
    titled, points, text = signature(
        SPEC,
        cells,
        (
            ("中央补助", 15),
            ("中央主管部门", 10),
            ("执行率(B/A)", 10),
            ("全年执行数(B)", 5),
            ("地方资金", 5),
            ("全年实际值", 5),
        ),
    )
    if titled:
        points += 60
    elif any("转移支付" in k and "自评" in k for k in text.split("\x00")):
        points += 40
    return min(points, 100)


def parse_all(cells: Sequence[Cell], file: str | None = None, source: Source | None = None) -> list[Report]:
    return read_forms(SPEC, cells, file, source)
