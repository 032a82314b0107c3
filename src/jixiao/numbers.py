"""Decimal helpers: the one place scores and rates are rounded and numbers are printed."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


def round_score(value: Decimal) -> Decimal:
    """Scores are kept to two decimals, half up (as bureaus round by hand)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None) -> str:
    """A decimal as people write it: '152', '9.91', '0.5' (no exponent, no trailing zeros)."""
    if value is None:
        return "—"
    return format(value.normalize(), "f")  # normalize drops trailing zeros; "f" never writes an exponent


def fmt_pct(ratio: Decimal) -> str:
    """A ratio as a percentage with one decimal: 0.27631 → '27.6%'."""
    return f"{(ratio * HUNDRED).quantize(_TENTH, rounding=ROUND_HALF_UP)}%"


def to_json(value: Decimal | None) -> str | None:
    """The contract's number form: a JSON string holding the decimal, or null."""
    return None if value is None else fmt(value)
