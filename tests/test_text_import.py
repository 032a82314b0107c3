"""Reading the Yueyang 附件2-2 report saved as text: the seed exactly, then edited variants of it.

The variants are built from the seed's text by code (no extra data files). For each one, every value
that was not edited must read exactly as in the seed: the variant's report_json is compared with the
seed's, with only the edited parts (and the file name / detected encoding) changed in the expectation.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jixiao import api
from jixiao.domain import Report
from jixiao.serialize import report_json

D = Decimal
SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def seed() -> Report:
    return api.load_report(SEED)


@pytest.fixture(scope="module")
def seed_doc(seed: Report) -> dict[str, Any]:
    return report_json(seed)


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace ``old`` (which must occur exactly ``count`` times) by ``new``: edits fail loudly."""
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times, expected {count}"
    return text.replace(old, new)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / "variant.txt"
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """report_json without the parts that legitimately differ between a variant and the seed."""
    doc = copy.deepcopy(doc)
    doc["source"].pop("file")
    doc["source"].pop("encoding")
    return doc


def row(report: Report, key: str):
    found = report.funds.row(key)
    assert found is not None, f"no funds row {key}"
    return found


def amounts(report: Report, key: str) -> tuple[Decimal | None, ...]:
    r = row(report, key)
    return (r.planned, r.arrived, r.spent, r.balance)


# --------------------------------------------------------------------------- the seed, exactly


def test_seed_source_and_cover(seed: Report) -> None:
    assert seed.source.layout == "yueyang-2-2"
    assert seed.source.format == "txt"
    assert seed.source.encoding == "utf-8"
    assert seed.title == "岳阳市财政支出项目绩效评价自评报告"
    assert seed.missing_sections == ()
    p = seed.project
    assert p.name == "电子政务云平台租赁及维护项目"
    assert p.unit == "岳阳市政务服务中心"
    assert p.department == "岳阳市政务服务中心"
    assert p.evaluation_type == "项目完成结果评价"
    assert p.evaluation_method == "部门（单位）绩效自评"
    assert p.evaluator_org == "部门（单位）评价组"
    assert p.report_date == "2020-06-08"


def test_seed_basic_facts(seed: Report) -> None:
    p = seed.project
    assert p.manager == "季传志"
    assert p.phone == "13975033771"
    assert p.address == "岳阳市政务云计算中心"
    assert p.postcode == "414000"
    assert p.start == "2019-06"
    assert p.end == "2020-06"
    assert p.year == 2019


def test_seed_funds(seed: Report) -> None:
    assert seed.funds.unit == "万元"
    assert [r.key for r in seed.funds.rows] == ["total", "central", "provincial", "city", "county", "other"]
    for key in ("total", "city"):
        r = row(seed, key)
        assert amounts(seed, key) == (D(152), D(152), D(42), D(110))
        assert all(isinstance(v, Decimal) for v in amounts(seed, key))
        assert r.budget is None
    for key in ("central", "provincial", "county", "other"):
        assert amounts(seed, key) == (None, None, None, None)
        assert row(seed, key).is_blank


def test_seed_expenditures(seed: Report) -> None:
    assert len(seed.expenditures) == 1
    e = seed.expenditures[0]
    assert e.item == "云平台运行维护"
    assert e.amount == D(42)
    assert isinstance(e.amount, Decimal)
    assert e.voucher == "2019年6月4号"
    assert e.note is None
    assert seed.expenditure_total == D(42)


def test_seed_goals(seed: Report) -> None:
    assert len(seed.goals) == 1
    goal = seed.goals[0]
    assert goal.expected is not None
    assert goal.expected.startswith("按照“统一建设、共享使用”的集约化建设模式")
    assert goal.actual is not None
    assert "归集政务数据总量1.35亿条" in goal.actual


