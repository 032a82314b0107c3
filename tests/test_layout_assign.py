"""Forms no spec knows: read the generic way, explained, and taught — a user assigns the leftover cells to
fields and the next form of the same kind reads by itself (issue #10, points 2 and 3)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus.build import load, write_xlsx
from jixiao import api, cli
from jixiao.demo import DEMO_PASSWORD, build_demo
from jixiao.io.layouts import spec as layout_spec
from jixiao.web.app import create_app
from jixiao.web.settings import Settings

D = Decimal
FORM = Path(__file__).parent / "fixtures" / "variants" / "renamed-columns.yaml"
ASSIGN = [
    ("计划数", "fund_columns.planned"),
    ("完成数", "fund_columns.spent"),
    ("目标", "indicator_columns.target"),
    ("实际", "indicator_columns.actual"),
]


@pytest.fixture
def renamed(tmp_path) -> Path:
    return write_xlsx(load(FORM), tmp_path / "renamed.xlsx")


@pytest.fixture(autouse=True)
def no_local_layouts():
    before = list(layout_spec._LOCAL_DIRS)
    yield
    layout_spec._LOCAL_DIRS[:] = before


def test_an_unknown_form_reads_generic_with_its_indicators(renamed):
    report = api.load_report(renamed)
    assert report.source.layout == "generic"
    assert (report.project.name, report.project.department, report.project.year) == (
        "老旧小区改造",
        "某某区住房和城乡建设局",
        2023,
    )
    assert [(i.level1, i.name, i.weight, i.score) for i in report.indicators] == [
        ("产出指标", "改造小区数量", D(40), D(40)),
        ("效益指标", "居民满意度", D(50), D(50)),
    ]
    assert report.self_assessment.total == D("99.5")
    assert {"计划数", "完成数", "目标", "实际"} <= {u.text for u in report.unplaced}
    notes = [f.message for f in api.evaluate(report).findings if "通用方式" in f.message]
    assert len(notes) == 1 and "资金情况表" in notes[0]


def test_explain_layout_names_every_spec_its_score_and_evidence(renamed, capsys):
    assert cli.main(["import", str(renamed), "--explain-layout", "--json"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["chosen"] == "generic" and explained["threshold"] == 40
    ids = [layout["id"] for layout in explained["layouts"]]
    assert {"yueyang-2-2", "mof-2020", "transfer-2020", "provincial-2020"} <= set(ids)
    assert all(layout["score"] < 40 for layout in explained["layouts"])
    seed = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"
    assert cli.main(["import", str(seed), "--explain-layout"]) == 0
    text = capsys.readouterr().out
    assert (
        "识别为 yueyang-2-2" in text
        and "→ yueyang-2-2" in text
        and "✓ 有以「一、项目基本概况」开头的单元格 +30" in text
    )


def test_assigned_columns_become_a_spec_and_the_next_form_reads_by_itself(renamed, tmp_path):
    layouts = tmp_path / "layouts"
    spec_id = api.assign_layout(renamed, ASSIGN, layouts, by="danwei")
    assert (layouts / f"{spec_id}.yaml").exists()
    layout_spec.use_local_dir(layouts)
    again = api.load_report(renamed)
    assert again.source.layout == spec_id
    total = again.funds.row("total")
    assert (total.planned, total.spent, total.weight, total.score) == (D(800), D(760), D(10), D("9.5"))
    assert [(i.target.raw, i.actual.raw) for i in again.indicators] == [("≥12个", "13个"), ("≥90%", "95%")]
    assert {u.text for u in again.unplaced}.isdisjoint({"计划数", "完成数", "目标", "实际"})
    # a second form of the same kind, another project: read by the spec, nothing to assign
    other = load(FORM)
    rows = other["blocks"][2]["table"]["rows"]
    rows[0][1]["t"] = "背街小巷整治"
    second = api.load_report(write_xlsx(other, tmp_path / "second.xlsx"))
    assert (second.source.layout, second.project.name, second.funds.row("total").spent) == (
        spec_id,
        "背街小巷整治",
        D(760),
    )


def test_assigning_nothing_is_refused_with_a_message(renamed, tmp_path):
    with pytest.raises(Exception) as caught:
        api.assign_layout(renamed, [("计划数", "")], tmp_path / "layouts")
    assert "没有指定任何栏目" in str(caught.value)


def test_the_upload_preview_offers_the_leftovers_and_keeps_the_assignment(db_url, tmp_path, renamed):
    build_demo(db_url)
    app = create_app(Settings(database_url=db_url, files_dir=tmp_path / "files"))
    with TestClient(app) as client:
        client.post("/login", data={"login": "danwei", "password": DEMO_PASSWORD}, follow_redirects=False)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        with renamed.open("rb") as fh:
            page = client.post(
                "/upload", files={"file": ("成效表.xlsx", fh)}, data={"csrf_token": token}
            ).text
        assert "没有读到的内容" in page and "按通用方式读取" in page and "按指定的栏目重新读取" in page
        held = re.search(r'name="token" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "token": held}
        for text, target in ASSIGN:
            n = re.search(rf'name="text-(\d+)" value="{text}"', page).group(1)
            form[f"text-{n}"] = text
            form[f"assign-{n}"] = target
        page = client.post("/upload/assign", data=form).text
        assert "已保存为版式「local-" in page
        assert "≥12个" in page and "760" in page  # read again with the assigned columns
        assert (tmp_path / "layouts").is_dir() and list((tmp_path / "layouts").glob("local-*.yaml"))
    app.state.engine.dispose()
