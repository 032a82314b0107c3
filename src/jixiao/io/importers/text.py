"""Plain-text reports: a Word form saved as text (one cell per line, tab-indented), or '|' rows.

Reading is bounded: a size cap, encoding detection (BOM, UTF-8, GB18030), and a refusal of binary
content, each with a message naming the file and what to do.
"""

from __future__ import annotations

import os
from functools import lru_cache
from itertools import accumulate, compress, count, repeat
from operator import add, contains
from pathlib import Path
from typing import BinaryIO

from jixiao.errors import InputError
from jixiao.io.cells import Cell, cells_from, cells_of_lines

MAX_TEXT_BYTES = 20 * 1024 * 1024
_STRIP = " \t\u3000"  # what surrounds a cell's text
_BLANK = " \t\u3000\f\v"  # a line of only these is blank  # a real report as text is well under 1 MB


def read_text(
    path: Path, data: bytes | None = None, *, fh: BinaryIO | None = None, head: bytes = b""
) -> tuple[str, str]:
    """Decode a text report; returns (text, encoding). ``fh``: the file already open, ``head`` already read."""
    name = str(path)
    if data is None:
        size = os.fstat(fh.fileno()).st_size if fh is not None else path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise InputError(
                f"文件有 {size / 1024 / 1024:.1f} MB，超过文本报告的上限 {MAX_TEXT_BYTES // 1024 // 1024} MB",
                file=name,
                place="整个文件",
                fix="确认选对了文件；一份自评报告的文本通常不到 1 MB",
            )
        data = head + fh.read(MAX_TEXT_BYTES) if fh is not None else path.read_bytes()
    if not data.strip():
        raise InputError("文件是空的", file=name, place="第 1 行", fix="请提供填写完整的自评报告文件")
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    if b"\x00" in data[:4096]:
        raise InputError(
            "文件含二进制内容，不是文本格式的报告",
            file=name,
            place="文件开头",
            fix="Word/Excel 文件请用 .docx/.xlsx 原文件导入，或在 Word 中另存为“纯文本”",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise InputError(
            "无法识别文件的文字编码（既不是 UTF-8 也不是 GBK/GB18030），或文件不是文本",
            file=name,
            place=f"第 {line} 行",
            fix="在 Word/记事本中另存为 UTF-8 编码的文本后再导入",
        ) from None
    if _looks_binary(text):
        raise InputError(
            "文件内容不像文字（大量控制字符或乱码），不是文本格式的报告",
            file=name,
            place="文件开头",
            fix="确认选对了文件；Word/Excel 文件请用原文件导入",
        )
    return text, "gb18030"


def _looks_binary(text: str) -> bool:
    sample = text[:4000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n\f") or "\ue000" <= ch <= "\uf8ff")
    return bad > max(8, len(sample) // 50)


def text_to_cells(text: str) -> list[Cell]:
    """One cell per tab-indented line; a line without the tab continues the cell before it.

    Lines before the first tab-indented line are paragraphs (the form's cover), one cell each.
    Blank lines carry no meaning (Word puts them between rows, but not reliably).
    """
    if "|" in text and text.count("\t") < text.count("|") // 2:
        return _pipe_rows_to_cells(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\t"):
        head, body = "", text[1:]
    else:
        at = text.find("\n\t")
        head, body = (text, None) if at < 0 else (text[:at], text[at + 2 :])
    pairs = [(line.strip(_STRIP), n) for n, line in enumerate(head.split("\n"), 1) if line.strip(_BLANK)]
    if body is None:
        return cells_from(pairs)
    # Split at "newline + tab" and work list-at-a-time with map/accumulate (each step one C loop, no
    # Python code per cell): most cells are one line.
    chunks = body.split("\n\t")
    first_line = head.count("\n") + 2 if head or not text.startswith("\t") else 1
    lines = accumulate(map(add, map(str.count, chunks, repeat("\n")), repeat(1)), initial=first_line)
    trimmed = list(map(str.rstrip, chunks))  # the blank lines between rows end most chunks
    texts = list(map(str.strip, trimmed, repeat(_STRIP)))
    for i in compress(count(), map(contains, texts, repeat("\n"))):
        texts[i] = _continued(trimmed[i])
    return cells_from(pairs) + cells_of_lines(texts, lines)


@lru_cache(maxsize=4096)
def _continued(trimmed: str) -> str:
    """A cell whose text goes on over several lines: inner blank lines become one paragraph break.
    Kept: most such cells are the form's own labels broken over lines (计划安排资金\\n\\n（万元）)."""
    rest = trimmed.split("\n")
    parts = [rest[0].strip(_STRIP)]
    pending_blank = False
    for line in rest[1:]:
        line = line.strip(_STRIP)
        if not line or not line.strip(_BLANK):
            pending_blank = True
            continue
        if parts[-1] or len(parts) > 1:
            parts.append("\n\n" + line if pending_blank else "\n" + line)
        else:
            parts.append(line)  # the first line was empty: no leading break
        pending_blank = False
    return "".join(parts)


def _pipe_rows_to_cells(text: str) -> list[Cell]:
    """'|'-separated rows (a table pasted as Markdown or exported by some systems)."""
    out: list[Cell] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if "|" not in stripped:
            out.append(Cell(stripped, line=lineno))
            continue
        # one outer pipe per side: "||a|" is an empty cell then "a"
        body = stripped[1:] if stripped.startswith("|") else stripped
        body = body[:-1] if body.endswith("|") else body
        parts = body.split("|")
        if any(p.strip() for p in parts) and all(set(p.strip()) <= set("-: ") for p in parts):
            continue  # Markdown separator row
        for col, part in enumerate(parts):
            out.append(Cell(part.strip(), line=lineno, ref=f"第{lineno}行第{col + 1}列", row=lineno, col=col))
    return out