SEED_INDICATORS = [
    # level1, level2, name, raw target, raw actual, target value, actual value
    ("项目产出指标", "数量指标", "计算节点", "32", "60", D(32), D(60)),
    ("项目产出指标", "数量指标", "存储", "300T", "500T", D(300), D(500)),
    ("项目产出指标", "质量指标", "运行系统", "20", "50", D(20), D(50)),
    ("项目产出指标", "质量指标", "政务数据", "5000万", "1.35亿", D(50000000), D(135000000)),
    ("项目效益指标", "经济效益指标", "节省财政资金", "500万", "1324.48万", D(5000000), D(13244800)),
    ("项目效益指标", "服务对象满意度指标", "单位满意率", "98%", "100%", D(98), D(100)),
]


def test_seed_indicators(seed: Report) -> None:
    filled = [i for i in seed.indicators if not i.empty]
    got = [
        (
            i.level1,
            i.level2,
            i.name,
            i.target.raw if i.target else None,
            i.actual.raw if i.actual else None,
            i.target.value if i.target else None,
            i.actual.value if i.actual else None,
        )
        for i in filled
    ]
    assert got == SEED_INDICATORS
    assert all(i.target and i.target.is_number and i.actual and i.actual.is_number for i in filled)
    empty = [(i.level1, i.level2) for i in seed.indicators if i.empty]
    assert empty == [
        ("项目产出指标", "时效指标"),
        ("项目产出指标", "成本指标"),
        ("项目效益指标", "社会效益指标"),
        ("项目效益指标", "生态效益指标"),
    ]
    for i in seed.indicators:
        if i.empty:
            assert i.name is None and i.target is None and i.actual is None
    # the form's order: 数量, 数量, 质量, 质量, 时效(无), 成本(无), 经济, 社会(无), 生态(无), 满意度
    assert [i.level2 for i in seed.indicators] == [
        "数量指标",
        "数量指标",
        "质量指标",
        "质量指标",
        "时效指标",
        "成本指标",
        "经济效益指标",
        "社会效益指标",
        "生态效益指标",
        "服务对象满意度指标",
    ]


def test_seed_self_assessment(seed: Report) -> None:
    sa = seed.self_assessment
    assert sa.total == D(98)
    assert sa.grade == "优秀"
    assert len(sa.items) == 22
    assert sum(i.score for i in sa.items if i.score is not None) == D(98)
    assert all(i.score is not None and i.max is not None for i in sa.items)
    assert sum(i.max for i in sa.items if i.max is not None) == D(100)
    first = sa.items[0]
    assert first.path == ("项目决策", "项目目标", "目标内容")
    assert first.max == D(4)
    assert first.score == D(4)
    # the only item below its maximum: 分配结果 3 of 5
    short = [(i.path, i.max, i.score) for i in sa.items if i.score != i.max]
    assert short == [(("项目决策", "资金分配", "分配结果"), D(5), D(3))]
    # the header row repeated mid-table (second page) is not read as an item
    assert [i.path[0] for i in sa.items].count("项目绩效") == 9
    assert sa.items[-1].path == ("项目绩效", "项目效果", "服务对象满意度")


def test_seed_evaluators(seed: Report) -> None:
    assert [(e.name, e.title, e.unit) for e in seed.evaluators] == [
        ("谢芳茂", "副主任", "市政务服务中心"),
        ("季传志", "科长", "市政务服务中心"),
        ("黎朝阳", "副科长", "市政务服务中心"),
    ]


def test_seed_narrative(seed: Report) -> None:
    headings = [s.heading for s in seed.narrative]
    assert "项目基本概况" in headings
    assert "综合评价情况及评价结论" in headings
    assert headings.index("项目基本概况") < headings.index("综合评价情况及评价结论")
    texts = {s.heading: s.text for s in seed.narrative}
    assert texts["项目基本概况"].startswith("岳阳市政务云计算中心是结合云计算技术的特点")
    assert texts["综合评价情况及评价结论"] == "项目建设对照投标合同，已达到原来的建设目标。对照评价为优。"


def test_seed_json_uses_decimal_strings(seed_doc: dict[str, Any]) -> None:
    assert seed_doc["schema"] == "jixiao.report/1"
    total = seed_doc["funds"]["rows"][0]
    assert (total["planned"], total["arrived"], total["spent"], total["balance"]) == (
        "152",
        "152",
        "42",
        "110",
    )
    assert seed_doc["expenditures"][0]["amount"] == "42"
    assert seed_doc["expenditures"][0]["amount_unit"] == "万元"


