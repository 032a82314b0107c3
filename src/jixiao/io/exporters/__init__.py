"""Write reports with their recomputed scores back out as official documents.

``export_reports`` picks the writer from the suffix of the output file. Several reports (a file that
held several forms) go into one document: one after another in Word and PDF, one sheet each in Excel,
an array in JSON. Writers import python-docx / openpyxl lazily, so the rest of jixiao never pays for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from jixiao.domain import Evaluation, Report
from jixiao.errors import InputError

Pair = tuple[Report, Evaluation]

FORMATS = (".docx", ".xlsx", ".pdf", ".json")


def export_reports(pairs: Sequence[Pair], out: Path) -> Path:
    """Write every (report, evaluation) pair into ``out``; the suffix decides the format. Returns ``out``."""
    out = Path(out)
    writer = _writer_for(out)
    if not pairs:
        raise InputError("没有可导出的报告", file=str(out), place="导出", fix="确认输入文件中有自评报告")
    if not out.parent.is_dir():
        raise InputError(
            "输出文件所在的文件夹不存在", file=str(out), place="--to", fix="先建立该文件夹，或换一个输出路径"
        )
    try:
        writer(list(pairs), out)
    except OSError as exc:
        raise InputError(
            f"无法写出文件：{exc.strerror or exc}",
            file=str(out),
            place="导出",
            fix="检查路径和写权限；若该文件正在 Word/Excel/WPS 中打开，请先关闭",
        ) from None
    return out


def _writer_for(out: Path) -> Callable[[list[Pair], Path], None]:
    suffix = out.suffix.lower()
    if suffix == ".docx":
        from jixiao.io.exporters.docx import write_docx

        return write_docx
    if suffix == ".xlsx":
        from jixiao.io.exporters.xlsx import write_xlsx

        return write_xlsx
    if suffix == ".pdf":
        from jixiao.io.exporters.pdf import write_pdf

        return write_pdf
    if suffix == ".json":
        from jixiao.io.exporters.jsonout import write_json

        return write_json
    shown = f"「{suffix}」" if suffix else "（文件名没有扩展名）"
    raise InputError(
        f"不支持的导出格式{shown}",
        file=str(out),
        place="--to",
        fix="输出文件请用以下扩展名之一：" + "、".join(FORMATS),
    )


__all__ = ["FORMATS", "export_reports"]
