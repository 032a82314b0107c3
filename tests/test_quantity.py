"""Indicator values (指标值 / 实际完成值) → comparator, folded number and unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.domain import Quantity
from jixiao.quantity import (
    fold,
    is_promise_text,
    normalize_op,
    parse_amount,
    parse_decimal,
    parse_quantity,
    parse_score,
    qualitative_status,
)

D = Decimal


def number(raw: str, op: str | None, value: str, unit: str | None) -> Quantity:
    return Quantity(raw=raw, op=op, value=D(value), unit=unit, kind="number")


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("raw", "op", "value", "unit"),
    [
        # the 2019 Yueyang e-government cloud form (tests/data/seed-yueyang-2019.txt)
        ("32", None, "32", None),
        ("60", None, "60", None),
        ("300T", None, "300", "T"),
        ("500T", None, "500", "T"),
        ("5000万", None, "50000000", None),
        ("1.35亿", None, "135000000", None),
        ("500万", None, "5000000", None),
        ("1324.48万", None, "13244800", None),
        ("98%", None, "98", "%"),
        ("100%", None, "100", "%"),
        ("8755", None, "8755", None),
        # comparators and units
        ("≥50个", ">=", "50", "个"),
        ("≥100百分比", ">=", "100", "%"),
        ("≤90万元", "<=", "900000", "元"),
        ("=100%", "=", "100", "%"),
        ("75元", None, "75", "元"),
        ("3万元", None, "30000", "元"),
        ("2.5亿元", None, "250000000", "元"),
        ("42万元", None, "420000", "元"),
        ("5千元", None, "5000", "元"),
        ("10万人次", None, "100000", "人次"),
        ("1.2万人", None, "12000", "人"),
        ("3千克", None, "3", "千克"),
        ("20公里", None, "20", "公里"),
        ("2TB", None, "2", "TB"),
        ("400平方米", None, "400", "平方米"),
        ("400m²", None, "400", "m²"),
        ("100％", None, "100", "%"),
        (">95%", ">=", "95", "%"),
        ("<5天", "<=", "5", "天"),
        ("＞＝95%", ">=", "95", "%"),
        ("≧95%", ">=", "95", "%"),
        ("≦3天", "<=", "3", "天"),
        ("大于等于90%", ">=", "90", "%"),
        ("不低于90%", ">=", "90", "%"),
        ("不少于3次", ">=", "3", "次"),
        ("不超过100万元", "<=", "1000000", "元"),
        ("小于5%", "<=", "5", "%"),
        ("90%以上", ">=", "90", "%"),
        ("90%及以上", ">=", "90", "%"),
        ("3天以内", "<=", "3", "天"),
        ("5%以下", "<=", "5", "%"),
        ("3个工作日内", "<=", "3", "个工作日"),
        ("≥90%（含）", ">=", "90", "%"),
        ("≥ 50 个", ">=", "50", "个"),
        # short qualifiers keep the number, without a comparator
        ("达到90%", None, "90", "%"),
        ("约50个", None, "50", "个"),
        ("提升10%", None, "10", "%"),
        ("50个左右", None, "50", "个"),
        ("100余人", None, "100", "人"),
        ("100%完成", None, "100", "%"),
        # separators, signs, trailing punctuation
        ("1,324.48万", None, "13244800", None),
        ("1,234.50元", None, "1234.50", "元"),
        ("-5%", None, "-5", "%"),
        ("0.5万", None, "5000", None),
        ("98%。", None, "98", "%"),
        ("2019.5万元", None, "20195000", "元"),
    ],
)
def test_number(raw: str, op: str | None, value: str, unit: str | None) -> None:
    assert parse_quantity(raw) == number(raw, op, value, unit)


@pytest.mark.parametrize(
    ("raw", "op", "value", "unit"),
    [
        ("≥９５％", ">=", "95", "%"),
        ("１．３５亿", None, "135000000", None),
        ("３００Ｔ", None, "300", "T"),
        ("＝１００％", "=", "100", "%"),
        ("≤９０万元", "<=", "900000", "元"),
        ("１，３２４．４８万", None, "13244800", None),
        ("\u3000９８％\u3000", None, "98", "%"),
    ],
)
def test_full_width(raw: str, op: str | None, value: str, unit: str | None) -> None:
    assert parse_quantity(raw) == number(raw.strip(), op, value, unit)


def test_folded_values_are_written_without_exponent() -> None:
    # the JSON contract writes value as a plain string ("135000000", not "1.35E+8")
    assert str(parse_quantity("1.35亿").value) == "135000000"
    assert str(parse_quantity("5000万").value) == "50000000"
    assert str(parse_quantity("1324.48万").value) == "13244800"
    assert str(parse_quantity("0.00005万").value) == "0.5"


def test_raw_keeps_the_characters_as_written() -> None:
    assert parse_quantity("  ≥９５％ ").raw == "≥９５％"
    assert parse_quantity("1,324.48万").raw == "1,324.48万"


# --------------------------------------------------------------------------- three cells


@pytest.mark.parametrize(
    ("op", "raw", "unit", "expected"),
    [
        ("=", "100", "%", number("100", "=", "100", "%")),
        ("＝", "100", "％", number("100", "=", "100", "%")),
        ("≥", "95", "百分比", number("95", ">=", "95", "%")),
        ("大于等于", " 50 ", "个", number("50", ">=", "50", "个")),
        ("≤", "90", "万元", number("90", "<=", "900000", "元")),
        ("≥", "1.35", "亿", number("1.35", ">=", "135000000", None)),
        # the value text's own comparator / unit / magnitude win over the cells
        ("≥", "≤5", "天", number("≤5", "<=", "5", "天")),
        (None, "98%", "个", number("98%", None, "98", "%")),
        ("=", "42万", "万元", number("42万", "=", "420000", "元")),
        # blank or placeholder cells add nothing
        ("", "32", "", number("32", None, "32", None)),
        ("定性", "32", "无", number("32", None, "32", None)),
    ],
)
def test_three_cells(op: str | None, raw: str, unit: str | None, expected: Quantity) -> None:
    assert parse_quantity(raw, op=op, unit=unit) == expected


def test_three_cells_blank_value_is_empty() -> None:
    assert parse_quantity("", op="≥", unit="%") == Quantity(raw="", kind="empty")
    assert parse_quantity(None, op="≥", unit="%") is None


def test_three_cells_text_value_stays_text() -> None:
    assert parse_quantity("按期完成", op="=", unit="%") == Quantity(raw="按期完成", kind="text")


# --------------------------------------------------------------------------- text and empty


@pytest.mark.parametrize(
    "raw",
    [
        "在项目计划完成时间内完成",
        "达成预期指标",
        "效果明显",
        "按期完成",
        "完成",
        "显著提升",
        "逐步改善",
        "长期",
        "完成32个节点建设任务",
        "2020年底前",
        "2020年",
        "2020-12-31",
        "2019.12.31",
        "32 60",
        "80%-90%",
        "3-5天",
        "节省财政资金500万",
        "≥",
        "%",
        "km",
    ],
)
def test_text(raw: str) -> None:
    assert parse_quantity(raw) == Quantity(raw=raw, kind="text")


@pytest.mark.parametrize(
    "raw", ["", "   ", "\u3000", "无", "/", "／", "-", "—", "——", "--", "暂无", "不适用", "（无）", "无。"]
)
def test_empty(raw: str) -> None:
    assert parse_quantity(raw) == Quantity(raw=raw.strip(), kind="empty")


def test_none() -> None:
    assert parse_quantity(None) is None


# --------------------------------------------------------------------------- actuals that are not actuals


def test_actuals_that_are_not_actuals() -> None:
    assert parse_quantity("≥90%") == number("≥90%", ">=", "90", "%")
    assert parse_quantity("完成") == Quantity(raw="完成", kind="text")
    assert is_promise_text("≥90%")
    assert is_promise_text("完成")


@pytest.mark.parametrize(
    "text",
    ["≥90%", "≥ 90%", "＞＝95%", "不低于90%", "大于等于100%", "=100%", "90%以上", "≤3天",
     "完成", "已完成", "达标", "已达标", "达到", "符合", "是", "完成。", " 已完成 "],
)  # fmt: skip
def test_promise_text(text: str) -> None:
    assert is_promise_text(text) is True


@pytest.mark.parametrize(
    "text",
    [None, "", "无", "100%", "98%", "32", "1.35亿", "达到90%", "按期完成", "在项目计划完成时间内完成",
     "效果明显", "完成32个节点建设任务", "基本完成", "未完成"],
)  # fmt: skip
def test_not_promise_text(text: str | None) -> None:
    assert is_promise_text(text) is False


@pytest.mark.parametrize("text", ["达成预期指标", "达到预期目标", "已达成预期指标", "完成预期目标"])
def test_restating_the_target_is_a_promise(text: str) -> None:
    """An actual that says the target was reached says nothing of what was reached (JX305)."""
    assert is_promise_text(text) is True


@pytest.mark.parametrize(
    ("raw", "op", "value", "unit"),
    [
        ("2020年12月底前完成", "<=", "202012", "年月"),
        ("2021年12月完成", None, "202112", "年月"),
        ("2023年10月", None, "202310", "年月"),
        ("12月底前", "<=", "12", "月"),
        ("12月底之前完成", "<=", "12", "月"),
        ("9月前", "<=", "9", "月"),
        ("7月", None, "7", "月"),
    ],
)
def test_deadlines_are_months(raw: str, op: str | None, value: str, unit: str) -> None:
    """A time indicator's deadline and the date reached compare as year·month (or month) numbers."""
    q = parse_quantity(raw)
    assert (q.kind, q.op, q.value, q.unit) == ("number", op, Decimal(value), unit)