# --------------------------------------------------------------------------- edited variants


def test_other_fund_sources_filled_in(tmp_path: Path, seed: Report, seed_doc: dict[str, Any]) -> None:
    central_blank = "\t其中：中央财政\n\t\n" * 4
    city_seed = "".join(f"\t市财政\n\t{v}\n" for v in (152, 152, 42, 110))
    text = edit(SEED_TEXT, central_blank, "".join(f"\t其中：中央财政\n\t{v}\n" for v in (50, 50, 20, 30)))
    text = edit(text, city_seed, "".join(f"\t市财政\n\t{v}\n" for v in (102, 102, 22, 80)))
    variant = api.load_report(write(tmp_path, text))

    assert amounts(variant, "central") == (D(50), D(50), D(20), D(30))
    assert amounts(variant, "city") == (D(102), D(102), D(22), D(80))
    assert amounts(variant, "total") == (D(152), D(152), D(42), D(110))
    for key in ("provincial", "county", "other"):
        assert amounts(variant, key) == (None, None, None, None)
    # the sources add up to the total, column by column
    for field in ("planned", "arrived", "spent", "balance"):
        parts = [getattr(r, field) or D(0) for r in variant.funds.rows if r.key != "total"]
        assert sum(parts) == getattr(row(variant, "total"), field)

    expected = copy.deepcopy(seed_doc)
    rows = {r["key"]: r for r in expected["funds"]["rows"]}
    rows["central"].update(planned="50", arrived="50", spent="20", balance="30")
    rows["city"].update(planned="102", arrived="102", spent="22", balance="80")
    assert comparable(report_json(variant)) == comparable(expected)


def test_three_spending_rows(tmp_path: Path, seed_doc: dict[str, Any]) -> None:
    blank_row = "\t\n\t\n\t\n\t\n\n\t支出合计\n\t42万元\n"
    filled = (
        "\t机房电费\n\t10万元\n\t记-2019-07-012\n\t电费\n"
        "\n"
        "\t网络租赁\n\t5.5万元\n\t记-2019-08-003\n\t\n"
        "\n"
        "\t支出合计\n\t57.5万元\n"
    )
    variant = api.load_report(write(tmp_path, edit(SEED_TEXT, blank_row, filled)))

    got = [(e.item, e.amount, e.voucher, e.note) for e in variant.expenditures]
    assert got == [
        ("云平台运行维护", D(42), "2019年6月4号", None),
        ("机房电费", D(10), "记-2019-07-012", "电费"),
        ("网络租赁", D("5.5"), "记-2019-08-003", None),
    ]
    assert all(isinstance(e.amount, Decimal) for e in variant.expenditures)
    assert variant.expenditure_total == D("57.5")
    assert sum(e.amount for e in variant.expenditures if e.amount is not None) == variant.expenditure_total

    expected = copy.deepcopy(seed_doc)
    expected["expenditures"] += [
        {
            "item": "机房电费",
            "amount": "10",
            "amount_unit": "万元",
            "voucher": "记-2019-07-012",
            "note": "电费",
        },
        {
            "item": "网络租赁",
            "amount": "5.5",
            "amount_unit": "万元",
            "voucher": "记-2019-08-003",
            "note": None,
        },
    ]
    expected["expenditure_total"] = "57.5"
    assert comparable(report_json(variant)) == comparable(expected)


