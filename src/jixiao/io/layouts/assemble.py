"""What a form holds (``FormRead``) → the Report, by the rules its spec switches on.

Row rules: template rows (指标1：, ……) with nothing in them are not indicators; a 「其中：…」 row without
points restates part of the indicator above and goes into its note; a ★ before a name marks a core
indicator; rows without points take their heading's (产出指标（50分）), shared evenly. Adjusted targets
(调整后目标值) win over the initial ones, which are kept in the note; a blank 得分 is 权重 × 得分系数.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from jixiao.domain import (
    Blank,
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
    Unplaced,
)
from jixiao.io.cells import Cell, compact, one_line
from jixiao.io.layouts.common import parse_date, parse_period, place
from jixiao.io.layouts.grid import percent_number, split_evenly
from jixiao.io.layouts.grid import year_of as year_of_text
from jixiao.io.layouts.hooks import HOOKS
from jixiao.io.layouts.prose import read_prose
from jixiao.io.layouts.reader import BlankMark, FormRead, TableLine, Words
from jixiao.io.layouts.spec import LayoutSpec
from jixiao.quantity import parse_quantity

EXECUTION_ITEM = ("预算执行率",)
_TEMPLATE_NAME = re.compile(r"^(指标\s*\d+\s*[:：]?|[…\.。·]+|\.{3,})$")
_TEMPLATE_PREFIX = re.compile(r"^指标\s*\d+\s*(?:[:：]\s*(?=\S)|(?=[^\d\s:：]))")
# A project code before the name: 51000021R000000019951-工资性支出 (四川 一体化系统)
_CODE_PREFIX = re.compile(r"^([0-9A-Za-z]{12,30})\s*[-—_－:：\s]\s*(?=\S)")
_YES = frozenset({"是", "√", "✓", "✔", "★", "y", "yes", "核心", "核心指标"})
# An organisation's code before its name: 219001-池州市贵池区棠溪镇人民政府, [155]濉溪县民政局
_ORG_CODE = re.compile(r"^(\[\d{2,10}\]|\d{2,10}[-—_－]|\d{3,10}\s+)\s*(?=[^\d\s])")
# A name pasted with the form's title after it: 2020年省级卫片执法补助经费支出绩效自评表
_FORM_SUFFIX = re.compile(r"(项目)?(支出)?绩效(目标)?(自评|评价)(表|报告|结果)$")
_PHONE = re.compile(r"[\s(（]*((?:0\d{2,3}[-—]?)?\d{7,8}|1[3-9]\d{9})(?:[)）]?\s*[(（][^)）]*[)）])?\s*$")
FIELD_NAMES = {
    "name": "项目名称",
    "unit": "实施单位",
    "department": "主管部门",
    "manager": "项目负责人",
    "category": "项目类别",
    "attribute": "项目属性",
    "kind": "项目类型",
    "report_date": "填报日期",
    "phone": "联系电话",
}


def is_yes(text: str | None) -> bool:
    """是否核心指标 and the like: 是 / √ / ★ / Y."""
    return bool(text) and compact(text).lower() in _YES


def assemble(spec: LayoutSpec, words: Words, form: FormRead, file: str | None, source: Source) -> Report:
    project = project_info(form, generic=spec.id == "generic")
    for hook in spec.hooks:
        kind, function = HOOKS[hook]
        if kind == "project":
            project = function(project)
    templates: list[tuple[str | None, str | None, Cell]] = []
    indicators = indicator_rows(spec, words, form, file, templates)
    funds = fund_rows(form, file)
    prose_total = None
    if spec.id == "generic" and not funds.rows:  # a report in prose: the figures its sentences give
        funds, prose_total = prose_funds(words, form, file)
    mode = spec.self_assessment
    if mode == "auto":
        scored = any(not t.has_values and t.lines for t in form.tables)
        mode = (
            "score_table" if scored and (not indicators or any(t.has_values for t in form.tables)) else "rows"
        )
    if mode == "score_table":
        items = score_table_items(form, file)
    else:
        items = execution_item(spec, form, funds, file) + row_items(indicators)
    return Report(
        project=project,
        funds=funds,
        goals=tuple(
            Goal(g.expected, g.actual, place(file, cell, f"goals[{n}]"))
            for n, (g, cell) in enumerate(zip(form.goals, form.goal_cells, strict=True), 1)
        ),
        indicators=tuple(indicators),
        self_assessment=self_assessment(spec, form, items, file, prose_total),
        opinions=tuple(
            Opinion(role="unit", label=label, text=text or None, place=place(file, cell, f"opinions.{label}"))
            for label, text, cell in form.signoff
            if label != "联系电话"
        ),
        narrative=(*form.narrative, *fund_reasons(words, form)),
        source=source,
        missing_sections=tuple(missing(mode, form)),
        title=form.title,
        unplaced=tuple(
            Unplaced(cell.text, place(file, cell, "unplaced"), row_label(cell)) for cell in form.unplaced
        ),
        blanks=(*blanks(form, file), *template_blanks(templates, indicators, file)),
    )


def blanks(form: FormRead, file: str | None) -> list[Blank]:
    """The places the form left empty (or with its instruction text), each once, by the form's own label."""
    out: list[Blank] = []
    seen: set[str] = set()
    for mark in form.blanks:
        label = FIELD_NAMES.get(mark.label, mark.label)
        if label in seen or (mark.field is not None and mark.field in form.facts):
            continue
        seen.add(label)
        where = place(file, mark.cell, f"blank[{label}]")
        out.append(Blank(label, where, mark.instruction, mark.why, mark.group))
    return out


