"""Layout family 2: the 财预〔2020〕10号 附件2 项目支出绩效自评表, and the form reader its siblings share.

The form is a grid: a title (often with the county's name before it and the year under it), label/value
pairs (项目名称 / 主管部门 / 实施单位), the funds block (年初预算数 … 得分), the 年度总体目标 block, the
indicator table (一级 … 偏差原因) and a 总分 row. Blocks are found by their header rows (synonyms in
``FormSpec``), rows are read by grid column, and a file may hold many forms back to back. The sibling
families (transfer.py, department.py) are the same reader with their own synonyms and row rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from jixiao.domain import (
    FundRow,
    Funds,
    Goal,
    Indicator,
    Place,
    ProjectInfo,
    Report,
    SelfAssessment,
    SelfItem,
    Source,
)
from jixiao.io.cells import Cell, clean, compact, joined, one_line
from jixiao.io.layouts.common import parse_date, place
from jixiao.io.layouts.tables import (
    CarryForward,
    ColumnMap,
    Pairs,
    Row,
    Synonyms,
    Usage,
    describe_unplaced,
    filled,
    find_header,
    form_rows,
    haystack,
    header_key,
    is_preamble,
    is_year_row,
    percent_number,
    split_evenly,
    split_forms,
    strip_points,
    year_of,
)
from jixiao.quantity import parse_amount, parse_quantity, parse_score

LAYOUT = "mof-2020"
EXECUTION_ITEM = ("预算执行率",)
EXECUTION_POINTS = Decimal(10)

_EMPTY_NAMES = {"无", "/", "-", "—", "——", "--", "暂无", "无此项"}
_TEMPLATE_NAME = re.compile(r"^指标\s*\d+\s*[:：]?\s*$")
_TEMPLATE_PREFIX = re.compile(r"^指标\s*\d+\s*[:：]\s*(?=\S)")
_UNIT = re.compile(r"(?:单位[:：]?|[(（])(万元|元)[)）]?")
_NOTES = re.compile(r"^(注|说明|填表说明|备注)\d*[:：.、]|^(注|说明|填表说明)$")
_TOTAL = ("总分", "自评总分", "综合得分", "总得分", "得分合计", "合计", "总计")
_GRADE = {"grade": ("评价等次", "自评等级", "自评等次", "评价等级", "绩效等级", "自评结果", "等次", "等级")}

INFO_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", "转移支付名称", "转移支付项目名称"),
    "department": ("主管部门", "主管单位", "主管部门名称", "中央主管部门"),
    "unit": ("实施单位", "项目实施单位", "项目单位", "预算单位", "实施单位名称"),
    "unit_fallback": ("填报单位", "地方主管部门"),
    "manager": ("项目负责人", "单位负责人"),
    "phone": ("联系电话", "电话"),
    "filler": ("填表人", "填报人"),
    "report_date": ("填报日期", "填表日期", "报告日期"),
}
FUND_COLUMNS: dict[str, tuple[str, ...]] = {
    "planned": ("年初预算数", "年初预算", "年初预算金额"),
    "budget": ("全年预算数", "调整后预算数", "全年预算", "预算数"),
    "spent": ("全年执行数", "全年执行", "执行数", "实际支出数", "预算执行数"),
    "weight": ("分值", "权重"),
    "rate": ("执行率", "预算执行率"),
    "score": ("得分", "自评得分"),
}
FUND_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("年度资金总额", "资金总额", "合计", "总计")),
    ("fiscal", ("本年财政拨款", "当年财政拨款", "本年度财政拨款", "财政拨款", "财政资金")),
    ("carryover", ("上年结转资金", "上年结转", "结转资金", "以前年度结转")),
    ("central", ("中央补助", "中央财政资金", "中央资金", "中央财政")),
    ("other", ("其他资金", "其它资金", "其他", "其它")),
)
GOAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "expected": ("预期目标", "年初设定目标", "年度预期目标", "绩效目标"),
    "actual": ("实际完成情况", "全年实际完成情况", "实际完成目标", "目标实际完成情况", "全年实际完成目标"),
}
INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "三级指标名称", "指标名称", "具体指标"),
    "target": ("年度指标值", "全年指标值", "指标值", "年度目标值", "目标值", "年初目标值"),
    "actual": ("实际完成值", "完成值", "全年实际值", "全年完成值", "实际值", "全年实际完成值"),
    "weight": ("分值", "权重", "参考分值", "指标分值"),
    "score": ("得分", "自评得分", "实际得分"),
    "note": (
        "偏差原因分析及改进措施",
        "偏差原因分析",
        "偏差原因",
        "未完成原因和改进措施",
        "未完成原因分析及改进措施",
        "未完成原因",
        "原因分析",
        "备注",
    ),
}
BLOCK_LABELS = ("项目资金", "资金情况", "部门资金", "年度总体目标", "总体目标", "绩效指标", "年度绩效指标")


@dataclass
class RowDraft:
    """One indicator row as read: levels carried forward, every other role's text and cell."""

    level1: str | None
    level2: str | None
    name: str | None
    texts: dict[str, str | None]
    cells: dict[str, Cell]
    anchor: Cell
    file: str | None
    number: int  # position the indicator would take, 1-based

    def text(self, role: str) -> str | None:
        return self.texts.get(role)

    def indicator(self, **changes) -> Indicator:
        name = changes.pop("name", self.name)
        target = changes.pop("target", self.text("target"))
        actual = self.text("actual")
        empty = (name is None or compact(name) in _EMPTY_NAMES) and not target and not actual
        row = Indicator(
            level1=self.level1,
            level2=self.level2,
            name=None if empty else name,
            target=None if empty else parse_quantity(target),
            actual=None if empty else parse_quantity(actual),
            weight=parse_score(self.text("weight")),
            score=parse_score(self.text("score")),
            note=one_line(self.text("note")),
            empty=empty,
            place=place(self.file, self.anchor, f"indicators[{self.number}]"),
        )
        return replace(row, **changes) if changes else row


