"""Read a file into reports: detect the format from its bytes, turn it into cells, pick the layout."""

from __future__ import annotations

from pathlib import Path

from jixiao.domain import Report, Source
from jixiao.errors import InputError
from jixiao.io.importers.text import read_text, text_to_cells
from jixiao.io.layouts import choose_layout

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(head: bytes) -> str:
    """The container format from the first bytes: zip (docx/xlsx), ole (doc/xls), pdf, or text."""
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"{\\rtf", b"\x7fELF", b"MZ", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "binary"
    return "text"


def load_reports(path: str | Path, layout: str | None = "auto") -> list[Report]:
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError("文件不存在", file=name, fix="检查文件路径是否正确")
    if path.is_dir():
        raise InputError("这是一个文件夹，不是文件", file=name, fix="批量处理文件夹请用 jixiao batch")
    with path.open("rb") as fh:
        head = fh.read(8)
    kind = sniff(head)
    if kind == "text":
        text, encoding = read_text(path)
        cells = text_to_cells(text)
        module = choose_layout(cells, layout, name)
        source = Source(file=name, layout=module.LAYOUT, format="txt", encoding=encoding)
        return [module.parse(cells, name, source)]
    described = {
        "zip": "Word/Excel（.docx/.xlsx）文件",
        "ole": "旧版 Word/Excel（.doc/.xls）文件",
        "pdf": "PDF 文件",
        "binary": "二进制文件（图片、程序或 RTF）",
    }[kind]
    raise InputError(
        f"这是{described}，当前版本只能读取文本格式的报告",
        file=name,
        place="文件开头",
        fix="在 Word 中“另存为 → 纯文本(.txt)”后再导入",
    )
