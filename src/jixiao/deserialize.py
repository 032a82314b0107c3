"""The contract report JSON (jixiao.report/1) back into a Report: for storage, the API and round trips.

Bad input is an InputError naming the JSON path and the fix; numbers must be decimal strings (or
numbers without a fractional binary error — ints are accepted, floats are refused).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jixiao.domain import (
    FUND_KEYS,
    Attachment,
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
    Quantity,
    Report,
    SelfAssessment,
    SelfItem,
    Source,
    Unplaced,
)
from jixiao.errors import InputError
from jixiao.numbers import MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS, within_cell_range
from jixiao.serialize import REPORT_SCHEMA

_FILE = "报告 JSON"


def _fail(path: str, message: str, fix: str = "按 docs/schema/report.json 填写") -> InputError:
    return InputError(message, file=_FILE, place=path, fix=fix)


def _obj(value: Any, path: str, key: str | None = None) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(_where(path, key), "应是一个对象")
    return value


def _list(value: Any, path: str, key: str | None = None) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(_where(path, key), "应是一个数组")
    return value


def _where(path: str, key: str | None) -> str:
    return f"{path}.{key}" if key else path  # built only for an error message


def _str(value: Any, path: str, key: str | None = None) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _fail(_where(path, key), f"应是文字，实际是 {type(value).__name__}")
    return value


def _dec(value: Any, path: str, key: str | None = None) -> Decimal | None:
    if value is None or value == "":
        return None
    if type(value) is str:
        number = _decimal_text(value)
        if number is not None:
            return number
    if isinstance(value, (bool, float)):
        raise _fail(
            _where(path, key), '金额和分数应写成字符串形式的十进制数（如 "152"、"9.91"），不能是浮点数'
        )
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail(_where(path, key), f"「{value}」不是数字") from None
    if not number.is_finite():
        raise _fail(_where(path, key), f"「{value}」不是有限的数字")
    if not within_cell_range(number):
        raise _fail(
            _where(path, key),
            f"「{value}」超出合理范围：金额、分数和指标值整数部分最多 {MAX_INTEGER_DIGITS} 位，"
            f"小数最多 {MAX_FRACTION_DIGITS} 位",
        )
    return number


@lru_cache(maxsize=1 << 14)
def _decimal_text(text: str) -> Decimal | None:
    """A finite decimal in range written as text (reports repeat their amounts and scores), else None."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() and within_cell_range(number) else None


def _quantity(value: Any, path: str, key: str | None = None) -> Quantity | None:
    if value is None:
        return None
    if isinstance(value, str):  # a raw text alone: parse it like an imported cell
        from jixiao.quantity import parse_quantity

        return parse_quantity(value)
    if key:
        path = f"{path}.{key}"
    data = _obj(value, path)
    raw = _str(data.get("raw"), path, "raw") or ""
    number = _dec(data.get("value"), path, "value")
    kind = data.get("kind") or ("number" if number is not None else ("text" if raw.strip() else "empty"))
    if kind not in ("number", "text", "empty"):
        raise _fail(f"{path}.kind", f"未知的类型 {kind}", "用 number / text / empty")
    op = data.get("op")
    if op not in (None, ">=", "<=", "="):
        raise _fail(f"{path}.op", f"未知的比较符 {op}", '用 ">="、"<="、"=" 或 null')
    if kind == "number" and number is None:
        from jixiao.quantity import parse_quantity

        return parse_quantity(raw)
    return Quantity(raw=raw, op=op, value=number, unit=_str(data.get("unit"), path, "unit"), kind=kind)


