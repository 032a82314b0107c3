"""mof-2020 (财预〔2020〕10号 自评表): execution worth 10, each indicator row scored with its own 分值."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao import api
from jixiao.domain import FundRow, Funds, Indicator, ProjectInfo, Report, SelfAssessment, Source
from jixiao.quantity import parse_quantity

D = Decimal


def row(level1, level2, name, target, actual, weight, score=None, note=None):
    return Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=parse_quantity(target),
        actual=parse_quantity(actual),
        weight=D(weight),
        score=None if score is None else D(score),
        note=note,
    )


def mof_report(indicators, spent="80", budget="100", exec_score="8"):
    return Report(
        project=ProjectInfo(name="示例项目", unit="示例单位", department="示例部门"),
        funds=Funds(
            unit="万元",
            rows=(
                FundRow(
                    "total",
                    "年度资金总额",
                    planned=D(100),
                    budget=D(budget),
                    spent=D(spent),
                    weight=D(10),
                    score=D(exec_score),
                ),
            ),
        ),
        indicators=tuple(indicators),
        self_assessment=SelfAssessment(total=None, grade="优"),
        source=Source(file="mof.xlsx", layout="mof-2020"),
    )


ROWS = [
    row("产出指标", "数量指标", "培训人次", "≥1000人次", "800人次", 20, 20),  # ≥ not met: 80% → 16
    row("产出指标", "质量指标", "合格率", "=100%", "100%", 15, 15),  # = met → 15
    row("产出指标", "成本指标", "人均成本", "≤500元", "600元", 15, 15),  # ≤ missed by 20% → 80% → 12
    row("效益指标", "社会效益指标", "群众知晓度", "明显提升", "明显提升", 30, 27),  # qualitative → keep 27
    row("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "95%", 10, 8),  # met → 10; self 8 (JX306)
]


@pytest.fixture(scope="module")
def evaluation():
    return api.evaluate(mof_report(ROWS))


def by_name(ev, name):
    return next(i for i in ev.items if i.path[-1] == name)


def test_items_follow_the_rows(evaluation):
    assert evaluation.system == "mof-2020"
    assert [i.path[-1] for i in evaluation.items] == [
        "预算执行率",
        "培训人次",
        "合格率",
        "人均成本",
        "群众知晓度",
        "满意度",
    ]
    assert by_name(evaluation, "培训人次").path == ("产出指标", "数量指标", "培训人次")
    assert by_name(evaluation, "预算执行率").path == ("预算执行率",)


def test_execution_is_ten_times_rate_capped(evaluation):
    execution = by_name(evaluation, "预算执行率")
    assert execution.score == D(8)
    assert execution.self_score == D(8)
    assert execution.trace == "实际支出/全年预算数 = 80/100 = 80.0% × 10 = 8"
    over = api.evaluate(mof_report(ROWS, spent="120"))
    assert by_name(over, "预算执行率").score == D(10)


def test_row_rules(evaluation):
    assert by_name(evaluation, "培训人次").score == D(16)
    assert by_name(evaluation, "合格率").score == D(15)
    assert by_name(evaluation, "人均成本").score == D(12)
    assert by_name(evaluation, "满意度").score == D(10)
    quali = by_name(evaluation, "群众知晓度")
    assert (quali.basis, quali.score) == ("judgement", D(27))
    assert evaluation.total == D(8 + 16 + 15 + 12 + 27 + 10)
    assert evaluation.grade == "良"


def test_less_is_better_reaches_zero_at_twice_the_target():
    ev = api.evaluate(mof_report([row("产出指标", "成本指标", "人均成本", "≤500元", "1000元", 90, 0)]))
    assert by_name(ev, "人均成本").score == 0
    ev = api.evaluate(mof_report([row("产出指标", "成本指标", "人均成本", "≤500元", "750元", 90, 0)]))
    assert by_name(ev, "人均成本").score == D(45)


def test_row_findings(evaluation):
    codes = {(f.code, f.message.split("」")[0].lstrip("「")) for f in evaluation.findings}
    assert ("JX303", "培训人次") in codes  # 800 of 1000, full marks claimed
    assert ("JX303", "人均成本") in codes
    assert ("JX306", "满意度") in codes  # met, 8 of 10, no reason given
    assert ("JX404", "培训人次") in codes


def test_qualitative_answer_sets_the_tier():
    ev = api.evaluate(mof_report(ROWS), answers={"群众知晓度": {"tier": "部分达成"}})
    assert by_name(ev, "群众知晓度").score == D(24)  # upper bound of 60–80% × 30
    ev = api.evaluate(mof_report(ROWS), answers={"群众知晓度": {"tier": "达成", "score": 25}})
    assert by_name(ev, "群众知晓度").score == D(25)


def test_weights_not_adding_to_ninety_is_jx402():
    ev = api.evaluate(mof_report(ROWS[:2]))
    assert any(f.code == "JX402" and "应为绩效指标 90 分" in f.message for f in ev.findings)
