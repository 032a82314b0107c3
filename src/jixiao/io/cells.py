"""The flat cell stream every importer produces and every layout parser reads.

A Word form saved as text, a .docx and a spreadsheet all come down to the same thing: a sequence of
cells in reading order (paragraphs outside tables are cells too). Layout parsers find labels in
that stream, so they do not care where rows break or how many blank lines a file has.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Cell:
    text: str  # as written, stripped at both ends; inner line breaks kept as "\n"
    line: int | None = None  # 1-based line in a text file
    ref: str | None = None  # "Sheet1!C5" / "表2 第3行 第1列" for documents
    table: int | None = None  # which table of the document, when known
    row: int | None = None  # row index inside the table, when known

    @property
    def key(self) -> str:
        return compact(self.text)


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Label form of a text: NFKC (full-width → half-width) and no whitespace at all."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).replace("\u200b", "")


def clean(text: str | None) -> str | None:
    """A value as written, with outer space (incl. full-width) removed; None when blank."""
    if text is None:
        return None
    text = text.strip().strip("\u3000").strip()
    return text or None


def one_line(text: str | None) -> str | None:
    """A single-line value: inner runs of whitespace become one space (labels broken over lines)."""
    text = clean(text)
    if text is None:
        return None
    return _SPACE.sub(" ", text.replace("\u3000", " ")).strip() or None


def joined(text: str | None) -> str | None:
    """A short field broken over lines by the form ("经济效益\\n\\n指标"): lines joined without space."""
    text = clean(text)
    if text is None:
        return None
    return "".join(part.strip() for part in text.splitlines()).replace("\u3000", "").strip() or None
