"""Fields holding the wrong kind of thing, inconsistent dates, empty required fields (JX501–JX503)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from jixiao.checks.context import CheckContext
from jixiao.domain import Finding, Place
from jixiao.io.cells import compact
from jixiao.numbers import fmt

_DATE_LIKE = re.compile(r"^\d{4}\s*[年./\-]\s*\d{1,2}\s*[月./\-]?\s*(\d{1,2}\s*[日号]?)?$")
_YMD = re.compile(r"(\d{4})\s*[年./\-]\s*(\d{1,2})(?:\s*[月./\-]\s*(\d{1,2}))?")
_FULL_DATE = re.compile(r"(19|20)\d{2}\s*[年./\-]\s*\d{1,2}\s*[月./\-]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(\(?0\d{2,3}\)?[-—]?)?\d{7,8}([-—转]\d{1,6})?$")
_POSTCODE = re.compile(r"^\d{6}$")
_TEMPLATE_TEXT = re.compile(
    r"^(指标\d+[:：]?|请填写.*|（?此处填写.*|XX+.*|××+.*|…+)$|[*＊]{2}|[(（][≥≤<>]?\s*[*＊×X]{2}"
)

# Every form names its project and who runs it; what else a form requires its layout spec says (ctx.form).
COMMON_REQUIRED = (("name", "项目名称"), ("unit|department", "项目单位/主管部门"))


def _iso(text: str | None) -> str | None:
    if not text:
        return None
    m = _YMD.search(compact(text))
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return f"{year:04d}-{month:02d}" + (f"-{int(m.group(3)):02d}" if m.group(3) else "")


def wrong_kind(ctx: CheckContext) -> Iterator[Finding]:
    """JX501: voucher numbers that are dates; malformed phone numbers and postcodes."""
    for n, e in enumerate(ctx.report.expenditures, 1):
        if e.voucher and _DATE_LIKE.match(compact(e.voucher)):
            yield ctx.finding(
                "JX501",
                f"支出「{e.item}」的会计凭证号填的是日期「{e.voucher}」，应填凭证编号（如 记-2019-06-031）",
                f"expenditures[{n}].voucher",
            )
    p = ctx.report.project
    if p.phone:
        numbers = [x for x in re.split(r"[,，;；、/ ]+", compact(p.phone).replace("-", "-")) if x]
        bad = [x for x in numbers if not (_MOBILE.match(x) or _LANDLINE.match(x))]
        if bad:
            yield ctx.finding(
                "JX501", f"联系电话「{p.phone}」格式不对：应为 11 位手机号或带区号的固话", "project.phone"
            )
    if p.postcode and not _POSTCODE.match(compact(p.postcode)):
        yield ctx.finding("JX501", f"邮编「{p.postcode}」应为 6 位数字", "project.postcode")


def dates(ctx: CheckContext) -> Iterator[Finding]:
    """JX502: start after end, report dated before the period ends, spending outside the period."""
    p = ctx.report.project
    if p.start and p.end and p.start[:7] > p.end[:7]:
        yield ctx.finding("JX502", f"项目起始时间 {p.start} 晚于结束时间 {p.end}", "project.start")
    if p.report_date and p.end and p.report_date[:7] < p.end[:7]:
        yield ctx.finding(
            "JX502",
            f"报告日期 {p.report_date} 早于项目结束时间 {p.end}：完成结果评价应在项目结束后进行",
            "project.report_date",
        )
    if (
        p.start or p.end
    ):  # a date an indicator names (2021年11月30日前完成资金支付) outside the project's period
        for row in ctx.report.indicators:
            for text in (row.name, row.target.raw if row.target else None):
                when = _iso(text) if text and _FULL_DATE.search(compact(text)) else None
                if when and ((p.start and when[:7] < p.start[:7]) or (p.end and when[:7] > p.end[:7])):
                    yield ctx.finding(
                        "JX502",
                        f"「{row.name}」写的日期 {when} 不在项目期间 {p.start or '?'}–{p.end or '?'} 内",
                        f"{row.place.path}.target",
                    )
                    break
    for n, e in enumerate(ctx.report.expenditures, 1):
        when = _iso(e.voucher) or _iso(e.note)
        if not when:
            continue
        if (p.start and when[:7] < p.start[:7]) or (p.end and when[:7] > p.end[:7]):
            yield ctx.finding(
                "JX502",
                f"支出「{e.item}」的日期 {when} 不在项目期间 {p.start or '?'}–{p.end or '?'} 内",
                f"expenditures[{n}]",
            )


def required(ctx: CheckContext) -> Iterator[Finding]:
    """JX503: required fields empty, sections missing, or the form's template text left in."""
    report = ctx.report
    p = report.project
    wanted = COMMON_REQUIRED + ctx.form.required
    generic = report.source.layout == "generic"
    unfilled = [
        (fields, label) for fields, label in wanted if not any(getattr(p, f) for f in fields.split("|"))
    ]
    if generic:  # one finding says what the reading could not find
        unread = "、".join([*report.missing_sections, *(label for _, label in unfilled)]) or "无"
        yield ctx.finding(
            "JX503",
            f"未识别出这份表的版式，按通用方式读取：能按栏目名认出的内容已读入；未找到的部分：{unread}",
            "source.layout",
        )
    else:
        for fields, label in unfilled:
            yield ctx.finding("JX503", f"{label}未填写", f"project.{fields.split('|')[0]}")
        for section in report.missing_sections:
            yield ctx.finding(
                "JX503", f"报告缺少「{section}」部分（未找到该部分，可能被删除或文件不完整）", section
            )
    yield from _unplaced(ctx)
    reported = {label for _, label in unfilled}
    yield from _blanks(ctx, [b for b in report.blanks if b.label not in reported])
    total = report.funds.row("total")
    no_amounts = total is None or (total.spent is None and total.planned is None and total.budget is None)
    if no_amounts and "资金情况表" not in report.missing_sections and report.funds.rows:
        yield ctx.finding("JX503", "资金情况未填写（计划/预算数与实际支出均为空）", "funds")
    if total is not None and total.weight is not None and total.score is None and not generic:
        yield ctx.finding(
            "JX503", f"预算执行率（{fmt(total.weight)} 分）的得分未填写", total.place.with_file(ctx.file)
        )
    if report.indicators and all(r.empty for r in report.indicators):
        yield ctx.finding("JX503", "绩效指标全部为空或填“无”", "indicators")
    yield from _unfilled_rows(ctx)
    sa = report.self_assessment
    if sa.total is None and (sa.total_place.cell or sa.total_place.line):
        yield ctx.finding("JX503", "自评总分未填写", sa.total_place.with_file(ctx.file))
    elif sa.total is None and ctx.form.has_total and any(i.score is not None for i in sa.items):
        yield ctx.finding(
            "JX503", "表中没有自评总分（总分行）：各项自评得分没有合计", "self_assessment.total"
        )
    yield from _rows_without_points(ctx)
    if report.self_assessment.total is not None and not report.self_assessment.grade and ctx.form.has_grade:
        yield ctx.finding("JX503", "评价等次未填写", "self_assessment.grade")
    for row in report.indicators:
        for value, field in ((row.name, "name"), (row.target.raw if row.target else None, "target")):
            if value and _TEMPLATE_TEXT.search(compact(value)):
                yield ctx.finding(
                    "JX503", f"指标行仍是表格模板文字「{value}」，未填写实际内容", f"{row.place.path}.{field}"
                )


