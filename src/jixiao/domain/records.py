"""Plain typed records of a self-evaluation report (自评报告) and its evaluation.

Everything here is immutable and knows nothing of files, databases or HTTP. Amounts are
``Decimal``; a table of amounts carries its unit (万元 / 元). Indicator values are
``Quantity`` records: raw text plus the parsed comparator, number and unit.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal
from typing import Literal

from jixiao.domain.record import record

Severity = Literal["error", "warning", "info"]
Basis = Literal["computed", "judgement", "missing"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@record
class Place:
    """Where a value or a finding comes from: file, a dotted path in the report, a line or cell."""

    path: str = ""  # e.g. "funds[市财政].balance", "indicators[3].actual"
    file: str | None = None
    line: int | None = None  # 1-based line in a text file
    cell: str | None = None  # "Sheet1!C5" or "表2 第3行" for documents

    def render(self) -> str:
        parts = [p for p in (self.file, str(self.line) if self.line else None, self.cell) if p]
        head = ":".join(parts)
        if head and self.path:
            return f"{head}:{self.path}"
        return head or self.path

    def with_file(self, file: str | None) -> Place:
        return Place(self.path, file, self.line, self.cell)


@record
class Quantity:
    """An indicator value as written and as understood.

    kind: ``number`` (value set), ``text`` (qualitative, e.g. 按期完成), ``empty`` (blank or 无).
    """

    raw: str
    op: str | None = None  # ">=", "<=", "=" or None
    value: Decimal | None = None
    unit: str | None = None
    kind: Literal["number", "text", "empty"] = "empty"

    @property
    def is_number(self) -> bool:
        return self.kind == "number" and self.value is not None

    @property
    def is_empty(self) -> bool:
        return self.kind == "empty"


@record
class ProjectInfo:
    name: str | None = None
    unit: str | None = None  # 项目单位 / 实施单位
    department: str | None = None  # 主管部门
    manager: str | None = None  # 项目负责人
    phone: str | None = None
    address: str | None = None
    postcode: str | None = None
    start: str | None = None  # ISO "2019-06" or "2019-06-01"
    end: str | None = None
    report_date: str | None = None  # ISO "2020-06-08"
    year: int | None = None  # budget year evaluated
    evaluation_type: str | None = None  # 项目实施过程评价 / 项目完成结果评价
    evaluation_method: str | None = None  # 评价方式
    evaluator_org: str | None = None  # 评价机构
    filler: str | None = None  # 填报人
    filler_phone: str | None = None
    period_raw: str | None = None  # 项目起止时间 as written


FUND_KEYS = (
    "total",
    "central",
    "provincial",
    "city",
    "county",
    "other",
    "fiscal",
    "carryover",
    "special",
    "unit_funds",
)
FUND_FIELDS = ("planned", "budget", "arrived", "spent", "balance")


@record
class FundRow:
    """One source of funds. planned = 计划安排/年初预算; budget = 全年预算/调整后预算;
    arrived = 实际到位; spent = 实际支出/全年执行数; balance = 结余."""

    key: str
    label: str
    planned: Decimal | None = None
    budget: Decimal | None = None
    arrived: Decimal | None = None
    spent: Decimal | None = None
    balance: Decimal | None = None
    stated_rate: Decimal | None = None  # 执行率 as the form states it, in percent
    weight: Decimal | None = None  # 分值 of the execution item, where the form has it
    score: Decimal | None = None  # 得分 of the execution item, where the form has it
    place: Place = field(default_factory=Place)

    def amount(self, name: str) -> Decimal | None:
        return getattr(self, name)

    @property
    def is_blank(self) -> bool:
        return all(getattr(self, f) is None for f in FUND_FIELDS)


@record
class Funds:
    unit: str = "万元"
    rows: tuple[FundRow, ...] = ()

    def row(self, key: str) -> FundRow | None:
        for r in self.rows:
            if r.key == key:
                return r
        return None


@record
class Expenditure:
    item: str | None
    amount: Decimal | None
    unit: str | None = None  # unit written with the amount, else the funds unit
    voucher: str | None = None
    note: str | None = None
    place: Place = field(default_factory=Place)


@record
class Goal:
    expected: str | None
    actual: str | None
    place: Place = field(default_factory=Place)


@record
class Indicator:
    level1: str | None
    level2: str | None
    name: str | None
    target: Quantity | None = None
    actual: Quantity | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    note: str | None = None
    empty: bool = False  # the form fills the row with 无
    core: bool = False  # ★ / 是否核心指标
    place: Place = field(default_factory=Place)
    parts: tuple[Indicator, ...] = ()  # rows under a group row (★补助种植面积 → 红薯 5.5亩, 梨树 6亩 …)


@record
class SelfItem:
    path: tuple[str, ...]
    max: Decimal | None
    score: Decimal | None
    place: Place = field(default_factory=Place)
    review_score: Decimal | None = None  # 审核得分 / 财政审核评分 where the form carries one


@record
class SelfAssessment:
    total: Decimal | None = None
    grade: str | None = None
    items: tuple[SelfItem, ...] = ()
    total_place: Place = field(default_factory=Place)
    review_total: Decimal | None = None  # 财政审核评分 / 审核得分 where the form carries one
    review_grade: str | None = None


@record
class Evaluator:
    name: str | None
    title: str | None = None
    unit: str | None = None


@record
class Opinion:
    """A sign-off block: 评价组组长 / 项目单位 / 主管部门 / 财政部门意见."""

    role: str  # evaluation_group | unit | department | finance
    label: str
    text: str | None = None
    place: Place = field(default_factory=Place)


@record
class NarrativeSection:
    heading: str
    text: str


@record
class Attachment:
    """A 佐证材料 on file: for the whole report, an item (三级指标), or one criterion of it."""

    name: str
    item: str | None = None  # leaf name, e.g. 决策依据
    criterion: str | None = None  # criterion id, e.g. ③


@record
class Unplaced:
    """A cell a layout could not put in any field: kept with its place, never dropped."""

    text: str
    place: Place = field(default_factory=Place)
    row: str | None = None  # the row it stands on, as people name it: 表2 第18行 / Sheet1 第5行 / 第12行


@record
class Blank:
    """A place the form asks to be filled and that was left empty (or still holds its instruction text)."""

    label: str  # 中文: 项目负责人, 评价结论, 年度目标完成情况 …
    place: Place = field(default_factory=Place)
    instruction: bool = False  # it still holds the form's instruction text
    why: str = ""  # how it is empty, when more than blank: 只有模板行
    group: str | None = None  # blanks of one row or block: one problem, one finding


@record
class FormTraits:
    """What the form a report came from asks for, from its layout spec: the project fields it requires
    ((field, 中文名)) and whether it has a 评价等次 cell. Checks use it instead of layout ids."""

    required: tuple[tuple[str, str], ...] = ()
    has_grade: bool = True
    has_total: bool = True  # a form that has a place for its total: its absence is worth saying


@record
class Source:
    file: str | None = None
    layout: str | None = None  # e.g. "yueyang-2-2"; "generic" when no layout spec fitted
    format: str | None = None  # txt | docx | xlsx | doc | xls
    encoding: str | None = None
    part: str | None = None  # None: the whole report; "3-2": a 附件3-2 score table alone


@record
class Report:
    project: ProjectInfo = field(default_factory=ProjectInfo)
    funds: Funds = field(default_factory=Funds)
    expenditures: tuple[Expenditure, ...] = ()
    expenditure_total: Decimal | None = None  # 支出合计 as stated
    goals: tuple[Goal, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    self_assessment: SelfAssessment = field(default_factory=SelfAssessment)
    evaluators: tuple[Evaluator, ...] = ()
    opinions: tuple[Opinion, ...] = ()
    narrative: tuple[NarrativeSection, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    source: Source = field(default_factory=Source)
    missing_sections: tuple[str, ...] = ()  # sections the importer expected and did not find
    title: str | None = None
    unplaced: tuple[Unplaced, ...] = ()  # cells no field took
    blanks: tuple[Blank, ...] = ()  # labelled places the form left empty


@record
class Finding:
    code: str
    severity: Severity
    message: str
    where: Place = field(default_factory=Place)


@record
class ScoredItem:
    path: tuple[str, ...]
    max: Decimal
    self_score: Decimal | None
    score: Decimal
    basis: Basis
    trace: str
    evidence: tuple[str, ...] = ()  # criteria that need 佐证材料
    rows: tuple[int, ...] = ()  # positions in report.indicators of the rows the rule looked at


@record
class Evaluation:
    system: str
    self_total: Decimal | None
    self_grade: str | None
    total: Decimal
    grade: str
    items: tuple[ScoredItem, ...]
    findings: tuple[Finding, ...] = ()