@pytest.mark.parametrize(
    ("raw", "op", "value", "unit"),
    [
        (">=570元/人*月", ">=", "570", "元/人*月"),
        ("每亩300", None, "300", "每亩"),
        ("采购的原原种合格率≥90%", ">=", "90", "%"),
        ("═100%", "=", "100", "%"),
    ],
)
def test_written_the_way_real_forms_write_them(raw: str, op: str | None, value: str, unit: str) -> None:
    q = parse_quantity(raw)
    assert (q.kind, q.op, q.value, q.unit) == ("number", op, Decimal(value), unit)


# --------------------------------------------------------------------------- qualitative status


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("未完成", "not_achieved"),
        ("未达到", "not_achieved"),
        ("未达成预期", "not_achieved"),
        ("没有完成", "not_achieved"),
        ("未实现", "not_achieved"),
        ("进度滞后", "not_achieved"),
        ("延期完成", "not_achieved"),
        ("效果不明显", "not_achieved"),
        ("否", "not_achieved"),
        ("部分完成", "partial"),
        ("基本完成", "partial"),
        ("基本达到", "partial"),
        ("部分达成", "partial"),
        ("效果较好", "partial"),
        ("完成", "achieved"),
        ("已完成", "achieved"),
        ("按期完成", "achieved"),
        ("在项目计划完成时间内完成", "achieved"),
        ("达到", "achieved"),
        ("达成预期指标", "achieved"),
        ("实现", "achieved"),
        ("符合要求", "achieved"),
        ("良好", "achieved"),
        ("效果显著", "achieved"),
        ("效果明显", "achieved"),
        ("是", "achieved"),
        ("优", "achieved"),
        ("显著提升", "achieved"),
        ("逐步改善", "achieved"),
        ("满意", "achieved"),
        ("无延期", "achieved"),
        ("长期", None),
        ("100%", None),
        ("", None),
        (None, None),
    ],
)
def test_qualitative_status(text: str | None, status: str | None) -> None:
    assert qualitative_status(text) == status


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("≥", ">="),
        ("＞＝", ">="),
        (">=", ">="),
        (">", ">="),
        ("＞", ">="),
        ("≧", ">="),
        ("大于等于", ">="),
        ("不低于", ">="),
        ("不少于", ">="),
        ("至少", ">="),
        ("以上", ">="),
        ("≤", "<="),
        ("<=", "<="),
        ("<", "<="),
        ("＜", "<="),
        ("小于等于", "<="),
        ("不高于", "<="),
        ("不超过", "<="),
        ("以内", "<="),
        ("以下", "<="),
        ("=", "="),
        ("＝", "="),
        ("等于", "="),
        (" ≥ ", ">="),
        ("≥90%", ">="),
        ("90%以上", ">="),
        ("", None),
        ("  ", None),
        (None, None),
        ("定性", None),
        ("国内", None),
    ],
)
def test_normalize_op(text: str | None, op: str | None) -> None:
    assert normalize_op(text) == op


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("152", (D("152"), None)),
        ("42万元", (D("42"), "万元")),
        ("1,234.50元", (D("1234.50"), "元")),
        ("１５２", (D("152"), None)),
        ("１５２万元", (D("152"), "万元")),
        (" 2602.4 万元 ", (D("2602.4"), "万元")),
        ("0", (D("0"), None)),
        ("-3.5", (D("-3.5"), None)),
        ("152万", (D("152"), "万")),
        ("¥152", (D("152"), None)),
        ("", (None, None)),
        ("无", (None, None)),
        ("-", (None, None)),
        ("—", (None, None)),
        ("——", (None, None)),
        ("/", (None, None)),
        ("约42万元", (None, None)),
        ("四十二万元", (None, None)),
        ("1" + "0" * 20 + "元", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_amount(text: str | None, expected: tuple[Decimal | None, str | None]) -> None:
    assert parse_amount(text) == expected


def test_parse_amount_keeps_exponent_as_written() -> None:
    value, _ = parse_amount("1,234.50元")
    assert value is not None and value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("32", D("32")),
        ("1,324.48", D("1324.48")),
        ("98%", D("98")),
        ("１００％", D("100")),
        (" 0.5 ", D("0.5")),
        ("-2", D("-2")),
        ("", None),
        ("无", None),
        ("5万", None),
        ("1,23", None),
        ("1.2.3", None),
        ("999999999999999", D("999999999999999")),  # 15 digits: the most a cell holds (as Excel)
        ("1234567890123456", None),  # 16: a typo or junk, not a number anybody meant
        ("4" + "0" * 30, None),
        (None, None),
    ],
)
def test_parse_decimal(text: str | None, expected: Decimal | None) -> None:
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("42", "万元", (D("420000"), "元")),
        ("3", "万", (D("30000"), None)),
        ("1.35", "亿", (D("135000000"), None)),
        ("2", "千元", (D("2000"), "元")),
        ("2", "百万元", (D("2000000"), "元")),
        ("2", "千万", (D("20000000"), None)),
        ("3", "千克", (D("3"), "千克")),
        ("98", "百分比", (D("98"), "%")),
        ("7", "个", (D("7"), "个")),
        ("7", None, (D("7"), None)),
    ],
)
def test_fold(value: str, unit: str | None, expected: tuple[Decimal, str | None]) -> None:
    assert fold(D(value), unit) == expected


