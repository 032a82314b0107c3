"""Layout family 3: provincial project-expenditure self-evaluation forms (项目支出绩效自评表, 2020 style).

湖南/湖北/广东 and others print the 财预〔2020〕10号 table with their own columns: a 预算执行情况（10分）
block (年初预算数 / 调整后预算数 / 预算执行数 / 执行率 / 权重 / 得分 / 未执行原因) by source of funds, and an
indicator table whose value is split in three — 指标性质 (≥ ≤ = 正向 反向) / 指标值 / 度量单位 — beside
完成值, 权重, 得分 and 未完成原因分析. Those split columns are what tell it from the MOF form. A file often
holds many projects back to back; ``parse_all`` returns them in file order. Scored by ``mof-2020``.
"""

from __future__ import annotations

from collections.abc import Sequence

from jixiao.domain import Report, SelfAssessment, SelfItem, Source
from jixiao.io.cells import Cell
from jixiao.io.layouts import rowforms
from jixiao.io.layouts.common import place
from jixiao.io.layouts.rowform_reader import read_form
from jixiao.io.layouts.rowforms import Form, head
from jixiao.io.layouts.tables import haystack

LAYOUT = "provincial-2020"

_SPLIT_VALUE_COLUMNS = frozenset({"指标性质", "度量单位", "计量单位", "指标方向"})
_FUND_HEADERS = frozenset({"年初预算数", "调整后预算数", "预算执行数", "全年预算数", "全年执行数"})
_SCAN = 5000  # header cells of the first forms are enough to tell the family


def detect(cells: Sequence[Cell]) -> int:
    text = haystack(cells, _SCAN)
    if not any(word in text for word in _SPLIT_VALUE_COLUMNS):
        return 0  # no comparator / unit column anywhere: not this family (checked in C before any loop)
    keys = {head(c.text) for c in cells[:_SCAN] if c.key and len(c.key) <= 16}
    if not keys & _SPLIT_VALUE_COLUMNS:
        return min(30, 10 * len(keys & _FUND_HEADERS))  # without the split value columns: not this family
    score = 60
    if {"一级指标", "三级指标"} <= keys:
        score += 15
    if keys & _FUND_HEADERS:
        score += 15
    if any(k.startswith("项目名称") for k in keys):
        score += 10
    return min(score, 100)


def parse_all(cells: Sequence[Cell], file: str | None = None, source: Source | None = None) -> list[Report]:
    source = source or Source(file=file, layout=LAYOUT)
    return [report(read_form(rows), file, source) for rows in rowforms.split_forms(cells)]


def report(form: Form, file: str | None, source: Source) -> Report:
    missing = list(form.leftovers)
    if not form.funds:
        missing.insert(0, "预算执行情况")
    if not any(t.has_values for t in form.tables):
        missing.insert(0, "绩效指标")
    return rowforms.report(form, file, source, self_assessment(form, file), missing)


def self_assessment(form: Form, file: str | None) -> SelfAssessment:
    """预算执行率 (the funds block's 权重 and 得分) plus one item per indicator row (its 权重 and 得分)."""
    items: list[SelfItem] = []
    weights = [line.weight for line in form.funds if line.weight is not None]
    scored = next((line for line in form.funds if line.score is not None), None)
    points = max(weights) if weights else form.fund_points
    if points is not None or scored is not None:
        items.append(
            SelfItem(
                path=("预算执行率",),
                max=points,
                score=scored.score if scored else None,
                place=place(file, scored.cell if scored else None, "self_assessment.items[预算执行率]"),
            )
        )
    table_total = table_cell = None
    for table in form.tables:
        if not table.has_values:
            continue
        for line in table.lines:
            name = line.levels[2]
            if not name or name in ("无", "/", "—"):
                continue
            items.append(
                SelfItem(
                    path=line.path,
                    max=line.leaf_points,
                    score=line.score,
                    place=place(file, line.cell, "self_assessment.items[" + "/".join(line.path) + "]"),
                )
            )
        if table.total_score is not None and table_total is None:
            table_total, table_cell = table.total_score, table.total_cell
    total, total_cell = rowforms.total_value(form, "total")
    if table_total is not None:
        total, total_cell = table_total, table_cell
    return SelfAssessment(
        total=total,
        grade=form.totals.get("grade") or None,
        items=tuple(items),
        total_place=place(file, total_cell, "self_assessment.total"),
    )