def report_from_json(doc: Any) -> Report:
    data = _obj(doc, "$")
    schema = data.get("schema", REPORT_SCHEMA)
    if schema != REPORT_SCHEMA:
        raise _fail("$.schema", f"不支持的格式 {schema}", f"应为 {REPORT_SCHEMA}")
    p = _obj(data.get("project"), "$.project")
    year = p.get("year")
    if year is not None and not (isinstance(year, int) or (isinstance(year, str) and year.isdigit())):
        raise _fail("$.project.year", f"年度「{year}」应是整数")
    project = ProjectInfo(
        **{k: _str(p.get(k), "$.project", k) for k in _PROJECT_TEXT},
        year=int(year) if year is not None else None,
    )
    f = _obj(data.get("funds"), "$.funds")
    unit = f.get("unit") or "万元"
    if unit not in ("万元", "元"):
        raise _fail("$.funds.unit", f"金额单位「{unit}」不支持", "用 万元 或 元")
    rows = []
    for i, r in enumerate(_list(f.get("rows"), "$.funds.rows")):
        at = f"$.funds.rows[{i}]"
        r = _obj(r, at)
        key = r.get("key")
        if key not in FUND_KEYS:
            raise _fail(f"{at}.key", f"未知的资金来源 {key}", "可用：" + "、".join(FUND_KEYS))
        rows.append(
            FundRow(
                key=key,
                label=_str(r.get("label"), at, "label") or key,
                planned=_dec(r.get("planned"), at, "planned"),
                budget=_dec(r.get("budget"), at, "budget"),
                arrived=_dec(r.get("arrived"), at, "arrived"),
                spent=_dec(r.get("spent"), at, "spent"),
                balance=_dec(r.get("balance"), at, "balance"),
                stated_rate=_dec(r.get("rate"), at, "rate"),
                weight=_dec(r.get("weight"), at, "weight"),
                score=_dec(r.get("score"), at, "score"),
                place=Place(path=f"funds[{r.get('label') or key}]"),
            )
        )
    expenditures = []
    for i, e in enumerate(_list(data.get("expenditures"), "$.expenditures")):
        at = f"$.expenditures[{i}]"
        e = _obj(e, at)
        amount_unit = e.get("amount_unit")
        expenditures.append(
            Expenditure(
                item=_str(e.get("item"), at, "item"),
                amount=_dec(e.get("amount"), at, "amount"),
                unit=amount_unit if amount_unit and amount_unit != unit else (amount_unit or None),
                voucher=_str(e.get("voucher"), at, "voucher"),
                note=_str(e.get("note"), at, "note"),
                place=Place(path=f"expenditures[{i + 1}]"),
            )
        )
    indicators = []
    for i, r in enumerate(_list(data.get("indicators"), "$.indicators")):
        at = f"$.indicators[{i}]"
        r = _obj(r, at)
        indicators.append(
            Indicator(
                level1=_str(r.get("level1"), at, "level1"),
                level2=_str(r.get("level2"), at, "level2"),
                name=_str(r.get("name"), at, "name"),
                target=_quantity(r.get("target"), at, "target"),
                actual=_quantity(r.get("actual"), at, "actual"),
                weight=_dec(r.get("weight"), at, "weight"),
                score=_dec(r.get("score"), at, "score"),
                note=_str(r.get("note"), at, "note"),
                empty=bool(r.get("empty", False)),
                core=bool(r.get("core", False)),
                place=Place(path=f"indicators[{i + 1}]"),
            )
        )
    sa = _obj(data.get("self_assessment"), "$.self_assessment")
    items = []
    for i, it in enumerate(_list(sa.get("items"), "$.self_assessment.items")):
        at = f"$.self_assessment.items[{i}]"
        it = _obj(it, at)
        given = _list(it.get("path"), at, "path")
        path = (
            tuple(given)
            if set(map(type, given)) <= {str}  # the usual case, checked in C
            else tuple(_str(x, at, "path") or "" for x in given)
        )
        if not path:
            raise _fail(f"{at}.path", "评分项需要路径 [一级, 二级, 三级]")
        items.append(
            SelfItem(
                path=path,
                max=_dec(it.get("max"), at, "max"),
                score=_dec(it.get("score"), at, "score"),
                review_score=_dec(it.get("review_score"), at, "review_score"),
                place=Place(path="self_assessment.items[" + "/".join(path) + "]"),
            )
        )
    src = _obj(data.get("source"), "$.source")
    return Report(
        project=project,
        funds=Funds(unit=unit, rows=tuple(rows)),
        expenditures=tuple(expenditures),
        expenditure_total=_dec(data.get("expenditure_total"), "$.expenditure_total"),
        goals=tuple(
            Goal(
                _str(g.get("expected"), f"$.goals[{i}].expected"),
                _str(g.get("actual"), f"$.goals[{i}].actual"),
            )
            for i, g in enumerate(
                _obj(x, f"$.goals[{i}]") for i, x in enumerate(_list(data.get("goals"), "$.goals"))
            )
        ),
        indicators=tuple(indicators),
        self_assessment=SelfAssessment(
            total=_dec(sa.get("total"), "$.self_assessment.total"),
            grade=_str(sa.get("grade"), "$.self_assessment.grade"),
            items=tuple(items),
            total_place=Place(path="self_assessment.total"),
            review_total=_dec(sa.get("review_total"), "$.self_assessment.review_total"),
            review_grade=_str(sa.get("review_grade"), "$.self_assessment.review_grade"),
        ),
        evaluators=tuple(
            Evaluator(
                _str(e.get("name"), "$.evaluators"),
                _str(e.get("title"), "$.evaluators"),
                _str(e.get("unit"), "$.evaluators"),
            )
            for e in (_obj(x, "$.evaluators") for x in _list(data.get("evaluators"), "$.evaluators"))
        ),
        opinions=tuple(
            Opinion(
                role=_str(o.get("role"), "$.opinions") or "",
                label=_str(o.get("label"), "$.opinions") or "",
                text=_str(o.get("text"), "$.opinions"),
                place=Place(path=f"opinions.{o.get('role')}"),
            )
            for o in (_obj(x, "$.opinions") for x in _list(data.get("opinions"), "$.opinions"))
        ),
        narrative=tuple(
            NarrativeSection(
                _str(n.get("heading"), "$.narrative") or "", _str(n.get("text"), "$.narrative") or ""
            )
            for n in (_obj(x, "$.narrative") for x in _list(data.get("narrative"), "$.narrative"))
        ),
        attachments=tuple(
            Attachment(
                name=_str(a.get("name"), "$.attachments") or "",
                item=_str(a.get("item"), "$.attachments"),
                criterion=_str(a.get("criterion"), "$.attachments"),
            )
            for a in (_obj(x, "$.attachments") for x in _list(data.get("attachments"), "$.attachments"))
        ),
        source=Source(
            file=_str(src.get("file"), "$.source.file"),
            layout=_str(src.get("layout"), "$.source.layout"),
            format=_str(src.get("format"), "$.source.format"),
            encoding=_str(src.get("encoding"), "$.source.encoding"),
            part=_str(src.get("part"), "$.source.part"),
        ),
        unplaced=tuple(_unplaced(x, n) for n, x in enumerate(_list(data.get("unplaced"), "$.unplaced"))),
        missing_sections=tuple(
            _str(x, "$.missing_sections") or ""
            for x in _list(data.get("missing_sections"), "$.missing_sections")
        ),
        title=_str(data.get("title"), "$.title"),
    )


_PROJECT_TEXT = (
    "name",
    "unit",
    "department",
    "manager",
    "phone",
    "address",
    "postcode",
    "start",
    "end",
    "report_date",
    "evaluation_type",
    "evaluation_method",
    "evaluator_org",
    "filler",
    "filler_phone",
)


def _unplaced(value: Any, n: int) -> Unplaced:
    path = f"$.unplaced[{n}]"
    item = _obj(value, path)
    line = item.get("line")
    if line is not None and (type(line) is not int or line < 0):
        raise _fail(f"{path}.line", "应是行号（整数）")
    return Unplaced(
        text=_str(item.get("text"), path, "text") or "",
        place=Place(path="unplaced", line=line, cell=_str(item.get("cell"), path, "cell")),
        row=_str(item.get("row"), path, "row"),
    )
