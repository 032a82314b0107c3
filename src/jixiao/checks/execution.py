"""Budget execution and arrival rates (JX105, JX201–JX203)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal

from jixiao.checks.context import CheckContext
from jixiao.domain import Finding, Report
from jixiao.numbers import HUNDRED, ZERO, fmt, fmt_pct, rounded
from jixiao.scoring.engine import form_has_row_points
from jixiao.scoring.rules import fund_value

# Items whose points are the project's indicator (绩效指标) points.
INDICATOR_KINDS = frozenset({"completion", "band", "rows"})


def execution_rate(report: Report) -> tuple[Decimal, Decimal, Decimal] | None:
    """(rate, spent, base) with base = 全年预算数, else 计划安排, else 实际到位; None if not computable."""
    total = report.funds.row("total")
    if total is None or total.spent is None:
        return None
    for base in (total.budget, total.planned, total.arrived):
        if base:
            return total.spent / base, total.spent, base
    return None


def stated_rate(ctx: CheckContext) -> Iterator[Finding]:
    """JX105: a stated 执行率 differs from spent/budget (a total row left at 0: its sources' sums)."""
    for row in ctx.report.funds.rows:
        if row.key == "total" and not row.spent and not row.budget:
            row = replace(
                row,
                spent=fund_value(ctx.report, "funds.total.spent"),
                budget=fund_value(ctx.report, "funds.total.budget")
                or fund_value(ctx.report, "funds.total.planned"),
            )
        base = row.budget if row.budget is not None else row.planned
        if row.stated_rate is None or row.spent is None or not base:
            continue
        computed = row.spent / base * HUNDRED
        if abs(computed - row.stated_rate) > ctx.config.rate_tolerance:
            yield ctx.finding(
                "JX105",
                f"{row.label}：填报执行率 {fmt(row.stated_rate)}%，按 {fmt(row.spent)}/{fmt(base)} 计算为 {fmt_pct(row.spent / base)}",
                f"funds[{row.label}].rate",
            )


def low_execution(ctx: CheckContext) -> Iterator[Finding]:
    """JX201: execution below the threshold."""
    found = execution_rate(ctx.report)
    if found is None:
        return
    rate, spent, base = found
    if rate * HUNDRED < ctx.config.execution_min:
        yield ctx.finding(
            "JX201",
            f"预算执行率 {fmt_pct(rate)}（{fmt(spent)}/{fmt(base)}），低于 {fmt(ctx.config.execution_min)}%，需说明原因",
            "funds[合计].spent",
        )


def low_arrival(ctx: CheckContext) -> Iterator[Finding]:
    """JX202: 资金到位率 below 100%."""
    total = ctx.report.funds.row("total")
    if total is None or total.arrived is None or not total.planned:
        return
    rate = total.arrived / total.planned
    if rate * HUNDRED < ctx.config.arrival_min:
        yield ctx.finding(
            "JX202",
            f"资金到位率 {fmt_pct(rate)}（{fmt(total.arrived)}/{fmt(total.planned)}），低于 {fmt(ctx.config.arrival_min)}%",
            "funds[合计].arrived",
        )


def high_score_low_spend(ctx: CheckContext) -> Iterator[Finding]:
    """JX203: the share of indicator points claimed runs ahead of budget execution by more than the gap."""
    found = execution_rate(ctx.report)
    if found is None:
        return
    rate = found[0]
    kinds = {leaf.path: leaf.rule.kind for leaf in ctx.system.leaves()}
    rows_system = ctx.system.scores_rows
    if rows_system and not form_has_row_points(ctx.report):
        return  # the rows' points are not on the form: the share claimed cannot be known
    items = [
        i
        for i in ctx.evaluation.items
        if (rows_system and i.path != ("预算执行率",)) or kinds.get(i.path) in INDICATOR_KINDS
    ]
    claimed = [i for i in items if i.self_score is not None]
    source = "自评"
    if not claimed:
        claimed, source = items, "复算"
    points = sum((i.max for i in claimed), ZERO)
    if not points:
        return
    earned = sum(((i.self_score if source == "自评" else i.score) or ZERO for i in claimed), ZERO)
    share = earned / points
    gap = (share - rate) * HUNDRED
    if gap > ctx.config.high_score_gap:
        yield ctx.finding(
            "JX203",
            f"绩效指标{source}得分率 {fmt_pct(share)}（{fmt(earned)}/{fmt(points)}）高出预算执行率 {fmt_pct(rate)} "
            f"{fmt(rounded(gap, Decimal('0.1'), ROUND_HALF_EVEN))} 个百分点：资金大部分未支出，产出与效益却接近满分",
            "self_assessment",
        )


CHECKS = (stated_rate, low_execution, low_arrival, high_score_low_spend)