def template_blanks(templates: list, indicators: list[Indicator], file: str | None) -> list[Blank]:
    """Indicator kinds (时效指标, 经济效益指标 …) that have only the form's template rows: nothing set."""
    real = {(r.level1, r.level2) for r in indicators if not r.empty}
    real_level1 = {r.level1 for r in indicators if not r.empty}
    out: list[Blank] = []
    seen: set[tuple] = set()
    for level1, level2, cell in templates:
        if (level1, level2) in real or (level1, level2) in seen:
            continue
        output_kind = any(w in compact(level2 or "") for w in ("数量", "质量", "时效", "成本"))
        if not output_kind and level1 in real_level1:
            continue  # a 效益 kind left as template beside others set: not every kind applies
        seen.add((level1, level2))
        label = "/".join(p for p in (level1, level2) if p) or "绩效指标"
        out.append(Blank(label, place(file, cell, f"blank[{label}]"), why="只有模板行（指标1：…），"))
    return out


def row_label(cell: Cell) -> str:
    """Where a cell's row is, as people name it: 表2 第18行 / Sheet1 第5行 / 第12行."""
    if cell.table is not None and cell.ref and cell.ref.startswith("表"):
        return f"表{cell.table} 第{cell.row}行"
    if cell.ref and "!" in cell.ref:
        return f"{cell.ref.split('!', 1)[0]} 第{cell.row}行"
    if cell.line:
        return f"第{cell.line}行"
    return cell.ref or "表外"


def missing(mode: str, form: FormRead) -> list[str]:
    out = []
    if mode == "score_table":
        if "scores" not in form.blocks and not any("score" in t.columns for t in form.tables):
            out.append("指标评分表")
        return out
    if "funds" not in form.blocks:
        out.append("资金情况表")
    if "indicators" not in form.blocks:
        out.append("绩效指标表")
    return out


# -- project --------------------------------------------------------------------------------------


def fact(form: FormRead, *names: str) -> str | None:
    for name in names:
        if name in form.facts:
            return form.facts[name][0] or None
    return None


