"""Indicator values as written (指标值 / 实际完成值) → comparator, number and unit.

Pure and cheap: stdlib plus ``jixiao.domain``, regexes compiled once, ``Decimal`` only (never float).

A value is read conservatively. It counts as a number only when the whole text is essentially a
quantity: optional qualifier words (约, 达到, 提升 …) and comparators (≥, 不低于 …, 以上, 以内 …)
around one number with an optional Chinese magnitude (万, 亿 …) and a short unit. Anything else with
words in it is ``text``; blanks and placeholders (无, /, —) are ``empty``. ``value`` folds the
magnitude (5000万 → 50000000, 42万元 → 420000 元) so a target and an actual compare directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from jixiao.domain import Quantity
from jixiao.numbers import MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS

__all__ = [
    "QUALITATIVE_ACHIEVED",
    "QUALITATIVE_NOT_ACHIEVED",
    "QUALITATIVE_PARTIAL",
    "QualitativeStatus",
    "compact",
    "fold",
    "is_promise_text",
    "normalize_op",
    "parse_amount",
    "parse_decimal",
    "parse_quantity",
    "parse_score",
    "qualitative_status",
]

QualitativeStatus = Literal["achieved", "partial", "not_achieved"]

# --------------------------------------------------------------------------- normalisation

# Full-width ASCII (！..～) → ASCII, ideographic/no-break space → space, comparator look-alikes → ≥ ≤,
# small-form and minus signs → ASCII. Deliberately not NFKC: that would turn m² into m2 and ㎡ into m2.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_WIDTH.update(
    {
        0x3000: " ",
        0x00A0: " ",
        0x200B: None,  # zero-width space
        0xFEFF: None,  # BOM
        ord("≧"): "≥",
        ord("⩾"): "≥",
        ord("≦"): "≤",
        ord("⩽"): "≤",
        ord("﹪"): "%",
        ord("﹤"): "<",
        ord("﹥"): ">",
        ord("﹦"): "=",
        ord("═"): "=",  # a box-drawing double line some forms type for ＝
        ord("﹢"): "+",
        ord("﹣"): "-",
        ord("−"): "-",  # U+2212 minus sign
        ord("￥"): "¥",
    }
)

# Whitespace is dropped unless it separates two digits ("32 60" is two numbers, not 3260).
_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<![0-9])\s+|\s+(?![0-9])")
_ALL_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
_TRAILING_PUNCT = "。.;；,，、"

# Longest texts still read as a quantity; anything longer is a sentence.
_MAX_QUANTITY_LEN = 40


def _normalise(text: str) -> str:
    """Width-fold, drop insignificant spaces, thousands separators and trailing punctuation."""
    work = text.translate(_WIDTH).strip()
    work = _SPACE_NOT_BETWEEN_DIGITS.sub("", work)
    if "," in work:
        work = _THOUSANDS.sub("", work)
    return work.rstrip(_TRAILING_PUNCT)


# --------------------------------------------------------------------------- empty placeholders

_EMPTY_WORDS = frozenset(
    {
        "",
        "无",
        "暂无",
        "不适用",
        "无此项",
        "空",
        "(无)",
        "null",
        "none",
        "n/a",
        "na",
        "nil",
    }
)
_EMPTY_MARKS = re.compile(r"[-—–―─~/\\_·…]+")


def _is_empty(work: str) -> bool:
    return work.lower() in _EMPTY_WORDS or _EMPTY_MARKS.fullmatch(work) is not None


# --------------------------------------------------------------------------- comparators

_GE, _LE, _EQ = ">=", "<=", "="

# Comparators written before the number. Strict > and < are read as >= and <= (forms don't distinguish).
_PREFIX_OPS: dict[str, str] = {
    **dict.fromkeys(
        (
            ">=",
            "=>",
            "≥",
            ">",
            "大于或等于",
            "大于等于",
            "不低于",
            "不少于",
            "不小于",
            "至少",
            "最少",
            "最低",
            "高于",
            "大于",
            "超过",
            "多于",
        ),
        _GE,
    ),
    **dict.fromkeys(
        (
            "<=",
            "=<",
            "≤",
            "<",
            "小于或等于",
            "小于等于",
            "不高于",
            "不超过",
            "不大于",
            "不多于",
            "至多",
            "最多",
            "最高",
            "低于",
            "小于",
            "少于",
            "不足",
        ),
        _LE,
    ),
    **dict.fromkeys(("==", "=", "等于"), _EQ),
}
# Comparators written after the number (90%以上, 3天以内).
_SUFFIX_OPS: dict[str, str] = {
    **dict.fromkeys(("及以上", "或以上", "以上"), _GE),
    **dict.fromkeys(("及以下", "或以下", "以下", "以内", "之内", "内"), _LE),
}
# Op cells of some forms name the direction of the indicator instead of a comparator.
_OP_CELL_WORDS: dict[str, str] = {
    "正向": _GE,
    "正向指标": _GE,
    "反向": _LE,
    "反向指标": _LE,
}

# Words around a number that do not change its meaning as a quantity.
_PREFIX_QUALIFIERS = (
    "约",
    "大约",
    "约为",
    "大概",
    "预计",
    "达到",
    "达",
    "达成",
    "为",
    "实现",
    "完成",
    "已完成",
    "累计",
    "累计完成",
    "共",
    "共计",
    "合计",
    "总计",
    "提升",
    "提高",
    "增加",
    "增长",
    "减少",
    "降低",
    "下降",
    "控制在",
    "保持",
    "保持在",
    "维持在",
    "年均",
    "平均",
    "全年",
)
_SUFFIX_QUALIFIERS = ("左右", "上下", "(含)", "含", "完成")


def _by_length(tokens: Mapping[str, str | None]) -> tuple[tuple[str, str | None], ...]:
    return tuple(sorted(tokens.items(), key=lambda item: -len(item[0])))


_PREFIX_TOKENS = _by_length({**dict.fromkeys(_PREFIX_QUALIFIERS), **_PREFIX_OPS})
_SUFFIX_TOKENS = _by_length({**dict.fromkeys(_SUFFIX_QUALIFIERS), **_SUFFIX_OPS})
_PREFIX_OP_TOKENS = _by_length(_PREFIX_OPS)
_SUFFIX_OP_TOKENS = _by_length(_SUFFIX_OPS)
_ALL_OPS: dict[str, str] = {**_PREFIX_OPS, **_SUFFIX_OPS, **_OP_CELL_WORDS}
_DIGIT_RE = re.compile(r"[0-9]")
_PREFIX_OP_RE = re.compile("|".join(re.escape(t) for t, _ in _PREFIX_OP_TOKENS))


def normalize_op(text: str | None) -> str | None:
    """A comparator as written → ">=", "<=" or "=".

    ≥ ＞＝ 大于等于 不低于 不少于 至少 以上 → ">="; ≤ 不高于 不超过 以内 以下 → "<="; ＝ 等于 → "=".

    Strict > and < become ">=" and "<=". A text that starts with a comparator (≥90%) or ends with one
    (90%以上) gives that comparator. None for blank or unrecognised text.
    """
    if text is None:
        return None
    work = _ALL_SPACE.sub("", text.translate(_WIDTH)).rstrip(_TRAILING_PUNCT)
    if not work:
        return None
    found = _ALL_OPS.get(work)
    if found is not None:
        return found
    for token, op in _PREFIX_OP_TOKENS:
        if work.startswith(token):
            return op
    if _DIGIT_RE.search(work):  # 90%以上; a bare word ending in 内 (国内) is no comparator
        for token, op in _SUFFIX_OP_TOKENS:
            if work.endswith(token):
                return op
    return None


# --------------------------------------------------------------------------- numbers and magnitudes

# A longer run of digits than a cell can hold (numbers.MAX_INTEGER_DIGITS) is a typo or junk, read as
# text rather than as a number nobody could have meant.
_INT, _FRAC = f"[0-9]{{1,{MAX_INTEGER_DIGITS}}}", f"[0-9]{{1,{MAX_FRACTION_DIGITS}}}"
_NUMBER = rf"(?P<sign>[-+])?(?P<num>{_INT}(?:\.{_FRAC})?|\.{_FRAC})"
_DECIMAL_RE = re.compile(_NUMBER + r"%?")
_CORE_RE = re.compile(_NUMBER + r"(?P<rest>.*)", re.DOTALL)
_AMOUNT_RE = re.compile(
    _NUMBER + r"(?P<unit>(?:万亿|千万|百万|十万|万|亿|千)?元|万亿|千万|百万|十万|万|亿|%)?"
)

# Chinese magnitudes, as a power of ten. 千 is not a magnitude in 千克, 千米, 千瓦 … (those are units).
_MAGNITUDE_RE = re.compile(r"万亿|千万|百万|十万|万|亿|千(?![克米瓦伏帕卡焦赫兆字])")
_MAGNITUDE_EXP = {"万亿": 12, "千万": 7, "百万": 6, "十万": 5, "万": 4, "亿": 8, "千": 3}
_APPROX = "多余"  # 50多个, 100余人: approximate, the number stays

_UNIT_ALIASES = {"百分比": "%", "百分率": "%", "％": "%"}
_UNIT_RE = re.compile(
    r"(?:[\u4e00-\u9fffA-Za-z%‰°℃²³㎡㎞μΩ]|(?<=[A-Za-z])[0-9])"
    r"(?:[\u4e00-\u9fffA-Za-z%‰°℃²³㎡㎞μΩ/·・*×]|(?<=[A-Za-z])[0-9])*"
)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_MAX_UNIT_LEN = 10
_MAX_UNIT_CJK = 5
# A "unit" containing these is a date, a deadline or part of a sentence, not a unit.
_UNIT_BLOCKERS = (
    "前",
    "后",
    "底",
    "初",
    "末",
    "旬",
    "号",
    "第",
    "完成",
    "或",
    "及",
    "和",
    "至",
    "到",
    "与",
    "的",
)
# A year (2020年, 2020.12.31, 2020-12, 2020/12) makes the text a date; 2020.12 alone stays a number.
_YEAR_RE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?:年|[-/][01]?[0-9](?![0-9])|\.[01]?[0-9]\.[0-3]?[0-9])")


# The commonest value shapes, read without the general path; tests check both paths agree on them.
_FAST_QUANTITY = re.compile(r"(>=|<=|≥|≤|=)?([0-9]{1,12}(?:\.[0-9]{1,6})?)(万|亿)?(%|[A-Za-z]{1,3})?")
_FAST_OPS = {">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", "=": "="}


def _shift(value: Decimal, exp: int) -> Decimal:
    """value × 10**exp, exactly (no context rounding) and written without an exponent when whole."""
    if exp == 0 or not value.is_finite():
        return value
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    exponent += exp
    if exponent > 0:
        digits = digits + (0,) * exponent
        exponent = 0
    return Decimal((sign, digits, exponent))


def _split_magnitude(unit: str) -> tuple[int, str]:
    """("万元") → (4, "元"); ("千克") → (0, "千克"); ("亿") → (8, "")."""
    match = _MAGNITUDE_RE.match(unit)
    if match is None:
        return 0, unit
    return _MAGNITUDE_EXP[match.group()], unit[match.end() :]


def _unit_name(unit: str) -> str | None:
    unit = unit.strip()
    if not unit:
        return None
    return _UNIT_ALIASES.get(unit, unit)


def fold(value: Decimal, unit: str | None) -> tuple[Decimal, str | None]:
    """Fold a Chinese magnitude at the head of the unit into the value: (42, "万元") → (420000, "元").

    (3, "万") → (30000, None); (3, "千克") → (3, "千克"); the unit is normalised (百分比 → %).
    """
    if unit is None:
        return value, None
    exp, rest = _split_magnitude(unit.translate(_WIDTH).strip())
    return _shift(value, exp), _unit_name(rest)


def _number(sign: str | None, num: str) -> Decimal:
    value = Decimal(num)
    return -value if sign == "-" else value


# The parsers below are pure functions of the cell text and return immutable values, and forms repeat
# most of their texts (无, 100%, the same amounts in several tables): each keeps its recent answers.
_MEMO = 1 << 14


@lru_cache(maxsize=_MEMO)
def parse_decimal(text: str | None) -> Decimal | None:
    """A plain number: full-width digits, thousands separators and a trailing % allowed; else None."""
    if text is None:
        return None
    if text.isascii() and text.isdigit() and len(text) <= MAX_INTEGER_DIGITS:  # the common case
        return Decimal(text)
    work = _ALL_SPACE.sub("", text.translate(_WIDTH))
    if "," in work:
        work = _THOUSANDS.sub("", work)
    match = _DECIMAL_RE.fullmatch(work)
    if match is None:
        return None
    return _number(match["sign"], match["num"])


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Label form of a text: NFKC (full-width → half-width) and no whitespace at all. Layout parsers
    match labels in this form (io.cells keeps it on every cell)."""
    return _ALL_SPACE.sub("", unicodedata.normalize("NFKC", text)).replace("\u200b", "")


