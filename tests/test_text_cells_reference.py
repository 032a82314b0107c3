"""text_to_cells is written for speed (whole-list C passes); it must read exactly like the plain
line-by-line rule it implements, which is spelled out here as the reference."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.io.cells import Cell
from jixiao.io.importers.text import text_to_cells

SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"
STRIP = " \t\u3000"
BLANK = " \t\u3000\f\v"


def reference(text: str) -> list[tuple]:
    """One cell per tab-indented line; untabbed lines continue the cell before; lines before the first
    tabbed line are one cell each; blank lines inside a cell become one paragraph break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    out: list[tuple[list[str], int]] = []
    in_body = False
    for number, line in enumerate(lines, 1):
        if line.startswith("\t"):
            in_body = True
            out.append(([line[1:]], number))
        elif not in_body:
            if line.strip(BLANK):
                out.append(([line], number))
        else:
            out[-1][0].append(line)
    cells = []
    for parts, number in out:
        first, rest = parts[0], parts[1:]
        while rest and not rest[-1].strip():  # trailing blank lines (and trailing spaces) end most cells
            rest.pop()
        if not rest:
            cells.append(Cell(first.rstrip().strip(STRIP), line=number))
            continue
        rest[-1] = rest[-1].rstrip()
        kept = [first.strip(STRIP)]
        blank = False
        for line in rest:
            line = line.strip(STRIP)
            if not line.strip(BLANK):
                blank = True
                continue
            kept.append(("\n\n" if blank else "\n") + line if (kept[-1] or len(kept) > 1) else line)
            blank = False
        cells.append(Cell("".join(kept), line=number))
    return [tuple(c) for c in cells]


def test_the_seed_reads_like_the_reference():
    text = SEED.read_text(encoding="utf-8")
    assert [tuple(c) for c in text_to_cells(text)] == reference(text)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["\n", "\t", "\n\t", "\n\n", " ", "\u3000", "\r", "\r\n", "a", "项目", "b\n"]))
)
def test_any_text_reads_like_the_reference(pieces):
    text = "".join(pieces)
    if "|" in text:
        return
    assert [tuple(c) for c in text_to_cells(text)] == reference(text)
