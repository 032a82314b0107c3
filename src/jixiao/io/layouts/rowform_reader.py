"""The grid reader of the row-laid-out forms: one form's rows → a ``rowforms.Form``.

Walks the rows once. A row that is a header starts its block (funds, indicator/score table, goals) and
the block reads on while its rows fit; any other row is read as labels with their values (project facts,
totals, narrative, sign-off). What no block or label took is listed as unrecognised content.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from jixiao.domain import Goal, NarrativeSection
from jixiao.io.cells import Cell, clean, compact, one_line
from jixiao.io.layouts.rowforms import (
    BLOCK_LABELS,
    FUND_AMOUNT_FIELDS,
    FUND_COLUMNS,
    GOAL_COLUMNS,
    LABELS,
    LEVELS,
    POINTS_WORDS,
    SIGNOFF_AFTER_BLOCKS,
    TABLE_COLUMNS,
    TITLE_LINE,
    TOTAL_ROW_LABELS,
    UNIT_NOTE,
    Form,
    FundLine,
    Row,
    Table,
    TableLine,
    col,
    fund_source,
    head,
    is_placeholder,
    match,
    rate_number,
    where,
)
from jixiao.quantity import parse_amount, parse_score

_LABEL_ALTERNATION = "|".join(sorted(map(re.escape, LABELS), key=len, reverse=True))
# "项目负责人（签字）：张三" — label, optional bracket, colon, value (up to the next label).
_INLINE = re.compile(rf"({_LABEL_ALTERNATION})\s*(?:[(（][^)）]*[)）])?\s*[:：]")
# "项目名称　农村公路提质改造" — label and value in one cell, apart by spaces only.
_SPACED = re.compile(rf"^\s*({_LABEL_ALTERNATION})[ \t\u3000]+(\S.*)$", re.S)
_POINTS = re.compile(r"(\d+(?:\.\d+)?)分")
_YEAR = re.compile(r"(20\d{2})\s*年")
_FORM_NAME = re.compile(r"自评表|评价表|自评报告|绩效评价")  # the title proper, not 附件2 or (2020年度)
_NOTE = re.compile(r"^(注|备注|说明|填表说明|填报说明)\s*\d*\s*[:：.、]")


def read_form(rows: list[Row]) -> Form:
    reader = _Reader(rows)
    reader.run()
    return reader.form


class _Reader:
    def __init__(self, rows: list[Row]):
        self.rows = rows
        self.form = Form()
        self.used: set[int] = set()  # id() of the cells read; the rows keep every cell alive
        self.seen_block = False

    def use(self, *cells: Cell | None) -> None:
        for cell in cells:
            if cell is not None:
                self.used.add(id(cell))

    def run(self) -> None:
        i = 0
        while i < len(self.rows):
            row = self.rows[i]
            if _fund_header(row):
                i = self.fund_block(i)
            elif _level_header(row):
                i = self.table(i)
            elif _goal_header(row):
                i = self.goal_block(i)
            else:
                self.label_row(row)
                i += 1
        for row in self.rows:
            rest = [c for c in row if id(c) not in self.used and not is_placeholder(c.text)]
            if rest:
                shown = " / ".join(_short(c.text) for c in rest)
                self.form.leftovers.append(f"无法识别的内容：{where(rest[0])}「{shown}」")

    # -- the funds block ------------------------------------------------------------------------
    def fund_block(self, i: int) -> int:
        self.seen_block = True
        header = self.rows[i]
        columns: list[tuple[int, str]] = []
        for cell in header:
            name = match(head(cell.text), FUND_COLUMNS)
            if name:
                columns.append((col(cell), name))
                self.use(cell)
                self._unit_from(cell.text)
            elif self._block_label(cell):
                self.use(cell)
        first = min(c for c, _ in columns)
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            left = [c for c in row if col(c) < first]
            source = next(((c, key) for c in left if (key := fund_source(head(c.text)))), None)
            if source is None:
                break
            label_cell, key = source
            self.use(label_cell)
            for cell in left:
                if cell is not label_cell and self._block_label(cell):
                    self.use(cell)
            values = self._by_column(row, columns, first)
            amounts = {f: self._amount(values.get(f)) for f in FUND_AMOUNT_FIELDS}
            note = values.get("note")
            self.use(note)
            self.form.funds.append(
                FundLine(
                    key=key,
                    label=one_line(label_cell.text.split("：")[-1].split(":")[-1]) or label_cell.text,
                    amounts=amounts,
                    rate=self._number(values.get("rate"), rate_number),
                    weight=self._number(values.get("weight"), parse_score),
                    score=self._number(values.get("score"), parse_score),
                    note=clean(note.text) if note else None,
                    cell=next((values[f] for f in FUND_AMOUNT_FIELDS if f in values), label_cell),
                )
            )
            j += 1
        return j

    def _block_label(self, cell: Cell) -> bool:
        key = head(cell.text)
        if key not in BLOCK_LABELS:
            return False
        m = _POINTS.search(compact(cell.text))
        if m and key in ("预算执行情况", "项目资金", "资金情况", "预算资金"):
            self.form.fund_points = Decimal(m.group(1))
        self._unit_from(cell.text)
        return True

    def _unit_from(self, text: str) -> None:
        key = compact(text)
        if "万元" in key:
            self.form.fund_unit = "万元"
        elif "(元)" in key:
            self.form.fund_unit = "元"

    def _by_column(self, row: Row, columns: list[tuple[int, str]], first: int) -> dict[str, Cell]:
        """Each value cell under the header column whose span holds it (a header spans to the next one)."""
        out: dict[str, Cell] = {}
        ordered = sorted(columns)
        for cell in row:
            c = col(cell)
            if c < first:
                continue
            name = None
            for start, field_name in ordered:
                if start <= c:
                    name = field_name
            if name and name not in out:
                out[name] = cell
        return out

    def _amount(self, cell: Cell | None) -> Decimal | None:
        if cell is None:
            return None
        value = parse_amount(cell.text)[0]
        if value is not None or is_placeholder(cell.text):
            self.use(cell)
        return value

    def _number(self, cell: Cell | None, reader: Callable[[str], Decimal | None]) -> Decimal | None:
        if cell is None:
            return None
        value = reader(cell.text)
        if value is not None or is_placeholder(cell.text):
            self.use(cell)
        return value

    # -- indicator and score tables -------------------------------------------------------------
    def table(self, i: int) -> int:
        self.seen_block = True
        header = self.rows[i]
        columns: list[tuple[int, str]] = []
        last = None
        for cell in header:
            key = head(cell.text)
            name = LEVELS.get(key)
            if name is None and key in POINTS_WORDS:
                name = "p" + last[1] if last in ("l1", "l2", "l3") else "weight"
            if name is None:
                name = match(key, TABLE_COLUMNS)
            if name is None:
                if self._block_label(cell):
                    self.use(cell)
                last = None
                continue
            if name not in {n for _, n in columns}:
                columns.append((col(cell), name))
                self.use(cell)
            last = name
        first = min(c for c, _ in columns)
        table = Table(columns=frozenset(n for _, n in columns))
        self.form.tables.append(table)
        levels: list[str | None] = [None, None, None]
        points: dict[str, Decimal | None] = {"p1": None, "p2": None}
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            if _ends_table(row):
                break
            if _is_total_row(row):
                self._table_total(table, row, columns, first)
                j += 1
                break
            values = self._by_column(row, columns, first)
            for cell in row:
                if col(cell) < first and self._block_label(cell):
                    self.use(cell)
            texts = {k: clean(v.text) for k, v in values.items()}
            l1, l2, l3 = (one_line(texts.get(k)) for k in ("l1", "l2", "l3"))
            self.use(*(values.get(k) for k in ("l1", "l2", "l3", "op", "target", "unit", "actual")))
            self.use(*(values.get(k) for k in ("note", "standard", "core")))
            if l1:
                levels = [l1, None, None]
                points = {"p1": self._number(values.get("p1"), parse_score), "p2": None}
            if l2:
                levels[1] = l2
                points["p2"] = self._number(values.get("p2"), parse_score)
            line_points = {
                **points,
                "p3": self._number(values.get("p3"), parse_score),
                "weight": self._number(values.get("weight"), parse_score),
            }
            score = self._number(values.get("score"), parse_score)
            review = self._number(values.get("review"), parse_score)
            has_leaf = "l3" in table.columns
            name = l3 if has_leaf else l2
            value_texts = {k: texts.get(k) for k in ("op", "target", "unit", "actual", "note")}
            if name or any(value_texts[k] for k in ("target", "actual")) or score is not None:
                leaf_levels = (levels[0], levels[1], l3) if has_leaf else (levels[0], levels[1], None)
                table.lines.append(
                    TableLine(
                        levels=leaf_levels,
                        points=line_points,
                        texts=value_texts,
                        score=score,
                        review=review,
                        cell=values.get("l3") or values.get("l2") or row[0],
                    )
                )
            j += 1
        return j

    def _table_total(self, table: Table, row: Row, columns: list[tuple[int, str]], first: int) -> None:
        self.use(row[0])
        values = self._by_column(row, columns, first)
        for name in ("p1", "p2", "p3", "weight"):  # the points total (100): read, nothing to keep
            self._number(values.get(name), parse_score)
        table.total_score = self._number(values.get("score"), parse_score)
        table.total_review = self._number(values.get("review"), parse_score)
        table.total_cell = values.get("score")
        if table.total_score is None:  # no column under 得分: the last number of the row
            numbers = [c for c in row[1:] if parse_score(c.text) is not None]
            if numbers:
                table.total_score = parse_score(numbers[-1].text)
                table.total_cell = numbers[-1]
                self.use(numbers[-1])
        for cell in row[1:]:
            key = head(cell.text)
            if key in LABELS and LABELS[key][0] == "total":  # "总分 | 92 | 评价等次 | 优" on one row
                self.use(cell)
                nxt = _next_after(row, cell)
                if nxt is not None and id(nxt) not in self.used:
                    self._put_total(LABELS[key][1], nxt)

    # -- 年度总体目标 -------------------------------------------------------------------------------
    def goal_block(self, i: int) -> int:
        header = self.rows[i]
        columns = []
        for cell in header:
            name = match(head(cell.text), GOAL_COLUMNS)
            if name and name not in {n for _, n in columns}:
                columns.append((col(cell), name))
                self.use(cell)
            elif self._block_label(cell):
                self.use(cell)
        first = min(c for c, _ in columns)
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            left = [c for c in row if col(c) < first]
            if any(not self._block_label(c) for c in left) or _fund_header(row) or _level_header(row):
                break
            self.use(*left)
            values = self._by_column(row, columns, first)
            self.use(*values.values())
            expected = clean(values["expected"].text) if "expected" in values else None
            actual = clean(values["actual"].text) if "actual" in values else None
            if expected or actual:
                self.form.goals.append(Goal(expected, actual))
            j += 1
        return j

    # -- label rows: title, facts, totals, narrative, sign-off ----------------------------------
    def label_row(self, row: Row) -> None:
        if len(row) == 1 and self._lone_line(row[0]):
            return
        for k, cell in enumerate(row):
            if id(cell) in self.used:
                continue
            key = head(cell.text)
            label = self._label(key)
            if label is not None:
                self.use(cell)
                value = next((c for c in row[k + 1 :] if id(c) not in self.used), None)
                if value is not None and self._label(head(value.text)) is None:
                    self.use(value)
                    self._put(label, value)
                continue
            spaced = _SPACED.match(cell.text)
            if _INLINE.match(compact(cell.text)):
                self._inline(cell)
            elif spaced and LABELS[spaced.group(1)][0] in ("fact", "total"):
                self.use(cell)
                self._put(self._label(spaced.group(1)) or LABELS[spaced.group(1)], cell, spaced.group(2))
            elif self._block_label(cell):
                self.use(cell)

    def _label(self, key: str) -> tuple[str, str] | None:
        if self.seen_block and key in SIGNOFF_AFTER_BLOCKS:
            return ("signoff", SIGNOFF_AFTER_BLOCKS[key])
        return LABELS.get(key)

    def _lone_line(self, cell: Cell) -> bool:
        """A title, year, unit or note line standing alone."""
        key = compact(cell.text)
        if _NOTE.match(key):
            self.use(cell)
            return True
        unit = UNIT_NOTE.match(key)
        if unit:
            self.form.fund_unit = unit.group(2)
            self.use(cell)
            return True
        if len(key) <= 40 and TITLE_LINE.search(key) and not _INLINE.match(key):
            if self.form.title is None and _FORM_NAME.search(key):
                self.form.title = one_line(cell.text)
            m = _YEAR.search(key)
            if m and self.form.year is None:
                self.form.year = int(m.group(1))
            self.use(cell)
            return True
        return False

    def _inline(self, cell: Cell) -> None:
        """'项目负责人（签字）：张三  财务负责人：李四' — labels with their values inside one cell."""
        text = cell.text
        found = list(_INLINE.finditer(text))
        if not found:
            return
        pieces = []
        for n, m in enumerate(found):
            end = found[n + 1].start() if n + 1 < len(found) else len(text)
            pieces.append((m.group(1), text[m.end() : end]))
        self.use(cell)
        for key, value in pieces:
            value = one_line(value)
            if value:
                self._put(self._label(key) or LABELS[key], cell, value)

    def _put(self, label: tuple[str, str], cell: Cell, text: str | None = None) -> None:
        kind, name = label
        value = text if text is not None else cell.text
        if kind == "fact":
            self.form.facts.setdefault(name, one_line(value) or "")
        elif kind == "total":
            self._put_total(name, cell, value)
        elif kind == "narrative":
            body = clean(value)
            if body:
                self.form.narrative.append(NarrativeSection(name, body))
        elif kind == "signoff":
            self.form.signoff.append((name, one_line(value) or "", cell))

    def _put_total(self, name: str, cell: Cell, text: str | None = None) -> None:
        self.use(cell)
        self.form.totals.setdefault(name, one_line(text if text is not None else cell.text) or "")
        self.form.total_cells.setdefault(name, cell)


# --------------------------------------------------------------------------- row kinds


def _heads(row: Row) -> list[str]:
    return [head(c.text) for c in row]


def _fund_header(row: Row) -> bool:
    found = {match(k, FUND_COLUMNS) for k in _heads(row)}
    return len(found & {"planned", "budget", "arrived", "spent"}) >= 2 and not _level_header(row)


def _level_header(row: Row) -> bool:
    return sum(1 for k in _heads(row) if k in LEVELS) >= 2


def _goal_header(row: Row) -> bool:
    found = {match(k, GOAL_COLUMNS) for k in _heads(row)}
    return {"expected", "actual"} <= found and len(row) <= 4


def _is_total_row(row: Row) -> bool:
    key = head(row[0].text)
    return key in TOTAL_ROW_LABELS


def _ends_table(row: Row) -> bool:
    key = head(row[0].text)
    if key in TOTAL_ROW_LABELS:
        return False
    kind = LABELS.get(key, ("", ""))[0]
    return (
        kind in ("narrative", "signoff", "total", "fact")
        or key in SIGNOFF_AFTER_BLOCKS
        or bool(_INLINE.match(compact(row[0].text)))
        or _fund_header(row)
        or _level_header(row)
        or _goal_header(row)
        or bool(_NOTE.match(compact(row[0].text)))
    )


def _next_after(row: Row, cell: Cell) -> Cell | None:
    for k, c in enumerate(row):
        if c is cell:
            return row[k + 1] if k + 1 < len(row) else None
    return None


def _short(text: str, limit: int = 40) -> str:
    line = one_line(text) or ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
