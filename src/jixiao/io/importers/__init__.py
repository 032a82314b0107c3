"""Read a file into reports: detect the format from its bytes, turn it into cells, pick the layout."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from jixiao.domain import Report, Source
from jixiao.errors import InputError
from jixiao.io.cells import Cell
from jixiao.io.layouts import choose_layout

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED_SUFFIXES = (
    ".txt",
    ".text",
    ".md",
    ".csv",
    ".docx",
    ".xlsx",
    ".xlsm",
    ".doc",
    ".xls",
    ".wps",
    ".et",
)


def sniff(head: bytes) -> str:
    """The container format from the first bytes: zip (docx/xlsx), ole (doc/xls/wps/et), pdf, binary, or text."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(
        (b"{\\rtf", b"\x7fELF", b"MZ", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf")
    ):
        return "binary"
    return "text"


def read_cells(path: Path, converted: Path | None = None) -> tuple[list[Cell], Source]:
    """The cell stream of a file and what it was (format, encoding). ``converted``: a ready .docx/.xlsx
    made from a legacy file by a batch conversion, so the file is not converted again."""
    name = str(path)
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise InputError("文件不存在", file=name, fix="检查文件路径是否正确") from None
    except IsADirectoryError:
        raise InputError(
            "这是一个文件夹，不是文件", file=name, fix="批量处理文件夹请用 jixiao batch"
        ) from None
    except OSError as exc:
        raise InputError(f"无法打开文件：{exc.strerror}", file=name, fix="检查文件权限") from None
    with fh:  # one open for sniffing and reading: a batch reads thousands of small files
        head = fh.read(8)
        kind = sniff(head)
        if kind == "text":
            from jixiao.io.importers.text import read_text, text_to_cells

            text, encoding = read_text(path, fh=fh, head=head)
            return text_to_cells(text), Source(file=name, format="txt", encoding=encoding)
        if kind == "ole":
            from jixiao.io.importers.legacy import ole_kind

            ole = ole_kind(head + fh.read((1 << 20) - len(head)))
    if kind == "zip":
        return _read_package(path, name, fmt=None)
    if kind == "ole":
        from jixiao.io.importers.legacy import convert_one

        if ole == "encrypted":
            raise InputError(
                "文件设置了打开密码（已加密）", file=name, place="文件开头", fix="取消密码后另存，再导入"
            )
        target = "xlsx" if ole == "xls" else "docx"
        legacy_format = {"doc": "doc", "xls": "xls"}.get(ole, path.suffix.lower().lstrip(".") or "ole")
        if converted is not None:
            return _read_package(converted, name, fmt=legacy_format)
        with tempfile.TemporaryDirectory(prefix="jixiao-convert-") as tmp:
            result = convert_one(path, target, Path(tmp))
            return _read_package(result, name, fmt=legacy_format)
    described = {"pdf": "PDF 文件", "binary": "二进制文件（图片、压缩包、程序或 RTF）"}[kind]
    raise InputError(
        f"这是{described}，不是可读取的自评报告格式",
        file=name,
        place="文件开头",
        fix="请提供 Word（.docx/.doc/.wps）、Excel（.xlsx/.xls/.et）或文本格式的报告",
    )


def _read_package(path: Path, name: str, fmt: str | None) -> tuple[list[Cell], Source]:
    from jixiao.io.importers.ooxml import open_package, package_kind

    with open_package(path) as zf:  # opened and checked once, read by the reader of its kind
        kind = package_kind(zf)
        if kind == "docx":
            from jixiao.io.importers.docx import read_docx

            cells = read_docx(zf, name)
        elif kind == "xlsx":
            from jixiao.io.importers.xlsx import read_xlsx

            cells = read_xlsx(zf, name)
    if kind not in ("docx", "xlsx"):
        raise InputError(
            "这是一个 zip 压缩包，但不是 Word 或 Excel 文件",
            file=name,
            place="文件结构",
            fix="解压后分别导入其中的报告，或用 jixiao batch 处理文件夹",
        )
    if not any(c.text for c in cells):
        raise InputError("文件中没有任何文字内容", file=name, place="整个文件", fix="确认选对了文件")
    return cells, Source(file=name, format=fmt or kind)


def load_reports(
    path: str | Path, layout: str | None = "auto", converted: Path | None = None
) -> list[Report]:
    path = Path(path)
    name = str(path)
    cells, source = read_cells(path, converted)
    module = choose_layout(cells, layout, name)
    source = replace(source, layout=module.LAYOUT)
    return module.parse_all(cells, name, source)
