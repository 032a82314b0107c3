"""Excel export: the MOF 2020 项目支出绩效自评表 (财预〔2020〕10号 附件2), one sheet per report, plus 发现的问题.

执行率, the execution 得分 and the 总分 row are live formulas. openpyxl cannot store a formula's value, so
the saved workbook is passed once through LibreOffice, which computes and stores them: a reader that
does not calculate (our own importer, previews) then sees the numbers. Without LibreOffice the file keeps
its formulas only; Excel and WPS calculate them on opening, and our importer reads such a cell as blank.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.domain import Evaluation, FundRow, Indicator, Quantity, Report
from jixiao.io.exporters.forms import cn_date, is_yueyang, runs
from jixiao.io.importers.legacy import convert_many, soffice_path
from jixiao.labels import SEVERITY_ZH
from jixiao.scoring.engine import row_weights

LAST_COLUMN = "I"
WIDTHS = {"A": 10, "B": 18, "C": 12, "D": 14, "E": 12, "F": 12, "G": 8, "H": 8, "I": 18}
AMOUNT_FORMAT = "#,##0.00"
SCORE_FORMAT = "General"  # 10, 12.5, 2.76 as written ("0.##" would print "10.")
FINDINGS_SHEET = "发现的问题"
EXECUTION_POINTS = Decimal(10)  # the form's fixed 分值 for 预算执行率
FISCAL_LEVELS = ("central", "provincial", "city", "county")
FUND_ROWS = (
    ("total", "年度资金总额"),
    ("fiscal", "其中：当年财政拨款"),
    ("carryover", "上年结转资金"),
    ("other", "其他资金"),
)

_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FONT = Font(name="宋体", size=10)
BOLD = Font(name="宋体", size=10, bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


class Formula(str):
    """A cell text that is meant as a formula; any other text starting with "=" is kept as text."""


def write_xlsx(pairs: Sequence[tuple[Report, Evaluation]], out: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    wb.calculation = CalcProperties(fullCalcOnLoad=True)  # Excel/WPS recompute on opening, whatever is cached
    names: set[str] = {FINDINGS_SHEET}
    for n, (report, evaluation) in enumerate(pairs, 1):
        ws = wb.create_sheet(_sheet_name(report, n, names))
        _SelfEvaluationSheet(ws, report, evaluation).write()
    _findings_sheet(wb.create_sheet(FINDINGS_SHEET), pairs)
    panes = {ws.title: ws.freeze_panes for ws in wb.worksheets if ws.freeze_panes}
    with tempfile.TemporaryDirectory(prefix="jixiao-xlsx-") as tmp:
        saved = Path(tmp) / "export.xlsx"
        wb.save(saved)
        shutil.move(str(_with_values(saved, Path(tmp) / "calc", panes)), out)


def _with_values(saved: Path, outdir: Path, panes: dict[str, str]) -> Path:
    """The workbook with every formula's value stored (LibreOffice recalculates on conversion)."""
    if soffice_path() is None:
        return saved
    converted = convert_many([saved], "xlsx", outdir).get(saved)
    if converted is None:
        return saved
    restore_frozen_panes(converted, panes)
    return converted


