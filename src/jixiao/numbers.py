"""Decimal helpers: the one place scores and rates are rounded and numbers are printed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
# What a form's cell can hold: 15 digits before the point (as Excel keeps; no budget, score or indicator
# needs more) and 30 after. quantity's parsers read nothing longer; the report JSON refuses it.
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 30


def within_cell_range(number: Decimal) -> bool:
    """Whether a form's cell could hold this number, however it was written (1e400 could not)."""
    return not number or -MAX_FRACTION_DIGITS <= number.adjusted() < MAX_INTEGER_DIGITS


def rounded(value: Decimal, step: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """value to a multiple of step (0.01, 0.1), whatever its size. The default context holds 28 digits,
    and quantize refuses a result longer than that: a ratio of two absurd values a form can hold
    (an actual of 1亿亿 against a target of 0.0001) must still print, not crash."""
    if value.adjusted() < 20:  # every real amount, score and rate: the plain, quick path
        return value.quantize(step, rounding=rounding)
    with localcontext() as ctx:
        ctx.prec = value.adjusted() - step.adjusted() + 2
        return value.quantize(step, rounding=rounding)


def round_score(value: Decimal) -> Decimal:
    """Scores are kept to two decimals, half up (as bureaus round by hand)."""
    return rounded(value, _CENT)


def fmt(value: Decimal | None) -> str:
    """A decimal as people write it: '152', '9.91', '0.5' (no exponent, no trailing zeros)."""
    if value is None:
        return "—"
    return format(value.normalize(), "f")  # normalize drops trailing zeros; "f" never writes an exponent


def fmt_pct(ratio: Decimal) -> str:
    """A ratio as a percentage with one decimal: 0.27631 → '27.6%'."""
    return f"{rounded(ratio * HUNDRED, _TENTH)}%"


def to_json(value: Decimal | None) -> str | None:
    """The contract's number form: a JSON string holding the decimal, or null."""
    return None if value is None else fmt(value)
