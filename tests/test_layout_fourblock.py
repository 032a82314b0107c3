"""fourblock-2020: the older comprehensive form scored on 项目决策 / 项目管理 / 项目产出 / 项目效益.

The form carries both the unit's 自评得分 and the bureau's 财政审核评分, per item and in total, and lists
its quantitative 产出/效益 indicators (目标值 / 实际值), which the fourblock-2020 system scores.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from fixtures.forms_provincial import AGRICULTURE, ROAD, write_docx, write_pipe_text, write_xlsx
from jixiao import api, cli
from jixiao.io.importers import read_cells
from jixiao.io.importers.legacy import convert_many
from jixiao.io.layouts import LAYOUTS
from jixiao.serialize import report_json
from jixiao.systems import load_system

fourblock, provincial, yueyang = LAYOUTS["fourblock-2020"], LAYOUTS["provincial-2020"], LAYOUTS["yueyang-2-2"]

D = Decimal
DATA = Path(__file__).parent / "data"
FORMATS = ("docx", "xlsx", "txt", "xls")


@pytest.fixture(scope="session")
def fourblock_files(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("fourblock")
    files = {
        "docx": write_docx([AGRICULTURE], base / "agriculture.docx"),
        "xlsx": write_xlsx([AGRICULTURE], base / "agriculture.xlsx"),
        "txt": write_pipe_text([AGRICULTURE], base / "agriculture.txt"),
        "mixed": write_pipe_text([AGRICULTURE, ROAD], base / "mixed.txt"),
        "totals-in-table": write_pipe_text(
            [dataclasses.replace(AGRICULTURE, header_totals=False)], base / "totals-in-table.txt"
        ),
    }
    legacy = convert_many([files["xlsx"]], "xls", base / "legacy")  # one LibreOffice run per session
    files["xls"] = legacy[files["xlsx"]]
    return files


@pytest.fixture(scope="module", params=FORMATS)
def report(request, fourblock_files):
    (only,) = api.load_reports(fourblock_files[request.param])
    return only


def test_header_and_funds(report):
    assert report.source.layout == "fourblock-2020"
    p = report.project
    assert (p.name, p.department, p.unit, p.manager, p.phone, p.year) == (
        "农业产业化发展专项资金项目",
        "祁东县农业农村局",
        "祁东县农业产业化服务中心",
        "周志强",
        "0734-6123456",
        2019,
    )
    assert [
        (r.key, r.planned, r.budget, r.arrived, r.spent, r.balance, r.stated_rate) for r in report.funds.rows
    ] == [
        ("total", D(500), D(500), D(480), D(456), D(24), D("91.2")),
        ("fiscal", D(400), D(400), D(400), D(380), D(20), D(95)),
        ("other", D(100), D(100), D(80), D(76), D(4), D(76)),
    ]
    assert report.missing_sections == ()


def test_both_totals_and_per_item_review_scores(report):
    sa = report.self_assessment
    assert (sa.total, sa.grade, sa.review_total, sa.review_grade) == (D("97.5"), "优", D("92.94"), "优")
    assert len(sa.items) == 20
    assert sum(i.max for i in sa.items) == 100
    assert sum(i.score for i in sa.items) == D("97.5")
    assert sum(i.review_score for i in sa.items) == D("92.94")
    by_name = {i.path[-1]: i for i in sa.items}
    assert (by_name["绩效目标合理性"].path, by_name["绩效目标合理性"].max) == (
        ("项目决策", "项目目标", "绩效目标合理性"),
        D(3),
    )
    execution = by_name["预算执行率"]
    assert (execution.max, execution.score, execution.review_score) == (D(5), D("4.5"), D("4.56"))
    assert by_name["经济效益"].path == ("项目效益", "项目效益", "经济效益")


def test_quantitative_rows_become_indicators(report):
    rows = report.indicators
    assert len(rows) == 10
    first = rows[0]
    assert (first.level1, first.level2, first.name) == ("项目产出", "产出数量", "扶持农业龙头企业数量")
    assert (first.target.op, first.target.value, first.target.unit, first.actual.value) == (
        ">=",
        D(20),
        "家",
        D(22),
    )
    base = rows[1]
    assert (base.target.op, base.target.value, base.actual.value, base.note) == (
        None,
        D(3000),
        D(2700),
        "部分基地用地审批延后",
    )
    assert [r.level2 for r in rows[5:]] == [
        "经济效益",
        "社会效益",
        "生态效益",
        "可持续影响",
        "服务对象满意度",
    ]
    assert rows[8].target.kind == "text"


def test_recomputed_with_fourblock_system(report):
    ev = api.evaluate(report)
    assert ev.system == "fourblock-2020"
    # judgement items keep their self-scores (20 in 项目决策; 5, 3, 3 in 项目管理; 3 for 可持续影响);
    # 到位 480/500×4 = 3.84; 执行 456/500×5 = 4.56; 数量 (100%+90%)/2×10 = 9.5; 质量 8;
    # 时效 90/95×6 = 5.68; 成本 ≤ 目标 6; 经济 6; 社会 460/500×8 = 7.36; 生态 4; 满意度 93% → 8
    assert ev.total == D("96.94")
    assert (ev.self_total, ev.grade) == (D("97.5"), "优")
    scores = {i.path[-1]: (i.self_score, i.score, i.basis) for i in ev.items}
    assert scores["决策依据充分性"] == (D(4), D(4), "judgement")  # the form calls it 立项依据充分性
    assert scores["资金到位率"] == (D(4), D("3.84"), "computed")
    assert scores["产出数量"] == (D(10), D("9.50"), "computed")  # the form's 三级 name is 实际完成率
    assert scores["可持续影响"] == (D(3), D(3), "judgement")  # 建立 → 已建立: a reviewer's call
    assert scores["服务对象满意度"] == (D(8), D(8), "computed")
    codes = {f.code for f in ev.findings}
    assert {"JX202", "JX303", "JX404"} <= codes
    assert "JX402" not in codes  # the form's points are the system's


def test_every_format_reads_alike(fourblock_files):
    def comparable(path):
        doc = report_json(api.load_report(path))
        doc.pop("source")
        return doc

    expected = comparable(fourblock_files["txt"])
    for fmt in FORMATS:
        assert comparable(fourblock_files[fmt]) == expected, fmt


def test_totals_from_the_score_table_when_the_header_has_none(fourblock_files):
    sa = api.load_report(fourblock_files["totals-in-table"]).self_assessment
    assert (sa.total, sa.review_total, sa.grade) == (D("97.5"), D("92.94"), None)


def test_system_points_add_up_per_block():
    system = load_system("fourblock-2020")
    assert system.layouts == ("fourblock-2020",)
    assert [(n.name, n.points) for n in system.items] == [
        ("项目决策", 20),
        ("项目管理", 20),
        ("项目产出", 30),
        ("项目效益", 30),
    ]
    kinds = {leaf.name: leaf.rule.kind for leaf in system.leaves()}
    assert (kinds["资金到位率"], kinds["预算执行率"], kinds["资金使用合规性"]) == (
        "ratio",
        "execution",
        "deduction",
    )
    assert kinds["服务对象满意度"] == "band"
    assert {kinds[n] for n in ("产出数量", "产出质量", "产出时效", "产出成本", "经济效益")} == {"completion"}


# --------------------------------------------------------------------------- detection and the CLI


def test_detection(fourblock_files):
    cells, _ = read_cells(fourblock_files["docx"])
    assert fourblock.detect(cells) == 100
    assert fourblock.detect(cells) > max(provincial.detect(cells), yueyang.detect(cells))
    for path in (DATA / "seed-yueyang-2019.txt", *sorted((DATA / "samples").iterdir())):
        cells, _ = read_cells(path)
        assert fourblock.detect(cells) == 0, path  # 项目决策/项目管理/项目产出 but no 项目效益 block


def test_import_json_and_forced_layout(fourblock_files, capsys):
    assert cli.main(["import", str(fourblock_files["xlsx"]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["source"]["layout"] == "fourblock-2020"
    assert (doc["self_assessment"]["total"], doc["self_assessment"]["review_total"]) == ("97.5", "92.94")
    assert doc["self_assessment"]["items"][6] == {
        "path": ["项目管理", "资金管理", "资金到位率"],
        "max": "4",
        "score": "4",
        "review_score": "3.84",
    }
    # a four-block form followed by a provincial one: detected as four-block, both forms read, in order
    assert cli.main(["import", str(fourblock_files["mixed"]), "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["project"]["name"] for d in docs] == ["农业产业化发展专项资金项目", "农村公路提质改造项目"]
    assert cli.main(["import", str(fourblock_files["txt"]), "--layout", "provincial-2020", "--json"]) == 0
    forced = json.loads(capsys.readouterr().out)
    assert forced["source"]["layout"] == "provincial-2020"
    assert len(forced["indicators"]) == 10
