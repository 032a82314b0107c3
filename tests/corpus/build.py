"""Build the corpus of real forms: each ``forms/<id>.yaml`` (a form as its public page shows it) becomes
the .docx / .xlsx / .doc / .xls / .txt a bureau would have published, with its merges, stray notes,
blank cells and Excel number formats. No binary file is kept in the repository: every document is made
from its YAML here, by ``build_all(out_dir)`` or ``python tests/corpus/build.py OUT_DIR``.

The YAML format is described in ``tests/corpus/README.md``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
FORMS = HERE / "forms"
TRUTH = HERE / "truth"
FORMATS = ("docx", "xlsx", "doc", "xls", "txt")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_PERCENT = re.compile(r"^-?\d+(\.\d+)?%$")


@dataclass
class GridCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    number: Decimal | None = None  # stored as an Excel number (xlsx)
    fmt: str | None = None  # its Excel number format ("0.00%", "0.00", "yyyy年m月d日")


@dataclass
class Grid:
    """A table laid out as HTML lays out rows of cells with rowspan/colspan."""

    cells: list[GridCell] = field(default_factory=list)
    height: int = 0
    width: int = 0
    sheet: str | None = None


def grid_of(rows: list[list], xlsx_numbers: bool = False) -> Grid:
    taken: set[tuple[int, int]] = set()
    grid = Grid()
    for r, row in enumerate(rows):
        c = 0
        for spec in row or []:
            while (r, c) in taken:
                c += 1
            cell = _cell(spec, r, c, xlsx_numbers)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            grid.cells.append(cell)
            c += cell.colspan
    grid.height = max((cell.row + cell.rowspan for cell in grid.cells), default=0)
    grid.width = max((cell.col + cell.colspan for cell in grid.cells), default=0)
    return grid


def _cell(spec, r: int, c: int, xlsx_numbers: bool) -> GridCell:
    if spec is None:
        spec = ""
    if not isinstance(spec, dict):
        spec = {"t": spec}
    unknown = set(spec) - {"t", "span", "rows", "n", "fmt", "text"}
    if unknown:  # {t: a, b} in YAML is two keys: a comma in a flow mapping needs quotes
        raise ValueError(f"cell {spec!r}: unknown keys {sorted(unknown)} (quote a text that holds a comma)")
    text = "" if spec.get("t") is None else str(spec.get("t"))
    number = spec.get("n")
    fmt = spec.get("fmt")
    if number is None and xlsx_numbers and not spec.get("text"):
        plain = text.strip()
        if _NUMBER.match(plain):
            number = plain
        elif _PERCENT.match(plain):
            number, fmt = str(Decimal(plain[:-1]) / 100), fmt or "0.00%"
    if number is not None and not text:
        text = str(number)
    return GridCell(
        text=text,
        row=r,
        col=c,
        rowspan=int(spec.get("rows", 1)),
        colspan=int(spec.get("span", 1)),
        number=Decimal(str(number)) if number is not None else None,
        fmt=fmt,
    )


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def blocks(spec: dict) -> list[str | Grid]:
    out: list[str | Grid] = []
    for block in spec.get("blocks", []):
        if "p" in block:
            out.append(str(block["p"]))
        elif "table" in block:
            table = block["table"]
            grid = grid_of(table.get("rows", []), spec.get("xlsx_numbers", False))
            grid.sheet = table.get("sheet")
            out.append(grid)
        elif "page_break" in block:
            out.append("\f")
    return out


def write_docx(spec: dict, path: Path) -> Path:
    from docx import Document

    doc = Document()
    for block in blocks(spec):
        if block == "\f":
            doc.add_page_break()
            continue
        if isinstance(block, str):
            doc.add_paragraph(block)
            continue
        if not block.cells:
            continue
        table = doc.add_table(rows=block.height, cols=block.width)
        table.style = "Table Grid"
        for cell in block.cells:
            if cell.rowspan > 1 or cell.colspan > 1:
                table.cell(cell.row, cell.col).merge(
                    table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1)
                )
        for cell in block.cells:
            if cell.text:
                target = table.cell(cell.row, cell.col)
                lines = cell.text.split("\n")
                target.paragraphs[0].text = lines[0]
                for line in lines[1:]:
                    target.add_paragraph(line)
        doc.add_paragraph("")
    doc.save(path)
    return path


def write_xlsx(spec: dict, path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    book = Workbook()
    sheet = book.active
    sheet.title = spec.get("sheet") or "Sheet1"
    at = 1
    width = max((b.width for b in blocks(spec) if isinstance(b, Grid)), default=1)
    first_table = True
    for block in blocks(spec):
        if block == "\f":
            at += 1
            continue
        if isinstance(block, str):
            sheet.cell(at, 1, block)
            if width > 1:
                sheet.merge_cells(start_row=at, start_column=1, end_row=at, end_column=width)
            at += 1
            continue
        if block.sheet and not first_table:
            sheet = book.create_sheet(block.sheet)
            at = 1
        elif block.sheet:
            sheet.title = block.sheet
        first_table = False
        for cell in block.cells:
            target = sheet.cell(at + cell.row, 1 + cell.col)
            if cell.number is not None:
                target.value = cell.number
                if cell.fmt:
                    target.number_format = cell.fmt
            elif cell.text:
                target.value = cell.text
                if cell.text.startswith("="):
                    target.data_type = "s"  # 「=100%」 is a value the form shows, not a formula
                if "\n" in cell.text:
                    target.alignment = Alignment(wrap_text=True)
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=at + cell.row,
                    start_column=1 + cell.col,
                    end_row=at + cell.row + cell.rowspan - 1,
                    end_column=1 + cell.col + cell.colspan - 1,
                )
        at += block.height
    book.save(path)
    return path


def write_text(spec: dict, path: Path) -> Path:
    """A table exported as '|' rows (as some systems export them): paragraphs as plain lines, one line per
    table row, a cell covered by a merge left empty."""
    lines: list[str] = []
    for block in blocks(spec):
        if isinstance(block, str):
            lines.append(block if block != "\f" else "")
            continue
        grid = [[""] * block.width for _ in range(block.height)]
        for cell in block.cells:
            grid[cell.row][cell.col] = " ".join(cell.text.split("\n"))
        lines.extend("|" + "|".join(row) + "|" for row in grid)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def target_name(spec: dict) -> str:
    return f"{spec['id']}.{spec.get('format', 'docx')}"


def build_all(out: Path, only: list[str] | None = None) -> dict[str, Path]:
    """Every corpus form written to ``out``: {id: file}. Legacy formats go through one LibreOffice run each."""
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    legacy: dict[str, list[tuple[str, Path]]] = {"doc": [], "xls": []}
    for path in sorted(FORMS.glob("*.yaml")):
        if only and path.stem not in only:
            continue  # a form being written elsewhere in the folder cannot stop this one building
        try:
            spec = load(path)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path.name}: not valid YAML: {exc}") from None
        fmt = spec.get("format", "docx")
        if fmt in ("docx", "doc"):
            file = write_docx(spec, out / f"{spec['id']}.docx")
        elif fmt in ("xlsx", "xls"):
            file = write_xlsx(spec, out / f"{spec['id']}.xlsx")
        elif fmt == "txt":
            file = write_text(spec, out / f"{spec['id']}.txt")
        else:
            raise ValueError(f"{path.name}: unknown format {fmt}")
        if fmt in legacy:
            legacy[fmt].append((spec["id"], file))
        else:
            made[spec["id"]] = file
    for fmt, items in legacy.items():
        if not items:
            continue
        from jixiao.io.importers.legacy import convert_many

        converted = convert_many([f for _, f in items], fmt, out / fmt)
        for form_id, source in items:
            made[form_id] = converted[source].rename(out / f"{form_id}.{fmt}")
    return made


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus-build")
    for form_id, file in build_all(target, sys.argv[2:] or None).items():
        print(form_id, file)