@lru_cache(maxsize=_MEMO)
def parse_score(text: str | None) -> Decimal | None:
    """A score or points cell: '9.5', '10分', '98 分', '９.５' → Decimal; blank, '—', '/' and words → None.

    Units often write the 分 the form's header already says (自评得分 98分)."""
    if not text:
        return None
    work = compact(text).removesuffix("分")
    return parse_decimal(work) if work else None


@lru_cache(maxsize=_MEMO)
def parse_amount(text: str | None) -> tuple[Decimal | None, str | None]:
    """A money cell: "152" → (152, None), "42万元" → (42, "万元"), "1,234.50元" → (1234.50, "元").

    The amount stays in the unit written (no folding). Blank, 无, -, — and anything unparseable →
    (None, None).
    """
    if text is None:
        return None, None
    work = _ALL_SPACE.sub("", text.translate(_WIDTH))
    if work.startswith("¥"):
        work = work[1:]
    if "," in work:
        work = _THOUSANDS.sub("", work)
    match = _AMOUNT_RE.fullmatch(work)
    if match is None:
        return None, None
    return _number(match["sign"], match["num"]), match["unit"]


# --------------------------------------------------------------------------- quantities


def _strip_tokens(work: str) -> tuple[str, str | None, bool]:
    """Peel qualifier and comparator words off both ends → (core, op, consistent)."""
    op: str | None = None
    consistent = True
    for pattern, table in ((_PREFIX_PEEL, _PREFIX_FOUND), (_SUFFIX_PEEL, _SUFFIX_FOUND)):
        while work:
            m = pattern.search(work)
            if m is None:
                break
            token = m.group(0)
            work = work[len(token) :] if pattern is _PREFIX_PEEL else work[: -len(token)]
            found = table[token]
            if found is not None:
                if op is None:
                    op = found
                elif op != found:
                    consistent = False
    return work, op, consistent


