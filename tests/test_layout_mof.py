"""The 财预〔2020〕10号 项目支出绩效自评表 (layout mof-2020) read from .docx, .xlsx, .doc, .xls and '|' text.

The files are rendered from tests/fixtures/forms_mof.py (three projects, back to back); every format
must give exactly the values below. The third project carries deliberate arithmetic errors.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from fixtures.forms_mof import FORMATS, MOF_A, family_files, write_text
from jixiao import api, cli
from jixiao.io.cells import Cell
from jixiao.io.importers import read_cells
from jixiao.io.layouts import LAYOUTS, choose_layout

yueyang = LAYOUTS["yueyang-2-2"]

D = Decimal
FAMILY = "mof-2020"


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    return family_files(tmp_path_factory.mktemp("forms"))


@pytest.fixture(scope="session")
def read(files):
    cache = {}

    def load(fmt: str, family: str = FAMILY):
        if (family, fmt) not in cache:
            cache[family, fmt] = api.load_reports(files[family][fmt])
        return cache[family, fmt]

    return load


# (key, label, planned, budget, spent, stated rate, weight, score)
FUNDS = {
    "2021年农村公路安保工程": (
        "万元",
        [
            ("total", "年度资金总额", "500", "480", "456", "95", "10", "9.5"),
            ("fiscal", "本年（当年）财政拨款", "400", "400", "380", None, None, None),
            ("carryover", "上年结转资金", "100", "80", "76", None, None, None),
            ("other", "其他资金", None, None, None, None, None, None),
        ],
    ),
    "城乡居民健康体检补助": (
        "元",
        [
            ("total", "年度资金总额", "1200000", "1200000", "1080000", "90", "10", "9"),
            ("fiscal", "本年（当年）财政拨款", "1000000", "1000000", "900000", None, None, None),
            ("carryover", "上年结转资金", "200000", "200000", "180000", None, None, None),
            ("other", "其他资金", None, None, None, None, None, None),
        ],
    ),
    "农村劳动力转移就业技能培训": (
        "万元",
        [
            ("total", "年度资金总额", "80", "80", "60", "80", "10", "8"),
            ("fiscal", "本年（当年）财政拨款", "50", "50", "40", None, None, None),
            ("carryover", "上年结转资金", "30", "30", "25", None, None, None),
        ],
    ),
}

# (level1, level2, name, target raw, op, value, unit, actual raw, actual value, weight, score, note, empty)
INDICATORS = {
    "2021年农村公路安保工程": [
        ("产出指标", "数量指标", "安保工程建设里程", "≥120公里", ">=", "120", "公里", "126公里", "126", "20", "20", None, False),
        ("产出指标", "质量指标", "工程验收合格率", "=100%", "=", "100", "%", "100%", "100", "15", "15", None, False),
        ("产出指标", "时效指标", "按期完工率", "≥95%", ">=", "95", "%", "92%", "92", "5", "4.84", "受雨季影响部分路段延期", False),
        ("产出指标", "成本指标", "每公里建设成本", "≤4万元", "<=", "40000", "元", "3.8万元", "38000", "10", "10", None, False),
        ("效益指标", "社会效益指标", "交通事故发生率", "明显下降", None, None, None, "明显下降", None, "20", "18", None, False),
        ("效益指标", "可持续影响指标", "设施使用年限", "≥10年", ">=", "10", "年", "10年", "10", "10", "10", None, False),
        ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%", ">=", "90", "%", "93.5%", "93.5", "10", "10", None, False),
    ],
    "城乡居民健康体检补助": [
        ("产出指标", "数量指标", "指标1：", "≥5000人", ">=", "5000", "人", "5200人", "5200", "30", "30", None, False),
        ("产出指标", "质量指标", "体检报告出具及时率", "≥98%", ">=", "98", "%", "99%", "99", "20", "20", None, False),
        ("产出指标", "成本指标", None, None, None, None, None, None, None, None, None, None, True),
        ("效益指标", "社会效益指标", "慢性病早期发现人数", "≥100人", ">=", "100", "人", "135人", "135", "30", "30", "目标设定偏保守", False),
        ("满意度指标", "服务对象满意度指标", "体检对象满意度", "≥95%", ">=", "95", "%", "96%", "96", "10", "10", None, False),
    ],
    "农村劳动力转移就业技能培训": [
        ("产出指标", "数量指标", "培训人次", "≥1000人次", ">=", "1000", "人次", "800人次", "800", "30", "30", None, False),
        ("产出指标", "质量指标", "培训合格率", "≥90%", ">=", "90", "%", "95%", "95", "20", "20", None, False),
        ("效益指标", "社会效益指标", "就业率提升", "≥10%", ">=", "10", "%", "12%", "12", "30", "30", None, False),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", ">=", "90", "%", "92%", "92", "10", "9", None, False),
    ],
}  # fmt: skip

# name → (unit, department, claimed total, grade, recomputed total, recomputed grade)
PROJECTS = {
    "2021年农村公路安保工程": ("临澧县公路建设养护中心", "临澧县交通运输局", "97.34", None, "97.34", "优"),
    "城乡居民健康体检补助": ("常德市疾病预防控制中心", "常德市卫生健康委员会", "99", "优", "99", "优"),
    "农村劳动力转移就业技能培训": (
        "石门县就业服务中心",
        "石门县人力资源和社会保障局",
        "98",
        None,
        "91.5",
        "优",
    ),
}


def _dec(text):
    return None if text is None else D(text)


def funds_of(report):
    return [
        (r.key, r.label, r.planned, r.budget, r.spent, r.stated_rate, r.weight, r.score)
        for r in report.funds.rows
    ]


def indicators_of(report):
    out = []
    for i in report.indicators:
        t, a = i.target, i.actual
        out.append(
            (
                i.level1,
                i.level2,
                i.name,
                t.raw if t else None,
                t.op if t else None,
                t.value if t else None,
                t.unit if t else None,
                a.raw if a else None,
                a.value if a else None,
                i.weight,
                i.score,
                i.note,
                i.empty,
            )
        )
    return out


def expected_indicators(name):
    return [
        (*row[:5], _dec(row[5]), row[6], row[7], _dec(row[8]), _dec(row[9]), _dec(row[10]), *row[11:])
        for row in INDICATORS[name]
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_form_in_file_order(read, fmt):
    reports = read(fmt)
    assert [r.project.name for r in reports] == list(PROJECTS)
    assert {r.source.layout for r in reports} == {FAMILY}
    assert {r.source.format for r in reports} == {fmt.split("-")[0]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_exact_values(read, fmt):
    for report in read(fmt):
        name = report.project.name
        unit, department, total, grade, _, _ = PROJECTS[name]
        assert (report.project.unit, report.project.department, report.project.year) == (
            unit,
            department,
            2021,
        )
        funds_unit, rows = FUNDS[name]
        assert report.funds.unit == funds_unit
        assert funds_of(report) == [(*r[:2], *(_dec(v) for v in r[2:])) for r in rows]
        assert indicators_of(report) == expected_indicators(name)
        assert not any(i.core for i in report.indicators)
        assert report.self_assessment.total == D(total)
        assert report.self_assessment.grade == grade


def test_first_form_header_and_footer(read):
    first = read("docx")[0]
    assert first.title == "临澧县项目支出绩效自评表"
    assert first.goals[0].expected == "完成农村公路安保工程120公里，消除急弯陡坡等安全隐患路段"
    assert first.goals[0].actual == "完成安保工程126公里，消除隐患路段38处"
    p = first.project
    assert (p.filler, p.phone, p.report_date) == ("王丽", "0736-5321234", "2022-03-15")
    assert first.missing_sections == ()


def test_self_assessment_items_are_execution_plus_rows(read):
    first = read("xlsx")[0]
    items = first.self_assessment.items
    assert [(i.path, i.max, i.score) for i in items[:2]] == [
        (("预算执行率",), D(10), D("9.5")),
        (("产出指标", "数量指标", "安保工程建设里程"), D(20), D(20)),
    ]
    assert len(items) == 1 + 7  # the spare 「指标2：」 row is no indicator
    healthy = read("xlsx")[1]
    assert ("产出指标", "成本指标") not in [i.path[:2] for i in healthy.self_assessment.items]  # the 无 row


@pytest.mark.parametrize("fmt", ["xlsx", "doc"])
def test_evaluation_recomputes(read, fmt):
    for report in read(fmt):
        _, _, claimed, _, total, grade = PROJECTS[report.project.name]
        ev = api.evaluate(report)
        assert ev.system == "mof-2020"
        assert (ev.self_total, ev.total, ev.grade) == (D(claimed), D(total), grade)
        assert ev.items[0].path == ("预算执行率",)


def test_arithmetic_errors_are_found(read):
    wrong = read("xlsx")[2]
    findings = api.evaluate(wrong).findings
    codes = {f.code for f in findings}
    assert {"JX102", "JX105", "JX401", "JX404", "JX303"} <= codes
    unplaced = [f for f in findings if f.code == "JX503" and f.where.path == "unplaced"]
    # one stray row, one finding: it names both cells
    assert [(f.where.cell, "督办事项 / 县委县政府重点督办" in f.message) for f in unplaced] == [
        ("自评表3!B9", True)
    ]
    assert [(u.place.cell, u.text) for u in wrong.unplaced] == [
        ("自评表3!B9", "督办事项"),
        ("自评表3!C9", "县委县政府重点督办"),
    ]


def test_template_row_with_values_is_flagged(read):
    healthy = read("txt")[1]
    flagged = [f for f in api.evaluate(healthy).findings if f.code == "JX503"]
    assert [f.where.path for f in flagged] == ["indicators[1].name"]
    assert "指标1：" in flagged[0].message


def test_no_grade_cell_is_not_an_empty_field(read):
    first = read("txt")[0]
    assert first.self_assessment.grade is None
    assert not [f for f in api.evaluate(first).findings if f.code == "JX503"]


def test_cli_json_array_for_several_forms_object_for_one(files, capsys):
    assert cli.main(["import", str(files[FAMILY]["docx"]), "--json"]) == 0
    several = json.loads(capsys.readouterr().out)
    assert isinstance(several, list) and [d["project"]["name"] for d in several] == list(PROJECTS)
    assert several[0]["funds"]["rows"][0]["budget"] == "480"
    assert several[0]["self_assessment"]["items"][0] == {
        "path": ["预算执行率"],
        "max": "10",
        "score": "9.5",
        "review_score": None,
    }
    assert cli.main(["import", str(files[FAMILY]["single"]), "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert isinstance(one, dict) and one["project"]["name"] == "2021年农村公路安保工程"
    assert one["source"]["layout"] == FAMILY


def test_layout_option_forces_the_layout(files, capsys):
    transfer = files["transfer-2020"]["xlsx"]
    assert {r.source.layout for r in api.load_reports(transfer)} == {"transfer-2020"}
    assert cli.main(["import", str(transfer), "--layout", "mof-2020", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["source"]["layout"] for d in docs] == ["mof-2020", "mof-2020"]
    assert docs[0]["project"]["name"] == "农村综合改革转移支付"


def test_yueyang_files_still_detect_as_yueyang():
    from pathlib import Path

    data = Path(__file__).parent / "data"
    for path in [data / "seed-yueyang-2019.txt", *sorted((data / "samples").glob("yueyang-2-2-*"))]:
        cells, _ = read_cells(path)
        assert choose_layout(cells, "auto", str(path)) is yueyang, path
        assert LAYOUTS[FAMILY].detect(cells) < yueyang.detect(cells)


@pytest.mark.parametrize("family", ["mof-2020", "transfer-2020", "department-2020"])
def test_yueyang_does_not_steal_these_forms(files, family):
    cells, _ = read_cells(files[family]["docx"])
    assert yueyang.detect(cells) < LAYOUTS[family].detect(cells)
    chosen = choose_layout(cells, "auto", None)
    assert chosen is LAYOUTS[family]


def test_heading_points_share_out_when_rows_have_no_points(tmp_path):
    text = "\n".join(
        [
            "项目支出绩效自评表",
            "|项目名称|示范项目|",
            "|项目资金（元）||年初预算数|全年预算数|全年执行数|分值|执行率|得分|",
            "||年度资金总额|100|100|100|10|100%|10|",
            "|绩效指标|一级指标|二级指标|三级指标|年度指标值|实际完成值|得分|",
            "||产出指标（50分）|数量指标|甲|≥3个|3个|50|",
            "||||乙|≥3个|3个||",
            "||||丙|≥3个|3个||",
            "||效益指标(40分)|社会效益指标|丁|≥1个|1个|40|",
            "|总分|||||100|",
        ]
    )
    report = api.load_report(write_plain(tmp_path, text))
    assert [(i.level1, i.name, i.weight) for i in report.indicators] == [
        ("产出指标", "甲", D("16.66")),
        ("产出指标", "乙", D("16.66")),
        ("产出指标", "丙", D("16.68")),
        ("效益指标", "丁", D(40)),
    ]
    assert report.self_assessment.total == D(100)
    assert report.funds.unit == "元"


def write_plain(folder, text):
    path = folder / "form.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_pipe_text_of_one_form_is_one_report(tmp_path):
    report = api.load_reports(write_text((MOF_A,), tmp_path / "a.txt"))
    assert len(report) == 1 and report[0].source.layout == FAMILY


def test_detect_ignores_cells_without_the_form():
    assert LAYOUTS[FAMILY].detect([Cell("岳阳市财政支出项目绩效评价自评报告")]) < 40


def test_forms_without_titles_split_on_project_name_and_preamble_goes_forward(tmp_path):
    form = [
        "|项目名称|{name}|",
        "|项目资金（万元）||年初预算数|全年预算数|全年执行数|分值|执行率|得分|",
        "||年度资金总额|10|10|{spent}|10|{spent}0%|{spent}|",
        "|绩效指标|一级指标|二级指标|三级指标|年度指标值|实际完成值|分值|得分|",
        "||产出指标|数量指标|培训人次|≥100人次|100人次|90|90|",
        "|总分||||||100|{total}|",
    ]
    template = "\n".join(["附件2", "项目支出绩效自评表", *form, "附件2", "项目支出绩效自评表", *form, *form])
    reports = api.load_reports(write_plain(tmp_path, template.format(name="甲项目", spent="9", total="99")))
    assert len(reports) == 3
    assert [r.self_assessment.total for r in reports] == [D(99)] * 3
    assert [r.funds.rows[0].stated_rate for r in reports] == [D(90)] * 3
    assert all(r.missing_sections == () for r in reports)  # 附件2 belongs to the form it opens
