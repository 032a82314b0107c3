"""The one grid reader: a form's rows → what it holds (``FormRead``), by the words of a layout spec.

Walks the rows once. A header row starts its block (funds, goals, an indicator or score table) and the
block reads on while its rows fit; any other row is read as labels with their values (project facts,
totals, narrative, sign-off). Every cell the reader takes is marked; what is left is reported as
``Unplaced`` — never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.domain import Goal, NarrativeSection
from jixiao.io.cells import Cell, clean, compact, joined, one_line
from jixiao.io.layouts.grid import (
    CarryForward,
    ColumnMap,
    Row,
    col,
    exact_role,
    head,
    is_note,
    is_preamble,
    is_title_line,
    is_year_line,
    label_key,
    match_role,
    percent_number,
    strip_points,
    unit_in,
    unit_note,
    year_of,
)
from jixiao.io.layouts.spec import LayoutSpec
from jixiao.quantity import parse_amount, parse_score

FUND_AMOUNTS = ("planned", "budget", "arrived", "spent", "balance")
LEVEL_ROLES = ("level1", "level2", "name")
LEVEL_WORDS = frozenset({"一级指标", "二级指标", "三级指标"})
VALUE_ROLES = (
    "op",
    "target",
    "target_initial",
    "unit",
    "actual",
    "note",
    "standard",
    "core",
    "coefficient",
    "method",
)


@dataclass
class FundLine:
    key: str
    label: str
    amounts: dict[str, Decimal | None]
    rate: Decimal | None
    weight: Decimal | None
    score: Decimal | None
    note: str | None
    cell: Cell  # the row's label


@dataclass
class TableLine:
    levels: tuple[str | None, str | None, str | None]
    points: dict[str, Decimal | None]  # p1 / p2 / p3 (level points) and weight (the row's own)
    texts: dict[
        str, str | None
    ]  # op, target, target_initial, unit, actual, note, standard, core, coefficient
    score: Decimal | None
    review: Decimal | None
    cell: Cell

    @property
    def leaf_points(self) -> Decimal | None:
        """The leaf's own points: 三级 分值 (or the row's 权重); a 二级 leaf's 分值 where there is no 三级."""
        keys = (
            ("p3", "weight") if self.levels[2] else ("weight", "p2") if self.levels[1] else ("weight", "p1")
        )
        return next((self.points[k] for k in keys if self.points.get(k) is not None), None)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(p for p in self.levels if p)


@dataclass
class Table:
    columns: frozenset[str]
    lines: list[TableLine] = field(default_factory=list)
    heading_points: dict[tuple[str, ...], Decimal] = field(
        default_factory=dict
    )  # (level1[, level2]) → points
    total_score: Decimal | None = None
    total_review: Decimal | None = None
    total_cell: Cell | None = None
    total_points: Decimal | None = None

    @property
    def has_values(self) -> bool:
        """An indicator table: it has target or actual columns (else it is a score table)."""
        return bool({"target", "target_initial", "actual"} & self.columns)


@dataclass
class BlankMark:
    """A place the form asks to be filled, found empty (or holding its instruction text)."""

    label: str  # as the form (or the field's Chinese name) says it
    cell: Cell | None
    instruction: bool = False
    why: str = ""
    field: str | None = None  # the fact it stands for: a value found elsewhere makes it no blank
    group: str | None = None  # blanks of one row or block are one problem


@dataclass
class FormRead:
    """What one form holds, as read: values with the cells they came from."""

    title: str | None = None
    year: int | None = None
    fund_unit: str | None = None
    fund_points: Decimal | None = None
    funds: list[FundLine] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    goal_cells: list[Cell] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    facts: dict[str, tuple[str, Cell]] = field(default_factory=dict)
    totals: dict[str, tuple[str, Cell]] = field(default_factory=dict)
    narrative: list[NarrativeSection] = field(default_factory=list)
    narrative_cells: list[tuple[str, Cell]] = field(default_factory=list)
    signoff: list[tuple[str, str, Cell]] = field(default_factory=list)
    unplaced: list[Cell] = field(default_factory=list)
    blanks: list[BlankMark] = field(default_factory=list)  # labelled places left empty
    blocks: list[str] = field(default_factory=list)  # funds / goals / indicators / scores, in order found
    total_cell: Cell | None = None  # where the form keeps its total (a 总分 row or label), filled or not