def test_two_more_indicator_rows(tmp_path: Path, seed: Report, seed_doc: dict[str, Any]) -> None:
    timely_none = "\t时效指标\n\t无\n\t\n\t\n\n"
    timely_row = "\t\n\t\n\t\n\t项目完成及时率\n\t100%\n\t100%\n\n"
    satisfaction = "\t\n\t\n\t服务对象满意度\n"
    lasting_row = "\t\n\t\n\t可持续影响指标\n\t平台持续运行年限\n\t≥3年\n\t3年\n\n"
    text = edit(SEED_TEXT, timely_none, timely_none + timely_row)
    text = edit(text, satisfaction, lasting_row + satisfaction)
    variant = api.load_report(write(tmp_path, text))

    assert len(variant.indicators) == len(seed.indicators) + 2
    timely = variant.indicators[5]
    assert (timely.level1, timely.level2, timely.name) == ("项目产出指标", "时效指标", "项目完成及时率")
    assert not timely.empty
    assert timely.target is not None and timely.actual is not None
    assert (timely.target.raw, timely.target.value, timely.target.unit) == ("100%", D(100), "%")
    assert (timely.actual.raw, timely.actual.value, timely.actual.unit) == ("100%", D(100), "%")

    lasting = variant.indicators[10]
    assert (lasting.level1, lasting.level2, lasting.name) == (
        "项目效益指标",
        "可持续影响指标",
        "平台持续运行年限",
    )
    assert lasting.target is not None and lasting.actual is not None
    assert (lasting.target.raw, lasting.target.op, lasting.target.value) == ("≥3年", ">=", D(3))
    assert (lasting.actual.raw, lasting.actual.value) == ("3年", D(3))
    # the rows after an inserted row keep their own 二级指标
    assert variant.indicators[6].level2 == "成本指标"
    assert variant.indicators[11].level2 == "服务对象满意度指标"
    assert variant.indicators[11].name == "单位满意率"

    expected = copy.deepcopy(seed_doc)
    new = report_json(variant)["indicators"]
    expected["indicators"].insert(5, new[5])
    expected["indicators"].insert(10, new[10])
    assert comparable(report_json(variant)) == comparable(expected)


def _drop_blank_lines(text: str) -> str:
    # a line holding only "\t" is an empty cell, not a blank line: keep it
    return "\n".join(line for line in text.split("\n") if line.startswith("\t") or line.strip())


def _blank_line_after_every_cell(text: str) -> str:
    return "\n".join(line + "\n" if line.startswith("\t") else line for line in text.split("\n"))


def _whitespace_blank_lines(text: str) -> str:
    # blank lines holding spaces, full-width spaces or a form feed, and runs of several of them
    return text.replace("\n\n", "\n  \n\u3000\n\n\f\n")


def _full_width_spaces(text: str) -> str:
    text = edit(text, "项目名称  ", "项目名称\u3000\u3000")
    text = edit(text, "\t邮  编\n", "\t邮\u3000编\n")
    text = edit(text, "\t项目负责人\n", "\t项目负责人\u3000\n")
    text = edit(text, "\t季传志\n\t联系电话\n", "\t\u3000季传志\u3000\n\t联系电话\u3000\n")
    text = edit(text, "\t实际支出\n", "\t实际\u3000支出\n")
    text = edit(text, "\t省财政\n", "\t省\u3000财政\n", count=4)
    text = edit(text, "\t市财政\n\t152\n", "\t市\u3000财政\n\t152\u3000\n", count=2)
    text = edit(text, "\t计算节点\n\t32\n\t60\n", "\t计算节点\u3000\n\t\u300032\n\t60\u3000\n")
    text = edit(text, "\t评价等次\n\t优秀\n", "\t评价\u3000等次\n\t\u3000优秀\u3000\n")
    return edit(text, "\t谢芳茂\n\t副主任\n", "\t谢芳茂\u3000\n\t\u3000副主任\n")


def _same(text: str) -> str:
    return text


FORMAT_VARIANTS: list[tuple[str, Callable[[str], str], str, str]] = [
    # id, text edit, encoding, newline
    ("no-blank-lines", _drop_blank_lines, "utf-8", "\n"),
    ("blank-line-between-cells", _blank_line_after_every_cell, "utf-8", "\n"),
    ("whitespace-blank-lines", _whitespace_blank_lines, "utf-8", "\n"),
    ("crlf", _same, "utf-8", "\r\n"),
    ("gbk", _same, "gbk", "\n"),
    ("gbk-crlf", _same, "gbk", "\r\n"),
    ("utf8-bom", lambda t: "\ufeff" + t, "utf-8", "\n"),
    ("full-width-spaces", _full_width_spaces, "utf-8", "\n"),
]


