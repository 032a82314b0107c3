"""PDF export: the Word report, converted by LibreOffice (headless), so both read the same."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from jixiao.domain import Evaluation, Report
from jixiao.errors import InputError
from jixiao.io.exporters.docx import write_docx
from jixiao.io.importers.legacy import convert_many, require_soffice


def write_pdf(pairs: list[tuple[Report, Evaluation]], out: Path) -> None:
    require_soffice(str(out))  # before any work: the one thing the user must install
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as tmp:
        docx = Path(tmp) / "report.docx"
        write_docx(pairs, docx)
        result = convert_many([docx], "pdf", Path(tmp) / "out").get(docx)
        if result is None:
            raise InputError(
                "LibreOffice 未能把报告转换为 PDF",
                file=str(out),
                place="PDF 转换",
                fix="先导出 .docx，再用 Word/WPS/LibreOffice 另存为 PDF",
            )
        shutil.move(str(result), out)
