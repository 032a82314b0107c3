"""provincial-2020: 项目支出绩效自评表 with 指标性质 / 指标值 / 度量单位 split over three columns.

The files are written from tests/fixtures/forms_provincial.py (three projects back to back: a clean one,
one without a 合计 row, and one whose funds and total do not add up). Every format must read to the
same reports, in file order, and score to the totals worked out by hand below.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures.forms_provincial import PROVINCIAL_PROJECTS, ROAD, write_docx, write_pipe_text, write_xlsx
from jixiao import api, cli
from jixiao.io.importers import read_cells
from jixiao.io.importers.legacy import convert_many
from jixiao.io.layouts import LAYOUTS
from jixiao.serialize import report_json

fourblock, provincial = LAYOUTS["fourblock-2020"], LAYOUTS["provincial-2020"]

D = Decimal
DATA = Path(__file__).parent / "data"
FORMATS = ("docx", "xlsx", "xlsx-one-sheet", "txt", "doc")
NAMES = ["农村公路提质改造项目", "城乡居民基本医疗保险财政补助", "中小学校舍维修改造工程"]


@pytest.fixture(scope="session")
def provincial_files(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("provincial")
    files = {
        "docx": write_docx(PROVINCIAL_PROJECTS, base / "projects.docx"),
        "xlsx": write_xlsx(PROVINCIAL_PROJECTS, base / "projects.xlsx"),
        "xlsx-one-sheet": write_xlsx(PROVINCIAL_PROJECTS, base / "stacked.xlsx", one_sheet=True),
        "txt": write_pipe_text(PROVINCIAL_PROJECTS, base / "projects.txt"),
        "single": write_docx([ROAD], base / "road.docx"),
    }
    legacy = convert_many([files["docx"]], "doc", base / "legacy")  # one LibreOffice run per session
    files["doc"] = legacy[files["docx"]]
    return files


@pytest.fixture(scope="module", params=FORMATS)
def reports(request, provincial_files):
    return api.load_reports(provincial_files[request.param])


def amounts(row):
    return (row.key, row.label, row.planned, row.budget, row.spent, row.stated_rate, row.weight, row.score)


def quantity(q):
    return None if q is None else (q.raw, q.op, q.value, q.unit, q.kind)


# --------------------------------------------------------------------------- what is read


def test_every_project_in_file_order(reports):
    assert [r.project.name for r in reports] == NAMES
    assert {r.source.layout for r in reports} == {"provincial-2020"}


def test_header_funds_and_goals(reports):
    road = reports[0]
    p = road.project
    assert (p.department, p.unit, p.manager, p.phone, p.year) == (
        "宁乡市交通运输局",
        "宁乡市农村公路建设养护中心",
        "刘建华",
        "0731-87812345",
        2020,
    )
    assert road.title == "项目支出绩效自评表"
    assert road.funds.unit == "万元"
    assert [amounts(r) for r in road.funds.rows] == [
        ("total", "合计", D(1200), D(1150), D("1092.5"), D(95), D(10), D("9.5")),
        ("fiscal", "财政资金", D(1000), D(950), D("902.5"), D(95), None, None),
        ("unit_funds", "单位资金", D(200), D(200), D(190), D(95), None, None),
    ]
    assert [(g.expected, g.actual) for g in road.goals] == [
        ("完成120公里农村公路提质改造，改善沿线群众出行条件", "完成126公里提质改造，全部通过交工验收")
    ]


def test_indicator_value_is_op_value_and_unit_together(reports):
    rows = reports[0].indicators
    assert [(r.level1, r.level2, r.name) for r in rows][:2] == [
        ("产出指标", "数量指标", "提质改造农村公路里程"),
        ("产出指标", "质量指标", "工程交工验收合格率"),
    ]
    by_name = {r.name: r for r in rows}
    length = by_name["提质改造农村公路里程"]
    assert quantity(length.target) == ("120", ">=", D(120), "公里", "number")
    assert quantity(length.actual) == ("126", None, D(126), "公里", "number")
    cost = by_name["每公里改造成本"]  # 9.5 with 度量单位 万元: folded to 元 so target and actual compare
    assert quantity(cost.target) == ("9.5", "<=", D(95000), "元", "number")
    assert cost.actual.value == D(91000)
    assert by_name["道路养护责任落实率"].target.op == ">="  # 正向
    assert quantity(by_name["沿线群众出行条件"].target) == ("明显改善", None, None, None, "text")
    late = by_name["按期完工率"]
    assert (late.weight, late.score, late.note) == (D(10), D(9), "2个标段受汛期影响延期")
    assert sum(r.weight for r in rows) == 90


def test_self_assessment_items_and_total(reports):
    sa = reports[0].self_assessment
    assert (sa.total, sa.grade) == (D("97.5"), "优")
    assert [(i.path, i.max, i.score) for i in sa.items] == [
        (("预算执行率",), D(10), D("9.5")),
        (("产出指标", "数量指标", "提质改造农村公路里程"), D(20), D(20)),
        (("产出指标", "质量指标", "工程交工验收合格率"), D(15), D(15)),
        (("产出指标", "时效指标", "按期完工率"), D(10), D(9)),
        (("产出指标", "成本指标", "每公里改造成本"), D(10), D(10)),
        (("效益指标", "社会效益指标", "沿线群众出行条件"), D(15), D(14)),
        (("效益指标", "可持续影响指标", "道路养护责任落实率"), D(10), D(10)),
        (("满意度指标", "服务对象满意度指标", "沿线群众满意度"), D(10), D(10)),
    ]


def test_narrative_and_sign_off(reports):
    road = reports[0]
    assert [(s.heading, s.text) for s in road.narrative] == [
        ("评价结论", "项目总体完成年度绩效目标，资金使用规范，自评等级为优。"),
        ("存在问题", "个别标段受汛期影响未能按期完工。"),
        ("改进措施", "加强施工组织调度，汛期前完成路基工程。"),
    ]
    assert [(o.label, o.text) for o in road.opinions] == [("项目负责人", "刘建华"), ("财务负责人", "王丽")]
    assert road.missing_sections == ()


def test_project_without_total_row(reports):
    insurance = reports[1]
    assert insurance.funds.row("total") is None  # no 合计 row: the scoring sums the sources
    assert [amounts(r) for r in insurance.funds.rows] == [
        ("fiscal", "财政资金", D(3600), D(3800), D(3762), D(99), D(10), D("9.9")),
        ("special", "财政专户管理资金", D(1500), D(1500), D(1500), D(100), None, None),
        ("other", "其他资金", D(100), D(100), D(80), D(80), None, None),
    ]
    assert insurance.project.phone == "13907318888"  # written as a number in the spreadsheet
    assert insurance.self_assessment.items[0].score == D("9.9")
    empty = [r for r in insurance.indicators if r.empty]
    assert [(r.level1, r.level2, r.name, r.target) for r in empty] == [
        ("效益指标", "经济效益指标", None, None)
    ]
    people = next(r for r in insurance.indicators if r.name == "参保人数")
    assert (people.target.value, people.target.unit, people.actual.value) == (D(850000), "人", D(862000))
    share = next(r for r in insurance.indicators if r.name == "个人自付比例")
    assert (share.target.op, share.score) == ("<=", D(18))  # 反向; "18分" is a score
    assert ("预算执行·未执行原因", "其他资金：社会捐助资金到位不足") in [
        (s.heading, s.text) for s in insurance.narrative
    ]


def test_unplaced_content_is_reported_not_dropped(reports):
    unplaced = reports[1].unplaced
    assert [u.text for u in unplaced] == ["资料来源", "浏阳市医保信息系统2020年度结算数据"]
    (row,) = {u.row for u in unplaced}  # both cells of one row
    assert re.fullmatch(r"表2 第\d+行|项目2 第\d+行|自评表 第\d+行|第\d+行", row), row
    findings = [
        f for f in api.evaluate(reports[1]).findings if f.code == "JX503" and f.where.path == "unplaced"
    ]
    assert [f.message.split("：")[1] for f in findings] == [
        f"{row}「资料来源 / 浏阳市医保信息系统2020年度结算数据」"
    ]


def test_other_header_wording(reports):
    schools = reports[2]
    assert amounts(schools.funds.rows[0]) == (
        "total",
        "合计",
        D(800),
        D(850),
        D(760),
        D(92),
        D(10),
        D(9),
    )
    area = schools.indicators[0]
    assert (area.name, area.target.op, area.target.value, area.target.unit, area.actual.value) == (
        "维修改造校舍面积",
        ">=",
        D(12000),
        "平方米",
        D(12500),
    )
    assert schools.self_assessment.total == D(98)  # 合计得分


def test_scored_with_mof_2020(reports):
    evaluations = [api.evaluate(r) for r in reports]
    assert {e.system for e in evaluations} == {"mof-2020"}
    # road: 执行 1092.5/1150×10 = 9.5; 按期完工率 92/95×10 = 9.68; 定性行保留自评 14; 其余满分
    # insurance: 执行 (3762+1500+80)/(3800+1500+100)×10 = 9.89; 个人自付比例 ≤30% 实际 28.5% 满分 20
    # schools: 执行 760/850×10 = 8.94; 开学前完工学校比例 85/90×10 = 9.44
    assert [e.total for e in evaluations] == [D("98.18"), D("99.89"), D("98.38")]
    assert [e.self_total for e in evaluations] == [D("97.5"), D("97.9"), D(98)]
    road = evaluations[0]
    assert road.items[0].path == ("预算执行率",)
    assert road.items[0].trace == "实际支出/全年预算数 = 1092.5/1150 = 95.0% × 10 = 9.5"
    codes = {f.code for f in evaluations[2].findings}
    assert {"JX102", "JX105", "JX401"} <= codes  # sources ≠ 合计, stated 执行率 wrong, items ≠ 合计得分
    assert "JX102" not in {f.code for f in road.findings}


def test_every_format_reads_alike(provincial_files):
    def comparable(path):
        out = []
        for report in api.load_reports(path):
            doc = report_json(report)
            doc.pop("source")
            doc.pop("unplaced")  # names the place, which each format names its own way
            out.append(doc)
        return out

    expected = comparable(provincial_files["txt"])
    for fmt in FORMATS:
        assert comparable(provincial_files[fmt]) == expected, fmt
    formats = {fmt: api.load_reports(provincial_files[fmt])[0].source.format for fmt in FORMATS}
    assert formats == {"docx": "docx", "xlsx": "xlsx", "xlsx-one-sheet": "xlsx", "txt": "txt", "doc": "doc"}


# --------------------------------------------------------------------------- detection and the CLI


def test_detection_keeps_families_apart(provincial_files):
    cells, _ = read_cells(provincial_files["docx"])
    assert (provincial.detect(cells), fourblock.detect(cells)) == (100, 0)
    for path in (DATA / "seed-yueyang-2019.txt", *sorted((DATA / "samples").iterdir())):
        cells, _ = read_cells(path)
        assert provincial.detect(cells) < 40, path
        assert api.load_report(path).source.layout == "yueyang-2-2", path


def test_import_json_is_an_array_for_many_forms_an_object_for_one(provincial_files, capsys):
    assert cli.main(["import", str(provincial_files["txt"]), "--json"]) == 0
    many = json.loads(capsys.readouterr().out)
    assert [d["project"]["name"] for d in many] == NAMES
    assert many[0]["funds"]["rows"][0]["spent"] == "1092.5"
    assert cli.main(["import", str(provincial_files["single"]), "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["schema"] == "jixiao.report/1"
    assert one["source"]["layout"] == "provincial-2020"
    assert one["self_assessment"]["total"] == "97.5"


def test_layout_can_be_forced(provincial_files, capsys):
    assert cli.main(["import", str(provincial_files["xlsx"]), "--layout", "fourblock-2020", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["source"]["layout"] for d in docs] == ["fourblock-2020"] * 3
    assert [d["project"]["name"] for d in docs] == NAMES
    assert cli.main(["import", str(provincial_files["xlsx"]), "--layout", "provincial-2021"]) == 2
    assert "provincial-2020" in capsys.readouterr().err