def project_info(form: FormRead, generic: bool = False) -> ProjectInfo:
    """The project's facts. A form without a 项目名称 cell may name its project in its title: the name is
    taken from there, and the missing cell is kept as a blank."""
    start, end = parse_period(fact(form, "period"))
    signed = {label: text for label, text, _ in form.signoff if text}
    name = fact(form, "name")
    titled_unit = None
    if name:
        name = _FORM_SUFFIX.sub("", _CODE_PREFIX.sub("", name) or name) or name
    elif form.title:
        name, titled_unit = name_from_title(form.title)
        if name and not generic and not any(b.field == "name" for b in form.blanks):
            form.blanks.append(
                BlankMark("项目名称", None, why="表中没有项目名称栏（名称取自标题），", field=None)
            )
    filler = fact(form, "filler")
    manager, phone = split_phone(fact(form, "manager") or signed.get("项目负责人"))
    both = fact(form, "organisation")  # 预算部门单位：遂溪县水务局 — the one organisation named
    year = fact(form, "year")
    if generic and not year and not form.year:  # a report in prose: the first budget year it names
        year = next((s.text for s in form.narrative[:6] if year_of_text(s.text)), None)
    return ProjectInfo(
        name=name,
        unit=org(fact(form, "unit", "reporting_unit") or both or titled_unit),
        department=org(fact(form, "department") or both or titled_unit),
        manager=manager,
        phone=fact(form, "phone") or phone,
        address=fact(form, "address"),
        start=start,
        end=end,
        report_date=parse_date(fact(form, "report_date")),
        year=form.year or year_of_text(year) or (int(start[:4]) if start else None),
        filler=filler,
        filler_phone=signed.get("联系电话") or (fact(form, "phone") if filler else None),
        period_raw=fact(form, "period"),
    )


def org(text: str | None) -> str | None:
    """An organisation without the code some systems print before it."""
    return (_ORG_CODE.sub("", text) or text) if text else text


def split_phone(text: str | None) -> tuple[str | None, str | None]:
    """'李宁0557-5788003' / '李宁 13900000000（办公）' → ('李宁', '0557-5788003')."""
    if not text:
        return text, None
    m = _PHONE.search(text)
    if not m or m.start() == 0:
        return text, None
    return text[: m.start()].strip(" ,，、:：") or text, m.group(1)


_TITLE_TAIL = re.compile(
    r"(部门)?(整体)?(支出)?(绩效)?(目标)?(重点)?(自评|评价)(报告|结果|结论|表|情况)?$|(部门)?整体支出$|支出$"
)
_LEADING_YEAR = re.compile(r"^20\d{2}年度?")
_ORG_THEN_YEAR = re.compile(r"^(.{2,20}?(?:局|委|厅|办|中心|院|馆|站|所|处|委员会|政府))(20\d{2}年度?.+)$")


def name_from_title(title: str) -> tuple[str | None, str | None]:
    """(project, unit) named by the title of a report without a 项目名称 cell: '2021年度本专科生奖助学金项目
    自评结果' → the project; '关于市环保局2017年度…资金项目绩效重点评价结论' → project and unit;
    '2021年茂名市发展和改革局整体支出绩效自评报告' (a department's report) → the department, twice."""
    text = compact(title)
    if "关于" in text:
        text = text.split("关于", 1)[1]
    whole = "整体支出" in text
    for _ in range(3):
        text = _TITLE_TAIL.sub("", text) or text
    if whole:
        text = _LEADING_YEAR.sub("", text)
        if len(text) < 4 or any(w in text for w in ("自评", "评价", "绩效", "表")):
            return None, None
        return text, text
    unit = None
    m = _ORG_THEN_YEAR.match(text)
    if m:
        unit, text = m.group(1), m.group(2)
    if len(text) < 4 or any(w in text for w in ("自评", "评价", "绩效", "表")):
        return None, unit  # the title names the form, not the project
    return text, unit


# -- funds ----------------------------------------------------------------------------------------


def fund_rows(form: FormRead, file: str | None) -> Funds:
    rows = [
        FundRow(
            key=line.key,
            label=line.label,
            planned=line.amounts["planned"],
            budget=line.amounts["budget"],
            arrived=line.amounts["arrived"],
            spent=line.amounts["spent"],
            balance=line.amounts["balance"],
            stated_rate=line.rate,
            weight=line.weight,
            score=line.score,
            place=place(file, line.cell, f"funds[{line.label}]"),
        )
        for line in form.funds
    ]
    return Funds(unit=form.fund_unit or "万元", rows=tuple(rows))


