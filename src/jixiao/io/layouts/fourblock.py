"""Layout family 5: the older comprehensive forms scored on four blocks 项目决策 / 项目管理 / 项目产出 / 项目效益.

Their score table lists 一级/二级/三级 指标 with the 分值 of each level, the 评分标准, the unit's 自评得分 and
the finance bureau's 审核得分; the header carries both totals (自评得分 and 财政审核评分). Where the form
also lists quantitative 产出/效益 indicators (目标值 / 实际值), those are read into the indicators, which the
``fourblock-2020`` system scores. Shares its reading with provincial-2020 (see rowforms).
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

LAYOUT = "fourblock-2020"

BLOCKS = frozenset({"项目决策", "项目管理", "项目产出", "项目效益"})
_REVIEW_WORDS = frozenset({"财政审核评分", "财政审核得分", "审核得分", "审核评分", "复核得分"})
_SCAN = 5000


def detect(cells: Sequence[Cell]) -> int:
    text = haystack(cells, _SCAN)
    if not all(block in text for block in BLOCKS):
        return 0  # one of the four blocks is nowhere: not this family (checked in C before any loop)
    keys = {head(c.text) for c in cells[:_SCAN] if c.key and len(c.key) <= 16}
    if not keys >= BLOCKS:  # all four block names, each a cell of its own (项目效益指标 is another form)
        return 0
    score = 50
    if keys & _REVIEW_WORDS:
        score += 30
    if "自评得分" in keys:
        score += 10
    if "一级指标" in keys:
        score += 10
    return min(score, 100)


def parse_all(cells: Sequence[Cell], file: str | None = None, source: Source | None = None) -> list[Report]:
    source = source or Source(file=file, layout=LAYOUT)
    return [report(read_form(rows), file, source) for rows in rowforms.split_forms(cells)]


def report(form: Form, file: str | None, source: Source) -> Report:
    missing = list(form.leftovers)
    if not any(not t.has_values for t in form.tables):
        missing.insert(0, "指标评分表")
    return rowforms.report(form, file, source, self_assessment(form, file), missing)


def self_assessment(form: Form, file: str | None) -> SelfAssessment:
    """One item per scored row of the score table(s), with 分值, 自评得分 and 审核得分; totals from the header."""
    items: list[SelfItem] = []
    table_total = table_review = table_cell = None
    for table in form.tables:
        if "score" not in table.columns and "review" not in table.columns:
            continue
        for line in table.lines:
            if not line.path or (line.score is None and line.review is None):
                continue
            items.append(
                SelfItem(
                    path=line.path,
                    max=line.leaf_points,
                    score=line.score,
                    review_score=line.review,
                    place=place(file, line.cell, "self_assessment.items[" + "/".join(line.path) + "]"),
                )
            )
        if table_total is None and table.total_score is not None:
            table_total, table_cell = table.total_score, table.total_cell
        if table_review is None:
            table_review = table.total_review
    total, total_cell = rowforms.total_value(form, "total")
    review_total, _ = rowforms.total_value(form, "review_total")
    if total is None:
        total, total_cell = table_total, table_cell
    return SelfAssessment(
        total=total,
        grade=form.totals.get("grade") or None,
        items=tuple(items),
        total_place=place(file, total_cell, "self_assessment.total"),
        review_total=review_total if review_total is not None else table_review,
        review_grade=form.totals.get("review_grade") or None,
    )
