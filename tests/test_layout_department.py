"""The 部门整体支出绩效自评表 (layout department-2020) in every format: 指标权重 × 得分系数 = 指标得分,
是否核心指标, 年初目标值 and 调整后目标值, funds rows split by 支出性质 left out of the sources."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fixtures.forms_mof import FORMATS, family_files
from jixiao import api

D = Decimal
FAMILY = "department-2020"


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    return family_files(tmp_path_factory.mktemp("forms"))


@pytest.fixture(scope="session")
def read(files):
    cache = {}

    def load(fmt):
        if fmt not in cache:
            cache[fmt] = api.load_reports(files[FAMILY][fmt])
        return cache[fmt]

    return load


# name → (department, unit, funds (key, label, planned, budget, spent), claimed, grade, recomputed)
PROJECTS = {
    "岳阳市生态环境局": (
        "岳阳市生态环境局",
        "岳阳市生态环境局",
        [
            ("total", "年度资金总额", "2600", "2800", "2716"),
            ("fiscal", "财政拨款", "2400", "2500", "2430"),
            ("carryover", "上年结转", "200", "300", "286"),
            ("other", "其他资金", None, None, None),
        ],
        "99",
        "优",
        "99.5",
    ),
    "岳阳市教育局": (
        "岳阳市人民政府",
        "岳阳市教育局",
        [("total", "年度资金总额", "5000", "5000", "4750"), ("fiscal", "财政拨款", "5000", "5000", "4750")],
        "95.5",
        None,
        "99.07",
    ),
}
# (name, target raw, op, value, unit, actual raw, weight, score, core, note)
INDICATORS = {
    "岳阳市生态环境局": [
        ("环境监测点位数", "≥55个", ">=", "55", "个", "56个", "20", "20", True, "年初目标值：≥50个"),
        ("空气质量优良天数比率", "≥85%", ">=", "85", "%", "87.2%", "20", "20", True, None),  # 得分 = 20 × 100%
        ("环境信访办结率", "=100%", "=", "100", "%", "98%", "10", "9.8", False, "个别信访件跨年办结"),
        ("PM2.5平均浓度", "≤35微克/立方米", "<=", "35", "微克/立方米", "34微克/立方米", "30", "30", True, "年初目标值：≤36微克/立方米"),
        ("公众对生态环境满意度", "≥85%", ">=", "85", "%", "88%", "10", "9.5", False, None),  # 10 × 95%
    ],
    "岳阳市教育局": [
        ("资助学生人数", "≥3000人", ">=", "3000", "人", "3150人", "40", "40", True, None),
        ("学生资助政策知晓率", "≥92%", ">=", "92", "%", "91%", "40", "36", True, "知晓率略低于调整后目标；年初目标值：≥90%"),
        ("学生及家长满意度", "≥90%", ">=", "90", "%", "95%", "10", "10", False, None),
    ],
}  # fmt: skip


def _dec(text):
    return None if text is None else D(text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_form_in_file_order(read, fmt):
    reports = read(fmt)
    assert [r.project.name for r in reports] == list(PROJECTS)
    assert {r.source.layout for r in reports} == {FAMILY}


@pytest.mark.parametrize("fmt", FORMATS)
def test_exact_values(read, fmt):
    for report in read(fmt):
        department, unit, funds, claimed, grade, _ = PROJECTS[report.project.name]
        assert (report.project.department, report.project.unit, report.project.year) == (
            department,
            unit,
            2021,
        )
        assert [(r.key, r.label, r.planned, r.budget, r.spent) for r in report.funds.rows] == [
            (k, label, *(_dec(v) for v in values)) for k, label, *values in funds
        ]
        got = [
            (
                i.name,
                i.target.raw,
                i.target.op,
                i.target.value,
                i.target.unit,
                i.actual.raw,
                i.weight,
                i.score,
                i.core,
                i.note,
            )
            for i in report.indicators
        ]
        want = [
            (*row[:3], _dec(row[3]), row[4], row[5], _dec(row[6]), _dec(row[7]), *row[8:])
            for row in INDICATORS[report.project.name]
        ]
        assert got == want
        assert (report.self_assessment.total, report.self_assessment.grade) == (D(claimed), grade)
        assert report.missing_sections == ()


def test_computed_score_is_exact(read):
    knowledge = read("xlsx")[1].indicators[1]  # 40 × 0.9 (a fraction in the 得分系数（%） column)
    assert knowledge.score == D(36) and knowledge.score.as_tuple().exponent >= -1
    air = read("docx")[0].indicators[1]
    assert air.score == D(20)
    assert read("txt")[1].project.filler == "李明"


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_scored_by_mof_2020(read, fmt):
    for report in read(fmt):
        *_, claimed, _, total = PROJECTS[report.project.name]
        ev = api.evaluate(report)
        assert ev.system == "mof-2020"
        assert (ev.self_total, ev.total) == (D(claimed), D(total))
        assert not [f for f in ev.findings if f.code in ("JX102", "JX401", "JX503")]
