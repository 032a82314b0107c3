"""The 中央对地方转移支付区域绩效目标自评表 (layout transfer-2020) in every format: ★ core indicators,
「其中：」 sub-rows folded into their parent's note, 分值 before the values, a trailing 注 block."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fixtures.forms_mof import FORMATS, family_files
from jixiao import api

D = Decimal
FAMILY = "transfer-2020"


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


SUB_ROW = "其中：脱贫村项目数：指标值 ≥600个，实际完成值 640个"
# name → (department, unit, funds rows (key, label, budget, spent, rate, weight, score), claimed, recomputed)
PROJECTS = {
    "农村综合改革转移支付": (
        "财政部",
        "湖南省财政厅",
        [
            ("total", "年度资金总额", "35000", "33600", "96", "10", "9.6"),
            ("central", "中央补助", "30000", "29000", None, None, None),
            ("other", "地方资金", "5000", "4600", None, None, None),
        ],
        "97.6",
        "97.6",
    ),
    "重点生态保护修复治理资金": (
        "自然资源部",
        "湖南省自然资源厅",
        [
            ("total", "年度资金总额", "12000", "10200", "85", "10", "8.5"),
            ("central", "中央补助", "10000", "8500", None, None, None),
            ("other", "地方资金", "2000", "1700", None, None, None),
        ],
        "91",
        "91",
    ),
}
# (level2, name, target raw, op, value, unit, actual raw, weight, score, core, note)
INDICATORS = {
    "农村综合改革转移支付": [
        ("数量指标", "村级公益事业建设项目数", "≥2000个", ">=", "2000", "个", "2136个", "20", "20", True, SUB_ROW),
        ("质量指标", "项目竣工验收合格率", "≥95%", ">=", "95", "%", "98%", "20", "20", False, None),
        ("时效指标", "资金拨付及时率", "=100%", "=", "100", "%", "100%", "10", "10", False, None),
        ("社会效益指标", "受益农村人口", "≥300万人", ">=", "3000000", "人", "320万人", "20", "20", True, None),
        ("可持续影响指标", "村级公益设施长效管护机制", "健全", None, None, None, "基本健全", "10", "8", False, "部分地区管护制度尚未落实"),
        ("服务对象满意度指标", "受益群众满意度", "≥90%", ">=", "90", "%", "94%", "10", "10", False, None),
    ],
    "重点生态保护修复治理资金": [
        ("数量指标", "治理修复面积", "≥500公顷", ">=", "500", "公顷", "520公顷", "30", "30", True, None),
        ("质量指标", "修复工程验收合格率", "≥95%", ">=", "95", "%", "96%", "20", "20", False, None),
        ("生态效益指标", "林草植被覆盖率提高", "≥2个百分点", ">=", "2", "个百分点", "1.5个百分点", "30", "22.5", True, "部分修复区植被尚在恢复期"),
        ("服务对象满意度指标", "周边群众满意度", "≥85%", ">=", "85", "%", "90%", "10", "10", False, None),
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
        department, unit, funds, claimed, _ = PROJECTS[report.project.name]
        assert (report.project.department, report.project.unit, report.project.year) == (
            department,
            unit,
            2021,
        )
        assert report.funds.unit == "万元"
        assert [
            (r.key, r.label, r.planned, r.budget, r.spent, r.stated_rate, r.weight, r.score)
            for r in report.funds.rows
        ] == [(k, label, None, *(_dec(v) for v in values)) for k, label, *values in funds]
        got = [
            (
                i.level2,
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
            (*row[:4], _dec(row[4]), row[5], row[6], _dec(row[7]), _dec(row[8]), *row[9:])
            for row in INDICATORS[report.project.name]
        ]
        assert got == want
        assert report.self_assessment.total == D(claimed)
        assert report.missing_sections == ()  # the 注 block is read past, not reported


def test_goals_with_the_transfer_headers(read):
    first = read("xlsx-one-sheet")[0]
    assert [(g.expected, g.actual) for g in first.goals] == [
        ("目标1：支持村级公益事业建设项目不少于2000个", "建成村级公益事业项目2136个"),
        ("目标2：开展农村综合改革示范试点", "完成示范试点12个"),
    ]


@pytest.mark.parametrize("fmt", ["txt", "xls"])
def test_scored_by_mof_2020(read, fmt):
    for report in read(fmt):
        _, _, _, claimed, total = PROJECTS[report.project.name]
        ev = api.evaluate(report)
        assert ev.system == "mof-2020"
        assert (ev.self_total, ev.total) == (D(claimed), D(total))
        assert [i.path[-1] for i in ev.items][:2] == ["预算执行率", INDICATORS[report.project.name][0][1]]
        assert not [f for f in ev.findings if f.code in ("JX102", "JX401", "JX503")]
