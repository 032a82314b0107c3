"""Arithmetic of the funds table and the spending detail (JX101–JX104)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from jixiao.checks.context import CheckContext
from jixiao.domain import FUND_FIELDS, Finding, FundRow, Place
from jixiao.numbers import ZERO, fmt
from jixiao.scoring.rules import FIELD_LABELS

_TO_YUAN = {"元": Decimal(1), "万元": Decimal(10000), "万": Decimal(10000), "亿元": Decimal(10) ** 8}


def _where(ctx: CheckContext, row: FundRow, field: str) -> Place:
    base = row.place
    return Place(
        path=f"funds[{row.label}].{field}", file=base.file or ctx.file, line=base.line, cell=base.cell
    )


def balance(ctx: CheckContext) -> Iterator[Finding]:
    """JX101: 结余 = 实际到位 − 实际支出 on every row that has all three."""
    tol = ctx.config.amount_tolerance
    unit = ctx.report.funds.unit
    for row in ctx.report.funds.rows:
        if row.arrived is None or row.spent is None or row.balance is None:
            continue
        expected = row.arrived - row.spent
        if abs(expected - row.balance) > tol:
            yield ctx.finding(
                "JX101",
                f"{row.label}：结余 {fmt(row.balance)}{unit} ≠ 实际到位 {fmt(row.arrived)} − 实际支出 "
                f"{fmt(row.spent)} = {fmt(expected)}{unit}",
                _where(ctx, row, "balance"),
            )


def sources_sum(ctx: CheckContext) -> Iterator[Finding]:
    """JX102: the sources add up to the total row, column by column."""
    funds = ctx.report.funds
    total = funds.row("total")
    sources = [r for r in funds.rows if r.key != "total"]
    if total is None or not sources:
        return
    for field in FUND_FIELDS:
        stated = getattr(total, field)
        parts = [getattr(r, field) for r in sources if getattr(r, field) is not None]
        if stated is None or not parts:
            continue
        added = sum(parts, ZERO)
        if abs(added - stated) > ctx.config.amount_tolerance:
            shown = " + ".join(
                f"{r.label} {fmt(getattr(r, field))}" for r in sources if getattr(r, field) is not None
            )
            yield ctx.finding(
                "JX102",
                f"{FIELD_LABELS[field]}：各来源之和 {shown} = {fmt(added)}，与合计 {fmt(stated)}{funds.unit} 不符",
                _where(ctx, total, field),
            )


def _in_funds_unit(amount: Decimal, unit: str | None, funds_unit: str) -> Decimal:
    if not unit or unit == funds_unit or unit not in _TO_YUAN or funds_unit not in _TO_YUAN:
        return amount
    return amount * _TO_YUAN[unit] / _TO_YUAN[funds_unit]


def expenditure_sum(ctx: CheckContext) -> Iterator[Finding]:
    """JX103: the detail rows add up to 支出合计 and to 实际支出."""
    report = ctx.report
    rows = [e for e in report.expenditures if e.amount is not None]
    if not rows:
        return
    unit = report.funds.unit
    added = sum((_in_funds_unit(e.amount, e.unit, unit) for e in rows), ZERO)
    tol = ctx.config.amount_tolerance
    stated = report.expenditure_total
    if stated is not None and abs(stated - added) > tol:
        yield ctx.finding(
            "JX103",
            f"支出明细之和 {fmt(added)}{unit} 与支出合计 {fmt(stated)}{unit} 不符",
            "expenditures.total",
        )
    total = report.funds.row("total")
    spent = total.spent if total else None
    if spent is not None and abs(spent - added) > tol:
        yield ctx.finding(
            "JX103",
            f"支出明细之和 {fmt(added)}{unit} 与资金表实际支出 {fmt(spent)}{unit} 不符",
            "expenditures",
        )


def overspend(ctx: CheckContext) -> Iterator[Finding]:
    """JX104: spent ≤ arrived ≤ planned on every row."""
    unit = ctx.report.funds.unit
    tol = ctx.config.amount_tolerance
    for row in ctx.report.funds.rows:
        if row.spent is not None and row.arrived is not None and row.spent - row.arrived > tol:
            yield ctx.finding(
                "JX104",
                f"{row.label}：实际支出 {fmt(row.spent)}{unit} 超过实际到位 {fmt(row.arrived)}{unit}",
                _where(ctx, row, "spent"),
            )
        plan = row.budget if row.budget is not None else row.planned
        if row.arrived is not None and plan is not None and row.arrived - plan > tol:
            yield ctx.finding(
                "JX104",
                f"{row.label}：实际到位 {fmt(row.arrived)}{unit} 超过计划安排 {fmt(plan)}{unit}",
                _where(ctx, row, "arrived"),
            )
        if row.arrived is None and row.spent is not None and plan is not None and row.spent - plan > tol:
            yield ctx.finding(
                "JX104",
                f"{row.label}：执行数 {fmt(row.spent)}{unit} 超过预算数 {fmt(plan)}{unit}",
                _where(ctx, row, "spent"),
            )


CHECKS = (balance, sources_sum, expenditure_sum, overspend)
