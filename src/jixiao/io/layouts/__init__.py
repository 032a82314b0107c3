"""Layouts: which form a file holds, and reading it.

Every layout is a spec (``specs/*.yaml``, see ``spec.py`` and docs/layouts.md) read by the one grid reader
(``reader.py`` + ``assemble.py``), or — for the Yueyang 附件2-2 report, which is a report rather than a
grid — by its own label reader (``yueyang.py``), which shares the cells, places and leftovers.

Detection is by evidence: each spec's evidence items (a title, distinctive headers, words that argue for
a sibling) add up to a score of 0–100; the best score at or above ``MIN_CONFIDENCE`` wins, ties to the
spec with the lower ``order``. When none fits, the generic reading takes what the shared vocabulary alone
recognises (``source.layout = "generic"``). A file is "not a report" only when nothing in it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from jixiao.errors import InputError
from jixiao.io.cells import Cell
from jixiao.io.layouts.grid import (
    Row,
    form_rows,
    head,
    is_preamble,
    is_title_line,
    is_year_line,
    label_key,
    words_in,
)
from jixiao.io.layouts.grid import unit_note as _unit_note
from jixiao.io.layouts.spec import Evidence, LayoutSpec, all_specs, generic_spec
from jixiao.quantity import compact

MIN_CONFIDENCE = 40
GENERIC = "generic"
_CELL_KEY_LIMIT = 16  # a header or label cell is short; a longer one is a value or a sentence
_REPORT_WORDS = ("绩效", "自评", "评价")
_REPORT_KINDS = ("报告", "表", "结论", "结果")


class Document:
    """What detection looks at, computed once per file: label haystacks and header sets per scan length."""

    def __init__(self, cells: Sequence[Cell]):
        self.cells = cells
        self._hay: dict[int, str] = {}
        self._heads: dict[int, frozenset[str]] = {}

    def _limit(self, scan: int) -> int:
        return len(self.cells) if scan == 0 else scan

    def hay(self, scan: int) -> str:
        found = self._hay.get(scan)
        if found is None:
            found = self._hay[scan] = "\x00" + words_in(self.cells, self._limit(scan)) + "\x00"
        return found

    def heads(self, scan: int) -> frozenset[str]:
        found = self._heads.get(scan)
        if found is None:
            found = self._heads[scan] = frozenset(
                head(c.text)
                for c in self.cells[: self._limit(scan)]
                if c.key and len(c.key) <= _CELL_KEY_LIMIT
            )
        return found


@dataclass(frozen=True)
class Hit:
    evidence: Evidence
    found: bool
    points: int  # what it added


class Layout:
    """A layout spec with its behaviour: detect, explain, read. ``LAYOUT`` is its id."""

    def __init__(self, spec: LayoutSpec):
        self.spec = spec
        self.LAYOUT = spec.id
        self._words = None

    def __repr__(self) -> str:
        return f"<Layout {self.LAYOUT}>"

    # -- detection ----------------------------------------------------------------------------------
    def explain(self, cells: Sequence[Cell] | Document) -> tuple[int, list[Hit]]:
        doc = cells if isinstance(cells, Document) else Document(cells)
        hits: list[Hit] = []
        score = 0
        titled = False
        for item in self.spec.evidence:
            scan = self.spec.scan if item.scan is None else item.scan
            found = self._found(item, doc, scan, titled)
            if item.kind == "requires" and not found:
                return 0, [*hits, Hit(item, False, 0)]
            if item.kind == "title" and found:
                titled = True
            gained = item.points if found and item.kind != "requires" else 0
            score += gained
            hits.append(Hit(item, found, gained))
        return max(0, min(score, 100)), hits

    def detect(self, cells: Sequence[Cell] | Document) -> int:
        return self.explain(cells)[0]

    def _found(self, item: Evidence, doc: Document, scan: int, titled: bool) -> bool:
        pick = all if item.all else any
        kind = item.kind
        if kind == "base":
            return True
        if kind == "title":
            hay = doc.hay(scan)
            excludes = self.spec.title_excludes
            return any(
                w in hay
                and any(
                    len(c.key) <= 40 and w in c.key and not any(x in c.key for x in excludes)
                    for c in doc.cells[: doc._limit(scan)]
                    if c.key
                )
                for w in item.words
            )
        if kind == "word":
            hay = doc.hay(scan)
            return pick(w in hay for w in item.words)
        if kind in ("cell", "requires"):
            heads = doc.heads(scan)
            return pick(w in heads for w in item.words)
        if kind == "cell_starts":
            heads = doc.heads(scan)
            return any(h.startswith(item.words) for h in heads)
        if kind == "starts":
            hay = doc.hay(scan)
            return pick("\x00" + w in hay for w in item.words)
        if kind == "sequence":
            return "\x00" + "\x00".join(item.words) + "\x00" in doc.hay(scan)
        if kind == "cell_contains":
            if item.unless_titled and titled:
                return False
            return any(all(w in key for w in item.words) for key in doc.hay(scan).split("\x00"))
        return False

    # -- reading ------------------------------------------------------------------------------------
    @property
    def words(self):
        if self._words is None:
            from jixiao.io.layouts.reader import Words

            self._words = Words(self.spec)
        return self._words

    def parse_all(self, cells: Sequence[Cell], file: str | None = None, source=None) -> list:
        from jixiao.domain import Source

        source = source or Source(file=file, layout=self.LAYOUT)
        if self.spec.reader == "yueyang":
            from jixiao.io.layouts import yueyang

            return yueyang.parse_all(cells, file, source)
        from jixiao.io.layouts.assemble import assemble
        from jixiao.io.layouts.reader import GridReader

        reports = []
        year = None
        for rows in split_forms(form_rows(cells), self.words):
            read = GridReader(self.spec, rows, self.words).read()
            read.year = read.year or year  # forms of one file share the budget year the first one states
            year = read.year
            reports.append(assemble(self.spec, self.words, read, file, source))
        return reports


def split_forms(rows: list[Row], words) -> list[list[Row]]:
    """Rows grouped per form, in file order. A form starts at its title row; failing a title (a form
    pasted without one), at a second name row (项目名称) in the same form. Lines that stand above a form
    (附件2, its title, the year, 单位：元) go with the form they open."""
    name_words = frozenset(words.spec.vocabulary.section("facts").get("name", ()))

    def is_title(row: Row) -> bool:
        return len(row) <= 2 and words.is_form_title(compact(row[0].text))

    def is_name(row: Row) -> str | None:
        """'table' or 'prose' for a 项目名称 row (in a table, or a cover's paragraph), else None."""
        for c in row[:2]:
            if label_key(c.text) in name_words or _starts_with_name(c.text, name_words):
                return "table" if c.col is not None else "prose"
        return None

    def above_form(row: Row) -> bool:
        if len(row) != 1:
            return False
        key = compact(row[0].text)
        if words.inline.match(key):
            return False
        return bool(
            is_preamble(key)
            or is_year_line(key)
            or _unit_note(key)
            or is_title_line(key)
            or words.is_form_title(key)
        )

    forms: list[list[Row]] = [[]]
    seen: set[str] = set()  # the kinds of name rows the current form has (a cover's, its table's)
    for row in rows:
        title, name = is_title(row), is_name(row)
        # a title opens a new form once the current one has its name (a second title line above a form
        # that has none yet is the same form's); a second name row of the same kind opens one without a
        # title (a cover page's 项目名称 and the table's are one form)
        starts = bool(seen) if title else (name in seen if name else False)
        if starts:
            carried: list[Row] = []
            while forms[-1] and len(carried) < 4 and above_form(forms[-1][-1]):
                carried.insert(0, forms[-1].pop())
            forms.append(carried)
            seen = set()
        if name:
            seen.add(name)
        forms[-1].append(row)
    return [f for f in forms if f] or [[]]


def _starts_with_name(text: str, name_words: frozenset[str]) -> bool:
    key = compact(text)
    return any(key.startswith(w + ":") for w in name_words)


class _Layouts(Mapping[str, Layout]):
    """LAYOUTS: id → Layout, in detection order (reloaded when the spec folders change)."""

    def __init__(self) -> None:
        self._cache: tuple[int, dict[str, Layout]] | None = None
        self._by_spec: dict[int, tuple[LayoutSpec, Layout]] = {}  # one Layout per spec object, kept

    def _layout(self, spec: LayoutSpec) -> Layout:
        found = self._by_spec.get(id(spec))
        if found is None or found[0] is not spec:
            found = self._by_spec[id(spec)] = (spec, Layout(spec))
        return found[1]

    def _all(self) -> dict[str, Layout]:
        specs = all_specs()
        if self._cache is None or self._cache[0] != id(specs):
            self._cache = (id(specs), {k: self._layout(s) for k, s in specs.items()})
        return self._cache[1]

    def __getitem__(self, layout: str) -> Layout:
        if layout == GENERIC:
            return generic_layout()
        return self._all()[layout]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __contains__(self, layout: object) -> bool:
        return layout in self._all()


LAYOUTS: Mapping[str, Layout] = _Layouts()
_GENERIC: list[Layout] = []


def generic_layout() -> Layout:
    if not _GENERIC:
        _GENERIC.append(Layout(generic_spec()))
    return _GENERIC[0]


def layout_module(layout: str) -> Layout:
    return LAYOUTS[layout]


def detection(cells: Sequence[Cell]) -> list[tuple[Layout, int, list[Hit]]]:
    """Every layout's score and evidence, best first (ties to detection order)."""
    doc = Document(cells)
    scored = []
    for n, layout in enumerate(LAYOUTS.values()):
        score, hits = layout.explain(doc)
        scored.append((score, -n, layout, hits))
    scored.sort(key=lambda x: (x[0], x[1]), reverse=True)
    return [(layout, score, hits) for score, _, layout, hits in scored]


def choose_layout(cells: Sequence[Cell], requested: str | None, file: str | None) -> Layout:
    if requested and requested != "auto":
        if requested != GENERIC and requested not in LAYOUTS:
            raise InputError(
                f"未知的版式 {requested}",
                file=file,
                place="--layout",
                fix="可用的版式：auto、" + "、".join([*LAYOUTS, GENERIC]),
            )
        return LAYOUTS[requested]
    doc = Document(cells)
    best, chosen = -1, None
    for layout in LAYOUTS.values():
        score = layout.detect(doc)
        if score > best:
            best, chosen = score, layout
            if score >= 100:
                break
    if chosen is not None and best >= MIN_CONFIDENCE:
        return chosen
    if not looks_like_a_report(cells):
        raise InputError(
            "未识别出绩效自评报告的内容（找不到项目名称、资金、绩效指标、自评得分等任何栏目）",
            file=file,
            place="整个文件",
            fix="确认这是项目支出绩效自评报告或自评表；报告应至少写明项目名称，或含资金表、绩效指标表",
        )
    return generic_layout()


def looks_like_a_report(cells: Sequence[Cell]) -> bool:
    """Anything a report has: a fact or block label of the shared vocabulary, or a title about 绩效/自评."""
    words = generic_layout().words
    known = set(words.labels) | set(words.goal_labels) | set(words.block_labels)
    for group in ("fund_columns", "levels", "indicator_columns", "goal_columns"):
        for values in words.spec.vocabulary.section(group).values():
            known.update(w for w in values if len(w) >= 4)
    for n, cell in enumerate(cells[:3000]):
        key = cell.key
        if not key:
            continue
        if label_key(cell.text) in known or words.inline.match(key):
            return True
        if len(key) <= 80 and any(w in key for w in _REPORT_WORDS) and any(w in key for w in _REPORT_KINDS):
            return (
                True  # a title or heading about a self-evaluation (…绩效自评报告, 一、绩效目标分解下达情况)
            )
        if n < 40 and len(key) <= 80 and "绩效" in key and any(w in key for w in ("目标", "评价", "自评")):
            return True
    return False