def _sheet_name(report: Report, n: int, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", "", report.project.name or "").strip()[:28] or f"自评表{n}"
    name, k = base, 2
    while name in taken:
        name, k = f"{base[:26]}({k})", k + 1
    taken.add(name)
    return name


class _SelfEvaluationSheet:
    """One 项目支出绩效自评表, columns A–I, in the order the official form prints its blocks."""

    def __init__(self, ws: Worksheet, report: Report, evaluation: Evaluation):
        self.ws = ws
        self.report = report
        self.evaluation = evaluation
        self.row = 1

    def write(self) -> None:
        ws, p = self.ws, self.report.project
        title = (
            self.report.title if self.report.title and not is_yueyang(self.report) else "项目支出绩效自评表"
        )
        self.merged(1, "A", LAST_COLUMN, title, font=Font(name="宋体", size=16, bold=True))
        year = p.year if p.year is not None else "    "
        self.merged(2, "A", LAST_COLUMN, f"（{year}年度）", font=FONT, border=False)
        self.put(3, "A", "项目名称", bold=True)
        self.merged(3, "B", LAST_COLUMN, p.name, align=LEFT)
        self.put(4, "A", "主管部门", bold=True)
        self.merged(4, "B", "D", p.department, align=LEFT)
        self.put(4, "E", "实施单位", bold=True)
        self.merged(4, "F", LAST_COLUMN, p.unit, align=LEFT)
        self.row = 5
        self.funds()
        self.goals()
        first, last = self.indicators()
        self.total(first, last)
        for column, width in WIDTHS.items():
            ws.column_dimensions[column].width = width
        ws.freeze_panes = "A3"
        ws.print_area = f"A1:{LAST_COLUMN}{self.row - 1}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True

    # -- blocks --------------------------------------------------------------------------------
    def funds(self) -> None:
        top = self.row
        unit = self.report.funds.unit or "万元"
        heads = ("", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率")
        for column, text in zip("BCDEFG", heads, strict=True):
            self.put(top, column, text, bold=True)
        self.merged(top, "H", LAST_COLUMN, "得分", bold=True)
        rows = mof_fund_rows(self.report)
        for n, (label, values, note, stated) in enumerate(rows):
            r = top + 1 + n
            self.put(r, "B", label, align=LEFT)
            if note:
                self.ws[f"B{r}"].comment = Comment(note, "jixiao")
            for column, value in zip("CDE", values, strict=True):
                self.put(r, column, value, number_format=AMOUNT_FORMAT)
            if stated:
                self.put(r, "G", Formula(f'=IF(D{r}=0,"",E{r}/D{r})'), number_format="0.0%")
            else:
                self.put(r, "G", "—")
            if n == 0:
                self.put(r, "F", self.execution_points(), number_format=SCORE_FORMAT)
                score = Formula(f'=IF(G{r}="","",ROUND(MIN(F{r},F{r}*G{r}),2))')
                self.merged(r, "H", LAST_COLUMN, score, number_format=SCORE_FORMAT)
            else:
                self.put(r, "F", "—")
                self.merged(r, "H", LAST_COLUMN, "—")
        bottom = top + len(rows)
        self.merged(top, "A", "A", f"项目资金（{unit}）", bold=True, last_row=bottom)
        self.execution_row = top + 1
        self.row = bottom + 1

    def execution_points(self) -> Decimal:
        item = next((i for i in self.evaluation.items if tuple(i.path) == ("预算执行率",)), None)
        return item.max if item is not None else EXECUTION_POINTS

    def goals(self) -> None:
        top = self.row
        self.merged(top, "B", "E", "预期目标", bold=True)
        self.merged(top, "F", LAST_COLUMN, "实际完成情况", bold=True)
        goals = [(g.expected, g.actual) for g in self.report.goals] or [(None, None)]
        for n, (expected, actual) in enumerate(goals, 1):
            self.merged(top + n, "B", "E", expected, align=LEFT)
            self.merged(top + n, "F", LAST_COLUMN, actual, align=LEFT)
            self.ws.row_dimensions[top + n].height = max(
                _text_height(expected, "BCDE"), _text_height(actual, "FGHI")
            )
        self.merged(top, "A", "A", "年度总体目标", bold=True, last_row=top + len(goals))
        self.row = top + len(goals) + 1

    def indicators(self) -> tuple[int, int]:
        top = self.row
        heads = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")
        for column, text in zip("BCDEFGH", heads, strict=True):
            self.put(top, column, text, bold=True)
        self.put(top, LAST_COLUMN, "偏差原因分析及改进措施", bold=True)
        rows = self.scored_rows()
        tall: dict[int, float] = {}  # row index → height its wrapped texts need
        for n, (row, weight, score) in enumerate(rows, 1):
            r = top + n
            self.put(r, "D", "无" if row.empty else row.name)
            self.put(r, "E", _raw(row.target))
            self.put(r, "F", _raw(row.actual))
            self.put(r, "G", weight, number_format=SCORE_FORMAT)
            self.put(r, "H", score, number_format=SCORE_FORMAT)
            self.put(r, LAST_COLUMN, row.note, align=LEFT)
            texts = (("D", row.name), ("E", _raw(row.target)), ("F", _raw(row.actual)), ("I", row.note))
            tall[n - 1] = max(_text_height(text, column) for column, text in texts)
        for column, keys in (
            ("B", [(row.level1,) for row, _, _ in rows]),
            ("C", [(row.level1, row.level2) for row, _, _ in rows]),
        ):
            for start, length in runs(keys).items():
                self.merged(top + 1 + start, column, column, keys[start][-1], last_row=top + start + length)
                if length == 1:  # a name alone in its cell may wrap: its row grows with it
                    tall[start] = max(tall.get(start, 0.0), _text_height(keys[start][-1], column))
        for n, height in tall.items():
            self.ws.row_dimensions[top + 1 + n].height = height
        bottom = top + max(len(rows), 1)
        self.merged(top, "A", "A", "绩效指标", bold=True, last_row=bottom)
        self.row = bottom + 1
        return top + 1, top + len(rows)

    def scored_rows(self) -> list[tuple[Indicator, Decimal | None, Decimal | None]]:
        """Every indicator row (无 rows too) with its 分值 and self-score: the evaluation's item where the
        system scores rows (mof-2020), else the default split of 90 the engine uses (row_weights)."""
        items = {tuple(i.path): i for i in self.evaluation.items}
        weights = {id(row): weight for row, weight in row_weights(self.report)}
        out = []
        for row in self.report.indicators:
            item = items.get(tuple(p for p in (row.level1, row.level2, row.name) if p))
            if item is not None and not row.empty:
                out.append((row, item.max, item.self_score))
            else:
                out.append((row, weights.get(id(row), row.weight), row.score))
        return out

    def total(self, first: int, last: int) -> None:
        r = self.row
        self.merged(r, "A", "F", "总分", bold=True)
        rows = f",G{first}:G{last}" if last >= first else ""
        scores = f",H{first}:H{last}" if last >= first else ""
        total = Formula(f"=SUM(F{self.execution_row}{rows})")
        self.put(r, "G", total, number_format=SCORE_FORMAT, bold=True)
        self.put(
            r, "H", Formula(f"=SUM(H{self.execution_row}{scores})"), number_format=SCORE_FORMAT, bold=True
        )
        self.put(r, LAST_COLUMN, None)
        self.row = r + 1
        grade = self.report.self_assessment.grade
        if grade:  # not on the official form, but where bureaus' copies state it (and importers read it)
            self.merged(self.row, "A", "F", "评价等次", bold=True)
            self.merged(self.row, "G", LAST_COLUMN, grade)
            self.row += 1
        p = self.report.project
        footer = [
            f"{label}：{value}"
            for label, value in (
                ("填表人", p.filler),
                ("联系电话", p.filler_phone or p.phone),
                ("填报日期", cn_date(p.report_date)),
            )
            if value
        ]
        if footer:
            self.merged(self.row, "A", LAST_COLUMN, "    ".join(footer), align=LEFT, border=False)
            self.row += 1

    # -- cells ---------------------------------------------------------------------------------
    def put(
        self,
        r: int,
        column: str,
        value,
        bold: bool = False,
        align: Alignment = CENTER,
        number_format: str | None = None,
    ) -> None:
        cell = self.ws[f"{column}{r}"]
        cell.value = value if value != "" else None
        if isinstance(value, str) and value.startswith("=") and not isinstance(value, Formula):
            cell.data_type = "s"  # a target written "=100%" is text, not a formula
        cell.font = BOLD if bold else FONT
        cell.alignment = align
        cell.border = BORDER
        if number_format:
            cell.number_format = number_format

    def merged(
        self,
        r: int,
        first: str,
        last: str,
        value,
        bold: bool = False,
        align: Alignment = CENTER,
        font: Font | None = None,
        border: bool = True,
        number_format: str | None = None,
        last_row: int | None = None,
    ) -> None:
        bottom = last_row or r
        for row in self.ws.iter_rows(min_row=r, max_row=bottom, min_col=_col(first), max_col=_col(last)):
            for cell in row:  # borders on every covered cell, or the merged block prints without its frame
                if border:
                    cell.border = BORDER
        self.put(r, first, value, bold=bold, align=align, number_format=number_format)
        if font:
            self.ws[f"{first}{r}"].font = font
        if not border:
            self.ws[f"{first}{r}"].border = Border()
        if (first, r) != (last, bottom):
            self.ws.merge_cells(f"{first}{r}:{last}{bottom}")


def mof_fund_rows(report: Report) -> list[tuple[str, tuple[Decimal | None, ...], str | None, bool]]:
    """The funds block: (label, (年初预算数, 全年预算数, 全年执行数), note, 执行率 as a formula).

    A report read from a MOF-family form keeps its own rows and labels, so it reads back the same. A
    Yueyang report has none of them: its 计划安排资金 stands for both budgets (that form has no
    全年预算数), and where it lacks a 财政拨款 row the 中央/省/市/县 rows are summed into one, saying so.
    """
    funds, yueyang = report.funds, is_yueyang(report)

    def amounts(row: FundRow | None) -> tuple[Decimal | None, ...]:
        if row is None:
            return (None, None, None)
        budget = row.budget if row.budget is not None or not yueyang else row.planned
        return (row.planned, budget, row.spent)

    out = []
    for key, canonical in FUND_ROWS:
        row = funds.row(key)
        label = canonical if row is None or yueyang else row.label
        if key == "fiscal" and not label.startswith("其中"):
            label = f"其中：{label}"
        values, note = amounts(row), None
        if key == "fiscal" and row is None:
            levels = [r for r in (funds.row(k) for k in FISCAL_LEVELS) if r is not None and not r.is_blank]
            if levels:
                values = tuple(_sum([amounts(r)[i] for r in levels]) for i in range(3))
                note = "报告未单列财政拨款：此行为" + "、".join(r.label for r in levels) + "之和"
        # the form leaves 执行率 of the sources blank unless the unit stated one
        rate = key == "total" or (row is not None and row.stated_rate is not None)
        out.append((key, label, values, note, rate))
    own = {key for key, *_ in out[1:] if funds.row(key) is not None}
    if own and not yueyang:
        out = [r for r in out if r[0] == "total" or r[0] in own]
    return [(label, values, note, rate) for _key, label, values, note, rate in out]


def _findings_sheet(ws: Worksheet, pairs: Sequence[tuple[Report, Evaluation]]) -> None:
    # a 说明 line first: importers take what follows a note as notes, not as more of the last form
    ws.append(("说明：以下是 jixiao 复核发现的问题，不属于自评表的内容。",))
    ws.merge_cells("A1:E1")
    heads = ("编号", "严重程度", "问题", "位置", "项目")
    ws.append(heads)
    for report, evaluation in pairs:
        project = report.project.name or report.source.file or ""
        for f in evaluation.findings:
            ws.append((f.code, SEVERITY_ZH[f.severity], f.message, f.where.render(), project))
    for row in ws.iter_rows():
        for cell in row:
            cell.font = BOLD if cell.row <= 2 else FONT
            cell.alignment = LEFT if cell.row == 1 or (cell.column > 2 and cell.row > 2) else CENTER
            cell.border = BORDER if cell.row > 1 else Border()
    for column, width in zip("ABCDE", (9, 10, 70, 45, 30), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:E{ws.max_row}"
    ws.print_area = f"A1:E{ws.max_row}"
    ws.print_title_rows = "2:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _sum(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _raw(value: Quantity | None) -> str | None:
    return value.raw if value is not None else None


def _col(letter: str) -> int:
    return ord(letter) - 64


def _text_height(text: str | None, columns: str) -> float:
    """Points of row height a wrapped text needs across these columns (a Chinese character is two
    width units), so long goals print whole: Excel does not grow merged rows by itself."""
    units = sum(WIDTHS[c] for c in columns)
    lines = sum(math.ceil(max(len(line), 1) * 2 / units) for line in (text or "").splitlines() or [""])
    return max(15.0, 13.5 * lines)


# -- LibreOffice keeps everything but the frozen panes (it has no view when headless): put them back ----
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def restore_frozen_panes(path: Path, panes: dict[str, str]) -> None:
    """Freeze each named sheet above/left of its cell (sheet title → "A3"), rewriting the package in place."""
    from lxml import etree

    from jixiao.io.importers.xlsx import column_index

    with zipfile.ZipFile(path) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    book = etree.fromstring(members["xl/workbook.xml"])
    rels = etree.fromstring(members["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target", "").lstrip("/") for r in rels.iter(f"{{{_PKG_REL}}}Relationship")}
    for sheet in book.iter(f"{{{_MAIN}}}sheet"):
        cell = panes.get(sheet.get("name", ""))
        target = targets.get(sheet.get(f"{{{_DOC_REL}}}id"), "")
        part = target if target.startswith("xl/") else f"xl/{target}"
        if not cell or part not in members:
            continue
        root = etree.fromstring(members[part])
        view = root.find(f"{{{_MAIN}}}sheetViews/{{{_MAIN}}}sheetView")
        if view is None:
            continue
        letters = cell.rstrip("0123456789")
        cols, rows = column_index(letters), int(cell[len(letters) :]) - 1
        active = "bottomRight" if cols and rows else ("bottomLeft" if rows else "topRight")
        pane = etree.Element(f"{{{_MAIN}}}pane", topLeftCell=cell, activePane=active, state="frozen")
        if cols:
            pane.set("xSplit", str(cols))
        if rows:
            pane.set("ySplit", str(rows))
        view.insert(0, pane)
        for selection in view.iter(f"{{{_MAIN}}}selection"):
            selection.set("pane", active)
            selection.set("activeCell", cell)
            selection.set("sqref", cell)
        members[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
