"""How far one indicator row got: the completion ratio of actual against target, direction-aware.

The one place that decides "met / not met / cannot tell" for a row, used by the completion rule,
the mof-2020 row scoring and the indicator checks alike.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.domain import Indicator, Quantity
from jixiao.domain.record import record
from jixiao.numbers import ONE, ZERO, fmt_pct
from jixiao.quantity import compact, qualitative_status


@record
class RowCompletion:
    status: str  # "decided" | "no_target" | "undecidable"
    ratio: Decimal | None  # 0..1 when decided (capped)
    raw_ratio: Decimal | None  # actual/target uncapped, when both are numbers
    direction: str  # ">=" | "<=" | "="
    explain: str  # Chinese, for traces


def units_compatible(a: Quantity, b: Quantity) -> bool:
    return a.unit is None or b.unit is None or a.unit == b.unit


def row_completion(
    row: Indicator, default_direction: str = ">=", zero_at: Decimal = Decimal(2)
) -> RowCompletion:
    """Completion of one row. ``zero_at``: a "≤" target missed falls linearly to 0 at zero_at × target."""
    name = row.name or "（未命名指标）"
    target, actual = row.target, row.actual
    if (target is None or target.is_empty) and row.parts:
        return _parts(name, row.parts, default_direction, zero_at)
    if row.empty or target is None or target.is_empty:
        return RowCompletion("no_target", None, None, default_direction, f"「{name}」未设目标值")
    dated = target.unit in DATE_UNITS
    direction = target.op or ("<=" if dated else default_direction)
    if target.is_number:
        if actual is None or actual.is_empty:  # not filled in: nothing the data can decide (JX503 says so)
            return RowCompletion(
                "undecidable",
                None,
                None,
                direction,
                f"「{name}」目标 {target.raw}，实际完成值未填写，无法按数据计分",
            )
        if not actual.is_number:
            return RowCompletion(
                "undecidable",
                None,
                None,
                direction,
                f"「{name}」目标 {target.raw}，实际「{actual.raw}」不是数值，需人工判断",
            )
        if not units_compatible(target, actual):
            return RowCompletion(
                "undecidable",
                None,
                None,
                direction,
                f"「{name}」目标 {target.raw} 与实际 {actual.raw} 单位不同，无法比较",
            )
        if dated:
            return _deadline(name, target, actual)
        return _numeric(name, target, actual, direction, zero_at)
    # a qualitative target: decided only when the actual says plainly whether it was reached
    status = qualitative_status(actual.raw) if actual is not None and not actual.is_empty else None
    if (
        status is None
        and actual is not None
        and not actual.is_empty
        and compact(actual.raw) == compact(target.raw)
    ):
        status = "achieved"  # the very thing the target describes: 社会认可的办学环境 / 社会认可的办学环境
    if status == "achieved":
        return RowCompletion(
            "decided",
            ONE,
            None,
            direction,
            f"「{name}」目标「{target.raw}」，实际「{actual.raw}」：达成，100%",
        )
    if status == "not_achieved":
        return RowCompletion(
            "decided",
            ZERO,
            None,
            direction,
            f"「{name}」目标「{target.raw}」，实际「{actual.raw}」：未达成，0%",
        )
    shown = actual.raw if actual is not None and actual.raw else "空缺"
    return RowCompletion(
        "undecidable", None, None, direction, f"「{name}」为定性指标（实际「{shown}」），需人工判断"
    )


def _parts(
    name: str, parts: tuple[Indicator, ...], default_direction: str, zero_at: Decimal
) -> RowCompletion:
    """A group row scored by the rows under it (★补助瓜果蔬菜种植面积 → 梨树 6亩, 桃 1亩 …): their mean."""
    done = [row_completion(p, default_direction, zero_at) for p in parts]
    if any(c.status != "decided" for c in done):
        return RowCompletion(
            "undecidable", None, None, default_direction, f"「{name}」的分项不都能按数据判断，需人工判断"
        )
    ratio = sum((c.ratio for c in done), ZERO) / len(done)
    met = sum(1 for c in done if c.ratio >= ONE)
    return RowCompletion(
        "decided",
        ratio,
        None,
        default_direction,
        f"「{name}」{len(done)} 个分项完成 {met} 个，平均 {fmt_pct(ratio)}",
    )


DATE_UNITS = ("年月", "月")  # quantity's reading of 2021年12月 / 9月前: a deadline, met or missed


def _deadline(name: str, target: Quantity, actual: Quantity) -> RowCompletion:
    """A date is kept or missed: finishing earlier is finishing; later is not, however close."""
    shown = f"{actual.raw}/{target.raw}"
    if actual.value <= target.value:
        return RowCompletion("decided", ONE, None, "<=", f"「{name}」{shown}，按期完成，100%")
    return RowCompletion("decided", ZERO, None, "<=", f"「{name}」{shown}，晚于期限，0%")


def _numeric(
    name: str, target: Quantity, actual: Quantity, direction: str, zero_at: Decimal
) -> RowCompletion:
    t, a = target.value, actual.value
    assert t is not None and a is not None
    shown = f"{actual.raw}/{target.raw}"
    if direction == "<=":
        if a <= t:
            return RowCompletion(
                "decided", ONE, _safe_div(a, t), direction, f"「{name}」{shown}，未超出目标（≤），100%"
            )
        if t == 0:
            return RowCompletion(
                "decided", ZERO, None, direction, f"「{name}」{shown}，目标为 0 而实际超出，0%"
            )
        over = (a - t) / t
        ratio = max(ZERO, ONE - over / (zero_at - ONE))
        return RowCompletion(
            "decided",
            ratio,
            a / t,
            direction,
            f"「{name}」{shown}，超出目标 {fmt_pct(over)}，按比例得 {fmt_pct(ratio)}",
        )
    if t == 0:
        return RowCompletion("decided", ONE, None, direction, f"「{name}」{shown}，目标为 0，视为完成，100%")
    raw = a / t
    ratio = min(ONE, max(ZERO, raw))
    note = "（封顶 100%）" if raw > ONE else ""
    return RowCompletion("decided", ratio, raw, direction, f"「{name}」{shown} = {fmt_pct(raw)}{note}")


def _safe_div(a: Decimal, b: Decimal) -> Decimal | None:
    return a / b if b else None