# --------------------------------------------------------------------------- properties

MAGNITUDES = {"": 1, "万": 10**4, "亿": 10**8}
decimals = st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False)
COMPARATORS = {
    "≥": ">=",
    ">=": ">=",
    ">": ">=",
    "＞＝": ">=",
    "≧": ">=",
    "大于等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "至少": ">=",
    "≤": "<=",
    "<=": "<=",
    "<": "<=",
    "≦": "<=",
    "小于等于": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "=": "=",
    "＝": "=",
    "等于": "=",
}


@given(n=decimals, mag=st.sampled_from(sorted(MAGNITUDES)))
def test_magnitude_folds_exactly(n: Decimal, mag: str) -> None:
    q = parse_quantity(f"{n:f}{mag}")
    assert q is not None and q.kind == "number"
    assert q.value == n * MAGNITUDES[mag]
    assert q.op is None and q.unit is None


@given(
    symbol=st.sampled_from(sorted(COMPARATORS)),
    n=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(["", "%", "个", "元", "T", "人次"]),
)
def test_comparator_is_normalised(symbol: str, n: Decimal, unit: str) -> None:
    q = parse_quantity(f"{symbol}{n:f}{unit}")
    assert q is not None and q.kind == "number"
    assert q.op == COMPARATORS[symbol]
    assert q.value == n
    assert q.unit == (unit or None)
    assert normalize_op(symbol) == COMPARATORS[symbol]


