"""The real-form variants issue #10 names (point 5), each read fully from data: real forms of the corpus
(tests/corpus, development part) and, where the corpus has none, forms laid out as the real ones are
(tests/fixtures/variants). Each test states what a reviewer reads off the form."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from corpus.build import build_all, load, write_xlsx
from jixiao import api

D = Decimal
VARIANTS = Path(__file__).parent / "fixtures" / "variants"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    ids = [
        "ah-xiaoxian-2023-hexi",
        "sc-qingshen-2023-wages",
        "nx-yinchuan-2021-chuzhong",
        "hb-xiangyang-2021-dongjin",
        "js-prov-undated-blank-report",
        "gd-maoming-2021-fgj",
        "he-langfang-2019-nuantong",
        "hb-xinzhou-2020-chujutuan",
    ]
    return build_all(tmp_path_factory.mktemp("variants"), ids)


def variant(name: str, tmp_path: Path) -> Path:
    return write_xlsx(load(VARIANTS / f"{name}.yaml"), tmp_path / f"{name}.xlsx")


def findings(report) -> list:
    return list(api.evaluate(report).findings)


def test_xianjie_form_with_points_before_targets_core_marks_and_parts(corpus):
    """衔接资金 绩效目标自评表: 分值 before 指标值, ★ core rows with 其中… parts, name and phone in one cell, no 总分 row."""
    report = api.load_report(corpus["ah-xiaoxian-2023-hexi"])
    assert report.source.layout == "transfer-2020"
    p = report.project
    assert (p.name, p.department, p.unit, p.manager, p.phone, p.year) == (
        "河西村特色种养补贴到户项目",
        "县农业农村局",
        "张庄寨镇人民政府",
        "李宁",
        "0557-5788003",
        2023,
    )
    total = report.funds.row("total")
    assert (total.budget, total.spent, total.weight, total.stated_rate, total.score) == (
        D("9.48"),
        D("9.48"),
        D(10),
        D(100),
        D(10),
    )
    first = report.indicators[0]
    assert (first.level1, first.level2, first.name, first.core, first.weight, first.score) == (
        "产出指标",
        "数量指标",
        "补助各类瓜果蔬菜种植面积",
        True,
        D(20),
        D(20),
    )
    assert "其中桃树种植面积：指标值 1.5亩，实际完成值 1.5亩" in first.note  # a 其中 row is no indicator
    assert [r.name for r in report.indicators if r.core] == [
        "补助各类瓜果蔬菜种植面积",
        "补助鱼塘面积",
        "补助家畜家禽养殖数量",
    ]
    assert not any(r.name and r.name.startswith(("其中", "……")) for r in report.indicators)
    assert report.unplaced == ()
    codes = [f.code for f in findings(report)]
    assert "JX301" not in codes and not any(
        "总分" in f.message for f in findings(report)
    )  # no 总分 row by design


def test_department_form_with_indicator_names_weights_and_coefficients(tmp_path):
    """部门整体支出绩效自评表 with only 指标名称, 得分 = 权重 × 得分系数, 是否核心指标, the total in the header."""
    report = api.load_report(variant("department-indicator-names", tmp_path))
    assert report.source.layout == "department-2020"
    assert (report.project.name, report.project.department, report.project.unit) == ("某县自然资源局",) * 3
    assert report.self_assessment.total == D("97.5")
    other = report.funds.row("other")
    assert (other.planned, other.budget, other.spent) == (None, D(50), D("42.5"))  # an empty cell stays empty
    assert [(r.name, r.weight, r.score, r.core) for r in report.indicators] == [
        ("国土空间规划编制完成率", D(30), D(30), True),
        ("不动产登记办结时限", D(25), D(25), True),
        ("耕地保有量", D(20), D(18), False),  # 20 × 90%
        ("群众满意度", D(15), D(15), False),
    ]
    assert report.unplaced == () and report.blanks == ()
    assert [(f.code, "耕地保有量" in f.message) for f in findings(report)] == [("JX404", True)]


def test_sichuan_form_filled(tmp_path):
    """四川 部门预算项目支出绩效自评表: 年度预算数(万元) on a row of its own, 总额/财政资金/财政专户管理资金/单位资金,
    numbered goal rows, 指标性质/指标值/度量单位 in three columns, a 21-character code before the name."""
    report = api.load_report(variant("sichuan-filled", tmp_path))
    assert report.source.layout == "provincial-2020"
    assert (report.project.name, report.project.manager, report.project.year) == ("工资性支出", "张敏", 2023)
    assert [(r.key, r.planned, r.budget, r.spent) for r in report.funds.rows] == [
        ("total", D("238.93"), D("251.89"), D("245.60")),
        ("fiscal", D("238.93"), D("251.89"), D("245.60")),
        ("special", D(0), D(0), D(0)),
        ("unit_funds", D(0), D(0), D(0)),
        ("other", None, None, None),
    ]
    assert [(g.expected, g.actual) for g in report.goals] == [
        ("保障工资及时、足额发放", "全年工资社保按月足额发放")
    ]
    assert ("项目实施内容及过程概述", "按月核定工资，通过国库集中支付发放") in [
        (n.heading, n.text) for n in report.narrative
    ]
    rows = [
        (r.name, r.target.op, r.target.value, r.target.unit, r.weight, r.score) for r in report.indicators
    ]
    assert rows == [
        ("工资发放覆盖率", "=", D(100), "%", D(60), D(60)),
        ("参保率", ">=", D(98), "%", D(30), D(30)),
    ]
    assert report.self_assessment.total == D("99.75")
    assert report.unplaced == () and findings(report) == []


def test_sichuan_form_published_unfilled(corpus):
    """The same form published with 完成值 and 得分 empty and the instructions still in 评价结论: not filled in
    (JX503), not zeros."""
    report = api.load_report(corpus["sc-qingshen-2023-wages"])
    assert report.project.name == "工资性支出"
    assert [r.actual for r in report.indicators] == [None, None]
    assert report.self_assessment.total is None
    messages = [f.message for f in findings(report) if f.code == "JX503"]
    assert any(
        "「评价结论」「存在问题」「改进措施」" in m or "「评价结论」仍是表格的填写说明" in m for m in messages
    )
    assert sum("实际完成值和得分未填写" in m for m in messages) == 2
    assert "自评总分未填写" in messages
    evaluation = api.evaluate(report)
    assert all(
        i.basis != "computed" or i.path == ("预算执行率",) for i in evaluation.items
    )  # nothing scored as 0 by data


def test_older_four_block_form_with_reference_points(corpus):
    """决策/管理/产出/效益 with 参考分值, points in the 二级 names (数量指标（10分）), the self-score in the header."""
    report = api.load_report(corpus["nx-yinchuan-2021-chuzhong"])
    assert report.source.layout == "fourblock-2020"
    assert report.self_assessment.total == D(98)
    rows = {r.name: r for r in report.indicators}
    assert (rows["保障人数"].level1, rows["保障人数"].level2, rows["保障人数"].weight) == (
        "项目产出",
        "数量指标",
        D(10),
    )
    assert all(r.weight is not None for r in report.indicators)
    assert [(g.expected, g.actual) for g in report.goals] == [("保障学校正常工作运行", None)]


def test_execution_worth_twenty_with_tick_boxes(corpus):
    """预算执行 20 分, goals without per-row points, ☑/□ boxes: read, with the form's own points."""
    report = api.load_report(corpus["hb-xiangyang-2021-dongjin"])
    total = report.funds.row("total")
    assert (total.budget, total.spent) == (D(1000), D(1000))
    evaluation = api.evaluate(report)
    execution = evaluation.items[0]
    assert (execution.path, execution.max, execution.score) == (("预算执行率",), D(20), D(20))
    assert not any(f.code == "JX402" for f in evaluation.findings)  # 20 is the form's own rule
    assert any("项目属性" in f.message for f in evaluation.findings if f.code == "JX503")  # nothing ticked


