"""The flat cell stream every importer produces and every layout parser reads.

A Word form saved as text, a .docx and a spreadsheet all come down to the same thing: a sequence of
cells in reading order (paragraphs outside tables are cells too). Layout parsers find labels in
that stream, so they do not care where rows break or how many blank lines a file has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache, partial
from itertools import repeat
from typing import NamedTuple

from jixiao.quantity import compact

_SPACE = re.compile(r"\s+")


class _CellFields(NamedTuple):
    text: str  # as written, stripped at both ends; inner line breaks kept as "\n"
    line: int | None  # 1-based line in a text file
    ref: str | None  # "Sheet1!C5" / "表2 第3行 第1列" for documents
    table: int | None  # which table of the document, when known
    row: int | None  # row index inside the table, when known
    col: int | None  # column index inside the row (grid column for Word tables), when known
    key: str  # label form of the text (see compact), computed once


class Cell(_CellFields):
    """One cell of the stream. A tuple underneath: importers make hundreds of thousands of them."""

    __slots__ = ()

    def __new__(
        cls,
        text: str,
        line: int | None = None,
        ref: str | None = None,
        table: int | None = None,
        row: int | None = None,
        col: int | None = None,
    ) -> Cell:
        return tuple.__new__(cls, (text, line, ref, table, row, col, compact(text) if text else ""))


def cells_from(pairs: Iterable[tuple[str, int | None]]) -> list[Cell]:
    """Cells from (text, line) pairs."""
    pairs = list(pairs)
    return cells_of_lines([t for t, _ in pairs], [n for _, n in pairs])


def cells_of_lines(texts: list[str], lines: Iterable[int | None]) -> list[Cell]:
    """Cells of a text file from their texts and line numbers, built without Python code per cell."""
    columns = zip(texts, lines, repeat(None), repeat(None), repeat(None), repeat(None), map(compact, texts))
    return list(map(partial(tuple.__new__, Cell), columns))


def rows_of(cells: Iterable[Cell]) -> list[list[Cell]]:
    """Group a stream into rows: cells sharing (table, row); a cell outside any table is a row of its own."""
    out: list[list[Cell]] = []
    last: tuple | None = None
    for cell in cells:
        here = (cell.table, cell.row) if cell.row is not None else None
        if here is not None and here == last:
            out[-1].append(cell)
        else:
            out.append([cell])
        last = here
    return out


# clean / one_line / joined are pure and forms repeat their texts: each keeps its recent answers.
@lru_cache(maxsize=1 << 14)
def clean(text: str | None) -> str | None:
    """A value as written, with outer space (incl. full-width) removed; None when blank."""
    if text is None:
        return None
    text = text.strip().strip("\u3000").strip()
    return text or None


@lru_cache(maxsize=1 << 14)
def one_line(text: str | None) -> str | None:
    """A single-line value: inner runs of whitespace become one space (labels broken over lines)."""
    text = clean(text)
    if text is None:
        return None
    return _SPACE.sub(" ", text.replace("\u3000", " ")).strip() or None


@lru_cache(maxsize=1 << 14)
def joined(text: str | None) -> str | None:
    """A short field broken over lines by the form ("经济效益\\n\\n指标"): lines joined without space."""
    text = clean(text)
    if text is None:
        return None
    if "\n" not in text and "\u3000" not in text:
        return text
    return "".join(part.strip() for part in text.splitlines()).replace("\u3000", "").strip() or None