def _check_consistent(text: str) -> None:
    q = parse_quantity(text)
    assert isinstance(q, Quantity)
    assert q.raw == text.strip()
    assert q.kind in ("number", "text", "empty")
    assert (q.value is not None) == (q.kind == "number")
    if q.kind != "number":
        assert q.op is None and q.unit is None
    assert q.op in (None, ">=", "<=", "=")
    is_promise_text(text)
    qualitative_status(text)
    parse_amount(text)
    parse_decimal(text)
    normalize_op(text)


@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    _check_consistent(text)


@given(
    st.text(
        alphabet="0123456789.,%万亿千元个≥≤=<>＞＝％１２３．，以上内下约完成年月底前-— \u3000", max_size=20
    )
)
def test_never_raises_on_quantity_like_text(text: str) -> None:
    _check_consistent(text)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(
    op=st.sampled_from(["", ">=", "<=", "=", ">", "<"]),
    n=st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
    mag=st.sampled_from(["", "万", "亿"]),
    unit=st.sampled_from(["", "%", "T", "GB", "km", "个", "元"]),
)
def test_full_width_parses_like_ascii(op: str, n: Decimal, mag: str, unit: str) -> None:
    ascii_text = f"{op}{n:f}{mag}{unit}"
    wide_text = _full_width(ascii_text)
    assert wide_text != ascii_text
    ascii_q, wide_q = parse_quantity(ascii_text), parse_quantity(wide_text)
    assert ascii_q is not None and wide_q is not None
    assert ascii_q.kind == "number"
    assert (wide_q.op, wide_q.value, wide_q.unit) == (ascii_q.op, ascii_q.value, ascii_q.unit)
    assert wide_q.raw == wide_text


