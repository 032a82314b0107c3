"""Indicator rows: targets missing, too low, unmet, unquantified, or actuals that are promises (JX301–JX306)."""

from __future__ import annotations

from collections.abc import Iterator

from jixiao.checks.context import CheckContext
from jixiao.domain import Finding, Indicator, Place, ScoredItem
from jixiao.io.cells import compact
from jixiao.numbers import HUNDRED, ONE, fmt, fmt_pct
from jixiao.quantity import is_promise_text
from jixiao.scoring.completion import units_compatible

# 产出指标 are to be quantified (财预〔2020〕10号: 数量、质量、时效、成本); 效益 and 满意度 may be described.
QUANTIFIED_CATEGORIES = ("数量", "质量", "时效", "成本")


def item_where(item: ScoredItem) -> str:
    return "items[" + "/".join(item.path) + "]"


def _row_place(ctx: CheckContext, row: Indicator, field: str = "") -> Place:
    path = row.place.path + (f".{field}" if field else "")
    return Place(path=path, file=row.place.file or ctx.file, line=row.place.line, cell=row.place.cell)


def _rows_for(ctx: CheckContext, item: ScoredItem) -> list[Indicator]:
    """The indicator rows an item was scored from (the scoring engine records their positions)."""
    if item.rows:
        return [ctx.report.indicators[n] for n in item.rows]
    if ctx.system.leaf(item.path) is None:  # a row of a rows-system: the item is the row itself
        return [r for r in ctx.report.indicators if r.name and item.path[-1] == r.name]
    return []


def no_target(ctx: CheckContext) -> Iterator[Finding]:
    """JX301: an item is claimed (self-scored) but has no indicator or target to score it; it scores 0.
    An item nobody claimed points for is no problem of this kind (a blank form, a report without funds)."""
    for item in ctx.evaluation.items:
        if item.basis != "missing" or not item.self_score:
            continue
        rows = _rows_for(ctx, item)
        claimed = f"自评 {fmt(item.self_score)} 分，" if item.self_score is not None else ""
        where = _row_place(ctx, rows[0]) if rows else Place(path=item_where(item), file=ctx.file)
        yield ctx.finding("JX301", f"「{item.path[-1]}」{claimed}但{item.trace}", where)


def too_low_target(ctx: CheckContext) -> Iterator[Finding]:
    """JX302: actual ≥ threshold × target on a "≥"/"=" row: the target was probably set too low."""
    limit = ctx.config.overachievement / HUNDRED
    for row in ctx.report.indicators:
        if row.empty:
            continue
        c = ctx.completion(row)
        if c.status != "decided" or c.raw_ratio is None or c.direction == "<=":
            continue
        if c.raw_ratio >= limit:
            yield ctx.finding(
                "JX302",
                f"「{row.name}」实际 {row.actual.raw} 是目标 {row.target.raw} 的 {fmt_pct(c.raw_ratio)}，"
                f"超过 {fmt(ctx.config.overachievement)}%：目标可能定得过低，需说明偏差原因",
                _row_place(ctx, row, "actual"),
            )


def unmet_full_marks(ctx: CheckContext) -> Iterator[Finding]:
    """JX303: a target not met, yet full marks (per row where rows carry scores, else per item)."""
    scored_rows = {id(r) for r in ctx.report.indicators if r.score is not None and r.weight is not None}
    for row in ctx.report.indicators:
        if id(row) not in scored_rows:
            continue
        c = ctx.completion(row)
        if c.status == "decided" and c.ratio < ONE and row.score >= row.weight:
            yield ctx.finding(
                "JX303",
                f"「{row.name}」完成率 {fmt_pct(c.ratio)}（{c.explain}），却自评满分 {fmt(row.score)}/{fmt(row.weight)}",
                _row_place(ctx, row, "score"),
            )
    for item in ctx.evaluation.items:
        if item.basis != "computed" or item.self_score is None or item.self_score < item.max:
            continue
        for row in _rows_for(ctx, item):
            if id(row) in scored_rows or row.empty:
                continue
            c = ctx.completion(row)
            if c.status == "decided" and c.ratio < ONE:
                yield ctx.finding(
                    "JX303",
                    f"「{row.name}」未完成目标（{c.explain}），「{item.path[-1]}」却自评满分 {fmt(item.self_score)}",
                    _row_place(ctx, row, "actual"),
                )


def must_be_quantified(row: Indicator) -> bool:
    level2 = compact(row.level2 or "")
    return (
        not row.empty
        and row.target is not None
        and not row.target.is_empty
        and not row.target.is_number
        and not any(ch.isdigit() for ch in row.target.raw)  # 11月底完成100% states its number
        and any(w in level2 for w in QUANTIFIED_CATEGORIES)
    )


def unquantified(ctx: CheckContext) -> Iterator[Finding]:
    """JX304: a target that is not a number where it must be, or target and actual in different units."""
    for row in ctx.report.indicators:
        if row.empty or row.target is None or row.target.is_empty:
            continue
        if must_be_quantified(row):
            yield ctx.finding(
                "JX304",
                f"「{row.name}」是{row.level2}，目标值「{row.target.raw}」未量化，无法计算完成率",
                _row_place(ctx, row, "target"),
            )
        elif (
            row.target.is_number
            and row.actual is not None
            and row.actual.is_number
            and not units_compatible(row.target, row.actual)
        ):
            yield ctx.finding(
                "JX304",
                f"「{row.name}」目标 {row.target.raw} 与实际 {row.actual.raw} 单位不同（{row.target.unit} / {row.actual.unit}）",
                _row_place(ctx, row, "actual"),
            )


def promise_as_actual(ctx: CheckContext) -> Iterator[Finding]:
    """JX305: an actual written as a comparison (≥90%) or a promise (完成). An actual that only repeats an
    unquantified target (是 / 是) is that target's problem (JX304): one problem, one finding."""
    for row in ctx.report.indicators:
        actual = row.actual
        if row.empty or actual is None or actual.is_empty:
            continue
        if (
            row.target is not None
            and not row.target.is_number
            and compact(row.target.raw) == compact(actual.raw)
        ):  # 是 / 是: the answer to a yes-or-no target, not a promise
            continue
        if actual.op is not None or is_promise_text(actual.raw, actual):
            yield ctx.finding(
                "JX305",
                f"「{row.name}」实际完成值写成「{actual.raw}」，应填写实际达到的数值或情况",
                _row_place(ctx, row, "actual"),
            )


def met_not_full(ctx: CheckContext) -> Iterator[Finding]:
    """JX306: a target met, yet below full marks, and no reason given."""
    for row in ctx.report.indicators:
        if row.score is None or row.weight is None or row.score >= row.weight or (row.note or "").strip():
            continue
        c = ctx.completion(row)
        if c.status == "decided" and c.ratio >= ONE:
            yield ctx.finding(
                "JX306",
                f"「{row.name}」已完成目标（{c.explain}），自评 {fmt(row.score)}/{fmt(row.weight)}，未说明扣分原因",
                _row_place(ctx, row, "score"),
            )


CHECKS = (no_target, too_low_target, unmet_full_marks, unquantified, promise_as_actual, met_not_full)