def _blanks(ctx: CheckContext, blanks: list) -> Iterator[Finding]:
    """Places left empty, one finding per row or block they share: 「地方主管部门」「资金使用单位」未填写."""
    groups: dict[object, list] = {}
    for n, blank in enumerate(blanks):
        groups.setdefault(blank.group or n, []).append(blank)
    for members in groups.values():
        first = members[0]
        names = "".join(f"「{b.label}」" for b in members)
        how = first.why or ("仍是表格的填写说明，" if all(b.instruction for b in members) else "")
        where = first.place if first.place.cell or first.place.line else first.place.path
        yield ctx.finding("JX503", f"{names}{how}未填写", where)


def _rows_without_points(ctx: CheckContext) -> Iterator[Finding]:
    """A row with its target and actual but no 分值 where the other rows have theirs: it cannot be scored."""
    rows = [r for r in ctx.report.indicators if not r.empty and r.name]
    if not any(r.weight is not None for r in rows):
        return
    for row in rows:
        if row.weight is None and row.score is None and (row.target is not None or row.actual is not None):
            yield ctx.finding(
                "JX503",
                f"「{row.name}」有指标值和实际值，却没有分值和得分",
                Place(f"{row.place.path}.weight", row.place.file, row.place.line, row.place.cell),
            )


def _unfilled_rows(ctx: CheckContext) -> Iterator[Finding]:
    """An indicator with its target and nothing achieved written: not filled in (not a zero)."""
    for row in ctx.report.indicators:
        if row.empty or row.target is None or row.target.is_empty or row.parts:
            continue
        scored_elsewhere = any(r.score is not None for r in ctx.report.indicators)
        if (
            row.actual is not None
            and not row.actual.is_empty
            and row.weight is not None
            and row.score is None
        ):
            if scored_elsewhere:  # the other rows carry their 得分, this one was left empty
                yield ctx.finding(
                    "JX503",
                    f"「{row.name}」的得分未填写（分值 {fmt(row.weight)}）",
                    Place(f"{row.place.path}.score", row.place.file, row.place.line, row.place.cell),
                )
            continue
        if row.actual is None or row.actual.is_empty:
            also = "和得分" if row.score is None and row.weight is not None else ""
            yield ctx.finding(
                "JX503",
                f"「{row.name}」的实际完成值{also}未填写",
                Place(f"{row.place.path}.actual", row.place.file, row.place.line, row.place.cell),
            )


def _unplaced(ctx: CheckContext) -> Iterator[Finding]:
    """Content no field took, one finding per row it stands on: say where, so nothing is lost unseen."""
    rows: dict[str, list] = {}
    for item in ctx.report.unplaced:
        rows.setdefault(item.row or item.place.cell or item.place.render(), []).append(item)
    for row, items in rows.items():
        shown = " / ".join(_short(i.text) for i in items)
        first = items[0].place
        yield ctx.finding(
            "JX503",
            f"无法识别的内容：{row}「{shown}」：不属于自评表的任何栏目，未被读取，请核对是否填错位置",
            Place(path="unplaced", file=ctx.file, line=first.line, cell=first.cell),
        )


def _short(text: str, limit: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


CHECKS = (wrong_kind, dates, required)