@given(
    op=st.sampled_from(["", ">=", "<=", "≥", "≤", "="]),
    num=st.from_regex(r"[0-9]{1,12}(\.[0-9]{1,6})?", fullmatch=True),
    mag=st.sampled_from(["", "万", "亿"]),
    unit=st.sampled_from(["", "%", "T", "TB", "GB", "km", "m", "kg", "t"]),
)
def test_fast_path_agrees_with_the_general_path(op, num, mag, unit):
    import re
    from unittest import mock

    import jixiao.quantity as quantity

    raw = f"{op}{num}{mag}{unit}"
    fast = quantity.parse_quantity(raw)
    with mock.patch.object(quantity, "_FAST_QUANTITY", re.compile(r"(?!)(a)(b)(c)(d)")):  # never matches
        general = quantity.parse_quantity(raw)
    assert fast == general


@pytest.mark.parametrize("value", ["1e30", "-7e45", "123456789012345678901234567890.555", "0.004", "2.675"])
def test_rounding_and_percentages_take_any_size(value: str) -> None:
    """The default context holds 28 digits and quantize refuses more: a ratio of two absurd values a
    form can hold must still round and print."""
    from jixiao.numbers import fmt_pct, round_score

    n = D(value)
    rounded = round_score(n)
    assert rounded.as_tuple().exponent == -2 and abs(rounded - n) <= D("0.005")
    shown = fmt_pct(n)
    assert shown.endswith("%") and D(shown[:-1]).as_tuple().exponent == -1
    assert abs(D(shown[:-1]) - n * 100) <= abs(n) * D("1e-25") + D("0.05")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9.5", D("9.5")),
        ("10分", D("10")),
        ("98 分", D("98")),
        ("９.５", D("9.5")),
        ("４分", D("4")),
        ("-2分", D("-2")),
        ("分", None),
        ("满分", None),
        ("—", None),
        ("/", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_score(text: str | None, expected: Decimal | None) -> None:
    assert parse_score(text) == expected
