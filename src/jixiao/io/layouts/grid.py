"""A form as a grid: rows of cells with their grid columns, and the matching of texts to roles.

A row is the filled cells sharing a table row, left to right (a paragraph is a row of one cell). Headers
map grid columns to roles by the words in the vocabulary; a data cell belongs to the header column whose
span holds it, so merged cells, spare columns and reordered columns read alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from jixiao.io.cells import Cell, compact, rows_of
from jixiao.numbers import rounded
from jixiao.quantity import parse_decimal

Row = list[Cell]
Roles = Mapping[str, tuple[str, ...]]  # role → words (label form)

_BRACKETS = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]")  # compact() has folded （） to ()
_ENUMERATOR = re.compile(
    r"^(?:\d{1,2}[.、．]|[一二三四五六七八九十]+、|\(\d{1,2}\)|\([一二三四五六七八九十]+\))"
)
_POINTS = re.compile(r"[(\[【]?\s*(\d+(?:\.\d+)?)\s*分\s*[)\]】]?$|[(\[【]\s*(\d+(?:\.\d+)?)\s*[)\]】]$")
_YEAR = re.compile(r"^[(]?\s*(20\d{2})\s*年度?\s*[)]?$")
_YEAR_IN_TEXT = re.compile(r"(20\d{2})\s*年度?|^(20\d{2})$")
_PREAMBLE = re.compile(r"^附(件|表)\s*\d*[:：]?$|^表\d+$|^[(]?(金额)?单位[:：](万元|元)[)]?$|^公开\d+表$")
_UNIT_NOTE = re.compile(r"^[(]?(?:金额)?单位[:：]?\s*(万元|元)[)]?$")
_TITLE_LINE = re.compile(
    r"自评表|评价表|自评报告|自评结果|评价报告|评价结论|绩效评价|年度[)]?$|附件\s*\d*$|盖章"
)
_NOTE = re.compile(r"^(注|备注|说明|填表说明|填报说明)\s*\d*\s*[:：.、]|^(注|说明|填表说明)$")
MIN_PREFIX = 3  # a word this long also matches headers that merely start with it


def col(cell: Cell) -> int:
    return cell.col if cell.col is not None else 0


def form_rows(cells: Sequence[Cell]) -> list[Row]:
    """The rows of a stream: filled cells left to right; blank rows dropped."""
    out = []
    for row in rows_of(cells):
        kept = sorted((c for c in row if c.text), key=col)
        if kept:
            out.append(kept)
    return out


def head(text: str) -> str:
    """A header or label as compared: label form, bracketed notes ((万元), （10分）, （签字）), a leading
    其中 and colons dropped."""
    key = _BRACKETS.sub("", compact(text)).strip(":：*")
    key = key.removeprefix("其中:").removeprefix("其中")
    return key.strip(":：") or compact(text)


def label_key(text: str) -> str:
    """A label as compared: like ``head``, and without a leading enumerator (1. 一、 （二）)."""
    key = head(text)
    return _ENUMERATOR.sub("", key) or key


def exact_role(key: str, roles: Roles) -> str | None:
    """The role one of whose words is the key (a word written with a trailing ! matches only so)."""
    bang = key + "!"
    for role, words in roles.items():
        if key in words or bang in words:
            return role
    return None


def match_role(key: str, roles: Roles) -> str | None:
    """The role one of whose words equals the key; else the one with the longest word it starts with."""
    found = exact_role(key, roles)
    if found is not None or not key:
        return found
    best, length = None, 0
    for role, words in roles.items():
        for word in words:
            if len(word) >= MIN_PREFIX and len(word) > length and key.startswith(word) and word[-1] != "!":
                best, length = role, len(word)
    return best


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Grid column → role, from a header row. Cells left of the first header column are row labels."""

    roles: Mapping[int, str]

    @property
    def first(self) -> int:
        return min(self.roles)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.roles.values())

    def role_of(self, column: int) -> str | None:
        if column < self.first:
            return None
        if column in self.roles:
            return self.roles[column]
        return self.roles[max(c for c in self.roles if c < column)]  # under a header spanning columns

    def split(self, row: Row) -> tuple[dict[str, Cell], list[Cell]]:
        """(role → cell, label cells left of the table); a second cell under one role is ignored."""
        values: dict[str, Cell] = {}
        labels: list[Cell] = []
        for cell in row:
            role = self.role_of(col(cell))
            if role is None:
                labels.append(cell)
            elif role not in values:
                values[role] = cell
        return values, labels