# One alternation per end, longest token first, so a regex finds what a loop over the tokens would.
_PREFIX_FOUND = dict(_PREFIX_TOKENS)
_SUFFIX_FOUND = dict(_SUFFIX_TOKENS)
_PREFIX_PEEL = re.compile("^(?:" + "|".join(re.escape(t) for t, _ in _PREFIX_TOKENS) + ")")
_SUFFIX_PEEL = re.compile("(?:" + "|".join(re.escape(t) for t, _ in _SUFFIX_TOKENS) + ")$")


def _plausible_unit(unit: str) -> bool:
    if len(unit) > _MAX_UNIT_LEN or _UNIT_RE.fullmatch(unit) is None:
        return False
    if "%" in unit and unit != "%":
        return False
    if len(_CJK_RE.findall(unit)) > _MAX_UNIT_CJK:
        return False
    return not any(blocker in unit for blocker in _UNIT_BLOCKERS)


def _read(work: str) -> tuple[str | None, Decimal, int, str | None] | None:
    """(op, value, magnitude exponent, unit) when the text is essentially one quantity, else None."""
    if len(work) > _MAX_QUANTITY_LEN or _YEAR_RE.search(work):
        return None
    core, op, consistent = _strip_tokens(work)
    if not consistent:
        return None
    match = _CORE_RE.fullmatch(core)
    if match is None:
        return None
    rest = match["rest"].lstrip(_APPROX)
    exp, rest = _split_magnitude(rest)
    rest = rest.lstrip(_APPROX)
    if rest and not _plausible_unit(rest):
        return None
    return op, _number(match["sign"], match["num"]), exp, _unit_name(rest)


