"""Reading the row-laid-out self-evaluation forms (layouts provincial-2020 and fourblock-2020).

Such a form is a grid: label cells with their values beside them, and tables whose header row names
the columns. Everything is found by label and header text (the synonyms below are data), never by
position, so a .docx (grid columns, a merged cell given once), an .xlsx (every column, covered cells
empty) and '|' rows read alike. A file may hold many forms back to back: each starts at its 项目名称 row,
with the title lines just above it. Every non-empty cell of a form is either read or listed as
unrecognised content, so nothing a form says is silently dropped.

This module holds the synonyms, the records a form is read into, the splitting of a file into forms and
the turning of a form into report parts; ``rowform_reader`` walks one form's rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.domain import (
    FundRow,
    Funds,
    Goal,
    Indicator,
    NarrativeSection,
    Opinion,
    ProjectInfo,
    Report,
    SelfAssessment,
    Source,
)
from jixiao.io.cells import Cell, compact, rows_of
from jixiao.io.layouts.common import parse_date, parse_period, place
from jixiao.quantity import parse_decimal, parse_quantity, parse_score

Row = list[Cell]

# --------------------------------------------------------------------------- synonyms (data)
# Each line: a field and the texts forms use for it, separated by spaces (compared in label form).


def _synonyms(lines: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(words.split()) for name, words in lines.items()}


# Fund block columns → FundRow fields (rate/weight/score/note are the execution item's own columns).
FUND_COLUMNS = _synonyms(
    {
        "planned": "年初预算数 年初预算 年初预算安排 年初批复预算 计划安排资金 计划安排 预算安排数",
        "budget": "调整后预算数 调整后预算 全年预算数 全年预算 调整预算数 预算调整数",
        "arrived": "实际到位资金 实际到位 实际到位数 到位资金 资金到位数 到位数",
        "spent": "预算执行数 全年执行数 执行数 实际支出 实际支出数 实际执行数 支出数",
        "balance": "结余 结余资金 结转结余",
        "rate": "执行率 预算执行率 资金执行率",
        "weight": "权重 分值",
        "score": "得分 自评得分",
        "note": "未执行原因 原因 原因分析 未执行原因分析 偏差原因 备注 说明",
    }
)
FUND_AMOUNT_FIELDS = ("planned", "budget", "arrived", "spent", "balance")
# Fund source labels → funds key; the more specific first (财政专户管理资金 before 财政资金).
FUND_SOURCES = tuple(
    _synonyms(
        {
            "total": "合计 总计 年度资金总额 资金总额 项目资金总额 资金合计",
            "special": "财政专户管理资金 财政专户资金 专户管理资金 专户资金",
            "fiscal": "财政资金 财政拨款 当年财政拨款 本年财政拨款 财政拨款资金 财政性资金",
            "unit_funds": "单位资金 单位自筹 单位自筹资金 自筹资金 单位自有资金",
            "carryover": "上年结转 上年结转资金 结转资金",
            "central": "中央资金 中央财政 中央补助 中央财政资金 中央补助资金",
            "provincial": "省级资金 省财政 省级财政 省级财政资金 省财政资金 省级补助",
            "city": "市级资金 市财政 市级财政 市级财政资金",
            "county": "县级资金 县财政 县级财政 县级财政资金 县市区财政",
            "other": "其他资金 其它资金 其他 其它 社会资金",
        }
    ).items()
)
# Cells that name a block rather than hold a value (often merged down the block's left edge).
BLOCK_LABELS = frozenset(
    [
        "预算执行情况",
        "项目资金",
        "项目资金情况",
        "资金情况",
        "资金投入",
        "预算资金",
        "资金来源",
        "资金类别",
        "资金性质",
        "项目",
        "其中",
        "绩效指标",
        "年度绩效指标",
        "绩效指标完成情况",
        "指标完成情况",
        "评价指标",
        "年度总体目标",
        "总体目标",
        "年度总体目标完成情况",
        "绩效目标",
    ]
)
LEVELS = {"一级指标": "l1", "二级指标": "l2", "三级指标": "l3"}
POINTS_WORDS = ("分值", "权重", "标准分值", "满分", "指标分值")
# Indicator / score table columns. A 分值 column right after a level column is that level's points.
TABLE_COLUMNS = _synonyms(
    {
        "l3": "三级指标 指标名称 绩效指标名称",
        "op": "指标性质 指标方向 指标属性 计算符号 运算符号 符号",
        "target": "指标值 年度指标值 目标值 年度目标值 预期目标值 预期指标值 计划目标值",
        "unit": "度量单位 计量单位 单位",
        "actual": "完成值 实际完成值 实际值 全年实际值 实际完成 全年完成值",
        "score": "得分 自评得分 自评分 单位自评得分 自评分值",
        "review": "审核得分 财政审核评分 审核评分 财政审核得分 复核得分 财政评分 审核分",
        "note": "未完成原因分析 偏差原因分析 原因分析 偏差原因 未完成原因 备注 说明",
        "standard": "评分标准 评价标准 指标解释 指标说明 评分依据 考核内容 评价要点",
        "core": "是否核心指标 核心指标",
    }
)
GOAL_COLUMNS = _synonyms(
    {
        "expected": "预期目标 年度目标 总体目标 绩效目标",
        "actual": "实际完成情况 实际完成 完成情况 目标完成情况",
    }
)
TOTAL_ROW_LABELS = ("总分", "合计", "总计", "得分合计", "合计得分", "总得分", "综合得分", "自评总分")
# Labels with their value beside them: (kind, field, texts). Kinds: fact (ProjectInfo), total, narrative, signoff.
_LABEL_LINES = (
    ("fact", "name", "项目名称"),
    ("fact", "department", "主管部门 主管单位"),
    ("fact", "unit", "项目实施单位 实施单位 项目单位 预算单位"),
    ("fact", "reporting_unit", "填报单位"),
    ("fact", "manager", "项目负责人"),
    ("fact", "phone", "联系电话"),
    ("fact", "period", "项目起止时间 实施期限 项目实施期 实施周期"),
    ("fact", "address", "项目地址"),
    ("fact", "report_date", "填报日期 填表日期 报告日期"),
    ("fact", "filler", "填表人 填报人"),
    ("total", "total", "自评得分 自评总分 综合得分 总分"),
    ("total", "review_total", "财政审核评分 财政审核得分 审核得分 审核评分 复核得分"),
    ("total", "grade", "自评等级 自评等次 评价等次 评价等级 自评结果"),
    ("total", "review_grade", "审核等级 审核等次 财政审核等级"),
    ("narrative", "评价结论", "评价结论 自评结论 综合评价结论 总体评价结论"),
    ("narrative", "存在问题", "存在问题 存在的问题 主要问题 问题及原因"),
    ("narrative", "改进措施", "改进措施 改进建议 整改措施 下一步改进措施 意见建议"),
    ("narrative", "主要经验及做法", "主要经验及做法"),
    ("signoff", "财务负责人", "财务负责人"),
    ("signoff", "单位负责人", "单位负责人"),
)
LABELS: dict[str, tuple[str, str]] = {
    word: (kind, name) for kind, name, words in _LABEL_LINES for word in words.split()
}
# After the first block, these labels belong to the sign-off lines under the form.
SIGNOFF_AFTER_BLOCKS = {"项目负责人": "项目负责人", "联系电话": "联系电话"}
_BRACKETED = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]")
TITLE_LINE = re.compile(r"自评表|评价表|自评报告|绩效评价|年度[)）]?$|附件\s*\d*$|盖章")
UNIT_NOTE = re.compile(r"^(金额)?单位[:：]\s*(万元|元)$")
_PLACEHOLDERS = frozenset({"无", "/", "-", "—", "——", "--", "暂无", "不适用", "无此项", "/分"})


# --------------------------------------------------------------------------- small readers


def head(text: str) -> str:
    """A header or label as compared: compact, bracketed notes ((万元), （10分）, （签字）) and colons dropped."""
    key = _BRACKETED.sub("", compact(text)).strip(":*")
    return key.removeprefix("其中:").removeprefix("其中") or compact(text)


def match(key: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The field whose synonym equals the key; else the one with the longest synonym it starts with."""
    for name, words in table.items():
        if key in words:
            return name
    best, length = None, 0
    for name, words in table.items():
        for word in words:
            if len(word) >= 3 and key.startswith(word) and len(word) > length:
                best, length = name, len(word)
    return best


