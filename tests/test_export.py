"""jixiao export: the seed and the sample written as Word (附件2-2 + 附件3-2 + review), Excel (MOF 自评表),
PDF and JSON; each file opened and read back.

Everything is exported once per session; LibreOffice converts all the .docx/.xlsx to PDF in one run.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import _Cell

from fixtures.forms_mof import FORMS_MOF, write_xlsx
from jixiao import api
from jixiao.cli import main
from jixiao.errors import InputError
from jixiao.io.exporters import export_reports
from jixiao.io.importers.legacy import convert_many
from jixiao.serialize import evaluation_json, report_json

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed-yueyang-2019.txt"
SAMPLE = DATA / "samples" / "yueyang-2-2-egov-cloud.docx"
D = Decimal


def _without_source(report) -> dict:
    doc = report_json(report)
    doc.pop("source")
    return doc


@pytest.fixture(scope="session")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("export")


@pytest.fixture(scope="session")
def seed():
    report = api.load_report(SEED)
    return report, api.evaluate(report)


@pytest.fixture(scope="session")
def mof(out):
    """The three MOF 自评表 projects of the layout tests, as the mof importer reads them."""
    reports = api.load_reports(write_xlsx(FORMS_MOF, out / "mof-source.xlsx"))
    return [(r, api.evaluate(r)) for r in reports]


@pytest.fixture(scope="session")
def files(out, seed, mof) -> dict[str, Path]:
    """Every export, made at once: the .xlsx and .pdf ones each start LibreOffice, so they run side by side."""
    sample = api.load_report(SAMPLE)
    jobs = {f"seed.{suffix}": [seed] for suffix in ("docx", "xlsx", "pdf", "json")}
    jobs.update(
        {f"sample.{suffix}": [(sample, api.evaluate(sample))] for suffix in ("docx", "xlsx", "pdf", "json")}
    )
    jobs.update({f"mof.{suffix}": mof for suffix in ("docx", "xlsx", "json")})
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        done = {name: pool.submit(export_reports, pairs, out / name) for name, pairs in jobs.items()}
        return {name: job.result() for name, job in done.items()}


@pytest.fixture(scope="session")
def pdfs(out, files) -> dict[Path, Path]:
    """Every exported .docx and .xlsx printed to PDF by LibreOffice, in one run."""
    sources = [p for p in files.values() if p.suffix in (".docx", ".xlsx")]
    return convert_many(sources, "pdf", out / "pdf")


# -- Word ------------------------------------------------------------------------------------------
def test_docx_reads_back_as_the_seed(files):
    back = api.load_report(files["seed.docx"])
    assert back.source.layout == "yueyang-2-2"
    assert _without_source(back) == _without_source(api.load_report(SEED))


def test_docx_of_the_docx_sample_reads_back_the_same(files):
    assert _without_source(api.load_report(files["sample.docx"])) == _without_source(api.load_report(SAMPLE))


def test_the_sample_exports_like_the_seed(files):
    """The seed's own .docx is the same report, so every export says the same (bar where it came from)."""
    seed_doc, sample_doc = (
        json.loads(files[f"{n}.json"].read_text(encoding="utf-8")) for n in ("seed", "sample")
    )
    for doc in (seed_doc, sample_doc):
        doc["report"].pop("source"), doc["evaluation"].pop("source")
        for finding in doc["evaluation"]["findings"]:
            finding.pop("where"), finding.pop("location")
    assert sample_doc == seed_doc
    seed_sheet, sample_sheet = (
        [row for row in openpyxl.load_workbook(files[f"{n}.xlsx"]).worksheets[0].iter_rows(values_only=True)]
        for n in ("seed", "sample")
    )
    assert sample_sheet == seed_sheet


def test_docx_appendix_is_not_report_content(files, seed):
    """The re-imported report scores exactly like the seed: nothing of the review leaked into it."""
    back = api.evaluate(api.load_report(files["seed.docx"]))
    assert back.total == seed[1].total == D(68)
    assert [(f.code, f.message) for f in back.findings] == [(f.code, f.message) for f in seed[1].findings]