RowRule = Callable[[RowDraft, list[Indicator]], Indicator | None]


def plain_row(draft: RowDraft, done: list[Indicator]) -> Indicator | None:
    return draft.indicator()


@dataclass(frozen=True)
class FormSpec:
    """What differs between the sibling families: titles, synonyms, fund rows and the row rule."""

    layout: str
    titles: tuple[str, ...]  # a title contains one of these (label form)
    title_excludes: tuple[str, ...] = ()
    info: Synonyms = field(default_factory=lambda: INFO_LABELS)
    fund_columns: Synonyms = field(default_factory=lambda: FUND_COLUMNS)
    fund_rows: tuple[tuple[str, tuple[str, ...]], ...] = FUND_ROWS
    fund_skipped: tuple[str, ...] = ()  # recognised rows that are a second split of the total: not stored
    goal_columns: Synonyms = field(default_factory=lambda: GOAL_COLUMNS)
    indicator_columns: Synonyms = field(default_factory=lambda: INDICATOR_COLUMNS)
    row_rule: RowRule = plain_row
    finish_project: Callable[[ProjectInfo], ProjectInfo] | None = None

    def is_title(self, row: Row) -> bool:
        """This family's title (what detect looks for)."""
        key = _title_key(row)
        return (
            bool(key)
            and any(t in key for t in self.titles)
            and not any(x in key for x in self.title_excludes)
        )


# Any sibling family's title starts a form, so a file read with a forced layout still splits per form.
FORM_TITLES = (
    "项目支出绩效自评表",
    "转移支付区域绩效目标自评表",
    "转移支付绩效目标自评表",
    "转移支付绩效自评表",
    "部门整体支出绩效自评",
)


def _title_key(row: Row) -> str:
    cells = filled(row)
    if not cells or len(cells) > 2 or len(cells[0].key) > 40:
        return ""
    return cells[0].key


def is_form_title(row: Row) -> bool:
    key = _title_key(row)
    return bool(key) and any(t in key for t in FORM_TITLES)


MOF = FormSpec(layout=LAYOUT, titles=("项目支出绩效自评表",), title_excludes=("转移支付", "部门整体"))


def signature(
    spec: FormSpec, cells: Sequence[Cell], words: Sequence[tuple[str, int]]
) -> tuple[bool, int, str]:
    """What the family detectors weigh: (its title is there, points of the signature words present, the
    label haystack for further checks)."""
    text = haystack(cells)
    titled = any(t in text for t in spec.titles) and any(spec.is_title([c]) for c in cells[:600] if c.key)
    return titled, sum(points for word, points in words if word in text), text