def fund_source(key: str) -> str | None:
    for fund_key, words in FUND_SOURCES:
        if key in words:
            return fund_key
    for fund_key, words in FUND_SOURCES:
        if any(len(w) >= 3 and key.startswith(w) for w in words):
            return fund_key
    return None


def rate_number(text: str | None) -> Decimal | None:
    """A stated rate in percent: '95%' → 95; a bare fraction (0.95, as a spreadsheet stores it) → 95."""
    if text is None:
        return None
    key = compact(text)
    value = parse_decimal(key)
    if value is not None and "%" not in key and value <= 1:
        return value * 100
    return value


def is_placeholder(text: str) -> bool:
    return compact(text) in _PLACEHOLDERS


def col(cell: Cell) -> int:
    return cell.col if cell.col is not None else 0


def where(cell: Cell) -> str:
    """Where a row is, as people name it: 表2 第18行 / Sheet1 第5行 / 第12行."""
    if cell.table is not None and cell.ref and cell.ref.startswith("表"):
        return f"表{cell.table} 第{cell.row}行"
    if cell.ref and "!" in cell.ref:
        return f"{cell.ref.split('!', 1)[0]} 第{cell.row}行"
    if cell.line:
        return f"第{cell.line}行"
    return cell.ref or "表外"


# --------------------------------------------------------------------------- what a form holds