def test_docx_cover_as_the_form(files):
    doc = Document(str(files["seed.docx"]))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert texts[:3] == [
        "附件2-2",
        "岳阳市财政支出项目绩效评价自评报告",
        "评价类型：项目实施过程评价□   项目完成结果评价√",
    ]
    assert "项目名称  电子政务云平台租赁及维护项目" in texts
    assert "主管部门  岳阳市政务服务中心" in texts
    assert "评价方式：部门（单位）绩效自评" in texts
    assert "报告日期：2020年6月8日" in texts
    assert "五、评价报告综述（文字部分）" in texts
    assert "（七）附件" in texts
    assert texts.index("附件3-2") < texts.index("复核意见：发现的问题")


def _spans(table) -> set[tuple[int, ...]]:
    """The gridSpan of each cell, row by row: how a table's cells are merged across."""
    return {tuple(tc.grid_span for tc in tr.tc_lst) for tr in table._tbl.tr_lst}


def _vmerge(table, col: int) -> list[str]:
    """Vertical merge marks down one grid column: restart / continue / '' (none)."""
    out = []
    for tr in table._tbl.tr_lst:
        tc = next((tc for tc in tr.tc_lst if tc.grid_offset == col), None)
        mark = tc.tcPr.find(qn("w:vMerge")) if tc is not None and tc.tcPr is not None else None
        out.append("" if mark is None else (mark.get(qn("w:val")) or "continue"))
    return out