def test_blank_form_and_prose_report_are_read_not_refused(corpus):
    blank = api.load_reports(corpus["js-prov-undated-blank-report"])
    assert len(blank) == 1 and blank[0].project.name is None
    assert any(f.code == "JX503" for f in findings(blank[0]))
    prose = api.load_report(corpus["gd-maoming-2021-fgj"])
    assert prose.source.layout == "generic"
    assert (prose.project.name, prose.project.year) == ("茂名市发展和改革局", 2021)
    assert [f.code for f in findings(prose)].count(
        "JX503"
    ) == 1  # one finding says it was read the generic way


def test_template_rows_are_no_indicators(corpus):
    """指标1：/…… rows left empty are the form's template, not indicators; one problem, one finding."""
    langfang = api.load_report(corpus["he-langfang-2019-nuantong"])
    assert [r.name for r in langfang.indicators][:2] == ["工程资金金额", "工程完工率"]  # 指标1工程资金金额
    assert not any(r.name and ("指标" in r.name[:3] or r.name.startswith("…")) for r in langfang.indicators)
    assert not any(f.code == "JX301" for f in findings(langfang))
    xinzhou = api.load_reports(corpus["hb-xinzhou-2020-chujutuan"])[0]
    template_kinds = [f.message for f in findings(xinzhou) if "只有模板行" in f.message]
    assert len(template_kinds) == len(set(template_kinds)) >= 1  # each empty kind once
