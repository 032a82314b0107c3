"""Helpers shared by layout parsers: finding labels in a cell stream, dates, places."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import accumulate, repeat
from operator import add, attrgetter

from jixiao.domain import Place
from jixiao.errors import InputError
from jixiao.io.cells import Cell, compact

_YMD = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*(?:[月\-/.]\s*(?:(\d{1,2})\s*[日号]?)?)?")


_KEY = attrgetter("key")


class LabelIndex:
    """Finds label cells fast: all labels joined into one string, searched with str.find in C."""

    SEP = "\x00"

    def __init__(self, cells: Sequence[Cell]):
        self.cells = cells
        keys = list(map(_KEY, cells))
        self.text = self.SEP + self.SEP.join(keys)
        # offset of each cell's label in self.text (just after its separator); map/accumulate run in C
        self.starts = list(accumulate(map(add, map(len, keys), repeat(1)), initial=1))

    def find(self, starts: str | Iterable[str], begin: int = 0, end: int | None = None) -> int:
        """Index of the first cell at or after ``begin`` whose label starts with one of ``starts``; -1 if none."""
        keys = (starts,) if isinstance(starts, str) else tuple(starts)
        n = len(self.cells)
        stop = n if end is None else min(end, n)
        if begin >= stop:
            return -1
        lo, hi = self.starts[begin] - 1, self.starts[stop] - 1
        best = -1
        for key in keys:
            at = self.text.find(self.SEP + key, lo, hi + len(key) + 1)
            if at >= 0:
                i = bisect_right(self.starts, at + 1) - 1
                if i < stop and (best < 0 or i < best):
                    best = i
        return best


@lru_cache(maxsize=4096)
def parse_date(text: str | None) -> str | None:
    """'2020年6月8日' → '2020-06-08'; '2019年 6月' → '2019-06'. Full-width digits allowed."""
    if not text:
        return None
    m = _YMD.search(compact(text))
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2)), m.group(3)
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        return None
    if day and 1 <= int(day) <= 31:
        return f"{year:04d}-{month:02d}-{int(day):02d}"
    return f"{year:04d}-{month:02d}"


@lru_cache(maxsize=4096)
def parse_period(text: str | None) -> tuple[str | None, str | None]:
    """'2019年 6月起至 2020年 6月止' → ('2019-06', '2020-06')."""
    if not text:
        return None, None
    found = [m for m in _YMD.finditer(compact(text))]
    dates = []
    for m in found[:2]:
        dates.append(parse_date(m.group(0)))
    while len(dates) < 2:
        dates.append(None)
    return dates[0], dates[1]


def place(file: str | None, cell: Cell | None, path: str) -> Place:
    if cell is None:
        return Place(path, file)
    return Place(path, file, cell.line, cell.ref)  # positional: parsers make one per value read


def truncated(file: str | None, cells: Sequence[Cell], table: str) -> InputError:
    last = cells[-1] if cells else None
    where = f"第 {last.line} 行" if last and last.line else (last.ref if last and last.ref else "文件末尾")
    return InputError(
        f"文件在「{table}」中间就结束了，表格不完整",
        file=file,
        place=where,
        fix="文件可能被截断或未保存完整；请重新从 Word/Excel 导出完整的报告后再导入",
    )