class Words:
    """The spec's vocabulary arranged for the reader: one lookup table per question it asks."""

    def __init__(self, spec: LayoutSpec):
        v = spec.vocabulary
        assert v is not None
        self.spec = spec
        self.fund_columns = v.section("fund_columns")
        self.fund_sources = v.section("fund_sources")
        self.goal_columns = v.section("goal_columns")
        self.levels = v.section("levels")
        self.indicator_columns = v.section("indicator_columns")
        self.points = frozenset(v.words("points"))
        self.total_rows = frozenset(v.words("total_rows"))
        self.block_labels = frozenset(v.words("block_labels"))
        self.placeholders = frozenset(v.words("placeholders"))
        self.fund_skipped = v.words("fund_skipped")
        self.goal_labels = v.words("goal_labels")
        self.form_titles = v.words("form_titles")
        self.ignored_blocks = v.words("ignored_blocks")
        self.core_marks = v.core_marks
        self.grades = frozenset(v.words("grades"))
        self.instructions = [re.compile(p) for p in v.instructions]
        self.level1_by_level2 = {w: l1 for l1, words in v.section("level1_of").items() for w in words}
        labels: dict[str, tuple[str, str]] = {}
        for kind in ("facts", "totals", "narrative", "signoff"):
            for name, words in v.section(kind).items():
                for word in words:
                    labels.setdefault(word, (kind, name))
        self.labels = labels
        alternation = "|".join(sorted(map(re.escape, labels), key=len, reverse=True)) or "(?!)"
        # "项目负责人（签字）：张三" — a label, an optional bracket, a colon, the value (to the next label)
        self.inline = re.compile(rf"({alternation})\s*(?:[(（][^)）]*[)）])?\s*[:：]")
        # "项目名称　农村公路提质改造" — label and value in one cell, apart by spaces only
        self.spaced = re.compile(rf"^\s*({alternation})[ \t\u3000]+(\S.*)$", re.S)

    def level_of(self, key: str) -> str | None:
        return exact_role(key, self.levels)

    def label(self, key: str) -> tuple[str, str] | None:
        """The label a key names: exactly, or with a short qualifier before it (市县主管部门, 级预算单位名称)."""
        found = self.labels.get(key)
        if found is not None or len(key) < 5:
            return found
        for cut in (1, 2):
            found = self.labels.get(key[cut:])
            if found is not None and len(key) - cut >= 4 and found[0] == "facts":
                return found
        return None

    def level1_for(self, level2: str | None) -> str | None:
        """The 一级指标 a 二级指标 belongs to (数量指标 → 产出指标), when the form leaves it blank."""
        if not level2:
            return None
        key = compact(level2)
        return self.level1_by_level2.get(key) or self.level1_by_level2.get(key.removesuffix("指标"))

    def is_instruction(self, text: str | None) -> bool:
        """A cell still holding the form's instruction (结合自评情况，说明…（200字以内）) where a value belongs."""
        if not text:
            return False
        key = compact(text)
        return any(p.search(key) for p in self.instructions)

    def fund_source(self, text: str) -> str | None:
        key = label_key(text)
        found = exact_role(key, self.fund_sources)
        if found is not None:
            return found
        for role, words in self.fund_sources.items():
            if any(len(w) >= 2 and key.startswith(w) for w in words):
                return role
        return None

    def is_placeholder(self, text: str) -> bool:
        return compact(text) in self.placeholders

    def is_form_title(self, key: str) -> bool:
        return len(key) <= 40 and any(t in key for t in self.form_titles)


def _short(text: str, limit: int = 40) -> str:
    line = one_line(text) or ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


_CHOICE = re.compile(r"([☑√✓✔■▣☒])")
_OPTION = re.compile(r"(?:^|\s)(?:\d+[、.．])?\s*([^\s☑√✓✔■▣☒□]+?)\s*([☑√✓✔■▣☒□])")
_PROSE_MIN = 30
# '一般公共预算:1873.66万元' — a breakdown line of the total with its amount inside the label
_INLINE_AMOUNT = re.compile(
    r"[:：]\s*[0-9][0-9,.]*\s*(万元|元)?\s*$"
)  # a paragraph this long is prose, not a stray value


