"""The review workbook of a batch: 报告汇总, 问题清单, 读取失败.

Written in openpyxl's streaming mode (a folder of thousands of reports has tens of thousands of findings)
to a temp file beside the target, then moved into place: a reader never sees a half-written workbook.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from copy import copy
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jixiao.errors import InputError
from jixiao.labels import SEVERITY_ZH

if TYPE_CHECKING:
    from jixiao.batch.runner import FileOutcome, ReportSummary


# (header, column width)
SUMMARY_COLUMNS = (
    ("文件", 40),
    ("版式", 12),
    ("项目名称", 36),
    ("项目单位", 26),
    ("主管部门", 26),
    ("自评得分", 10),
    ("自评等次", 10),
    ("复算得分", 10),
    ("复算等次", 10),
    ("分差", 8),
    ("预算执行率", 12),
    ("错误数", 8),
    ("警告数", 8),
    ("提示数", 8),
)
FINDING_COLUMNS = (("文件", 40), ("项目名称", 36), ("编号", 8), ("严重程度", 10), ("说明", 90), ("位置", 36))
FAILED_COLUMNS = (("文件", 48), ("原因", 110))
RATE_COLUMN = 11  # 预算执行率, 1-based

BOLD = Font(bold=True)
RED_FILL = PatternFill("solid", fgColor="FFC7CE")
RED_FONT = Font(color="9C0006")
WRAP = Alignment(wrap_text=True, vertical="top")  # a failure reason has its fix on a second line


def number(value: Decimal | None) -> int | Decimal | None:
    """A number Excel stores as a number (openpyxl writes a Decimal's digits as they are)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


def _text(value: str | None) -> str | None:
    """Control characters (Word's \\v line breaks…) are illegal in xlsx: drop them rather than fail."""
    return None if value is None else ILLEGAL_CHARACTERS_RE.sub("", value)


def by_gap(reports: Iterable[ReportSummary]) -> list[ReportSummary]:
    """Largest 分差 first (the most inflated self-evaluations lead); no self total last; ties in file order."""
    return sorted(reports, key=lambda r: (r.gap is None, -(r.gap or 0)))


def summary_row(r: ReportSummary) -> list[Any]:
    return [
        r.file,
        r.layout,
        _text(r.name),
        _text(r.unit),
        _text(r.department),
        number(r.self_total),
        r.self_grade,
        number(r.total),
        r.grade,
        number(r.gap),
        number(r.execution_rate),
        r.count("error"),
        r.count("warning"),
        r.count("info"),
    ]


class _Sheet:
    """A streaming sheet with a bold frozen header, widths and an autofilter over the rows written."""

    def __init__(self, wb: Workbook, title: str, columns: Sequence[tuple[str, int]], rows: int):
        self.ws: WriteOnlyWorksheet = wb.create_sheet(title)
        self._styles: dict[tuple[bool, str | None, bool, bool], Any] = {}
        for i, (_, width) in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"
        self.ws.append([self.cell(h, bold=True) for h, _ in columns])

    def cell(
        self, value: Any, *, red: bool = False, fmt: str | None = None, wrap: bool = False, bold: bool = False
    ) -> Any:
        c = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and value.startswith("="):
            c.data_type = "s"  # a project named "=…" is text, not a formula
        key = (red, fmt, wrap, bold)
        if key != (False, None, False, False):
            # Styling a cell attribute by attribute hashes the style objects every time (most of the
            # time of a large workbook); build each combination once and copy its style array.
            if key not in self._styles:
                if red or bold:
                    c.font = RED_FONT if red else BOLD
                if red:
                    c.fill = RED_FILL
                if fmt:
                    c.number_format = fmt
                if wrap:
                    c.alignment = WRAP
                self._styles[key] = copy(c._style)
            c._style = copy(self._styles[key])
        return c

    def append(
        self,
        values: Sequence[Any],
        *,
        red: bool = False,
        formats: dict[int, str] | None = None,
        wrap: bool = False,
    ) -> None:
        plain = not (red or formats or wrap) and not any(
            isinstance(v, str) and v.startswith("=") for v in values
        )
        if plain:
            self.ws.append(list(values))  # the fast path: most rows need no cell objects
            return
        formats = formats or {}
        self.ws.append(
            [self.cell(v, red=red, fmt=formats.get(i), wrap=wrap) for i, v in enumerate(values, start=1)]
        )


def build_workbook(outcomes: Sequence[FileOutcome]) -> Workbook:
    wb = Workbook(write_only=True)
    reports = by_gap(r for o in outcomes for r in o.reports)
    summary = _Sheet(wb, "报告汇总", SUMMARY_COLUMNS, len(reports))
    for r in reports:
        summary.append(summary_row(r), red=r.count("error") > 0, formats={RATE_COLUMN: "0.0%"})
    findings = [(r, f) for r in reports for f in r.findings]
    sheet = _Sheet(wb, "问题清单", FINDING_COLUMNS, len(findings))
    for r, f in findings:
        row = [
            r.file,
            _text(r.name),
            f.code,
            SEVERITY_ZH.get(f.severity, f.severity),
            _text(f.message),
            f.where,
        ]
        sheet.append(row, red=f.severity == "error")
    failed = [o for o in outcomes if o.failure is not None]
    sheet = _Sheet(wb, "读取失败", FAILED_COLUMNS, len(failed))
    for o in failed:
        sheet.append([o.file, _text(o.failure)], wrap=True)
    return wb


def _file_mode(out: Path) -> int:
    try:
        return out.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_workbook(out: Path, outcomes: Sequence[FileOutcome]) -> Path:
    """Write the review workbook atomically (temp file in the same folder, then os.replace)."""
    wb = build_workbook(outcomes)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise InputError(
            f"无法写入复核汇总表：{exc.strerror}",
            file=str(out),
            place="--out",
            fix="确认输出文件夹存在且可写",
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, _file_mode(out))  # mkstemp makes it private; the review is an ordinary file
        wb.save(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(
            f"无法写入复核汇总表：{exc.strerror}",
            file=str(out),
            place="--out",
            fix="若该文件正在 Excel 中打开，请关闭后重新运行（已完成的文件不会重做）",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return out