def detect(cells: Sequence[Cell]) -> int:
    titled, points, text = signature(
        MOF,
        cells,
        (
            ("年初预算数", 15),
            ("全年执行数", 10),
            ("年度资金总额", 10),
            ("年度指标值", 10),
            ("实际完成值", 5),
            ("偏差原因", 5),
        ),
    )
    score = (50 if titled else 0) + points
    if "转移支付" in text or "部门整体支出" in text or "得分系数" in text:
        score -= 40  # a sibling family's form: let its own detect win
    if "\x00指标性质\x00" in f"\x00{text}\x00" or "\x00度量单位\x00" in f"\x00{text}\x00":
        score -= 40  # a provincial form (separate comparator and unit columns): provincial.detect wins
    return max(0, min(score, 100))


def parse_all(cells: Sequence[Cell], file: str | None = None, source: Source | None = None) -> list[Report]:
    return read_forms(MOF, cells, file, source)


def read_forms(
    spec: FormSpec, cells: Sequence[Cell], file: str | None, source: Source | None
) -> list[Report]:
    """Every form in the stream, in file order."""
    source = source or Source(file=file, layout=spec.layout)
    pairs = Pairs(spec.info)

    def first_label(row: Row) -> bool:
        hit = pairs.label_of(filled(row)[0]) if filled(row) else None
        return hit is not None and hit[0] == "name"

    forms = split_forms(form_rows(cells), is_form_title, first_label)
    return [FormReader(spec, file).read(rows, source) for rows in forms] or [
        FormReader(spec, file).read([], source)
    ]