class GridReader:
    def __init__(self, spec: LayoutSpec, rows: list[Row], words: Words | None = None):
        self.spec = spec
        self.words = words or Words(spec)
        self.rows = rows
        self.form = FormRead()
        self.used: set[int] = set()  # id() of the cells read; the rows keep every cell alive

    def use(self, *cells: Cell | None) -> None:
        for cell in cells:
            if cell is not None:
                self.used.add(id(cell))

    def is_used(self, cell: Cell) -> bool:
        return id(cell) in self.used

    # -- the walk ---------------------------------------------------------------------------------
    def read(self) -> FormRead:
        i = 0
        rows = self.rows
        while i < len(rows):
            row = rows[i]
            if self.lone_line(row):
                i += 1
            elif self.indicator_header(row) is not None:
                i = self.table(i)
            elif self.fund_header(row) is not None:
                i = self.fund_block(i)
            elif self.goal_header(row) is not None:
                i = self.goal_block(i)
            elif self.goal_label(row):
                i = self.goal_continued(i + 1)
            elif self.total_row(row):
                self.loose_total(row)
                i += 1
            elif is_note(compact(row[0].text)):
                i = self.notes(i)
            elif self.ignored_block(row):
                i = self.skip_block(i)
            elif self.info_header(row):
                i = self.info_block(i)
            else:
                self.label_row(row)
                i += 1
        for row in rows:
            for cell in row:
                if self.is_used(cell) or self.words.is_placeholder(cell.text):
                    continue
                if self.prose(cell, row):
                    self.use(cell)
                    self.form.narrative.append(NarrativeSection("正文", clean(cell.text) or ""))
                    continue
                self.form.unplaced.append(cell)
        return self.form

    def prose(self, cell: Cell, row: Row) -> bool:
        """A paragraph of the report around the tables (a heading or a sentence), not a stray value."""
        if len(row) != 1:
            return False
        key = compact(cell.text)
        if cell.table is None or cell.col is None or len(key) >= _PROSE_MIN:
            return True
        return bool(
            re.match(r"^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])", key)
        )

    # -- lines standing alone: title, year, 附件N, unit ---------------------------------------------
    def lone_line(self, row: Row) -> bool:
        cells = row
        if len(cells) > 2:
            return False
        first = cells[0]
        key = compact(first.text)
        unit = unit_note(key) if len(key) <= 14 else None
        if unit is not None:
            self.form.fund_unit = unit
            self.use(first)
            return True
        if len(cells) == 2 and not (is_year_line(cells[1].key) and self.words.is_form_title(key)):
            return False
        if is_year_line(key) or is_preamble(key):
            self.form.year = self.form.year or year_of(first.text)
            self.use(first)
            return True
        if self.words.inline.match(key) or self.words.label(label_key(first.text)):
            return False
        heading = (  # a first line naming the year, before anything else: the form's heading
            len(cells) == 1
            and self.form.title is None
            and not self.form.facts
            and not self.form.blocks
            and len(key) <= 40
            and year_of(first.text) is not None
            and first.col in (None, 0)
        )
        opening = first.col is None and self.form.title is None and is_title_line(key, longest=80)
        named = (  # the first line of a form, short and naming a table: 某某区民生实事项目成效表
            len(cells) == 1
            and self.form.title is None
            and not self.form.facts
            and not self.form.blocks
            and 4 <= len(key) <= 40
            and key.endswith(("表", "报告"))
        )
        if named:
            self.form.title = one_line(first.text)
            self.form.year = self.form.year or year_of(first.text)
            self.use(first)
            return True
        if self.words.is_form_title(key) or (len(cells) == 1 and is_title_line(key)) or heading or opening:
            if self.form.title is None and (self.words.is_form_title(key) or "自评" in key or "评价" in key):
                self.form.title = one_line(first.text)
            self.form.year = self.form.year or year_of(first.text)
            self.use(*cells)
            if len(cells) == 2:
                self.form.year = year_of(cells[1].text) or self.form.year
            return True
        return False

    # -- header rows --------------------------------------------------------------------------------
    def _roles(self, row: Row, role_of: Callable[[str], str | None]) -> dict[int, str]:
        roles: dict[int, str] = {}
        for cell in row:
            role = role_of(head(cell.text))
            if role is None:
                role = self.spec.columns.get(head(cell.text))
            if role is not None and (role not in roles.values() or role == "ignored"):
                roles[col(cell)] = role
        return roles

    def indicator_roles(self, row: Row) -> dict[int, str]:
        """Columns of an indicator/score table header: levels, their points, values, scores."""
        roles: dict[int, str] = {}
        last = None
        for cell in row:
            key = head(cell.text)
            role = self.words.level_of(key)
            if role is None and key in self.words.points:
                role = {"level1": "p1", "level2": "p2", "name": "p3"}.get(last or "", "weight")
            if role is None:
                role = match_role(key, self.words.indicator_columns)
            if role is None:
                assigned = self.spec.columns.get(key)
                role = (
                    assigned
                    if assigned in (*LEVEL_ROLES, *VALUE_ROLES, "weight", "score", "review")
                    else None
                )
            last = role
            if role is not None and role not in roles.values():
                roles[col(cell)] = role
        return roles

    def indicator_header(self, row: Row) -> dict[int, str] | None:
        if len(row) < 2:
            return None
        levels = sum(1 for c in row if head(c.text) in LEVEL_WORDS)
        roles = self.indicator_roles(row)
        names = set(roles.values())
        if levels >= 2:
            return roles
        if len(names) >= 4 and names & {"name", "target", "actual", "target_initial"}:
            return roles
        return None

    def fund_header(self, row: Row) -> dict[int, str] | None:
        roles = self._roles(row, lambda key: match_role(key, self.words.fund_columns))
        if len(set(roles.values()) & {"planned", "budget", "arrived", "spent"}) >= 2:
            return roles
        return None

    def goal_header(self, row: Row) -> dict[int, str] | None:
        if len(row) > 4:
            return None
        roles = self._roles(row, lambda key: match_role(key, self.words.goal_columns))
        if {"expected", "actual"} <= set(roles.values()):
            return roles
        return None

    def total_row(self, row: Row) -> bool:
        return head(row[0].text) in self.words.total_rows

    def ends_block(self, row: Row) -> bool:
        """A row that is not a data row of the block being read."""
        first = row[0]
        key = label_key(first.text)
        kind = (self.words.label(key) or ("", ""))[0]
        return (
            kind in ("narrative", "signoff", "totals", "facts")
            or key in self.spec.signoff_after_blocks
            or bool(self.words.inline.match(compact(first.text)))
            or self.indicator_header(row) is not None
            or self.fund_header(row) is not None
            or self.goal_header(row) is not None
            or is_note(compact(first.text))
            or (len(row) == 1 and self.words.is_form_title(compact(first.text)))
            or self.ignored_block(row)
            or self.info_header(row)
        )

    def block_label(self, cell: Cell) -> bool:
        """A cell naming a block (项目资金（万元）, 预算执行情况（10分）): used, its unit and points kept."""
        key = label_key(cell.text)
        if key not in self.words.block_labels:
            return False
        _, points = strip_points(one_line(cell.text))
        if points is not None and key in ("预算执行情况", "项目资金", "资金情况", "预算资金", "部门资金"):
            self.form.fund_points = points
        unit = unit_in(cell.text)
        if unit and self.form.fund_unit is None:
            self.form.fund_unit = unit
        self.use(cell)
        return True

    # -- blocks read past: a 部门整体 form's 基础数据表, 资金管理情况 ---------------------------------
    def ignored_block(self, row: Row) -> bool:
        return (
            label_key(row[0].text).startswith(self.words.ignored_blocks)
            if self.words.ignored_blocks
            else False
        )

    def skip_block(self, i: int) -> int:
        self.use(*self.rows[i])
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            first = label_key(row[0].text)
            if (
                self.indicator_header(row) is not None
                or self.fund_header(row) is not None
                or self.goal_header(row) is not None
                or self.words.label(first) is not None
                or self.words.is_form_title(compact(row[0].text))
            ) and not self.ignored_block(row):
                break
            self.use(*row)
            j += 1
        return j

    def info_header(self, row: Row) -> bool:
        """A table of remarks: '资金管理情况 | 情况说明 | 存在问题和改进措施'."""
        return len(row) >= 2 and any(head(c.text) in ("情况说明", "具体情况说明") for c in row)

    def info_block(self, i: int) -> int:
        header = self.rows[i]
        self.use(*header)
        heading = one_line(header[0].text) or "情况说明"
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            if self.ends_block(row) or self.total_row(row) or self.goal_label(row, peek=True):
                break
            texts = [clean(c.text) for c in row if not self.words.is_placeholder(c.text)]
            self.use(*row)
            if row[1:] and all(re.fullmatch(r"\d{1,2}", compact(c.text)) for c in row[1:]):
                j += 1
                continue  # 列次 | 8 | 9 | 10: the columns' numbers
            body = "；".join(t for t in texts[1:] if t and not re.fullmatch(r"\d{1,2}", t))
            if body:
                self.form.narrative.append(NarrativeSection(f"{heading}·{one_line(row[0].text)}", body))
            elif not re.fullmatch(r"\d{1,2}", compact(row[0].text)):
                self.blank(one_line(row[0].text) or heading, row[0], group=heading)
            j += 1
        return j

    # -- the funds block ----------------------------------------------------------------------------
    def fund_block(self, i: int) -> int:
        self.form.blocks.append("funds")
        header = self.rows[i]
        columns = ColumnMap(self.fund_header(header) or {})
        for cell in header:
            if col(cell) in columns.roles:
                self.use(cell)
                unit = unit_in(cell.text)
                if unit and self.form.fund_unit is None:
                    self.form.fund_unit = unit
            else:
                self.block_label(cell)
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            values, labels = columns.split(row)
            source = next(((c, key) for c in labels if (key := self.words.fund_source(c.text))), None)
            breakdown = any(_INLINE_AMOUNT.search(c.text) for c in labels)
            if source is None or breakdown:
                if breakdown or any(label_key(c.text).startswith(self.words.fund_skipped) for c in labels):
                    self.use(*row)  # a second split of the total (基本支出/项目支出): known, not stored
                    j += 1
                    continue
                if self.ends_block(row) or self.total_row(row) or self.goal_label(row, peek=True):
                    break
                for cell in labels:
                    self.block_label(cell)
                j += 1  # a stray row inside the block: left unplaced, the block reads on
                continue
            label_cell, key = source
            self.use(label_cell)
            for cell in labels:
                if cell is not label_cell:
                    self.block_label(cell)
            text = re.sub(r"^其中\s*[:：]?", "", label_cell.text.strip())
            label = (one_line(text) or label_cell.text).rstrip(":：")
            note = values.get("note")
            self.use(note, *(c for c in row if columns.role_of(col(c)) in ("method", "ignored")))
            self.form.funds.append(
                FundLine(
                    key=key,
                    label=label,
                    amounts={
                        f: self._number(values.get(f), lambda t: parse_amount(t)[0]) for f in FUND_AMOUNTS
                    },
                    rate=self._number(values.get("rate"), percent_number),
                    weight=self._number(values.get("weight"), parse_score),
                    score=self._number(values.get("score"), parse_score),
                    note=clean(note.text)
                    if note is not None and not self.words.is_instruction(note.text)
                    else None,
                    cell=label_cell,
                )
            )
            j += 1
        return j

    def _number(self, cell: Cell | None, reader: Callable[[str], Decimal | None]) -> Decimal | None:
        if cell is None:
            return None
        value = reader(cell.text)
        if value is not None or self.words.is_placeholder(cell.text):
            self.use(cell)
        return value

    # -- goals --------------------------------------------------------------------------------------
    def goal_block(self, i: int) -> int:
        self.form.blocks.append("goals")
        header = self.rows[i]
        columns = ColumnMap(self.goal_header(header) or {})
        for cell in header:
            if col(cell) in columns.roles:
                self.use(cell)
            else:
                self.block_label(cell)
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            values, labels = columns.split(row)
            if any(not self.block_label(c) for c in labels) or self.ends_block(row) or self.total_row(row):
                break
            self.add_goal(values.get("expected"), values.get("actual"))
            j += 1
        return j

    def add_goal(self, expected: Cell | None, actual: Cell | None) -> None:
        texts = []
        for cell in (expected, actual):
            text = clean(cell.text) if cell is not None else None
            if text and self.words.is_instruction(text):
                self.blank("年度目标完成情况" if cell is actual else "年度目标", cell, instruction=True)
                text = None
            texts.append(text)
        self.use(expected, actual)
        if not any(texts):
            return
        anchor = expected if expected is not None and expected.text else actual
        self.form.goals.append(Goal(texts[0], texts[1]))
        self.form.goal_cells.append(anchor)

    def goal_label(self, row: Row, peek: bool = False) -> bool:
        """'年度总体目标 | 预期 | 实际', or '年度总体目标 | 年初设定目标 | 预期' — the goals beside their label."""
        first = row[0]
        key = label_key(first.text)
        if len(row) < 2 or not (
            key in self.words.goal_labels or key.startswith(("年度总体目标", "总体目标"))
        ):
            return False
        if key in self.words.labels or self.goal_header(row) is not None:
            return False
        if peek:
            return True
        self.use(first)
        self._goal_cells(row[1:], new=True)
        return True

    def _goal_cells(self, cells: Sequence[Cell], new: bool) -> None:
        """Goal values, each after its sub-label (年初设定目标 / 完成情况综述) or in order (预期, 实际)."""
        found: dict[str, Cell | None] = {}
        order = ["expected", "actual"]
        k = 0
        pending: str | None = None
        while k < len(cells):
            cell = cells[k]
            role = match_role(head(cell.text), self.words.goal_columns)
            if role is not None and (
                k + 1 == len(cells) or match_role(head(cells[k + 1].text), self.words.goal_columns) is None
            ):
                self.use(cell)
                pending = role
                found.setdefault(role, None)
                k += 1
                continue
            if pending is not None:
                found[pending] = cell
                pending = None
            else:
                slot = next((r for r in order if r not in found), None)
                if slot is None:
                    break
                found[slot] = cell
            k += 1
        for role, cell in found.items():
            if cell is None:  # 年度总体目标完成情况综述 | (empty)
                label = "年度目标完成情况" if role == "actual" else "年度目标"
                self.blank(label, cells[-1])
        if not new and self.form.goals and "actual" in found and "expected" not in found:
            last = self.form.goals[-1]
            cell = found["actual"]
            self.use(cell)
            text = clean(cell.text) if cell is not None else None
            if text and self.words.is_instruction(text):
                self.blank("年度目标完成情况", cell, instruction=True)
                text = None
            if last.actual is None and text:
                self.form.goals[-1] = Goal(last.expected, text)
            return
        self.add_goal(found.get("expected"), found.get("actual"))

    def goal_continued(self, j: int) -> int:
        """Rows that go on with the goal just read: '年度总体目标完成情况综述 | 实际'."""
        while j < len(self.rows):
            row = self.rows[j]
            role = match_role(head(row[0].text), self.words.goal_columns)
            if role is None or self.goal_header(row) is not None or self.indicator_header(row) is not None:
                break
            self._goal_cells(row, new=False)
            j += 1
        return j

    # -- indicator and score tables -----------------------------------------------------------------
    def table(self, i: int) -> int:
        header = self.rows[i]
        roles = self.indicator_header(header) or {}
        for cell in header:
            if col(cell) in roles:
                self.use(cell)
            else:
                self.block_label(cell)
        j = i + 1
        # a second header row under the first (年度指标值 spanning 指标性质 / 指标值 / 度量单位)
        if j < len(self.rows):
            below = self.rows[j]
            more = self.indicator_roles(below)
            if len(more) >= 2 and all(col(c) in more or self.block_label(c) for c in below):
                for cell in below:
                    self.use(cell)
                roles = {c: r for c, r in roles.items() if r not in more.values()}
                roles.update(more)
                j += 1
        columns = ColumnMap(dict(sorted(roles.items())))
        table = Table(columns=columns.names)
        self.form.tables.append(table)
        self.form.blocks.append("indicators" if table.has_values else "scores")
        carry = CarryForward(2)
        level_points: dict[str, Decimal | None] = {"p1": None, "p2": None}
        while j < len(self.rows):
            row = self.rows[j]
            if self.total_row(row):
                self.table_total(table, row, columns)
                j += 1
                break
            if self.ends_block(row):
                break
            values, labels = columns.split(row)
            for cell in labels:
                self.block_label(cell)
            texts = {role: clean(cell.text) for role, cell in values.items()}
            l1, p1 = strip_points(joined(texts.get("level1")))
            l2, p2 = strip_points(joined(texts.get("level2")))
            if l1 and self.words.is_placeholder(l1):
                l1 = None
            if l2 and self.words.is_placeholder(l2):
                l2 = None
            l3 = joined(texts.get("name"))
            if l1 is None and p1 is not None:
                l1 = self.words.level1_for(l2) or "—"  # （50分） alone: the block its 二级指标 names
            self.use(*(values.get(r) for r in (*LEVEL_ROLES, *VALUE_ROLES)))
            if l1:
                level_points = {"p1": self._number(values.get("p1"), parse_score) or p1, "p2": None}
            if l2:
                level_points["p2"] = self._number(values.get("p2"), parse_score) or p2
            level1, level2 = carry([l1, l2])
            if l1 and p1 is not None:
                table.heading_points.setdefault((l1,), p1)
            if l2 and p2 is not None and level1:
                table.heading_points.setdefault((level1, l2), p2)
            points = {
                **level_points,
                "p3": self._number(values.get("p3"), parse_score),
                "weight": self._number(values.get("weight"), parse_score),
            }
            score = self._number(values.get("score"), parse_score)
            review = self._number(values.get("review"), parse_score)
            has_leaf = "name" in table.columns
            name = l3 if has_leaf else (l2 if not table.has_values else None)
            value_texts = {k: texts.get(k) for k in VALUE_ROLES}
            if (
                name
                or any(value_texts[k] for k in ("target", "target_initial", "actual"))
                or score is not None
            ):
                table.lines.append(
                    TableLine(
                        levels=(level1, level2, l3) if has_leaf else (level1, level2, None),
                        points=points,
                        texts=value_texts,
                        score=score,
                        review=review,
                        cell=values.get("name") or values.get("level2") or row[0],
                    )
                )
            j += 1
        if not table.lines and table.has_values:
            self.blank("绩效指标", header[0], why="表头之后没有指标行，")
        return j

    def table_total(self, table: Table, row: Row, columns: ColumnMap) -> None:
        self.use(row[0])
        self.form.total_cell = self.form.total_cell or row[0]
        values, _labels = columns.split(row)
        for name in ("p1", "p2", "p3", "weight"):  # the points total (100)
            found = self._number(values.get(name), parse_score)
            if found is not None and table.total_points is None:
                table.total_points = found
        table.total_score = self._number(values.get("score"), parse_score)
        table.total_review = self._number(values.get("review"), parse_score)
        table.total_cell = values.get("score")
        if table.total_score is None:
            numbers = [c for c in row[1:] if parse_score(c.text) is not None and not self.is_used(c)]
            if numbers:  # nothing under 得分: the last number of the row that is not the points total
                table.total_score = parse_score(numbers[-1].text)
                table.total_cell = numbers[-1]
                self.use(*numbers)
        self.grade_in(row[1:])
        self.pairs_in(row[1:])

    def loose_total(self, row: Row) -> None:
        """A 总分 row outside any table: its last number is the self-score; other pairs beside it."""
        self.use(row[0])
        self.form.total_cell = self.form.total_cell or row[0]
        numbers = [c for c in row[1:] if parse_score(c.text) is not None]
        if numbers:
            self.use(*numbers)
            self.put_total("total", numbers[-1], one_line(numbers[-1].text))
        self.grade_in(row[1:])
        self.pairs_in([c for c in row[1:] if c not in numbers])

    def grade_in(self, cells: Sequence[Cell]) -> None:
        """'总分 | 100 | 96 | 优': a grade written without its label at the end of the total row."""
        rest = [c for c in cells if not self.is_used(c)]
        if rest and compact(rest[-1].text) in self.words.grades and "grade" not in self.form.totals:
            self.use(rest[-1])
            self.form.totals["grade"] = (one_line(rest[-1].text) or "", rest[-1])

    def notes(self, i: int) -> int:
        """注 / 说明 lines after the form: read past, with the lines that continue them."""
        self.use(*self.rows[i])
        j = i + 1
        while j < len(self.rows):
            row = self.rows[j]
            if len(row) > 1 or self.ends_block(row) or self.lone_line_peek(row):
                break
            self.use(*row)
            j += 1
        return j

    def lone_line_peek(self, row: Row) -> bool:
        key = compact(row[0].text)
        return bool(unit_note(key) or is_year_line(key) or is_preamble(key) or self.words.is_form_title(key))

    # -- label rows ---------------------------------------------------------------------------------
    def label_row(self, row: Row) -> None:
        self.pairs_in(row)

    def pairs_in(self, cells: Sequence[Cell]) -> None:
        for k, cell in enumerate(cells):
            if self.is_used(cell):
                continue
            key = label_key(cell.text)
            label = self.label(key)
            if label is None and ("/" in key or "、" in key) and self.combined(cell, cells[k + 1 :]):
                continue
            if label is not None:
                self.use(cell)
                value = next((c for c in cells[k + 1 :] if not self.is_used(c)), None)
                if value is not None and self.label(label_key(value.text)) is None:
                    self.use(value)
                    self.put(label, value)
                    if (
                        label == ("facts", "manager")
                        and "电话" in key
                        and not re.search(r"\d{7}", value.text)
                    ):
                        self.blank("联系电话", value, field="phone")  # 负责人及电话: a name and no number
                else:
                    self.put(label, cell, "")
                continue
            text = compact(cell.text)
            spaced = self.words.spaced.match(cell.text)
            if self.words.inline.search(text) and self.words.inline.match(text.lstrip("1234567890.、")):
                self.inline(cell)
            elif spaced and (self.words.label(compact(spaced.group(1))) or ("", ""))[0] in (
                "facts",
                "totals",
            ):
                self.use(cell)
                self.put(self.label(compact(spaced.group(1))) or ("", ""), cell, spaced.group(2))
            elif is_preamble(compact(cell.text)):
                self.use(cell)  # 公开14表, 附件2: the form's number beside its header
            else:
                self.block_label(cell)

    def combined(self, cell: Cell, rest: Sequence[Cell]) -> bool:
        """'项目实施单位/项目负责人 | 原州区农技中心/杨勃兴' — two labels in one cell, two values in the next."""
        parts = re.split(r"[/、]", label_key(cell.text))
        labels = [self.label(p) for p in parts]
        if len(parts) < 2 or any(lab is None for lab in labels):
            return False
        value = next((c for c in rest if not self.is_used(c)), None)
        values = re.split(r"\s*[/、]\s*", value.text.strip()) if value is not None else []
        if len(values) != len(labels) and value is not None:
            values = [value.text] * len(labels)  # 预算部门、单位名称 | 某某局: one name for both
        self.use(cell, value)
        for n, label in enumerate(labels):
            assert label is not None
            self.put(label, value or cell, values[n] if n < len(values) else "", shown=parts[n])
        return True

    def label(self, key: str) -> tuple[str, str] | None:
        if self.form.blocks and key in self.spec.signoff_after_blocks:
            return ("signoff", self.spec.signoff_after_blocks[key])
        return self.words.label(key)

    def inline(self, cell: Cell) -> None:
        """'项目负责人（签字）：张三  财务负责人：李四' — labels with their values inside one cell."""
        text = cell.text
        found = list(self.words.inline.finditer(text))
        if not found:
            return
        self.use(cell)
        for n, m in enumerate(found):
            end = found[n + 1].start() if n + 1 < len(found) else len(text)
            key = compact(m.group(1))
            value = text[m.end() : end]
            unit = re.search(r"(?:金额)?单位[:：]\s*(万元|元)\s*$", value)
            if unit:  # 主管部门（盖章）：…  单位：万元 — the unit note is no part of the value
                self.form.fund_unit = unit.group(1)
                value = value[: unit.start()]
            self.put(self.label(key) or self.words.labels[key], cell, value, shown=key)

    def put(
        self, label: tuple[str, str], cell: Cell, text: str | None = None, shown: str | None = None
    ) -> None:
        """Keep a labelled value. ``shown``: the label as the form writes it, for a blank's message."""
        kind, name = label
        value = text if text is not None else cell.text
        if shown is None and text == "" and cell is not None:
            shown = label_key(cell.text)  # the label cell itself, its value left empty
        if self.words.is_instruction(value):
            self.blank(shown or name, cell, instruction=True, field=name if kind == "facts" else None)
            value = ""
        if kind == "facts":
            line = one_line(value)
            chosen = choice(line)
            if chosen is not None:
                line = chosen or None
            if not line or self.words.is_placeholder(line):
                blank_worthy = (
                    *("name", "unit", "department", "manager", "category", "attribute", "kind"),
                    *("report_date", "reporting_unit"),
                )
                if name in blank_worthy and name not in self.form.facts:
                    self.blank(shown or name, cell, field=name)
                return
            if name not in self.form.facts:
                self.form.facts[name] = (line, cell)
        elif kind == "totals":
            if name == "total":
                self.form.total_cell = self.form.total_cell or cell
            if not one_line(value) and name == "grade":
                self.blank("评价等次", cell)
            self.put_total(name, cell, one_line(value))
        elif kind == "narrative":
            body = clean(value)
            self.form.narrative_cells.append((name, cell))
            if body:
                self.form.narrative.append(NarrativeSection(name, body))
            elif cell.table is not None and not any(b.label == name for b in self.form.blanks):
                self.blank(name, cell)  # a heading of the prose (一、自评结论) is no empty cell
        elif kind == "signoff":
            line = one_line(value) or ""
            if not line:
                self.blank(shown or name, cell)
            self.form.signoff.append((name, line, cell))

    def blank(
        self,
        label: str,
        cell: Cell | None,
        *,
        instruction: bool = False,
        why: str = "",
        field: str | None = None,
        group: str | None = None,
    ) -> None:
        """Keep an empty place (the label's group: its row, unless given)."""
        if group is None and cell is not None and cell.row is not None:
            group = f"{cell.table}:{cell.row}"
        self.form.blanks.append(BlankMark(label, cell, instruction, why, field, group))

    def put_total(self, name: str, cell: Cell, text: str | None) -> None:
        self.use(cell)
        if text and name not in self.form.totals:
            self.form.totals[name] = (text, cell)


def choice(text: str | None) -> str | None:
    """The ticked options of a tick-box line ('1、部门预算项目☑ 2、财政专项□') joined by '、'; '' when the
    line has boxes and none is ticked; None when it has no boxes."""
    if not text or not re.search(r"[☑√✓✔■▣☒□]", text):
        return None
    picked = [m.group(1) for m in _OPTION.finditer(text) if _CHOICE.match(m.group(2))]
    return "、".join(picked)
