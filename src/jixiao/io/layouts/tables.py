"""Row and column machinery for forms read as grids (the 财预〔2020〕10号 自评表 families).

A form is a list of rows (cells sharing table and row; a paragraph is a row of one cell). A table
inside it starts at a header row, found by synonyms: each column role (年度指标值, 分值 …) has the
texts forms use for it, kept as data. Data rows map their cells to roles by grid column, so merged
cells, spare columns and reordered columns read alike. Every cell a parser uses is marked, and what
is left over is reported, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from jixiao.io.cells import Cell, compact, rows_of
from jixiao.numbers import rounded
from jixiao.quantity import parse_decimal

Row = list[Cell]
Synonyms = Mapping[str, tuple[str, ...]]  # column role → header texts (label form, brackets removed)

_BRACKETS = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")
_POINTS = re.compile(r"[(（\[【]?\s*(\d+(?:\.\d+)?)\s*分\s*[)）\]】]?$")
# lines that open the next form: 附件2, 表1, 单位：元
_PREAMBLE = re.compile(r"^附(件|表)\s*\d*[:：]?$|^表\d+$|^[(（]?(金额)?单位[:：](万元|元)[)）]?$")
_YEAR = re.compile(r"^[(（]?\s*(20\d{2})\s*年度?\s*[)）]?$")
_YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年度?")
_MIN_PREFIX = 4  # a synonym this long also matches headers that merely start with it


def header_key(text: str) -> str:
    """The form of a header text used for matching: label form, bracketed parts and colons removed."""
    return _BRACKETS.sub("", compact(text)).rstrip(":：")


def match_role(text: str, synonyms: Synonyms) -> str | None:
    """The role whose synonym equals the header text; failing that, the longest synonym it starts with."""
    key = header_key(text)
    if not key:
        return None
    best: tuple[int, str] | None = None
    for role, words in synonyms.items():
        for word in words:
            if key == word:
                return role
            if len(word) >= _MIN_PREFIX and key.startswith(word) and (best is None or len(word) > best[0]):
                best = (len(word), role)
    return best[1] if best else None


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Grid column → role, from a header row. Cells left of the first header column are row labels."""

    roles: Mapping[int, str]

    @property
    def first(self) -> int:
        return min(self.roles)

    def role_of(self, col: int | None) -> str | None:
        if col is None or col < self.first:
            return None
        if col in self.roles:
            return self.roles[col]
        # a data cell under a header that spans several grid columns
        return self.roles[max(c for c in self.roles if c < col)]

    def split(self, row: Row) -> tuple[dict[str, Cell], list[Cell], list[Cell]]:
        """(role → cell, label cells left of the table, surplus filled cells sharing a role)."""
        values: dict[str, Cell] = {}
        labels: list[Cell] = []
        surplus: list[Cell] = []
        for cell in row:
            role = self.role_of(cell.col)
            if role is None:
                if cell.text:
                    labels.append(cell)
            elif role not in values or (cell.text and not values[role].text):
                values[role] = cell
            elif cell.text:
                surplus.append(cell)
        return values, labels, surplus


def find_header(row: Row, synonyms: Synonyms, need: int) -> ColumnMap | None:
    """A ColumnMap when at least ``need`` distinct roles head this row's cells, else None."""
    roles: dict[int, str] = {}
    for cell in row:
        if not cell.text or cell.col is None:
            continue
        role = match_role(cell.text, synonyms)
        if role is not None and role not in roles.values():
            roles[cell.col] = role
    return ColumnMap(roles) if len(roles) >= need else None


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


class Usage:
    """Which filled cells a parser used; the rest of a form is reported as unplaced."""

    def __init__(self) -> None:
        self._used: set[int] = set()

    def use(self, *cells: Cell | None) -> None:
        for cell in cells:
            if cell is not None:
                self._used.add(id(cell))

    def use_row(self, row: Iterable[Cell]) -> None:
        self.use(*row)

    def leftovers(self, rows: Iterable[Row]) -> list[Cell]:
        return [c for row in rows for c in row if c.text and id(c) not in self._used]


def describe_unplaced(cell: Cell, limit: int = 30) -> str:
    """「无法识别的内容：表1第12行第3列「……」」 — where the cell is and how it starts."""
    where = cell.ref or (f"第{cell.line}行" if cell.line else "表格中")
    text = " ".join(cell.text.split())
    if len(text) > limit:
        text = text[:limit] + "…"
    return f"无法识别的内容：{where}「{text}」"


def form_rows(cells: Sequence[Cell]) -> list[Row]:
    return [row for row in rows_of(cells) if any(c.text for c in row)]


def filled(row: Row) -> list[Cell]:
    return [c for c in row if c.text]