class CarryForward:
    """Levels (一级/二级指标) of merged cells: a blank level repeats the one above; a new one resets deeper ones."""

    def __init__(self, depth: int):
        self.values: list[str | None] = [None] * depth

    def __call__(self, given: Sequence[str | None]) -> list[str | None]:
        for i, value in enumerate(given):
            if value:
                self.values[i] = value
                for deeper in range(i + 1, len(self.values)):
                    if not given[deeper]:
                        self.values[deeper] = None
        return list(self.values)


def strip_points(label: str | None) -> tuple[str | None, Decimal | None]:
    """'产出指标（50分）' and '产出指标（50）' → ('产出指标', 50); '（50分）' alone → (None, 50); a label
    without points is returned as it is."""
    if not label:
        return label, None
    text = label.strip().replace("（", "(").replace("）", ")")
    m = _POINTS.search(text)
    if not m:
        return label, None
    points = Decimal(m.group(1) or m.group(2))
    if m.start() == 0:
        return None, points
    return text[: m.start()].rstrip(" :：\u3000") or label, points


def percent_number(text: str | None) -> Decimal | None:
    """A rate in percent: '98.5%' and '98.5' → 98.5; a fraction written without % ('0.985', '1') → 98.5, 100."""
    if not text:
        return None
    work = compact(text)
    value = parse_decimal(work)
    if value is None:
        return None
    if not work.endswith("%") and 0 < value <= 1:
        return value * 100
    return value


def split_evenly(points: Decimal, n: int) -> list[Decimal]:
    """points over n rows to the cent; the last row takes the remainder, so the parts add up exactly."""
    if n <= 0:
        return []
    share = rounded(points / n, Decimal("0.01"), ROUND_DOWN)
    return [share] * (n - 1) + [points - share * (n - 1)]


def year_of(text: str | None) -> int | None:
    """2021 from '（2021年度）' (a row of its own) or from a title that states it."""
    if not text:
        return None
    key = compact(text)
    m = _YEAR.match(key) or _YEAR_IN_TEXT.search(key)
    return int(m.group(1) or m.group(2)) if m else None


def is_year_line(key: str) -> bool:
    return _YEAR.match(key) is not None


def is_preamble(key: str) -> bool:
    return _PREAMBLE.match(key) is not None


def unit_note(key: str) -> str | None:
    m = _UNIT_NOTE.match(key)
    return m.group(1) if m else None


def is_title_line(key: str, longest: int = 40) -> bool:
    """A line of the kind that stands above a form: its title, 附件N, the year, a 盖章 line."""
    return len(key) <= longest and _TITLE_LINE.search(key) is not None


def is_note(key: str) -> bool:
    return _NOTE.match(key) is not None


def unit_in(text: str) -> str | None:
    """The money unit a header or label names: （万元） → 万元, （元） → 元."""
    key = compact(text)
    if "万元" in key:
        return "万元"
    if "(元)" in key or "单位:元" in key or "单位：元" in key:
        return "元"
    return None


def words_in(cells: Iterable[Cell], limit: int) -> str:
    """The label forms of the first cells joined by NUL: one C-speed substring search instead of a loop."""
    out = []
    for n, cell in enumerate(cells):
        if n >= limit:
            break
        if cell.key:
            out.append(cell.key)
    return "\x00".join(out)