def fund_reasons(words: Words, form: FormRead) -> list[NarrativeSection]:
    """The 未执行原因 column, kept as a narrative section so the reasons are not lost."""
    notes = [
        f"{line.label}：{line.note}"
        for line in form.funds
        if line.note and not words.is_placeholder(line.note)
    ]
    return [NarrativeSection("预算执行·未执行原因", "\n".join(notes))] if notes else []


# -- indicators -----------------------------------------------------------------------------------


def indicator_rows(
    spec: LayoutSpec, words: Words, form: FormRead, file: str | None, templates: list | None = None
) -> list[Indicator]:
    """Rows of every table with target/actual columns, by the spec's row rules (template rows skipped are
    listed in ``templates``)."""
    out: list[Indicator] = []
    headings: dict[tuple[str, ...], Decimal] = {}
    value_tables = [t for t in form.tables if t.has_values]
    if not value_tables and spec.id == "generic":
        # an indicator table whose target and actual columns are named in words no spec knows: its rows are
        # still the indicators (names, points, scores), their values left for a user to assign
        value_tables = [t for t in form.tables if "name" in t.columns]
    for table in value_tables:
        headings.update(table.heading_points)
        for line in table.lines:
            made = _indicator(spec, words, table.columns, line, out, file, templates)
            if made is not None:
                out.append(made)
    out = _without_spare_rows(out)
    if spec.rule("heading_points"):
        out = _with_heading_points(out, headings)
    return [replace(r, place=replace(r.place, path=f"indicators[{n}]")) for n, r in enumerate(out, 1)]


def _without_spare_rows(rows: list[Indicator]) -> list[Indicator]:
    """A row filled with 无 / — is kept where it is all its 二级指标 has (no 时效指标 set: worth saying);
    beside a real indicator of the same kind it is a spare row of the form, and goes."""
    filled = {(r.level1, r.level2) for r in rows if not r.empty}
    return [
        r
        for r in rows
        if not (r.empty and r.score is None and r.weight is None and (r.level1, r.level2) in filled)
    ]


def _is_group(row: Indicator) -> bool:
    """A row that only groups the rows under it: points, no target or actual of its own."""
    return (
        (row.weight is not None or row.score is not None)
        and row.target is None
        and row.actual is None
        and not row.empty
    )