def parse_quantity(raw: str | None, *, op: str | None = None, unit: str | None = None) -> Quantity | None:
    """Read an indicator value. None → None.

    ``op`` and ``unit`` are the separate comparator and unit cells of forms that split a value in
    three; they apply when the value text has no comparator / unit of its own. A unit cell with a
    magnitude (万元) folds the value unless the value text already carried one (42万 + 万元 → 420000 元).
    ``raw`` of the result is the value text as written, stripped.
    """
    if raw is None:
        return None
    if op is None and unit is None:
        return _parse_value_text(raw)
    return _parse_quantity(raw.strip(), op, unit)


@lru_cache(maxsize=_MEMO)
def _parse_value_text(raw: str) -> Quantity:
    written = raw.strip()
    fast = _FAST_QUANTITY.fullmatch(written)
    if fast is not None:  # the common plain shapes ("32", "98%", "≥50", "5000万", "300T") in one regex
        sign, num, mag, found_unit = fast.groups()
        value = _shift(Decimal(num), _MAGNITUDE_EXP[mag] if mag else 0)
        return Quantity(raw=written, op=_FAST_OPS.get(sign), value=value, unit=found_unit, kind="number")
    return _parse_quantity(written, None, None)


# A date or a month a time indicator names: 2021年12月完成, 9月前, 12月底之前完成, 2023年10月.
_DATE_VALUE = re.compile(
    r"^(?:(?P<year>(?:19|20)[0-9]{2})年)?(?P<month>[01]?[0-9])月(?:(?:[0-3]?[0-9])[日号])?份?"
    r"(?P<end>底|末|中旬|上旬|下旬)?(?P<by>前|之前|以前|内|止)?(?:前?完成|前?完工|办结|到位)?$"
)
# 每亩300 / 每人每月530元: the measure written before the number, read as a unit after it.
_PER_BEFORE = re.compile(r"^每([\u4e00-\u9fff]{1,2})([0-9.]+.*)$")
_LEADING_LABEL = re.compile(r"^([^0-9<>=≥≤]{1,20})(?=(?:>=|<=|≥|≤|=|>|<)[0-9])")