@dataclass
class FundLine:
    key: str
    label: str
    amounts: dict[str, Decimal | None]
    rate: Decimal | None
    weight: Decimal | None
    score: Decimal | None
    note: str | None
    cell: Cell


@dataclass
class TableLine:
    levels: tuple[str | None, str | None, str | None]
    points: dict[str, Decimal | None]  # p1/p2/p3 (level points) and weight (a row's own 权重)
    texts: dict[str, str | None]  # op, target, unit, actual, note (as written)
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
    total_score: Decimal | None = None
    total_review: Decimal | None = None
    total_cell: Cell | None = None

    @property
    def has_values(self) -> bool:
        """An indicator table: it has target or actual columns (else it is a score table)."""
        return bool({"target", "actual"} & self.columns)


@dataclass
class Form:
    title: str | None = None
    year: int | None = None
    facts: dict[str, str] = field(default_factory=dict)
    fund_unit: str = "万元"
    fund_points: Decimal | None = None
    funds: list[FundLine] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    totals: dict[str, str] = field(default_factory=dict)
    total_cells: dict[str, Cell] = field(default_factory=dict)
    narrative: list[NarrativeSection] = field(default_factory=list)
    signoff: list[tuple[str, str, Cell]] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- splitting a file


def form_rows(cells: Sequence[Cell]) -> list[Row]:
    """Rows of non-empty cells, left to right; blank rows dropped."""
    out = []
    for row in rows_of(cells):
        kept = sorted((c for c in row if c.text), key=col)
        if kept:
            out.append(kept)
    return out


def _starts_form(row: Row) -> bool:
    """A 项目名称 row, its label first or after a block label (基本信息 | 项目名称 | …)."""
    return any(head(c.text).startswith("项目名称") for c in row[:2])


def _is_title(row: Row) -> bool:
    return len(row) == 1 and bool(
        TITLE_LINE.search(compact(row[0].text)) or UNIT_NOTE.match(compact(row[0].text))
    )


def split_forms(cells: Sequence[Cell]) -> list[list[Row]]:
    """The forms of a file in order: each from the title lines above its 项目名称 row to the next form."""
    rows = form_rows(cells)
    starts = [i for i, row in enumerate(rows) if _starts_form(row)]
    if not starts:
        return [rows]
    begins, floor = [], 0
    for start in starts:
        begin = start
        while begin > floor and start - begin < 4 and _is_title(rows[begin - 1]):
            begin -= 1
        begins.append(begin)
        floor = start + 1
    begins[0] = 0  # cover lines before the first form belong to it
    return [rows[b:e] for b, e in zip(begins, [*begins[1:], len(rows)], strict=True)]