def split_forms(
    rows: Sequence[Row],
    is_title: Callable[[Row], bool],
    is_first_label: Callable[[Row], bool] | None = None,
) -> list[list[Row]]:
    """Rows grouped per form, in file order. A form starts at its title row; failing a title (a form
    pasted without one), at a second first-label row (项目名称) in the same form. Rows before the first
    title belong to the first form; a preamble row (附件2) just before a title goes with that title."""
    forms: list[list[Row]] = [[]]
    seen_label = False
    seen_title = False
    for row in rows:
        starts = False
        if is_title(row):
            starts = seen_title or seen_label
            seen_title = True
        elif is_first_label is not None and is_first_label(row):
            starts = seen_label
        if starts:
            carried: list[Row] = []
            while forms[-1] and is_preamble(forms[-1][-1]):
                carried.insert(0, forms[-1].pop())
            forms.append(carried)
            seen_label = False
            seen_title = is_title(row)
        if is_first_label is not None and is_first_label(row):
            seen_label = True
        forms[-1].append(row)
    return [f for f in forms if f]


def is_preamble(row: Row) -> bool:
    cells = filled(row)
    return len(cells) == 1 and _PREAMBLE.match(cells[0].key) is not None


def year_of(text: str) -> int | None:
    """2021 from '（2021年度）' (a row of its own) or from a title that states it."""
    m = _YEAR.match(compact(text)) or _YEAR_IN_TITLE.search(compact(text))
    return int(m.group(1)) if m else None


def is_year_row(row: Row) -> bool:
    cells = filled(row)
    return len(cells) == 1 and _YEAR.match(cells[0].key) is not None


def strip_points(label: str | None) -> tuple[str | None, Decimal | None]:
    """'产出指标（50分）' → ('产出指标', 50); a label without points is returned as it is."""
    if not label:
        return label, None
    m = _POINTS.search(label.strip())
    if not m or m.start() == 0:
        return label, None
    return label[: m.start()].rstrip(" :：\u3000") or label, Decimal(m.group(1))


def percent_number(text: str | None) -> Decimal | None:
    """A rate in percent: '98.5%' and '98.5' → 98.5; a fraction written without % ('0.985') → 98.5."""
    if not text:
        return None
    work = compact(text)
    value = parse_decimal(work)
    if value is None:
        return None
    if not work.endswith("%") and "." in work and 0 < value <= 1:
        return value * 100
    return value


def split_evenly(points: Decimal, n: int) -> list[Decimal]:
    """points over n rows to the cent; the last row takes the remainder, so the parts add up exactly."""
    if n <= 0:
        return []
    share = rounded(points / n, Decimal("0.01"), ROUND_DOWN)
    return [share] * (n - 1) + [points - share * (n - 1)]


@dataclass
class Pairs:
    """Label/value pairs of a header block: '项目名称 | X' or '主管部门 | Y | 实施单位 | Z' or '项目名称：X'."""

    labels: Synonyms  # field → label texts
    found: dict[str, tuple[str, Cell]] = field(default_factory=dict)
    _inline: re.Pattern[str] | None = field(default=None, repr=False)

    def label_of(self, cell: Cell) -> tuple[str, str | None] | None:
        """(field, value written in the same cell after a colon) when the cell is one of the labels."""
        text = compact(cell.text)
        head, sep, _ = text.partition(":")
        role = match_role(head if sep else text, self.labels)
        if role is None:
            return None
        if sep:
            after = cell.text.split("：", 1)[-1] if "：" in cell.text else cell.text.split(":", 1)[-1]
            return role, after.strip() or None
        return role, None

    def starts(self, row: Row) -> bool:
        cells = filled(row)
        return bool(cells) and self.label_of(cells[0]) is not None

    def inline(self, text: str) -> list[tuple[str, str | None]]:
        """Several pairs in one cell: '填表人：张三  联系电话：0730-1234567  填报日期：2022年3月1日'."""
        if self._inline is None:
            words = sorted({w for ws in self.labels.values() for w in ws}, key=len, reverse=True)
            self._inline = re.compile("(" + "|".join(map(re.escape, words)) + r")\s*[:：]")
        matches = list(self._inline.finditer(text))
        if len(matches) < 2 or text[: matches[0].start()].strip():
            return []
        out = []
        for m, end in zip(matches, [*(n.start() for n in matches[1:]), len(text)], strict=True):
            role = match_role(m.group(1), self.labels)
            if role is not None:
                out.append((role, text[m.end() : end].strip() or None))
        return out

    def read(self, row: Row, usage: Usage) -> None:
        cells = filled(row)
        i = 0
        while i < len(cells):
            several = self.inline(cells[i].text)
            if several:
                usage.use(cells[i])
                for role, value in several:
                    if value is not None:
                        self.found.setdefault(role, (value, cells[i]))
                i += 1
                continue
            hit = self.label_of(cells[i])
            if hit is None:
                i += 1
                continue
            role, inline = hit
            usage.use(cells[i])
            if inline is not None:
                self.found.setdefault(role, (inline, cells[i]))
                i += 1
                continue
            if i + 1 < len(cells) and self.label_of(cells[i + 1]) is None:
                usage.use(cells[i + 1])
                self.found.setdefault(role, (cells[i + 1].text, cells[i + 1]))
                i += 2
                continue
            i += 1

    def get(self, *roles: str) -> str | None:
        for role in roles:
            if role in self.found:
                return self.found[role][0]
        return None


def haystack(cells: Sequence[Cell], limit: int = 600) -> str:
    """The label forms of the first cells joined by NUL: one C-speed substring search instead of a loop."""
    return "\x00".join(c.key for c in cells[:limit] if c.key)
