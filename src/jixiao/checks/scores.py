"""The self-assessment's own arithmetic and its distance from the data (JX401–JX404)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from jixiao.checks.context import CheckContext
from jixiao.checks.indicators import item_where
from jixiao.domain import Finding, Place
from jixiao.io.cells import compact
from jixiao.numbers import ZERO, fmt


def self_sum(ctx: CheckContext) -> Iterator[Finding]:
    """JX401: the item self-scores add up to the claimed total."""
    sa = ctx.report.self_assessment
    scores = [i.score for i in sa.items if i.score is not None]
    if not scores:
        scores = [i.self_score for i in ctx.evaluation.items if i.self_score is not None]
    if sa.total is None or not scores:
        return
    added = sum(scores, ZERO)
    if abs(added - sa.total) > ctx.config.score_tolerance:
        yield ctx.finding(
            "JX401",
            f"各项自评得分之和 {fmt(added)}，与填报的自评总分 {fmt(sa.total)} 不符",
            sa.total_place if sa.total_place.path else "self_assessment.total",
        )


def over_max(ctx: CheckContext) -> Iterator[Finding]:
    """JX402: a self-score above its points; the form's points differing from the system; row weights ≠ parent."""
    leaves = {compact(leaf.name): leaf for leaf in ctx.system.leaves()}
    for item in ctx.report.self_assessment.items:
        leaf = leaves.get(compact(item.path[-1]))
        limit = item.max if item.max is not None else (leaf.points if leaf else None)
        where = item.place if item.place.path else f"self_assessment.items[{'/'.join(item.path)}]"
        if item.score is not None and limit is not None and item.score > limit:
            yield ctx.finding(
                "JX402", f"「{item.path[-1]}」自评 {fmt(item.score)} 分，超过该项分值 {fmt(limit)}", where
            )
        if (
            leaf
            and item.max is not None
            and item.max != leaf.points
            and not leaf.rule.params.get("points_from_form")
        ):
            yield ctx.finding(
                "JX402",
                f"「{item.path[-1]}」表中分值 {fmt(item.max)}，与指标体系 {ctx.system.id} 的 {fmt(leaf.points)} 分不符",
                where,
            )
    for row in ctx.report.indicators:
        if row.score is not None and row.weight is not None and row.score > row.weight:
            yield ctx.finding(
                "JX402",
                f"「{row.name}」得分 {fmt(row.score)} 超过分值 {fmt(row.weight)}",
                Place(
                    path=row.place.path + ".score",
                    file=row.place.file or ctx.file,
                    line=row.place.line,
                    cell=row.place.cell,
                ),
            )
    if ctx.system.scores_rows:
        weights = [r.weight for r in ctx.report.indicators if not r.empty and r.weight is not None]
        rows_leaf = next(leaf for leaf in ctx.system.leaves() if leaf.rule.kind == "rows")
        expected = rows_leaf.points + _points_moved_by_form(ctx)
        if weights and sum(weights, ZERO) != expected:
            yield ctx.finding(
                "JX402",
                f"各指标行分值之和 {fmt(sum(weights, ZERO))}，应为{rows_leaf.name} {fmt(expected)} 分",
                "indicators",
            )


def _points_moved_by_form(ctx: CheckContext) -> Decimal:
    """Points a form gives its own way (预算执行率 20 instead of 10) come out of the indicator rows' share."""
    moved = ZERO
    for item in ctx.evaluation.items:
        leaf = ctx.system.leaf(item.path)
        if leaf is not None and leaf.rule.params.get("points_from_form"):
            moved += leaf.points - item.max
    return moved


def _grade_key(grade: str) -> str:
    return compact(grade)[:1]


def grade_matches(ctx: CheckContext) -> Iterator[Finding]:
    """JX403: the claimed grade belongs to the claimed total."""
    sa = ctx.report.self_assessment
    total = sa.total if sa.total is not None else ctx.evaluation.self_total
    if total is None or not sa.grade:
        return
    expected = ctx.system.grade(total)
    if _grade_key(expected) != _grade_key(sa.grade):
        yield ctx.finding(
            "JX403",
            f"自评总分 {fmt(total)} 对应等次「{expected}」，报告填的是「{sa.grade}」",
            "self_assessment.grade",
        )


def self_vs_data(ctx: CheckContext) -> Iterator[Finding]:
    """JX404: a data-decided item whose self-score differs from what the data gives."""
    tol = ctx.config.score_tolerance
    for item in ctx.evaluation.items:
        if item.basis == "judgement" or item.self_score is None:
            continue
        if abs(item.self_score - item.score) > tol:
            yield ctx.finding(
                "JX404",
                f"「{item.path[-1]}」自评 {fmt(item.self_score)} 分，按数据应得 {fmt(item.score)} 分：{item.trace}",
                item_where(item),
            )


CHECKS = (self_sum, over_max, grade_matches, self_vs_data)