# --------------------------------------------------------------------------- form → report parts


def project_info(form: Form) -> ProjectInfo:
    facts = form.facts
    start, end = parse_period(facts.get("period"))
    manager = facts.get("manager") or next((v for k, v, _ in form.signoff if k == "项目负责人" and v), None)
    return ProjectInfo(
        name=facts.get("name") or None,
        unit=facts.get("unit") or facts.get("reporting_unit") or None,
        department=facts.get("department") or None,
        manager=manager or None,
        phone=facts.get("phone") or None,
        address=facts.get("address") or None,
        start=start,
        end=end,
        report_date=parse_date(facts.get("report_date")),
        year=form.year or (int(start[:4]) if start else None),
        filler=facts.get("filler") or None,
        filler_phone=next((v for k, v, _ in form.signoff if k == "联系电话" and v), None),
        period_raw=facts.get("period") or None,
    )


def funds(form: Form, file: str | None) -> Funds:
    rows = []
    for line in form.funds:
        rows.append(
            FundRow(
                key=line.key,
                label=line.label,
                planned=line.amounts["planned"],
                budget=line.amounts["budget"],
                arrived=line.amounts["arrived"],
                spent=line.amounts["spent"],
                balance=line.amounts["balance"],
                stated_rate=line.rate,
                weight=line.weight,
                score=line.score,
                place=place(file, line.cell, f"funds[{line.label}]"),
            )
        )
    return Funds(unit=form.fund_unit, rows=tuple(rows))


def fund_reasons(form: Form) -> list[NarrativeSection]:
    """The 未执行原因 column, kept as a narrative section so the reasons are not lost."""
    notes = [
        f"{line.label}：{line.note}" for line in form.funds if line.note and not is_placeholder(line.note)
    ]
    return [NarrativeSection("预算执行·未执行原因", "\n".join(notes))] if notes else []


_EMPTY_NAMES = frozenset({"无", "/", "-", "—", "——", "暂无"})


def indicators(form: Form, file: str | None) -> list[Indicator]:
    """Indicator rows of every table with target/actual columns: 指标值 + 指标性质 + 度量单位 read together."""
    out: list[Indicator] = []
    for table in form.tables:
        if not table.has_values:
            continue
        for line in table.lines:
            l1, l2, name = line.levels
            name = name or (l2 if "l3" not in table.columns else None)
            texts = line.texts
            empty = (name is None or name in _EMPTY_NAMES) and not texts["target"] and not texts["actual"]
            if empty and name is None and line.score is None:
                continue
            unit = texts["unit"]
            out.append(
                Indicator(
                    level1=l1,
                    level2=l2,
                    name=None if empty else name,
                    target=None if empty else parse_quantity(texts["target"], op=texts["op"], unit=unit),
                    actual=None if empty else parse_quantity(texts["actual"], unit=unit),
                    weight=line.leaf_points,
                    score=line.score,
                    note=texts["note"],
                    empty=empty,
                    place=place(file, line.cell, f"indicators[{len(out) + 1}]"),
                )
            )
    return out


def opinions(form: Form, file: str | None) -> list[Opinion]:
    return [
        Opinion(role="unit", label=label, text=text or None, place=place(file, cell, f"opinions.{label}"))
        for label, text, cell in form.signoff
        if label != "联系电话"
    ]


def total_value(form: Form, name: str) -> tuple[Decimal | None, Cell | None]:
    text = form.totals.get(name)
    return (parse_score(text), form.total_cells.get(name)) if text else (None, None)


def report(
    form: Form, file: str | None, source: Source, self_assessment: SelfAssessment, missing: list[str]
) -> Report:
    """A row-form family's Report: all but the self-assessment and what is missing is read alike."""
    return Report(
        project=project_info(form),
        funds=funds(form, file),
        goals=tuple(form.goals),
        indicators=tuple(indicators(form, file)),
        self_assessment=self_assessment,
        opinions=tuple(opinions(form, file)),
        narrative=(*form.narrative, *fund_reasons(form)),
        source=source,
        missing_sections=tuple(missing),
        title=form.title,
    )
