"""Layout family 1: the Yueyang 附件2-2 self-evaluation report with its 附件3-2 score table.

Label-driven: every value is found next to its label or under its table header, so blank lines,
extra rows, filled-in fund sources and CRLF/GBK variants read the same. A table that starts but never
reaches its end marker means the file was cut off: that is an input error, not a half-read report.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache

from jixiao.domain import (
    FUND_KEYS,
    Evaluator,
    Expenditure,
    FundRow,
    Funds,
    Goal,
    Indicator,
    NarrativeSection,
    Opinion,
    Place,
    ProjectInfo,
    Report,
    SelfAssessment,
    SelfItem,
    Source,
)
from jixiao.io.cells import Cell, clean, compact, joined, one_line
from jixiao.io.layouts.common import LabelIndex, parse_date, parse_period, place, truncated
from jixiao.quantity import parse_amount, parse_quantity, parse_score

LAYOUT = "yueyang-2-2"

SECTION_BASIC = "一、项目基本概况"
SECTION_SPENDING = "二、项目支出明细情况"
SECTION_SELF = "三、项目绩效自评情况"
SECTION_PEOPLE = "四、评价人员"
SECTION_NARRATIVE = "五、评价报告综述"

# Total-row labels of the funds table → field, in the order the form prints its columns.
FUND_COLUMNS = (
    ("计划安排资金", "planned"),
    ("实际到位资金", "arrived"),
    ("实际支出", "spent"),
    ("结余", "balance"),
)
_FUND_LABELS = tuple(label for label, _ in FUND_COLUMNS)
# Source labels; checked in this order because 县市区财政 contains 市 and 其中：中央财政 contains 其.
FUND_SOURCES = (
    ("中央", "central", "中央财政"),
    ("县", "county", "县市区财政"),
    ("省", "provincial", "省财政"),
    ("市", "city", "市财政"),
    ("其它", "other", "其它"),
    ("其他", "other", "其它"),
)

NARRATIVE_HEADINGS = (
    "项目基本概况",
    "项目资金使用及管理情况",
    "项目组织实施情况",
    "综合评价情况及评价结论",
    "项目主要绩效情况分析",
    "主要经验及做法、存在问题和建议",
    "附件",
)
_NARRATIVE_HEADING_SET = frozenset(NARRATIVE_HEADINGS)
SCORE_TABLE_HEADER_WORDS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "分值",
    "权重",
    "参考分值",
    "具体指标",
    "指标解释",
    "评价标准",
    "评分标准",
    "自评",
    "得分",
    "复核",  # a reviewed copy (jixiao export) adds 复核得分 and 依据 after 自评得分
    "依据",
)
_BUDGET_YEAR = re.compile(r"(20\d{2})年度")
_HEADING_PREFIX = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）、.]?")
_EMPTY_VALUES = {"无", "/", "-", "—", "——", "--", "暂无"}
_OPINION_LABELS = (
    ("评价组组长", "evaluation_group"),
    ("项目单位意见", "unit"),
    ("主管部门意见", "department"),
    ("财政部门", "finance"),
)
_BOILERPLATE = re.compile(
    r"(项目单位负责人|主管部门负责人|财政部门归口业务科室负责人|负责人)[(（]签[章字][)）][:：]?"
    r"|年\s*月\s*日|评价组组长[(（]签字[)）][:：]?"
)
_FILLER = re.compile(r"填报人[(（]签名[)）][:：]?(?P<name>.*?)联系电话[:：]?(?P<phone>.*)$", re.S)


def parse_all(cells: Sequence[Cell], file: str | None = None, source: Source | None = None) -> list[Report]:
    """The 附件2-2 form is one report per file."""
    return [_Parser(list(cells), file).report(source or Source(file=file, layout=LAYOUT))]


class _Parser:
    def __init__(self, cells: list[Cell], file: str | None):
        self.cells = cells
        self.index = LabelIndex(cells)
        self.file = file
        self.missing: list[str] = []

    # -- small helpers -------------------------------------------------------------------------
    def value_after(self, i: int, labels: tuple[str, ...] = ()) -> Cell | None:
        """The cell right after label i, unless that cell is itself a label."""
        if i < 0 or i + 1 >= len(self.cells):
            return None
        nxt = self.cells[i + 1]
        if labels and nxt.key.startswith(labels):
            return None
        return nxt

    def section(self, heading: str) -> int:
        return self.index.find(heading)

    def end_of(self, begin: int, markers: tuple[str, ...]) -> int:
        """Index of the first marker after begin; -1 if the file ends first."""
        return self.index.find(markers, begin + 1)

    # -- the report ----------------------------------------------------------------------------
    def report(self, source: Source) -> Report:
        basic = self.section(SECTION_BASIC)
        cover_end = basic if basic >= 0 else min(len(self.cells), 40)
        cover = self.cover(self.cells[:cover_end])
        opinions, filler = self.opinions()
        project = self.project(cover, basic, filler)
        funds = self.funds(basic)
        expenditures, expenditure_total = self.expenditures()
        goals = self.goals()
        indicators = self.indicators()
        total, grade, total_cell = self.self_total()
        items, table_total = self.score_table()
        evaluators = self.evaluators()
        narrative = self.narrative()
        if total is None:
            total = table_total
        self_assessment = SelfAssessment(
            total=total,
            grade=grade,
            items=tuple(items),
            total_place=place(self.file, total_cell, "self_assessment.total"),
        )
        return Report(
            project=project,
            funds=funds,
            expenditures=tuple(expenditures),
            expenditure_total=expenditure_total,
            goals=tuple(goals),
            indicators=tuple(indicators),
            self_assessment=self_assessment,
            evaluators=tuple(evaluators),
            opinions=tuple(opinions),
            narrative=tuple(narrative),
            source=source,
            missing_sections=tuple(self.missing),
            title=cover.get("title"),
        )

    def cover(self, cells: Sequence[Cell]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        labels = {
            "项目名称": "name",
            "项目单位": "unit",
            "主管部门": "department",
            "评价方式": "evaluation_method",
            "评价机构": "evaluator_org",
            "报告日期": "report_date",
        }
        for cell in cells:
            key = cell.key
            if "自评报告" in key and "title" not in out:
                out["title"] = one_line(cell.text)
                continue
            if key.startswith("评价类型"):
                out["evaluation_type"] = _checked_option(cell.text)
                continue
            for label, field in labels.items():
                if key.startswith(label) and field not in out:
                    out[field] = _after_label(cell.text, label)
                    out[field + "@line"] = str(cell.line or "")
        return out

    def project(
        self, cover: dict[str, str | None], basic: int, filler: tuple[str | None, str | None] | None
    ) -> ProjectInfo:
        stop = self.section(SECTION_SPENDING)
        stop = len(self.cells) if stop < 0 else stop
        facts: dict[str, str | None] = {}
        labels = {
            "项目负责人": "manager",
            "联系电话": "phone",
            "项目地址": "address",
            "邮编": "postcode",
            "项目起止时间": "period",
        }
        if basic >= 0:
            all_labels = tuple(labels) + tuple(c for c, _ in FUND_COLUMNS)
            for label, field in labels.items():
                i = self.index.find(label, basic + 1, stop)
                if i >= 0:
                    value = self.value_after(i, all_labels)
                    facts[field] = one_line(value.text) if value else None
        else:
            self.missing.append(SECTION_BASIC)
        start, end = parse_period(facts.get("period"))
        report_date = parse_date(cover.get("report_date"))
        return ProjectInfo(
            name=cover.get("name"),
            unit=cover.get("unit"),
            department=cover.get("department"),
            manager=facts.get("manager"),
            phone=facts.get("phone"),
            address=facts.get("address"),
            postcode=facts.get("postcode"),
            start=start,
            end=end,
            report_date=report_date,
            evaluation_type=cover.get("evaluation_type"),
            evaluation_method=cover.get("evaluation_method"),
            evaluator_org=cover.get("evaluator_org"),
            period_raw=facts.get("period"),
            year=self.guess_year(start, report_date),
            filler=filler[0] if filler else None,
            filler_phone=filler[1] if filler else None,
        )

    def guess_year(self, start: str | None, report_date: str | None) -> int | None:
        # title, cover and goals state the budget year when anything does: the first "20xx年度" in
        # the first 200 cells (found with one str.find over the joined labels, then read from the text)
        index, limit = self.index, min(200, len(self.cells))
        at, stop = 0, index.starts[limit]
        while (at := index.text.find("年度", at, stop)) >= 0:
            i = bisect_right(index.starts, at) - 1
            m = _BUDGET_YEAR.search(self.cells[i].text)
            if m:
                return int(m.group(1))
            at = index.starts[i + 1]  # the next cell
        if start:
            return int(start[:4])
        if report_date:
            return int(report_date[:4]) - 1
        return None

    # -- funds ---------------------------------------------------------------------------------
    def funds(self, basic: int) -> Funds:
        cells = self.cells
        begin = self.index.find("计划安排资金", max(basic, 0))
        if begin < 0:
            self.missing.append("资金情况表")
            return Funds()
        end = self.end_of(begin, (SECTION_SPENDING, SECTION_SELF, SECTION_PEOPLE))
        if end < 0:
            raise truncated(self.file, cells, "项目基本概况·资金情况")
        unit = "元" if "(元)" in cells[begin].key else "万元"
        total: dict[str, tuple[Decimal | None, Cell]] = {}
        sources: dict[str, dict[str, tuple[Decimal | None, Cell]]] = {}
        labels_seen: dict[str, int] = {}
        label_keys = (*tuple(c for c, _ in FUND_COLUMNS), "其中", "省", "市", "县", "其它", "其他", "中央")
        i = begin
        while i < end:
            key = cells[i].key
            column = (
                next(f for c, f in FUND_COLUMNS if key.startswith(c))
                if key.startswith(_FUND_LABELS)
                else None
            )
            if column:
                val = self.value_after(i, label_keys)
                total[column] = (parse_amount(val.text)[0] if val else None, val or cells[i])
                i += 2 if val else 1
                continue
            src = _fund_source(key)
            if src:
                skey, _label = src
                n = labels_seen.get(skey, 0)
                labels_seen[skey] = n + 1
                val = self.value_after(i, label_keys)
                if n < len(FUND_COLUMNS):
                    field = FUND_COLUMNS[n][1]
                    sources.setdefault(skey, {})[field] = (
                        parse_amount(val.text)[0] if val else None,
                        val or cells[i],
                    )
                i += 2 if val is not None and not _fund_source(val.key) else 1
                continue
            i += 1
        rows = [self._fund_row("total", "合计", total)]
        labels = {skey: label for _needle, skey, label in FUND_SOURCES}
        for skey in FUND_KEYS:  # the form's order: 中央, 省, 市, 县市区, 其它
            if skey in sources:
                rows.append(self._fund_row(skey, labels[skey], sources[skey]))
        return Funds(unit=unit, rows=tuple(rows))

    def _fund_row(self, key: str, label: str, values: dict[str, tuple[Decimal | None, Cell]]) -> FundRow:
        def v(field: str) -> Decimal | None:
            return values[field][0] if field in values else None

        first = next(iter(values.values()), None)
        return FundRow(
            key=key,
            label=label,
            planned=v("planned"),
            arrived=v("arrived"),
            spent=v("spent"),
            balance=v("balance"),
            place=place(self.file, first[1] if first else None, f"funds[{label}]"),
        )

    # -- spending detail -----------------------------------------------------------------------
    def expenditures(self) -> tuple[list[Expenditure], Decimal | None]:
        cells = self.cells
        start = self.section(SECTION_SPENDING)
        if start < 0:
            self.missing.append(SECTION_SPENDING)
            return [], None
        header = self.index.find(("支出内容", "支出项目"), start)
        end = self.end_of(start, ("支出合计", "合计", SECTION_SELF))
        if end < 0:
            raise truncated(self.file, cells, SECTION_SPENDING)
        if header < 0 or header > end:
            return [], None
        width = _header_width(
            cells, header, ("支出内容", "支出项目", "实际支出", "金额", "会计凭证", "凭证", "备注")
        )
        rows = _chunks(cells[header + width : end], width)
        out: list[Expenditure] = []
        for row in rows:
            item, amount_cell, voucher, note = (row + [None] * 4)[:4]
            texts = [clean(c.text) if c else None for c in (item, amount_cell, voucher, note)]
            if not any(texts):
                continue
            amount, amount_unit = parse_amount(texts[1])
            out.append(
                Expenditure(
                    item=one_line(texts[0]),
                    amount=amount,
                    unit=amount_unit,
                    voucher=one_line(texts[2]),
                    note=one_line(texts[3]),
                    place=place(self.file, row[0], f"expenditures[{len(out) + 1}]"),
                )
            )
        stated = None
        if cells[end].key.startswith(("支出合计", "合计")):
            val = self.value_after(end)
            stated = parse_amount(val.text)[0] if val else None
        return out, stated

    # -- goals and indicators ------------------------------------------------------------------
    def goals(self) -> list[Goal]:
        cells = self.cells
        start = self.index.find("项目绩效定性目标")
        if start < 0:
            return []
        end = self.end_of(start, ("项目绩效定量目标", "绩效自评综合得分"))
        if end < 0:
            raise truncated(self.file, cells, "项目绩效定性目标及实施计划完成情况")
        width = 1 + _header_width(cells, start + 1, ("预期目标", "实际完成"))
        out = []
        for row in _chunks(cells[start + width : end], width):
            expected, actual = (clean(c.text) for c in ([*row, Cell(""), Cell("")])[1:3])
            if expected or actual:
                out.append(Goal(expected, actual, place(self.file, row[0], f"goals[{len(out) + 1}]")))
        return out

    def indicators(self) -> list[Indicator]:
        cells = self.cells
        start = self.index.find("项目绩效定量目标")
        if start < 0:
            self.missing.append("项目绩效定量目标（指标）及完成情况")
            return []
        end = self.end_of(start, ("绩效自评综合得分", "评价等次", SECTION_PEOPLE))
        if end < 0:
            raise truncated(self.file, cells, "项目绩效定量目标（指标）及完成情况")
        header_words = (
            "一级指标",
            "二级指标",
            "指标内容",
            "三级指标",
            "指标(目标)值",
            "指标值",
            "目标值",
            "实际完成",
        )
        width = 1 + _header_width(cells, start + 1, header_words)
        out: list[Indicator] = []
        level1 = level2 = None
        for row in _chunks(cells[start + width : end], width):
            l1, l2, name, target, actual = ([joined(c.text) for c in row[1:]] + [None] * 5)[:5]
            if not any((l1, l2, name, target, actual)):
                continue  # a spare template row
            level1 = l1 or level1
            if l2:
                level2 = l2
            elif l1:
                level2 = None
            empty = (name is None or name in _EMPTY_VALUES) and not target and not actual
            raw_target = clean(row[4].text) if len(row) > 4 else None
            raw_actual = clean(row[5].text) if len(row) > 5 else None
            out.append(
                Indicator(
                    level1=level1,
                    level2=level2,
                    name=None if empty else name,
                    target=None if empty else parse_quantity(raw_target),
                    actual=None if empty else parse_quantity(raw_actual),
                    empty=empty,
                    place=place(self.file, row[3] if len(row) > 3 else row[0], f"indicators[{len(out) + 1}]"),
                )
            )
        return out

    def self_total(self) -> tuple[Decimal | None, str | None, Cell | None]:
        i = self.index.find("绩效自评综合得分")
        total = grade = None
        total_cell = None
        if i >= 0:
            total_cell = self.value_after(i, ("评价等次",))
            total = parse_score(total_cell.text) if total_cell else None
            total_cell = total_cell or self.cells[i]  # the label: where the total belongs, filled or not
        j = self.index.find("评价等次")
        if j >= 0:
            val = self.value_after(j, (SECTION_PEOPLE,))
            grade = one_line(val.text) if val else None
        if i < 0:
            self.missing.append("绩效自评综合得分")
        return total, grade, total_cell

    # -- 附件3-2 ---------------------------------------------------------------------------------
    def score_table(self) -> tuple[list[SelfItem], Decimal | None]:
        cells = self.cells
        header = self.score_header()
        if header < 0:
            self.missing.append("附件3-2 指标体系自评得分")
            return [], None
        width = _header_width(cells, header, SCORE_TABLE_HEADER_WORDS)
        self_col = _self_score_column(cells[header : header + width])
        if width < 6:  # the columns up to 三级指标/分值 are what the items are read from
            self.missing.append("附件3-2 指标体系自评得分（表头无法识别）")
            return [], None
        end = self.index.find("总分", header + width)
        if end < 0:
            raise truncated(self.file, cells, "附件3-2 项目支出绩效评价指标体系")
        body: list[Cell] = []
        i = header + width
        while i < end:  # the header repeats after a page break: leave those copies out
            again = self.index.find("一级指标", i, end)
            while again >= 0 and not _is_score_header(cells, again):
                again = self.index.find("一级指标", again + 1, end)
            if again < 0:
                body.extend(cells[i:end])
                break
            body.extend(cells[i:again])
            i = again + width
        items: list[SelfItem] = []
        l1 = l2 = None
        for row in _chunks(body, width):
            if len(row) < width:
                continue
            if row[0].text:
                l1 = joined(row[0].text)
            if row[2].text:
                l2 = joined(row[2].text)
            name = joined(row[4].text)
            if not name:
                continue
            path = (l1 or "", l2 or "", name)
            cell = row[self_col]
            items.append(
                SelfItem(
                    path,
                    parse_score(row[5].text),
                    parse_score(cell.text),
                    Place(f"self_assessment.items[{'/'.join(path)}]", self.file, cell.line, cell.ref),
                )
            )
        total_row = cells[end : end + width]
        table_total = parse_score(total_row[self_col].text) if len(total_row) == width else None
        return items, table_total

    def score_header(self) -> int:
        i = self.index.find("一级指标")
        while i >= 0 and not _is_score_header(self.cells, i):
            i = self.index.find("一级指标", i + 1)
        return i

    # -- people, sign-off, narrative ------------------------------------------------------------
    def evaluators(self) -> list[Evaluator]:
        cells = self.cells
        start = self.section(SECTION_PEOPLE)
        if start < 0:
            self.missing.append(SECTION_PEOPLE)
            return []
        header = self.index.find("姓名", start)
        end = self.end_of(start, ("评价组组长", "项目单位意见", SECTION_NARRATIVE))
        if end < 0:
            raise truncated(self.file, cells, SECTION_PEOPLE)
        if header < 0 or header > end:
            return []
        width = _header_width(cells, header, ("姓名", "职称", "职务", "单位", "签字"))
        out = []
        for row in _chunks(cells[header + width : end], width):
            name, title, unit = ([one_line(c.text) for c in row] + [None] * 3)[:3]
            if name or title or unit:
                out.append(Evaluator(name=name, title=title, unit=unit))
        return out

    def opinions(self) -> tuple[list[Opinion], tuple[str | None, str | None] | None]:
        out: list[Opinion] = []
        filler = None
        at = self.index.find(
            "填报人"
        )  # a paragraph of its own in .docx; inside the last opinion cell in a text dump
        if at >= 0:
            m = _FILLER.search(self.cells[at].text)
            if m:
                filler = (one_line(m.group("name")), one_line(m.group("phone")))
        for label, role in _OPINION_LABELS:
            i = self.index.find(label)
            if i < 0:
                continue
            cell = self.cells[i]
            text = cell.text
            narrative_at = text.find("五、")
            if narrative_at >= 0:
                text = text[:narrative_at]
            m = _FILLER.search(text)
            if m:
                filler = (one_line(m.group("name")), one_line(m.group("phone")))
                text = text[: m.start()]
            first, _, rest = text.partition("\n")
            head = first.split("：", 1)
            lab = head[0].strip() + "："
            body = (head[1] if len(head) > 1 else "") + "\n" + rest
            body = _BOILERPLATE.sub("", body)
            out.append(
                Opinion(
                    role=role, label=lab, text=clean(body), place=place(self.file, cell, f"opinions.{role}")
                )
            )
        return out, filler

    def narrative(self) -> list[NarrativeSection]:
        i = self.section(SECTION_NARRATIVE)
        if i < 0:
            self.missing.append(SECTION_NARRATIVE)
            return []
        # The text is the rest of the 五 cell (a Word dump) and/or the paragraphs after it (a .docx).
        lines = self.cells[i].text.splitlines()[1:]
        for j in range(i + 1, len(self.cells)):
            if self.cells[j].key.startswith("附件3") or _is_score_header(self.cells, j):
                break
            lines.extend(self.cells[j].text.splitlines())
        sections: list[NarrativeSection] = []
        heading: str | None = None
        buf: list[str] = []

        def flush():
            if heading is not None:
                body = "\n".join(x.strip() for x in buf if x.strip())
                sections.append(NarrativeSection(heading, body))

        for line in lines:
            key = compact(line)
            if key.startswith("附件3"):
                break
            bare = _HEADING_PREFIX.sub("", key)
            match = bare if bare in _NARRATIVE_HEADING_SET else None
            if match:
                flush()
                heading, buf = match, []
            else:
                buf.append(line)
        flush()
        return sections


@lru_cache(maxsize=4096)
def _after_label(text: str, label: str) -> str | None:
    """'项目名称  电子政务…' / '报告日期：2020年6月8日' → the value after the label."""
    compact_label = list(label)
    pos = 0
    for ch in compact_label:  # walk over the label allowing spaces between its characters
        pos = text.find(ch, pos)
        if pos < 0:
            return None
        pos += 1
    return one_line(text[pos:].lstrip(" :：\u3000\t"))


@lru_cache(maxsize=4096)
def _checked_option(text: str) -> str | None:
    for m in re.finditer(r"([\u4e00-\u9fff]+评价)\s*([√✓✔☑■R]?)", text):
        if m.group(2):
            return m.group(1)
    return None


@lru_cache(maxsize=1024)
def _fund_source(key: str) -> tuple[str, str] | None:
    body = key.removeprefix("其中:").removeprefix("其中")
    if not body or len(body) > 8:
        return None
    for needle, skey, label in FUND_SOURCES:
        if body.startswith(needle) or (needle in ("省", "市", "县") and needle in body and "财政" in body):
            return skey, label
    return None


def _header_width(cells: Sequence[Cell], begin: int, words: tuple[str, ...]) -> int:
    """How many consecutive cells from begin are header cells (contain one of the words)."""
    has_word = _any_of(words)
    n = 0
    for c in cells[begin:]:
        if not c.key or has_word(c.key) is None:
            break
        n += 1
    return max(n, 1)


@lru_cache(maxsize=64)
def _any_of(words: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """A search for any of the words, as one compiled alternation."""
    return re.compile("|".join(map(re.escape, words))).search


def _chunks(cells: Sequence[Cell], width: int) -> list[list[Cell]]:
    return [list(cells[i : i + width]) for i in range(0, len(cells), width)]


def _self_score_column(header: Sequence[Cell]) -> int:
    """The 自评得分 column, found by its header; a form that says only 得分 has it last."""
    for n, cell in enumerate(header):
        if "自评" in cell.key:
            return n
    return len(header) - 1


def _is_score_header(cells: Sequence[Cell], i: int) -> bool:
    return cells[i].key == "一级指标" and i + 1 < len(cells) and cells[i + 1].key == "分值"