class FormReader:
    def __init__(self, spec: FormSpec, file: str | None):
        self.spec = spec
        self.file = file
        self.usage = Usage()
        self.pairs = Pairs(spec.info)
        self.grade_pairs = Pairs(_GRADE)
        self.title: str | None = None
        self.year: int | None = None
        self.unit: str | None = None
        self.funds: list[FundRow] = []
        self.goals: list[Goal] = []
        self.indicators: list[Indicator] = []
        self.heading_points: dict[str, Decimal] = {}
        self.total: Decimal | None = None
        self.total_cell: Cell | None = None
        self.seen: set[str] = set()

    # -- the form, row by row ------------------------------------------------------------------
    def read(self, rows: list[Row], source: Source) -> Report:
        state: str | None = None
        columns: ColumnMap | None = None
        indicator_columns: ColumnMap | None = None
        levels = CarryForward(2)
        for row in rows:
            cells = filled(row)
            first = cells[0]
            if is_form_title(row):
                self.title = self.title or one_line(first.text)
                self.year = self.year or year_of(first.text)
                self.usage.use(*cells)
                if len(cells) == 2 and is_year_row([cells[1]]):
                    self.year = year_of(cells[1].text)
                continue
            unit = _UNIT.search(first.key) if len(cells) == 1 and len(first.key) <= 12 else None
            if unit is not None:  # 单位：元
                self.unit = unit.group(1)
                self.usage.use(first)
                continue
            if is_year_row(row) or is_preamble(row):
                self.year = self.year or year_of(first.text)
                self.usage.use(first)
                continue
            if self.pairs.starts(row):
                self.pairs.read(row, self.usage)
                continue
            header = find_header(row, self.spec.indicator_columns, 4)
            if header is not None:
                state, indicator_columns, columns = "indicators", header, header
                self.seen.add("indicators")
                self._use_header(row)
                continue
            header = find_header(row, self.spec.fund_columns, 3)
            if header is not None:
                state, columns = "funds", header
                self.seen.add("funds")
                self._use_header(row)
                continue
            header = find_header(row, self.spec.goal_columns, 2)
            if header is not None:
                state, columns = "goals", header
                self._use_header(row)
                continue
            if first.key.startswith(_TOTAL) and (state != "funds" or first.key.startswith("总分")):
                self._total(row, indicator_columns)
                state = "after"
                continue
            if self.grade_pairs.starts(row):
                self.grade_pairs.read(row, self.usage)
                continue
            if _NOTES.match(first.key):
                state = "notes"
            if state == "notes":
                self.usage.use(*cells)
            elif state == "funds" and columns is not None:
                self._fund_row(row, columns)
            elif state == "goals" and columns is not None:
                self._goal_row(row, columns)
            elif state == "indicators" and columns is not None:
                self._indicator_row(row, columns, levels)
            elif header_key(first.text).startswith(("年度总体目标", "总体目标")) and len(cells) > 1:
                self.usage.use(first)
                self._add_goal(cells[1], cells[2] if len(cells) > 2 else None)
        return self._report(rows, source)

    def _use_header(self, row: Row) -> None:
        for cell in filled(row):
            unit = _UNIT.search(cell.key)
            if unit and self.unit is None:
                self.unit = unit.group(1)
            self.usage.use(cell)

    def _block_labels(self, labels: list[Cell]) -> list[Cell]:
        """Use the merged left-column labels (项目资金 …); return the labels that are not such."""
        rest = []
        for cell in labels:
            if header_key(cell.text).startswith(BLOCK_LABELS):
                unit = _UNIT.search(cell.key)
                if unit and self.unit is None:
                    self.unit = unit.group(1)
                self.usage.use(cell)
            else:
                rest.append(cell)
        return rest

    # -- funds ---------------------------------------------------------------------------------
    def _fund_row(self, row: Row, columns: ColumnMap) -> None:
        values, labels, _surplus = columns.split(row)
        key = label_cell = None
        for cell in labels:  # the row's own label first: 年度资金总额 is no block label
            key = self._fund_key(cell.text)
            if key is not None:
                label_cell = cell
                break
        labels = self._block_labels([c for c in labels if c is not label_cell])
        if label_cell is None:
            skipped = self.spec.fund_skipped
            if skipped and any(_without_of_which(c.text).startswith(skipped) for c in labels):
                self.usage.use(*row)  # a second split of the total (基本支出/项目支出): known, not stored
            return
        label = (one_line(re.sub(r"^其中\s*[:：]?", "", label_cell.text)) or label_cell.text).rstrip(":：")

        def amount(role: str) -> Decimal | None:
            cell = values.get(role)
            return parse_amount(cell.text)[0] if cell is not None else None

        def text(role: str) -> str | None:
            cell = values.get(role)
            return cell.text if cell is not None else None

        self.funds.append(
            FundRow(
                key=key,
                label=label,
                planned=amount("planned"),
                budget=amount("budget"),
                spent=amount("spent"),
                stated_rate=percent_number(text("rate")),
                weight=parse_score(text("weight")),
                score=parse_score(text("score")),
                place=place(self.file, label_cell, f"funds[{label}]"),
            )
        )
        self.usage.use(label_cell, *values.values())

    def _fund_key(self, text: str) -> str | None:
        key = _without_of_which(text)
        for fund_key, words in self.spec.fund_rows:
            if key.startswith(words):
                return fund_key
        return None

    # -- goals ---------------------------------------------------------------------------------
    def _goal_row(self, row: Row, columns: ColumnMap) -> None:
        values, labels, _surplus = columns.split(row)
        self._block_labels(labels)
        self._add_goal(values.get("expected"), values.get("actual"))

    def _add_goal(self, expected: Cell | None, actual: Cell | None) -> None:
        texts = [clean(c.text) if c is not None else None for c in (expected, actual)]
        if not any(texts):
            return
        anchor = expected if expected is not None and expected.text else actual
        self.goals.append(Goal(texts[0], texts[1], place(self.file, anchor, f"goals[{len(self.goals) + 1}]")))
        self.usage.use(expected, actual)

    # -- indicators ----------------------------------------------------------------------------
    def _indicator_row(self, row: Row, columns: ColumnMap, levels: CarryForward) -> None:
        values, labels, _surplus = columns.split(row)
        self._block_labels(labels)
        texts = {role: clean(cell.text) for role, cell in values.items()}
        level1, points = strip_points(joined(texts.get("level1")))
        level2, _ = strip_points(joined(texts.get("level2")))
        level1, level2 = levels([level1, level2])
        if points is not None and level1:
            self.heading_points.setdefault(level1, points)
        self.usage.use(values.get("level1"), values.get("level2"))
        name = joined(texts.get("name"))
        others = {role: text for role, text in texts.items() if role not in ("level1", "level2", "name")}
        if not name and not any(others.values()):
            return  # a level heading alone, or a spare row
        if name and _TEMPLATE_NAME.match(name) and not any(others.values()):
            self.usage.use(*values.values())  # the form's empty template row (指标1：)
            return
        if name and _TEMPLATE_PREFIX.match(name):
            name = _TEMPLATE_PREFIX.sub("", name)  # 指标1：培训人次 → 培训人次
        draft = RowDraft(
            level1=level1,
            level2=level2,
            name=name,
            texts=others,
            cells=values,
            anchor=values.get("name") or filled(row)[0],
            file=self.file,
            number=len(self.indicators) + 1,
        )
        made = self.spec.row_rule(draft, self.indicators)
        if made is not None:
            self.indicators.append(made)
        self.usage.use(*values.values())

    def _total(self, row: Row, columns: ColumnMap | None) -> None:
        cells = filled(row)
        self.usage.use(cells[0])
        score_cell = None
        if columns is not None:
            values, _labels, _surplus = columns.split(row)
            score_cell = values.get("score")
            self.usage.use(values.get("weight"))
        if score_cell is None or score_cell.text == "":
            numeric = [c for c in cells[1:] if parse_score(c.text) is not None]
            score_cell = numeric[-1] if numeric else None
            if len(numeric) > 1:
                self.usage.use(*numeric[:-1])  # the 100 of the 分值 column
        if score_cell is not None and score_cell.text:
            self.total = parse_score(score_cell.text)
            self.total_cell = score_cell
            self.usage.use(score_cell)
        self.grade_pairs.read([c for c in cells if c is not score_cell], self.usage)

    # -- the report ----------------------------------------------------------------------------
    def _report(self, rows: list[Row], source: Source) -> Report:
        indicators = self._with_heading_points(self.indicators)
        funds = Funds(unit=self.unit or "万元", rows=tuple(self.funds))
        total_row = funds.row("total")
        items: list[SelfItem] = []
        if total_row is not None:
            items.append(
                SelfItem(
                    EXECUTION_ITEM,
                    max=total_row.weight if total_row.weight is not None else EXECUTION_POINTS,
                    score=total_row.score,
                    place=Place(
                        path="self_assessment.items[预算执行率]",
                        file=self.file,
                        line=total_row.place.line,
                        cell=total_row.place.cell,
                    ),
                )
            )
        for row in indicators:
            if row.empty or not row.name:
                continue
            path = tuple(p for p in (row.level1, row.level2, row.name) if p)
            items.append(SelfItem(path, max=row.weight, score=row.score, place=row.place))
        missing = []
        if "funds" not in self.seen:
            missing.append("资金情况表")
        if "indicators" not in self.seen:
            missing.append("绩效指标表")
        missing.extend(describe_unplaced(c) for c in self.usage.leftovers(rows))
        p = self.pairs
        project = ProjectInfo(
            name=one_line(p.get("name")),
            unit=one_line(p.get("unit", "unit_fallback")),
            department=one_line(p.get("department")),
            manager=one_line(p.get("manager")),
            phone=one_line(p.get("phone")),
            report_date=parse_date(p.get("report_date")),
            year=self.year,
            filler=one_line(p.get("filler")),
            filler_phone=one_line(p.get("phone")) if p.get("filler") else None,
        )
        if self.spec.finish_project is not None:
            project = self.spec.finish_project(project)
        grade = one_line(self.grade_pairs.get("grade"))
        return Report(
            project=project,
            funds=funds,
            goals=tuple(self.goals),
            indicators=tuple(indicators),
            self_assessment=SelfAssessment(
                total=self.total,
                grade=grade,
                items=tuple(items),
                total_place=place(self.file, self.total_cell, "self_assessment.total"),
            ),
            source=source,
            missing_sections=tuple(missing),
            title=self.title,
        )

    def _with_heading_points(self, rows: list[Indicator]) -> list[Indicator]:
        """Rows without any 分值 take the points their 一级指标 heading states (产出指标（50分）), shared evenly."""
        if not self.heading_points or any(r.weight is not None for r in rows):
            return rows
        out = list(rows)
        for level1, points in self.heading_points.items():
            members = [i for i, r in enumerate(out) if r.level1 == level1 and not r.empty and r.name]
            for i, share in zip(members, split_evenly(points, len(members)), strict=True):
                out[i] = replace(out[i], weight=share)
        return out


def is_yes(text: str | None) -> bool:
    """是否核心指标 and the like: 是 / √ / ★ / Y."""
    return bool(text) and compact(text).lower() in {"是", "√", "✓", "✔", "★", "y", "yes", "核心", "核心指标"}


def _without_of_which(text: str) -> str:
    """A fund row's label without its 其中： (header form)."""
    return re.sub(r"^其中[:：]?", "", header_key(text))
