"""Word .docx → cell stream, read straight from the package XML (lxml; no python-docx on the hot path).

Paragraphs outside tables are cells of their own; each table cell is a cell with its table, row and
grid column. A vertically merged continuation is an empty cell, as Word's own text export writes it,
so the same layout parsers read a .docx and its text export alike.
"""

from __future__ import annotations

from zipfile import ZipFile

from jixiao.io.cells import Cell
from jixiao.io.importers.ooxml import parse_xml, read_member

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = W + "p", W + "tbl", W + "tr", W + "tc", W + "sdt", W + "sdtContent"
_T, _TAB, _BR, _CR, _SYM = W + "t", W + "tab", W + "br", W + "cr", W + "sym"
_TC_PR, _GRID_SPAN, _GRID_BEFORE, _TR_PR, _VAL = (
    W + "tcPr",
    W + "gridSpan",
    W + "gridBefore",
    W + "trPr",
    W + "val",
)
_CUSTOM_XML, _SMART_TAG = W + "customXml", W + "smartTag"
# Wingdings/Symbol glyphs forms use for check boxes
_SYMBOLS = {"F052": "√", "F0FE": "√", "F0FC": "√", "F0A8": "□", "F06F": "□", "F0A3": "□", "F0D6": "√"}


def read_docx(zf: ZipFile, name: str) -> list[Cell]:
    """The cells of an opened .docx package (``name`` is the file, for messages)."""
    root = parse_xml(read_member(zf, "word/document.xml", name), name, "word/document.xml")
    for fallback in root.iter(MC_FALLBACK):  # drawings carry their text twice; keep the Choice copy
        fallback.getparent().remove(fallback)
    body = root.find(W + "body")
    cells: list[Cell] = []
    if body is None:
        return cells
    counters = {"p": 0, "t": 0}
    _block(body, cells, counters)
    return cells


def _block(parent, cells: list[Cell], counters: dict[str, int]) -> None:
    for el in parent:
        tag = el.tag
        if tag == _P:
            counters["p"] += 1
            text = paragraph_text(el).strip()
            if text:
                cells.append(Cell(text, ref=f"第{counters['p']}段"))
        elif tag == _TBL:
            counters["t"] += 1
            _table(el, counters["t"], cells)
        elif tag in (_SDT, _CUSTOM_XML):
            content = el.find(_SDT_CONTENT) if tag == _SDT else el
            if content is not None:
                _block(content, cells, counters)


def _table(tbl, number: int, cells: list[Cell]) -> None:
    for r, tr in enumerate(_children(tbl, _TR), 1):
        col = 0
        pr = tr.find(_TR_PR)
        if pr is not None:
            before = pr.find(_GRID_BEFORE)
            if before is not None:
                col += int(before.get(_VAL, "0") or 0)
        for tc in _children(tr, _TC):
            span = 1
            tc_pr = tc.find(_TC_PR)
            if tc_pr is not None:
                gs = tc_pr.find(_GRID_SPAN)
                if gs is not None:
                    span = max(1, int(gs.get(_VAL, "1") or 1))
            text = cell_text(tc).strip(" \u3000\t\n")
            cells.append(Cell(text, ref=f"表{number}第{r}行第{col + 1}列", table=number, row=r, col=col))
            col += span


def _children(parent, tag: str):
    """Direct children with this tag, looking through content controls and custom XML wrappers."""
    for el in parent:
        if el.tag == tag:
            yield el
        elif el.tag in (_SDT, _CUSTOM_XML):
            inner = el.find(_SDT_CONTENT) if el.tag == _SDT else el
            if inner is not None:
                yield from _children(inner, tag)


def cell_text(tc) -> str:
    """A table cell's paragraphs, one line each; a nested table's paragraphs follow as extra lines."""
    lines: list[str] = []
    _collect(tc, lines)
    return "\n".join(lines)


def _collect(parent, lines: list[str]) -> None:
    for el in parent:
        if el.tag == _P:
            lines.append(paragraph_text(el).strip(" \u3000\t"))
        elif el.tag == _TBL:
            lines.extend(t for t in (paragraph_text(p).strip() for p in el.iter(_P)) if t)
        elif el.tag in (_SDT, _CUSTOM_XML):
            inner = el.find(_SDT_CONTENT) if el.tag == _SDT else el
            if inner is not None:
                _collect(inner, lines)


def paragraph_text(p) -> str:
    out: list[str] = []
    for el in p.iter(_T, _TAB, _BR, _CR, _SYM):
        tag = el.tag
        if tag == _T:
            if el.text:
                out.append(el.text)
        elif tag == _TAB:
            out.append(" ")
        elif tag == _SYM:
            out.append(_SYMBOLS.get((el.get(W + "char") or "").upper(), ""))
        else:
            out.append("\n")
    return "".join(out)