def _indicator(
    spec, words, columns, line: TableLine, done: list[Indicator], file, templates=None
) -> Indicator | None:
    l1, l2, name = line.levels
    if "name" not in columns:
        name = l2
    if not l1 or l1 == "—":
        l1 = words.level1_for(l2) or (None if l1 == "—" else l1)
    texts = line.texts
    name = one_line(name) if name else None
    initial, adjusted = texts.get("target_initial"), texts.get("target")
    target = adjusted or initial
    actual = texts.get("actual")
    if words.is_instruction(actual):
        actual = None
    notes = [texts.get("note")]
    if adjusted and initial:
        notes.append(f"年初目标值：{one_line(initial)}")
    weight = line.leaf_points
    score = line.score
    coefficient = percent_number(texts.get("coefficient"))
    if score is None and weight is not None and coefficient is not None:
        score = weight * coefficient / 100  # exact in Decimal: 权重 × 系数
    nothing_else = not target and not actual and weight is None and score is None
    if name and spec.rule("template_rows") and _TEMPLATE_NAME.match(compact(name)) and nothing_else:
        if templates is not None:
            templates.append((l1, l2, line.cell))
        return None  # the form's empty template row (指标1：, ……)
    if name and spec.rule("template_rows") and _TEMPLATE_PREFIX.match(name):
        name = _TEMPLATE_PREFIX.sub("", name)  # 指标1：培训人次 → 培训人次
    core = is_yes(texts.get("core"))
    if name and spec.rule("core_marks") and name.lstrip().startswith(tuple(words.core_marks)):
        name = name.lstrip().lstrip(words.core_marks).strip() or None
        core = True
    unit = texts.get("unit")
    empty = (name is None or words.is_placeholder(name)) and not target and not actual
    if empty and name is None and score is None and weight is None:
        return None  # a level heading alone, or a spare row
    row = Indicator(
        level1=l1,
        level2=l2,
        name=None if empty else name,
        target=None if empty else parse_quantity(target, op=texts.get("op"), unit=unit),
        actual=None if empty else parse_quantity(actual, unit=unit),
        weight=weight,
        score=score,
        note="；".join(one_line(n) for n in notes if n and one_line(n)) or None,
        empty=empty,
        core=core,
        place=place(file, line.cell, f"indicators[{len(done) + 1}]"),
    )
    if done and spec.rule("sub_rows") and weight is None and score is None and not empty and name:
        parent_at = _group_parent(done, row)
        if parent_at is not None:  # a part of the row above: 其中：… / the items under a ★ group row
            parent = done[parent_at]
            part = f"{name}：指标值 {one_line(target) or '—'}，实际完成值 {one_line(actual) or '—'}"
            parts = parent.parts + ((row,) if not compact(name).startswith("其中") else ())
            done[parent_at] = replace(
                parent, note="；".join(p for p in (parent.note, part) if p), parts=parts
            )
            return None
    return row


def _group_parent(done: list[Indicator], row: Indicator) -> int | None:
    """Where the row above that this row is part of sits: a 「其中」 row belongs to the indicator above it;
    a row without points under a group row (points and no values of its own) belongs to the group."""
    if compact(row.name or "").startswith("其中"):
        return len(done) - 1
    last = done[-1]
    if (last.level1, last.level2) == (row.level1, row.level2) and (_is_group(last) or last.parts):
        return len(done) - 1
    return None


def _with_heading_points(rows: list[Indicator], headings: dict[tuple[str, ...], Decimal]) -> list[Indicator]:
    """Rows without any 分值 take the points their heading states (产出指标（50分）, 数量指标（10分）),
    shared evenly: a 二级 heading's among its rows, else the 一级 heading's among its rows."""
    if not headings or any(r.weight is not None for r in rows):
        return rows
    out = list(rows)
    live = [i for i, r in enumerate(out) if not r.empty and r.name]
    by_level2 = {key: points for key, points in headings.items() if len(key) == 2}
    taken: set[int] = set()
    for (level1, level2), points in by_level2.items():
        members = [i for i in live if out[i].level1 == level1 and out[i].level2 == level2]
        for i, share in zip(members, split_evenly(points, len(members)), strict=True):
            out[i] = replace(out[i], weight=share)
            taken.add(i)
    for key, points in headings.items():
        if len(key) != 1:
            continue
        members = [i for i in live if out[i].level1 == key[0] and i not in taken]
        if any(i in taken for i in live if out[i].level1 == key[0]):
            continue  # its 二级 headings gave the points
        for i, share in zip(members, split_evenly(points, len(members)), strict=True):
            out[i] = replace(out[i], weight=share)
    return out


# -- self-assessment ------------------------------------------------------------------------------


def execution_item(spec: LayoutSpec, form: FormRead, funds: Funds, file: str | None) -> list[SelfItem]:
    """预算执行率: the funds block's 分值 and 得分 (the total row's, else any row's)."""
    total = funds.row("total")
    weights = [r.weight for r in funds.rows if r.weight is not None]
    scored = next((r for r in funds.rows if r.score is not None), None)
    if total is None and not weights and scored is None and form.fund_points is None:
        return []
    points = total.weight if total is not None and total.weight is not None else None
    if points is None:
        points = max(weights) if weights else form.fund_points
    if points is None and spec.execution_points is not None:
        points = Decimal(spec.execution_points)
    score = (
        total.score if total is not None and total.score is not None else (scored.score if scored else None)
    )
    anchor = (scored or total).place if (scored or total) is not None else Place()
    return [
        SelfItem(
            EXECUTION_ITEM,
            max=points,
            score=score,
            place=Place("self_assessment.items[预算执行率]", file, anchor.line, anchor.cell),
        )
    ]