@pytest.mark.parametrize(
    ("transform", "encoding", "newline"),
    [pytest.param(f, e, n, id=i) for i, f, e, n in FORMAT_VARIANTS],
)
def test_format_variant_reads_like_the_seed(
    tmp_path: Path,
    seed_doc: dict[str, Any],
    transform: Callable[[str], str],
    encoding: str,
    newline: str,
) -> None:
    text = transform(SEED_TEXT)
    assert text != SEED_TEXT or encoding != "utf-8" or newline != "\n"
    path = write(tmp_path, text, encoding=encoding, newline=newline)
    if newline == "\r\n":
        assert b"\r\n" in path.read_bytes()
    reports = api.load_reports(path)
    assert len(reports) == 1
    doc = report_json(reports[0])
    assert doc["source"]["file"] == str(path)
    if encoding == "gbk":
        assert doc["source"]["encoding"] in ("gbk", "gb18030")
    assert comparable(doc) == comparable(seed_doc)


def test_gbk_file_is_not_valid_utf8() -> None:
    """Guard for the GBK variant: the bytes really are GBK, not UTF-8 that happens to decode."""
    data = SEED_TEXT.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


# --------------------------------------------------------------------------- '|' rows


def to_pipe_rows(text: str) -> str:
    """The seed as Markdown-style '|' rows: each row of tab cells becomes one '| a | b |' line.

    A row starts at a tab line that follows a blank line; a line without the tab continues the cell
    before it (joined without a break, since a '|' row is one line); the cover stays as paragraphs.
    """
    out: list[str] = []
    cells: list[str] | None = None
    after_blank = False
    for line in text.split("\n"):
        if line.startswith("\t"):
            if after_blank and cells is not None:
                out.append("| " + " | ".join(cells) + " |")
                cells = None
            cells = [*(cells or []), line.strip()]
            after_blank = False
        elif not line.strip():
            after_blank = True
        elif cells is not None:
            cells[-1] += line.strip()
            after_blank = False
        else:
            out.append(line.strip())
    if cells is not None:
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def test_pipe_rows_read_like_the_seed(tmp_path: Path, seed_doc: dict[str, Any]) -> None:
    text = to_pipe_rows(SEED_TEXT)
    assert "\t" not in text
    assert "| 市财政 | 152 | 市财政 | 152 | 市财政 | 42 | 市财政 | 110 |" in text
    assert "|  |  | 质量指标 | 运行系统 | 20 | 50 |" in text
    variant = api.load_report(write(tmp_path, text))
    doc = comparable(report_json(variant))
    expected = comparable(seed_doc)
    # The narrative (五、评价报告综述) is free text with paragraph breaks; a '|' row is one line,
    # so its sections cannot be carried over. Every table value must still read the same.
    doc.pop("narrative")
    expected.pop("narrative")
    assert doc == expected
    assert variant.project.name == "电子政务云平台租赁及维护项目"
    assert amounts(variant, "city") == (D(152), D(152), D(42), D(110))
    assert len(variant.self_assessment.items) == 22


def test_scores_written_with_fen_read_as_numbers(tmp_path: Path, seed_doc: dict[str, Any]) -> None:
    """Units often add the 分 the header already says: 综合得分 98分, an item's 分值 2 分 and 自评 2分."""
    lines = SEED_TEXT.split("\n")
    name = next(i for i, line in enumerate(lines) if line == "\t到位" and lines[i + 1] == "时效")
    assert lines[name + 2] == "\t2"
    lines[name + 2] = "\t2 分"
    own = next(i for i in range(name + 3, len(lines)) if lines[i] == "\t2")  # after the criteria text
    lines[own] = "\t２分"
    text = edit("\n".join(lines), "\t绩效自评综合得分\n\t98\n", "\t绩效自评综合得分\n\t98分\n")
    variant = api.load_report(write(tmp_path, text))
    assert variant.self_assessment.total == D(98)
    item = next(i for i in variant.self_assessment.items if i.path[-1] == "到位时效")
    assert (item.max, item.score) == (D(2), D(2))
    assert comparable(report_json(variant))["self_assessment"] == comparable(seed_doc)["self_assessment"]
