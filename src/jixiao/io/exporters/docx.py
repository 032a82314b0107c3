"""Word export: the Yueyang 附件2-2 self-evaluation report and its 附件3-2 score table, plus the review.

The document reads exactly as the official form does (cover, tables 一–四, 五 narrative, 附件3-2), so the
Yueyang importer reads it back into the same report. The review — 复核得分 and 依据 beside each
self-score, then an appendix of findings and the trace of every item — sits where that importer does
not look for report content: extra columns after 自评得分, and pages after the 总分 row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from jixiao.domain import Evaluation, FundRow, Report
from jixiao.io.exporters.forms import (
    cn_date,
    fund_source_rows,
    group_points,
    indicator_blocks,
    opinion_blocks,
    period_text,
    runs,
    score_rows,
    system_of,
)
from jixiao.labels import BASIS_ZH, SEVERITY_ZH
from jixiao.numbers import fmt

BODY_FONT = "宋体"
HEAD_FONT = "黑体"
LATIN_FONT = "Times New Roman"
CHINESE_NUMERALS = "一二三四五六七八九十"
EVALUATION_TYPES = ("项目实施过程评价", "项目完成结果评价")
FUND_COLUMNS = ("计划安排资金", "实际到位资金", "实际支出", "结余")


@dataclass(frozen=True, slots=True)
class Box:
    """One cell of a form row: its text, how many grid columns it spans, and its vertical merge."""

    text: str | None = ""
    span: int = 1
    vmerge: str | None = None  # "restart" | "continue"
    bold: bool = False
    left: bool = False  # long text reads better left-aligned


def write_docx(pairs: Sequence[tuple[Report, Evaluation]], out: Path) -> None:
    doc = _new_document()
    for n, (report, evaluation) in enumerate(pairs):
        if n:
            _new_section(doc, landscape=False)
        _write_report(doc, report, evaluation)
    doc.save(str(out))


def _write_report(doc: DocxDocument, report: Report, evaluation: Evaluation) -> None:
    _cover(doc, report)
    doc.add_page_break()
    _basic_table(doc, report)
    _gap(doc)
    _spending_table(doc, report)
    _gap(doc)
    _self_table(doc, report)
    _gap(doc)
    _people_table(doc, report)
    p = report.project
    _para(doc, f"填报人（签名）：{p.filler or ''}        联系电话：{p.filler_phone or ''}", size=12)
    _narrative(doc, report)
    _new_section(doc, landscape=True)  # the wide score table and the review read better across the page
    _score_table(doc, report, evaluation)
    doc.add_page_break()
    _review(doc, evaluation)


# -- the form's parts --------------------------------------------------------------------------------
def _cover(doc: DocxDocument, report: Report) -> None:
    p = report.project
    _para(doc, "附件2-2", size=16, font=HEAD_FONT)
    _blank(doc, 3)
    _para(doc, report.title or "岳阳市财政支出项目绩效评价自评报告", size=22, bold=True, center=True)
    _blank(doc, 4)
    options = [f"{name}{'√' if p.evaluation_type == name else '□'}" for name in EVALUATION_TYPES]
    if p.evaluation_type and p.evaluation_type not in EVALUATION_TYPES:
        options.append(f"{p.evaluation_type}√")
    _para(doc, "评价类型：" + "   ".join(options), size=15)
    for label, value in (("项目名称", p.name), ("项目单位", p.unit), ("主管部门", p.department)):
        para = _para(doc, f"{label}  ", size=15)
        if value:
            _run(para, value, size=15, underline=True)
    _para(doc, f"评价方式：{p.evaluation_method or ''}", size=15)
    _para(doc, f"评价机构：{p.evaluator_org or ''}", size=15)
    _para(doc, f"报告日期：{cn_date(p.report_date)}", size=15)
    _blank(doc, 5)
    _para(doc, "岳阳市财政局（制）", size=15, center=True)


def _basic_table(doc: DocxDocument, report: Report) -> None:
    p = report.project
    unit = report.funds.unit or "万元"
    table = _Grid(doc, [2.3, 1.95] * 4)
    table.row([Box("一、项目基本概况", 8, bold=True)])
    table.row([Box("项目负责人", 2), Box(p.manager, 2), Box("联系电话", 2), Box(p.phone, 2)])
    table.row([Box("项目地址", 2), Box(p.address, 2), Box("邮编", 2), Box(p.postcode, 2)])
    table.row([Box("项目起止时间", 2), Box(period_text(p), 6)])
    total = report.funds.row("total")
    table.row(_fund_boxes([f"{c}（{unit}）" for c in FUND_COLUMNS], total))
    for n, (label, row) in enumerate(fund_source_rows(report)):
        shown = label if n or label.startswith("其中") else f"其中：{label}"
        table.row(_fund_boxes([shown] * 4, row))


def _fund_boxes(labels: list[str], row: FundRow | None) -> list[Box]:
    values = (None, None, None, None)
    if row is not None:
        planned = row.planned if row.planned is not None else row.budget
        values = (planned, row.arrived, row.spent, row.balance)
    out: list[Box] = []
    for label, value in zip(labels, values, strict=True):
        out += [Box(label), Box(_amount(value))]
    return out


def _spending_table(doc: DocxDocument, report: Report) -> None:
    table = _Grid(doc, [5.0, 3.6, 4.6, 3.8])
    table.row([Box("二、项目支出明细情况", 4, bold=True)])
    table.row([Box(h, bold=True) for h in ("支出内容", "实际支出数", "会计凭证号", "备注")])
    for e in report.expenditures:
        amount = f"{_amount(e.amount)}{e.unit or ''}" if e.amount is not None else ""
        table.row([Box(e.item, left=True), Box(amount), Box(e.voucher), Box(e.note, left=True)])
    table.row([Box()] * 4)  # the form's spare line
    total = report.expenditure_total
    table.row(
        [
            Box("支出合计"),
            Box(_amount(total) + (report.funds.unit if total is not None else "")),
            Box(),
            Box(),
        ],
    )


def _self_table(doc: DocxDocument, report: Report) -> None:
    table = _Grid(doc, [2.8, 2.5, 2.5, 3.2, 3.0, 3.0])
    table.row([Box("三、项目绩效自评情况", 6, bold=True)])
    goals = report.goals or ()
    table.row(
        [Box("项目绩效定性目标及实施计划完成情况", vmerge="restart"), Box("预期目标", 3), Box("实际完成", 2)],
    )
    for goal in goals or [None]:
        expected, actual = (goal.expected, goal.actual) if goal else (None, None)
        table.row([Box(vmerge="continue"), Box(expected, 3, left=True), Box(actual, 2, left=True)])
    heads = ("一级指标", "二级指标", "指标内容", "指标（目标）值", "实际完成值")
    table.row([Box("项目绩效定量目标（指标）及完成情况", vmerge="restart"), *map(Box, heads)])
    blocks1, blocks2 = indicator_blocks(report.indicators)
    runs1, runs2 = runs(blocks1), runs(blocks2)
    for n, row in enumerate(report.indicators):
        name = "无" if row.empty else row.name
        target = None if row.empty or row.target is None else row.target.raw
        actual = None if row.empty or row.actual is None else row.actual.raw
        table.row(
            [
                Box(vmerge="continue"),
                Box(row.level1 if n in runs1 else "", vmerge=_merge(n, runs1)),
                Box(row.level2 if n in runs2 else "", vmerge=_merge(n, runs2)),
                Box(name),
                Box(target),
                Box(actual),
            ],
        )
    sa = report.self_assessment
    table.row([Box("绩效自评综合得分", 3, bold=True), Box(_amount(sa.total), 3)])
    table.row([Box("评价等次", 3, bold=True), Box(sa.grade, 3)])


def _people_table(doc: DocxDocument, report: Report) -> None:
    table = _Grid(doc, [3.8, 4.3, 5.0, 3.9])
    table.row([Box("四、评价人员", 4, bold=True)])
    table.row([Box(h, bold=True) for h in ("姓名", "职称/职务", "单位", "签字")])
    people = list(report.evaluators)
    for person in people + [None] * max(0, 3 - len(people)):
        name, title, unit = (person.name, person.title, person.unit) if person else (None, None, None)
        table.row([Box(name), Box(title), Box(unit), Box()])
    for label, text, signature in opinion_blocks(report):
        row = table.table.add_row()
        cell = row.cells[0].merge(row.cells[3])
        head = cell.paragraphs[0]
        _run(head, label + (text or ""), size=12)
        for line in ("", signature, "", "年    月    日"):
            para = cell.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if line:
                _run(para, line, size=12)


def _narrative(doc: DocxDocument, report: Report) -> None:
    _para(doc, "五、评价报告综述（文字部分）", size=14, font=HEAD_FONT, space_before=12)
    for n, section in enumerate(report.narrative):
        number = CHINESE_NUMERALS[n] if n < len(CHINESE_NUMERALS) else str(n + 1)
        _para(doc, f"（{number}）{section.heading}", size=12, bold=True, space_before=6)
        for line in section.text.splitlines():
            para = _para(doc, line, size=12)
            para.paragraph_format.first_line_indent = Pt(24)


def _score_table(doc: DocxDocument, report: Report, evaluation: Evaluation) -> None:
    system = system_of(evaluation)
    _para(doc, "附件3-2", size=16, font=HEAD_FONT)
    _para(doc, "项目支出绩效评价指标体系", size=18, bold=True, center=True)
    widths = [1.7, 1.2, 1.7, 1.2, 1.7, 1.2, 5.2, 7.1, 1.3, 1.3, 1.3]
    table = _Grid(doc, widths, size=9)
    heads = ("一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "具体指标", "评价标准")
    table.header((*heads, "自评得分", "复核得分", "依据"))
    rows = score_rows(report, evaluation, system)
    runs1 = runs([r.path[:1] for r in rows])
    runs2 = runs([r.path[:2] for r in rows])
    shared = runs([r.standard for r in rows])  # one standard for many rows (mof-2020 绩效指标): one cell
    for n, r in enumerate(rows):
        merge1, merge2, merge3 = _merge(n, runs1), _merge(n, runs2), _merge(n, shared)
        points1 = group_points(system, rows, n, runs1[n], 1) if n in runs1 else None
        points2 = group_points(system, rows, n, runs2[n], 2) if n in runs2 else None
        scored = r.scored
        table.row(
            [
                Box(r.path[0] if n in runs1 else "", vmerge=merge1),
                Box(_amount(points1), vmerge=merge1),
                Box(r.path[1] if n in runs2 else "", vmerge=merge2),
                Box(_amount(points2), vmerge=merge2),
                Box(r.path[2]),
                Box(_amount(r.max)),
                Box(r.indicator, left=True),
                Box(r.standard if n in shared else "", vmerge=merge3, left=True),
                Box(_amount(r.self_score)),
                Box(_amount(scored.score) if scored else ""),
                Box(BASIS_ZH[scored.basis] if scored else ""),
            ]
        )
    points = _amount(sum((r.max for r in rows if r.max is not None), Decimal(0)))
    self_total = report.self_assessment.total
    table.row(
        [
            Box("总分", bold=True),
            Box(points),
            Box(),
            Box(points),
            Box(),
            Box(points),
            Box(),
            Box(),
            Box(_amount(self_total)),
            Box(_amount(evaluation.total)),
            Box(evaluation.grade),
        ]
    )


def _review(doc: DocxDocument, evaluation: Evaluation) -> None:
    system = system_of(evaluation)
    findings = evaluation.findings
    counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_ZH}
    _para(doc, "复核意见：发现的问题", size=16, font=HEAD_FONT)
    named = f"{system.name}（{evaluation.system}）" if system else evaluation.system
    _para(
        doc,
        f"指标体系：{named}。自评 {fmt(evaluation.self_total)} 分（{evaluation.self_grade or '—'}），"
        f"复算 {fmt(evaluation.total)} 分（{evaluation.grade}）。"
        f"共发现问题 {len(findings)} 条：错误 {counts['error']} 条，警告 {counts['warning']} 条，"
        f"提示 {counts['info']} 条。",
        size=12,
    )
    if findings:
        table = _Grid(doc, [1.6, 1.9, 14.2, 7.6], size=9)
        table.header(("编号", "严重程度", "问题", "位置"))
        for f in findings:
            boxes = [Box(f.code), Box(SEVERITY_ZH[f.severity]), Box(f.message, left=True)]
            table.row([*boxes, Box(f.where.render(), left=True)])
    _para(doc, "逐项复核过程", size=14, font=HEAD_FONT, space_before=12)
    table = _Grid(doc, [5.2, 1.2, 1.2, 1.2, 1.2, 15.3], size=9)
    heads = ("指标", "满分", "自评", "复核", "依据", "计算过程")
    table.header(heads)
    for item in evaluation.items:
        table.row(
            [
                Box("/".join(item.path), left=True),
                Box(fmt(item.max)),
                Box(fmt(item.self_score)),
                Box(fmt(item.score)),
                Box(BASIS_ZH[item.basis]),
                Box(item.trace, left=True),
            ]
        )


# -- python-docx plumbing ------------------------------------------------------------------------
def _new_document() -> DocxDocument:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    _page(doc.sections[0], landscape=False)
    return doc


def _page(section, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.5)


def _new_section(doc: DocxDocument, landscape: bool) -> None:
    _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape)


def _run(
    paragraph,
    text: str,
    size: float | None = None,
    bold: bool = False,
    font: str | None = None,
    underline: bool = False,
):
    run = paragraph.add_run(text)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.underline = underline or None
    if font:
        run.font.name = LATIN_FONT
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def _para(
    doc: DocxDocument,
    text: str,
    size: float | None = None,
    bold: bool = False,
    center: bool = False,
    font: str | None = None,
    space_before: float = 0,
):
    para = doc.add_paragraph()
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.space_before = Pt(space_before or (6 if size and size >= 15 else 0))
    if text:
        _run(para, text, size=size, bold=bold, font=font)
    return para


def _blank(doc: DocxDocument, n: int) -> None:
    for _ in range(n):
        doc.add_paragraph()


def _gap(doc: DocxDocument) -> None:
    """An empty paragraph: two tables back to back would fuse into one when Word opens the file."""
    doc.add_paragraph()


class _Grid:
    """A form table: fixed column widths (cm) and a font size, filled row by row with boxes."""

    def __init__(self, doc: DocxDocument, widths_cm: list[float], size: float = 10.5):
        self.table = doc.add_table(rows=0, cols=len(widths_cm))
        self.table.style = "Table Grid"
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.table.autofit = False
        for column, width in zip(self.table.columns, widths_cm, strict=True):
            column.width = Cm(width)
        self.widths = widths_cm
        self.size = size

    def row(self, boxes: Sequence[Box]):
        row = self.table.add_row()
        cells = row.cells
        col = 0
        for box in boxes:
            cell = cells[col]
            if box.span > 1:
                cell = cell.merge(cells[col + box.span - 1])
            cell.width = Cm(sum(self.widths[col : col + box.span]))
            if box.vmerge:
                cell._tc.vMerge = box.vmerge
            _fill(cell, box.text, bold=box.bold, left=box.left, size=self.size)
            col += box.span
        return row

    def header(self, texts: Sequence[str]) -> None:
        """A bold header row that Word repeats on every page the table runs onto (one row in the file)."""
        row = self.row([Box(t, bold=True) for t in texts])
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _fill(cell, text: str | None, bold: bool = False, left: bool = False, size: float = 10.5) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    para = cell.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
    if text:
        _run(para, text, size=size, bold=bold)


def _merge(n: int, blocks: dict[int, int]) -> str | None:
    """Row n's vertical merge in a column whose blocks start at the keys (value: rows in the block)."""
    if n not in blocks:
        return "continue"
    return "restart" if blocks[n] > 1 else None


def _amount(value: Decimal | None) -> str:
    return "" if value is None else fmt(value)