def _date_value(work: str) -> tuple[Decimal, str, str | None] | None:
    """(value, unit, op) of a deadline or a date: 202112 年月 / 9 月, '≤' when it says 前."""
    m = _DATE_VALUE.match(work)
    if m is None:
        return None
    month = int(m["month"])
    if not 1 <= month <= 12:
        return None
    op = _LE if m["by"] or m["end"] else None
    if m["year"]:
        return Decimal(int(m["year"]) * 100 + month), "年月", op
    return Decimal(month), "月", op


def _parse_quantity(written: str, op: str | None, unit: str | None) -> Quantity:
    work = _normalise(written)
    if _is_empty(work):
        return Quantity(raw=written, kind="empty")
    dated = _date_value(work)
    if dated is not None:
        value, date_unit, date_op = dated
        return Quantity(
            raw=written, op=date_op or normalize_op(op), value=value, unit=date_unit, kind="number"
        )
    per = _PER_BEFORE.match(work)
    if per is not None:  # 每亩300 → 300每亩
        work = per.group(2) + "每" + per.group(1)
    label = _LEADING_LABEL.match(work)
    if label is not None and _read(work) is None:  # 采购的原原种合格率≥90%: the name repeated before it
        work = work[label.end() :]
    read = _read(work)
    if read is None:
        return Quantity(raw=written, kind="text")
    found_op, value, exp, found_unit = read
    if found_op is None and op is not None:
        found_op = normalize_op(op)
    unit_cell = _normalise(unit) if unit is not None else ""
    if found_unit is None and not _is_empty(unit_cell):
        cell_exp, cell_unit = _split_magnitude(unit_cell)
        found_unit = _unit_name(cell_unit)
        if exp == 0:
            exp = cell_exp
    return Quantity(raw=written, op=found_op, value=_shift(value, exp), unit=found_unit, kind="number")


