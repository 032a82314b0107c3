"""The seed's own Word/Excel files read into exactly the report its text export gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao import api
from jixiao.serialize import report_json

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed-yueyang-2019.txt"
SAMPLES = DATA / "samples"


def _without_source(doc):
    doc = dict(doc)
    doc.pop("source")
    return doc


@pytest.fixture(scope="module")
def seed_json():
    return _without_source(report_json(api.load_report(SEED)))


def test_docx_sample_equals_seed_text(seed_json):
    report = api.load_report(SAMPLES / "yueyang-2-2-egov-cloud.docx")
    assert report.source.format == "docx"
    assert report.source.layout == "yueyang-2-2"
    assert _without_source(report_json(report)) == seed_json


def test_doc_sample_equals_seed_text(seed_json):
    report = api.load_report(SAMPLES / "yueyang-2-2-egov-cloud.doc")
    assert report.source.format == "doc"
    assert _without_source(report_json(report)) == seed_json


def test_xlsx_score_table_alone(seed_json):
    report = api.load_report(SAMPLES / "yueyang-3-2-egov-cloud.xlsx")
    assert report.source.format == "xlsx"
    doc = report_json(report)
    assert doc["self_assessment"]["items"] == seed_json["self_assessment"]["items"]
    assert "一、项目基本概况" in report.missing_sections
    codes = {f.code for f in api.evaluate(report).findings}
    assert "JX503" in codes


def test_format_comes_from_content_not_name(tmp_path, seed_json):
    disguised = tmp_path / "report.txt"
    disguised.write_bytes((SAMPLES / "yueyang-2-2-egov-cloud.docx").read_bytes())
    assert _without_source(report_json(api.load_report(disguised))) == seed_json