def row_items(indicators: list[Indicator]) -> list[SelfItem]:
    return [
        SelfItem(
            tuple(p for p in (r.level1, r.level2, r.name) if p), max=r.weight, score=r.score, place=r.place
        )
        for r in indicators
        if not r.empty and r.name
    ]


def score_table_items(form: FormRead, file: str | None) -> list[SelfItem]:
    """One item per scored row of the score table(s), with 分值, 自评得分 and 审核得分."""
    items = []
    for table in form.tables:
        if "score" not in table.columns and "review" not in table.columns:
            continue
        if table.has_values and any(not t.has_values for t in form.tables):
            continue  # the value table's rows are indicators; the score table scores them
        for line in table.lines:
            if not line.path or (line.score is None and line.review is None):
                continue
            items.append(
                SelfItem(
                    path=line.path,
                    max=line.leaf_points,
                    score=line.score,
                    review_score=line.review,
                    place=place(file, line.cell, "self_assessment.items[" + "/".join(line.path) + "]"),
                )
            )
    return items


def _table_total(form: FormRead, mode: str) -> tuple[Decimal | None, Decimal | None, Cell | None]:
    for table in form.tables:
        wanted = not table.has_values if mode == "score_table" else table.has_values
        if wanted and (table.total_score is not None or table.total_review is not None):
            return table.total_score, table.total_review, table.total_cell
    for table in form.tables:
        if table.total_score is not None:
            return table.total_score, table.total_review, table.total_cell
    return None, None, None


def prose_funds(words: Words, form: FormRead, file: str | None) -> tuple[Funds, Decimal | None]:
    figures = read_prose((s.text for s in form.narrative), words.spec.vocabulary.section("prose"))
    labels = {
        "total": "合计",
        "central": "中央财政",
        "provincial": "省级财政",
        "city": "市级财政",
        "county": "县级财政",
    }
    rows = [
        FundRow(
            key=key,
            label=labels[key],
            planned=values.get("planned"),
            budget=values.get("budget"),
            arrived=values.get("arrived"),
            spent=values.get("spent"),
            stated_rate=figures.rate if key == "total" else None,
            place=Place(f"funds[{labels[key]}]", file),
        )
        for key, values in sorted(figures.amounts.items(), key=lambda kv: kv[0] != "total")
    ]
    return Funds(unit="万元", rows=tuple(rows)), figures.total


def self_assessment(
    spec: LayoutSpec,
    form: FormRead,
    items: list[SelfItem],
    file: str | None,
    prose_total: Decimal | None = None,
) -> SelfAssessment:
    from jixiao.quantity import parse_score

    mode = (
        "score_table"
        if items and items[0].path != EXECUTION_ITEM and spec.self_assessment != "rows"
        else "rows"
    )
    table_total, table_review, table_cell = _table_total(form, mode)
    label_text, label_cell = form.totals.get("total", (None, None))
    label_total = parse_score(label_text)
    review_text = form.totals.get("review_total", (None, None))[0]
    if spec.total_from == "labels" and label_total is not None:
        total, cell = label_total, label_cell
    elif table_total is not None:
        total, cell = table_total, table_cell
    else:
        total, cell = label_total, label_cell
    review = parse_score(review_text)
    if total is None and prose_total is not None:
        total = prose_total
    if total is None:
        cell = form.total_cell  # the 总分 row or label, left empty: where the total belongs
    return SelfAssessment(
        total=total,
        grade=form.totals.get("grade", (None, None))[0],
        items=tuple(items),
        total_place=place(file, cell, "self_assessment.total"),
        review_total=review if review is not None else table_review,
        review_grade=form.totals.get("review_grade", (None, None))[0],
    )