# --------------------------------------------------------------------------- actual-value wording

# An actual that only restates the target: a bare "done" word without a number.
_PROMISE_WORDS = frozenset(
    {
        "完成",
        "达标",
        "达到",
        "符合",
        "是",
        "达成",
        "满足",
        "实现",
        "符合要求",
        "达到要求",
        "达成预期指标",
        "达到预期指标",
        "达成预期目标",
        "达到预期目标",
        "完成预期指标",
        "完成预期目标",
        "满足要求",
        "符合标准",
        "达到标准",
    }
)


def is_promise_text(text: str | None, parsed: Quantity | None = None) -> bool:
    """True for an actual value that is a promise or a comparison rather than an achievement.

    It starts with a comparator (≥90%, 不低于90%), ends with one after a number (90%以上), or is
    basically just 完成 / 已完成 / 达标 / 达到 / 符合 / 是 without any number.
    """
    if text is None:
        return False
    work = _ALL_SPACE.sub("", text.translate(_WIDTH)).rstrip(_TRAILING_PUNCT + "!")
    if not work:
        return False
    if _PREFIX_OP_RE.match(work):
        return True
    core = work.removeprefix("已").removesuffix("了")
    if core in _PROMISE_WORDS:
        return True
    quantity = parsed if parsed is not None else parse_quantity(text)
    return quantity is not None and quantity.kind == "number" and quantity.op is not None


QUALITATIVE_NOT_ACHIEVED = (
    "未完成",
    "未达到",
    "未达成",
    "未达标",
    "不达标",
    "没有",
    "未实现",
    "滞后",
    "延期",
    "未按期",
    "未能",
    "尚未",
    "不符合",
    "不满意",
    "不明显",
    "不显著",
)
QUALITATIVE_PARTIAL = (
    "部分完成",
    "基本完成",
    "基本达到",
    "部分达到",
    "部分达成",
    "基本达成",
    "基本实现",
    "部分实现",
    "基本符合",
    "基本满意",
    "较好",
)
QUALITATIVE_ACHIEVED = (
    "完成",
    "达到",
    "达成",
    "达标",
    "实现",
    "符合",
    "良好",
    "优秀",
    "显著",
    "明显",
    "提高",
    "提升",
    "改善",
    "满意",
)
# Short answers matched as the whole text only (是 inside 是否, 优 inside 优化 mean nothing).
_EXACT_STATUS: dict[str, QualitativeStatus] = {
    "是": "achieved",
    "优": "achieved",
    "否": "not_achieved",
    "一般": "partial",
}
# Negated negatives: "no delay" is good news, not a delay.
_NEGATED_NEGATIVES = ("未延期", "无延期", "没有延期", "未滞后", "无滞后", "没有滞后")


@lru_cache(maxsize=_MEMO)
def qualitative_status(text: str | None) -> QualitativeStatus | None:
    """How a qualitative actual reads: not_achieved (未完成, 滞后 …), partial (基本完成, 较好 …),
    achieved (完成, 达到, 显著, 满意 …) or None. Negative and partial words are checked first.
    """
    if text is None:
        return None
    work = _ALL_SPACE.sub("", text.translate(_WIDTH)).rstrip(_TRAILING_PUNCT + "!")
    if not work:
        return None
    exact = _EXACT_STATUS.get(work)
    if exact is not None:
        return exact
    if any(word in work for word in _NEGATED_NEGATIVES):
        return "achieved"
    if any(word in work for word in QUALITATIVE_NOT_ACHIEVED):
        return "not_achieved"
    if any(word in work for word in QUALITATIVE_PARTIAL):
        return "partial"
    if any(word in work for word in QUALITATIVE_ACHIEVED):
        return "achieved"
    return None
