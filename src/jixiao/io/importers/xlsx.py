"""Excel .xlsx → cell stream, read from the package XML (lxml; no openpyxl on the hot path).

One table per sheet; each row gives its cells from column A to the last filled one, empty ones
included, so column positions stay meaningful. Cells covered by a merge (not its top-left) are empty,
as in a Word export. Numbers keep the text Excel stored; percent-formatted numbers read as "98%",
date-formatted ones as "2020年6月8日", so the layout parsers see what a person sees.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from zipfile import ZipFile

from jixiao.errors import InputError
from jixiao.io.cells import Cell
from jixiao.io.importers.ooxml import parse_xml, read_member

S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_ROWS = 20000  # a self-evaluation form has tens of rows; a batch sheet a few hundred
MAX_COLS = 200
_REF = re.compile(r"([A-Z]+)(\d+)")
# Built-in number formats that are dates (incl. the zh-CN built-ins 27–36, 50–58).
_DATE_FORMATS = {14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58}
_PERCENT_FORMATS = {9, 10}


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def read_xlsx(zf: ZipFile, name: str) -> list[Cell]:
    """The cells of an opened .xlsx package (``name`` is the file, for messages)."""
    names = set(zf.namelist())
    strings = _shared_strings(zf, name) if "xl/sharedStrings.xml" in names else []
    styles = _styles(zf, name) if "xl/styles.xml" in names else {}
    cells: list[Cell] = []
    for number, (title, part) in enumerate(_sheet_parts(zf, name), 1):
        if part not in names:
            continue
        root = parse_xml(read_member(zf, part, name), name, part)
        cells.extend(_sheet_cells(root, title, number, strings, styles, name))
    return cells


def _shared_strings(zf, name: str) -> list[str]:
    root = parse_xml(read_member(zf, "xl/sharedStrings.xml", name), name, "xl/sharedStrings.xml")
    out = []
    for si in root.iter(S + "si"):
        # rich text: the runs' <t>, not the phonetic <rPh> guides
        out.append("".join(t.text or "" for t in si.iter(S + "t") if t.getparent().tag != S + "rPh"))
    return out


def _styles(zf, name: str) -> dict[int, str]:
    """(style index → 'date' | 'percent') for the cell formats that change how a number reads."""
    root = parse_xml(read_member(zf, "xl/styles.xml", name), name, "xl/styles.xml")
    custom: dict[int, str] = {}
    fmts = root.find(S + "numFmts")
    if fmts is not None:
        for f in fmts.iter(S + "numFmt"):
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", f.get("formatCode", ""))
            fid = int(f.get("numFmtId", "0"))
            if "%" in code:
                custom[fid] = "percent"
            elif re.search(r"[ymd]", code, re.I) and not re.search(r"[#0]", code):
                custom[fid] = "date"
    kinds: dict[int, str] = {}
    xfs = root.find(S + "cellXfs")
    if xfs is not None:
        for i, xf in enumerate(xfs.iter(S + "xf")):
            fid = int(xf.get("numFmtId", "0"))
            kind = custom.get(fid) or (
                "date" if fid in _DATE_FORMATS else "percent" if fid in _PERCENT_FORMATS else None
            )
            if kind:
                kinds[i] = kind
    return kinds


def _sheet_parts(zf, name: str) -> list[tuple[str, str]]:
    book = parse_xml(read_member(zf, "xl/workbook.xml", name), name, "xl/workbook.xml")
    rels = parse_xml(read_member(zf, "xl/_rels/workbook.xml.rels", name), name, "xl/_rels/workbook.xml.rels")
    targets = {}
    for rel in rels.iter(PKG_REL + "Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    out = []
    for sheet in book.iter(S + "sheet"):
        if sheet.get("state") in ("hidden", "veryHidden"):
            continue
        out.append((sheet.get("name", ""), targets.get(sheet.get(R + "id"), "")))
    return out


def _sheet_cells(root, title: str, number: int, strings, styles, file: str) -> list[Cell]:
    kinds = styles
    covered: set[tuple[int, int]] = set()
    merges = root.find(S + "mergeCells")
    if merges is not None:
        for m in merges.iter(S + "mergeCell"):
            first, _, last = (m.get("ref") or "").partition(":")
            a, b = _REF.match(first), _REF.match(last or first)
            if not a or not b:
                continue
            r1, c1, r2, c2 = (
                int(a.group(2)),
                column_index(a.group(1)),
                int(b.group(2)),
                column_index(b.group(1)),
            )
            if (r2 - r1 + 1) * (c2 - c1 + 1) > 100000:
                continue
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        covered.add((r, c))
    data = root.find(S + "sheetData")
    out: list[Cell] = []
    if data is None:
        return out
    filled: list[tuple[int, dict[int, str]]] = []
    rows = 0
    for row in data.iter(S + "row"):
        rows += 1
        if rows > MAX_ROWS:
            raise InputError(
                f"工作表「{title}」超过 {MAX_ROWS} 行，不像一份自评表",
                file=file,
                place=f"{title}!第{MAX_ROWS}行",
                fix="确认选对了文件；汇总表请拆分为每个项目一张表",
            )
        r = int(row.get("r") or rows)
        values: dict[int, str] = {}
        for c in row.iter(S + "c"):
            ref = c.get("r")
            m = _REF.match(ref) if ref else None
            col = column_index(m.group(1)) if m else (max(values) + 1 if values else 0)
            if col >= MAX_COLS:
                continue
            text = _value(c, strings, kinds)
            if text and (r, col) not in covered:
                values[col] = text
        if values:
            filled.append((r, values))
    # every row as wide as the sheet's widest, so fixed-width tables chunk the same as in Word
    width = max((max(v) + 1 for _, v in filled), default=0)
    for r, values in filled:
        for col in range(width):
            out.append(
                Cell(
                    values.get(col, ""),
                    ref=f"{title}!{column_letters(col)}{r}",
                    table=number,
                    row=r,
                    col=col,
                )
            )
    return out


def _value(c, strings: list[str], kinds: dict[int, str]) -> str:
    kind = c.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(S + "t")).strip()
    v = c.find(S + "v")
    raw = v.text if v is not None and v.text is not None else ""
    if kind == "s":
        try:
            return strings[int(raw)].strip()
        except (ValueError, IndexError):
            return ""
    if kind in ("str", "e"):
        return raw.strip()
    if kind == "b":
        return "是" if raw == "1" else "否"
    if not raw:
        return ""
    style = kinds.get(int(c.get("s") or 0))
    if style:
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return raw
        if style == "percent":
            return f"{_plain(number * 100)}%"
        if style == "date" and 1 <= number < 2958466:
            day = date(1899, 12, 30) + timedelta(days=int(number))
            return f"{day.year}年{day.month}月{day.day}日"
    return _plain_text(raw)


def _plain(number: Decimal) -> str:
    """Excel shows at most 15 significant digits; its stored doubles (0.10000000000000001) read as 0.1."""
    with localcontext() as ctx:
        ctx.prec = 15
        number = +number
    return format(number.normalize(), "f")


def _plain_text(raw: str) -> str:
    if len(raw) <= 15 and "E" not in raw and "e" not in raw:
        return raw
    try:
        return _plain(Decimal(raw))
    except InvalidOperation:
        return raw
