"""What a report written as prose says in figures: the money sentences a reviewer reads out of it.

Used by the generic reading when a file has no funds table: "2017年市财政预算安排5,000.00万元。…实际核拨
6,027.60万元，…实际支出6,027.60万元" gives planned / arrived / spent; "项目预算执行率99%" the stated rate;
"综合评价得分为 99.8分" the self-score. The words are data (vocabulary ``prose``); a figure counts only
when it follows its word within the same clause, in 万元.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.quantity import compact, parse_decimal

_AMOUNT = r"([0-9][0-9,]*(?:\.[0-9]+)?)万元"
_CLAUSE = r"[^。；;，,0-9]{0,24}?"
_SOURCES = (
    ("中央", "central"),
    ("省", "provincial"),
    ("自治区", "provincial"),
    ("市", "city"),
    ("县", "county"),
)


@dataclass
class ProseFigures:
    amounts: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # funds key → field → amount
    rate: Decimal | None = None
    total: Decimal | None = None


def _source(before: str, between: str) -> str:
    for text in (between, before):
        for word, key in _SOURCES:
            if word in text:
                return key
    return "total"


def read_prose(texts: Iterable[str], words: Mapping[str, tuple[str, ...]]) -> ProseFigures:
    out = ProseFigures()
    patterns = {
        name: re.compile(
            "(" + "|".join(map(re.escape, sorted(ws, key=len, reverse=True))) + ")" + f"({_CLAUSE})" + _AMOUNT
        )
        for name, ws in words.items()
        if name in ("planned", "budget", "arrived", "spent") and ws
    }
    rate = re.compile(
        "(?:"
        + "|".join(map(re.escape, words.get("rate", ()) or ("执行率",)))
        + r")(?:为|达|达到)?([0-9]+(?:\.[0-9]+)?)%"
    )
    total = re.compile(
        "(?:"
        + "|".join(map(re.escape, words.get("total", ()) or ("自评得分",)))
        + r")(?:为|是)?([0-9]+(?:\.[0-9]+)?)分"
    )
    for text in texts:
        key = compact(text)
        for name, pattern in patterns.items():
            for m in pattern.finditer(key):
                amount = parse_decimal(m.group(3).replace(",", ""))
                if amount is None:
                    continue
                source = _source(key[max(0, m.start() - 8) : m.start()], m.group(2))
                out.amounts.setdefault(source, {}).setdefault(name, amount)
        if out.rate is None and (m := rate.search(key)):
            out.rate = parse_decimal(m.group(1))
        if out.total is None and (m := total.search(key)):
            out.total = parse_decimal(m.group(1))
    sources = [k for k in out.amounts if k != "total"]
    if "total" not in out.amounts and len(sources) == 1:  # one source named: it is the whole of the money
        out.amounts["total"] = dict(out.amounts[sources[0]])
    return out