def _texts(table) -> list[list[str]]:
    """Each row's cells as the importer sees them: one text per cell, merged continuations empty."""
    return [[_Cell(tc, table).text for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def test_docx_tables_merge_as_the_original(files):
    mine, original = Document(str(files["seed.docx"])), Document(str(SAMPLE))
    assert len(mine.tables) == 7  # 一 二 三 四, 附件3-2, findings, trace
    for n in range(4):
        assert _spans(mine.tables[n]) == _spans(original.tables[n]), f"table {n + 1}"
    marks = _vmerge(mine.tables[2], 0)  # 定性目标 / 定量指标 labels span their blocks
    assert marks == ["", "restart", "continue", "restart"] + ["continue"] * 10 + ["", ""]
    assert _vmerge(mine.tables[2], 1)[4:8] == ["restart", "continue", "continue", "continue"]  # 项目产出指标
    assert _vmerge(mine.tables[2], 2)[4:8] == ["restart", "continue", "restart", "continue"]  # 数量 / 质量


def test_docx_tables_hold_the_values(files):
    tables = [_texts(t) for t in Document(str(files["seed.docx"])).tables]
    basic = tables[0]
    assert basic[0] == ["一、项目基本概况"]
    assert basic[1] == ["项目负责人", "季传志", "联系电话", "13975033771"]
    assert basic[3] == ["项目起止时间", "2019年6月起至2020年6月止"]
    assert basic[4] == [
        "计划安排资金（万元）",
        "152",
        "实际到位资金（万元）",
        "152",
        "实际支出（万元）",
        "42",
        "结余（万元）",
        "110",
    ]
    assert [row[0] for row in basic[5:]] == ["其中：中央财政", "省财政", "市财政", "县市区财政", "其它"]
    assert basic[7] == ["市财政", "152", "市财政", "152", "市财政", "42", "市财政", "110"]
    spending = tables[1]
    assert spending[2] == ["云平台运行维护", "42万元", "2019年6月4号", ""]
    assert spending[-1] == ["支出合计", "42万元", "", ""]
    rows = tables[2]
    assert rows[1] == ["项目绩效定性目标及实施计划完成情况", "预期目标", "实际完成"]
    assert ["", "", "时效指标", "无", "", ""] in rows  # empty rows read 无
    assert rows[-2:] == [["绩效自评综合得分", "98"], ["评价等次", "优秀"]]
    people = tables[3]
    assert ["谢芳茂", "副主任", "市政务服务中心", ""] in people
    assert people[-1][0].startswith("财政部门归口业务科室意见：")


def test_docx_score_table_has_review_columns(files, seed):
    table = Document(str(files["seed.docx"])).tables[4]
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "一级指标",
        "分值",
        "二级指标",
        "分值",
        "三级指标",
        "分值",
        "具体指标",
        "评价标准",
        "自评得分",
        "复核得分",
        "依据",
    ]
    rows = {r.cells[4].text: [c.text for c in r.cells] for r in table.rows[1:-1]}
    assert len(rows) == len(seed[1].items) == 22
    assert rows["到位率"][5:] == [
        "3",
        "实际到位/计划到位*100%",
        "根据项目资金的实际到位率计算得分（3分）",
        "3",
        "3",
        "计算",
    ]
    assert rows["产出时效"][8:] == ["3", "0", "缺失"]
    assert rows["目标内容"][:2] == ["项目决策", "20"]
    assert rows["决策依据"][7].startswith("①符合法律法规（1分）")
    total = [c.text for c in table.rows[-1].cells]
    assert total[0] == "总分" and total[8:] == ["98", "68", "中"]


def test_docx_review_lists_findings_and_traces(files, seed):
    doc = Document(str(files["seed.docx"]))
    evaluation = seed[1]
    findings, traces = doc.tables[5], doc.tables[6]
    assert [c.text for c in findings.rows[0].cells] == ["编号", "严重程度", "问题", "位置"]
    listed = [[c.text for c in r.cells] for r in findings.rows[1:]]
    assert len(listed) == len(evaluation.findings) == 23
    assert listed[0][:2] == ["JX201", "警告"]
    assert listed[0][2] == "预算执行率 27.6%（42/152），低于 90%，需说明原因"
    assert {row[1] for row in listed} == {"错误", "警告"}
    trace_rows = [[c.text for c in r.cells] for r in traces.rows[1:]]
    assert [r[0] for r in trace_rows] == ["/".join(i.path) for i in evaluation.items]
    assert trace_rows[5] == [
        "项目管理/资金到位/到位率",
        "3",
        "3",
        "3",
        "计算",
        "实际到位/计划安排 = 152/152 = 100.0% × 3 = 3",
    ]
    summary = next(p.text for p in doc.paragraphs if p.text.startswith("指标体系："))
    assert "自评 98 分（优秀），复算 68 分（中）" in summary and "共发现问题 23 条：错误 10 条" in summary


def test_docx_is_a4_with_a_cjk_font(files):
    doc = Document(str(files["seed.docx"]))
    sizes = {(round(s.page_width.mm), round(s.page_height.mm)) for s in doc.sections}
    assert sizes == {(210, 297), (297, 210)}  # the score table and the review go landscape
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"


def test_docx_several_reports_one_after_another(files, mof):
    doc = Document(str(files["mof.docx"]))
    names = [p.text for p in doc.paragraphs if p.text.startswith("项目名称")]
    assert names == [f"项目名称  {r.project.name}" for r, _ in mof]
    assert len(doc.sections) == 2 * len(mof)  # a portrait report section and a landscape annex each
    assert len([t for t in doc.tables if t.cell(0, 0).text == "一、项目基本概况"]) == 3


# -- Excel -----------------------------------------------------------------------------------------
def test_xlsx_is_the_mof_form(files):
    book = openpyxl.load_workbook(files["seed.xlsx"])
    assert book.sheetnames == ["电子政务云平台租赁及维护项目", "发现的问题"]
    ws = book.worksheets[0]
    assert (ws["A1"].value, ws["A2"].value) == ("项目支出绩效自评表", "（2019年度）")
    assert (ws["A3"].value, ws["B3"].value) == ("项目名称", "电子政务云平台租赁及维护项目")
    assert (ws["A4"].value, ws["B4"].value, ws["E4"].value) == ("主管部门", "岳阳市政务服务中心", "实施单位")
    assert [ws.cell(5, c).value for c in range(1, 9)] == [
        "项目资金（万元）",
        None,
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
    ]
    assert [ws.cell(r, 2).value for r in range(6, 10)] == [
        "年度资金总额",
        "其中：当年财政拨款",
        "上年结转资金",
        "其他资金",
    ]
    assert [ws.cell(6, c).value for c in range(3, 7)] == [152, 152, 42, 10]
    assert ws["C6"].number_format == "#,##0.00"
    assert "中央财政、省财政、市财政" not in ws["B7"].comment.text  # only the sources with amounts
    assert "市财政之和" in ws["B7"].comment.text
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:I1", "B3:I3", "A5:A9", "H5:I5", "H6:I6", "B10:E10", "F10:I10"} <= merged
    header = [ws.cell(12, c).value for c in range(1, 10)]
    assert header == [
        "绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]
    assert {"B13:B18", "C13:C14", "C15:C16", "B19:B22"} <= merged  # 一级 / 二级 merged over their rows
    rows = [[ws.cell(r, c).value for c in range(4, 8)] for r in range(13, 23)]
    assert rows[0] == ["计算节点", "32", "60", 12.5]
    assert rows[4] == ["无", None, None, None]
    assert rows[6] == ["节省财政资金", "500万", "1324.48万", 15]
    assert ws.freeze_panes == "A3"
    assert ws.print_area == "'电子政务云平台租赁及维护项目'!$A$1:$I$25"
    assert ws.page_setup.paperSize == 9  # A4


def test_xlsx_rate_score_and_total_are_live_formulas_with_values(files):
    ws = openpyxl.load_workbook(files["seed.xlsx"]).worksheets[0]
    assert ws["G6"].value == '=IF(D6=0,"",E6/D6)' and ws["G6"].number_format == "0.0%"
    assert ws["H6"].value == '=IF(G6="","",ROUND(MIN(F6,F6*G6),2))'
    assert (ws["A23"].value, ws["G23"].value, ws["H23"].value) == (
        "总分",
        "=SUM(F6,G13:G22)",
        "=SUM(H6,H13:H22)",
    )
    values = openpyxl.load_workbook(files["seed.xlsx"], data_only=True).worksheets[0]
    assert round(values["G6"].value, 4) == 0.2763
    assert (values["H6"].value, values["G23"].value, values["H23"].value) == (2.76, 90, 2.76)


def test_xlsx_findings_sheet(files, seed):
    ws = openpyxl.load_workbook(files["seed.xlsx"])["发现的问题"]
    assert [c.value for c in ws[2]] == ["编号", "严重程度", "问题", "位置", "项目"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert len(rows) == len(seed[1].findings)
    assert rows[0][:3] == ["JX201", "警告", "预算执行率 27.6%（42/152），低于 90%，需说明原因"]
    assert rows[0][4] == "电子政务云平台租赁及维护项目"
    assert ws.auto_filter.ref == f"A2:E{len(rows) + 2}"
    assert ws.freeze_panes == "A3"


def test_xlsx_several_reports_one_sheet_each(files, mof):
    book = openpyxl.load_workbook(files["mof.xlsx"])
    assert book.sheetnames == [r.project.name for r, _ in mof] + ["发现的问题"]
    codes = [row[0].value for row in book["发现的问题"].iter_rows(min_row=3)]
    assert codes == [f.code for _, ev in mof for f in ev.findings]


def test_xlsx_reads_back_through_the_mof_importer(files, mof):
    """A MOF form read, exported and read again is the same report — but where the unit's own 执行率,
    its 得分 or the 总分 disagree with its amounts: the live formulas carry the computed values there."""
    back = api.load_reports(files["mof.xlsx"])
    assert [r.source.layout for r in back] == ["mof-2020"] * 3
    for (before, _), after in zip(mof[:2], back[:2], strict=True):
        assert _without_source(after) == _without_source(before)
    before, after = _without_source(mof[2][0]), _without_source(back[2])
    total_before, total_after = before["funds"]["rows"][0], after["funds"]["rows"][0]
    assert (total_before["rate"], total_before["score"]) == ("80", "8")  # as the unit wrote it
    assert (total_after["rate"], total_after["score"]) == ("75", "7.5")  # 60/80, as computed
    assert (before["self_assessment"]["total"], after["self_assessment"]["total"]) == ("98", "96.5")
    for doc in (before, after):
        doc["funds"]["rows"][0].update(rate=None, score=None)
        doc["self_assessment"].update(total=None, items=doc["self_assessment"]["items"][1:])
        doc["unplaced"] = []  # the source's stray 督办事项 row is not part of the form
    assert after == before


def test_seed_xlsx_reads_as_a_mof_form(files, seed):
    """A Yueyang report as the MOF 自评表: its amounts, goals and indicator rows, with the default 分值."""
    back = api.load_report(files["seed.xlsx"])
    assert (back.source.layout, back.project.year, back.project.name) == (
        "mof-2020",
        2019,
        seed[0].project.name,
    )
    total = back.funds.row("total")
    assert (total.planned, total.budget, total.spent, total.weight, total.score) == (
        D(152),
        D(152),
        D(42),
        D(10),
        D("2.76"),
    )
    assert total.stated_rate.quantize(D("0.01")) == D("27.63")  # the formula's stored value, read as 27.63…%
    assert back.funds.row("fiscal").spent == D(42)  # 市财政, the one source with amounts
    assert [(g.expected, g.actual) for g in back.goals] == [(g.expected, g.actual) for g in seed[0].goals]

    def rows(report):
        return [(i.level1, i.level2, i.name, i.target, i.actual, i.empty) for i in report.indicators]

    assert rows(back) == rows(seed[0])
    assert [i.weight for i in back.indicators if not i.empty] == [D("12.5")] * 4 + [D(15), D(15)]
    assert (back.self_assessment.grade, back.missing_sections) == ("优秀", ())


def test_xlsx_without_libreoffice_keeps_formulas_without_values(tmp_path, seed, monkeypatch):
    """Then the file has formulas only: Excel computes them on opening; the importer reads them as blank."""
    monkeypatch.setattr("jixiao.io.exporters.xlsx.soffice_path", lambda: None)
    path = export_reports([seed], tmp_path / "plain.xlsx")
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws["G6"].value == '=IF(D6=0,"",E6/D6)'
    assert openpyxl.load_workbook(path, data_only=True).worksheets[0]["G6"].value is None
    back = api.load_report(path)
    total = back.funds.row("total")
    assert (total.stated_rate, total.score, total.spent) == (None, None, D(42))


# -- PDF and JSON ------------------------------------------------------------------------------------
def test_every_document_prints_to_pdf(files, pdfs):
    sources = [p for p in files.values() if p.suffix in (".docx", ".xlsx")]
    assert set(pdfs) == set(sources)
    for made in [*pdfs.values(), files["seed.pdf"], files["sample.pdf"]]:
        assert made.stat().st_size > 10_000
        assert made.read_bytes()[:5] == b"%PDF-"


def test_pdf_needs_libreoffice(tmp_path, seed, monkeypatch):
    monkeypatch.setattr("jixiao.io.importers.legacy.soffice_path", lambda: None)
    with pytest.raises(InputError) as caught:
        export_reports([seed], tmp_path / "r.pdf")
    assert "LibreOffice" in caught.value.message and "apt-get install" in caught.value.fix
    assert not (tmp_path / "r.pdf").exists()


def test_json_holds_report_and_evaluation(files, seed, mof):
    doc = json.loads(files["seed.json"].read_text(encoding="utf-8"))
    assert doc["schema"] == "jixiao.export/1"
    assert doc["report"] == report_json(seed[0])
    assert doc["evaluation"] == evaluation_json(seed[1], seed[0])
    assert doc["evaluation"]["total"] == "68"
    several = json.loads(files["mof.json"].read_text(encoding="utf-8"))
    assert [d["report"]["project"]["name"] for d in several] == [r.project.name for r, _ in mof]


# -- command line ------------------------------------------------------------------------------------
def test_cli_export(tmp_path, capsys):
    target = tmp_path / "seed.docx"
    assert main(["export", str(SEED), "--to", str(target)]) == 0
    assert api.load_report(target).project.name == "电子政务云平台租赁及维护项目"
    assert f"已写出 {target}" in capsys.readouterr().err


def test_cli_export_unknown_suffix(tmp_path, capsys):
    target = tmp_path / "seed.odt"
    assert main(["export", str(SEED), "--to", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "不支持的导出格式「.odt」" in captured.err
    assert ".docx、.xlsx、.pdf、.json" in captured.err
    assert not target.exists()
