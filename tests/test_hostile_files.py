"""Hostile and broken files: each gets one clear message and exit 2, in bounded memory and time."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import api
from jixiao.errors import JixiaoError

DATA = Path(__file__).parent / "data"
DOCX = DATA / "samples" / "yueyang-2-2-egov-cloud.docx"
XLSX = DATA / "samples" / "yueyang-3-2-egov-cloud.xlsx"
SEED = DATA / "seed-yueyang-2019.txt"

# Runs one import in a fresh interpreter and reports exit code, stderr and peak memory (MB).
_PROBE = """
import json, resource, sys
from jixiao.cli import main
code = main(["import", sys.argv[1], "--json"])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "peak_mb": peak}), file=sys.stderr)
"""


def probe(path: Path, timeout: int = 120) -> tuple[int, str, float]:
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, timeout=timeout
    )
    *message, last = run.stderr.strip().splitlines()
    stats = json.loads(last)
    return stats["code"], "\n".join(message), stats["peak_mb"]


def assert_clear_refusal(path: Path, words: str) -> None:
    code, message, peak = probe(path)
    assert code == 2, message
    assert str(path) in message
    assert words in message
    assert "处理办法：" in message
    assert "Traceback" not in message
    assert peak < 500, f"peak memory {peak:.0f} MB"


def _docx_with(document_xml: bytes, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """The sample .docx with word/document.xml replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(DOCX) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for item in src.infolist():
            data = document_xml if item.filename == "word/document.xml" else src.read(item.filename)
            dst.writestr(item.filename, data)
    return out.getvalue()


def test_zip_bomb_is_refused_by_ratio(tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:
            chunk = b" " * (1 << 20)
            for _ in range(40):
                fh.write(chunk)
    assert_clear_refusal(bomb, "压缩炸弹")


def test_entity_expansion_is_refused(tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
            for i in range(1, 10)
        )
        + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    )
    path = tmp_path / "laughs.docx"
    path.write_bytes(_docx_with(laughs))
    assert_clear_refusal(path, "实体")


def test_external_entity_is_refused(tmp_path):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
    )
    path = tmp_path / "xxe.docx"
    path.write_bytes(_docx_with(xxe))
    assert_clear_refusal(path, "实体")


def test_corrupt_zip(tmp_path):
    path = tmp_path / "cut.docx"
    path.write_bytes(DOCX.read_bytes()[:20000])
    assert_clear_refusal(path, "损坏")


def test_broken_xml_inside_a_good_zip(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(_docx_with(b"<w:document><w:body><w:p>"))
    assert_clear_refusal(path, "损坏")


def test_password_protected(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with DOCX.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    path = tmp_path / "locked.docx"
    path.write_bytes(out.getvalue())
    assert_clear_refusal(path, "密码")


def test_a_plain_zip_is_not_a_document(tmp_path):
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert_clear_refusal(path, "不是 Word 或 Excel")


def test_wrong_extensions_are_read_by_content(tmp_path):
    as_xls = tmp_path / "report.xls"
    as_xls.write_bytes(DOCX.read_bytes())
    as_docx = tmp_path / "report.docx"
    as_docx.write_bytes(SEED.read_bytes())
    for path in (as_xls, as_docx):
        report = api.load_report(path)
        assert report.project.name == "电子政务云平台租赁及维护项目"
    assert api.load_report(as_xls).source.format == "docx"
    assert api.load_report(as_docx).source.format == "txt"


def test_pdf_and_images_get_a_clear_message(tmp_path):
    pdf = tmp_path / "scan.docx"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(2000))
    assert_clear_refusal(pdf, "PDF")


def test_ten_thousand_row_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    rng = random.Random(3)
    ws.append(["序号", "名称", "金额", "备注", "日期"])
    for i in range(10_000):
        ws.append([i, f"条目{i}", rng.randint(1, 10**6), "说明文字" * 3, "2020-01-01"])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    assert_clear_refusal(path, "未识别")


def test_two_hundred_page_document(tmp_path):
    from docx import Document

    doc = Document()
    paragraph = "本段是一份很长的说明文字，用来模拟两百页的文档内容。" * 6
    for page in range(200):
        doc.add_heading(f"第{page + 1}页", level=2)
        for _ in range(12):
            doc.add_paragraph(paragraph)
    path = tmp_path / "long.docx"
    doc.save(path)
    assert_clear_refusal(path, "未识别")


def test_long_narrative_inside_a_real_report_still_imports(tmp_path):
    """200 pages of narrative appended to the seed's text: the report is still read, in bounded memory."""
    text = SEED.read_text(encoding="utf-8")
    cut = text.index("附件3-2")
    filler = ("项目主要绩效情况分析补充说明。" * 40 + "\n") * 4000
    path = tmp_path / "long.txt"
    path.write_text(text[:cut] + filler + text[cut:], encoding="utf-8")
    code, message, peak = probe(path)
    assert code == 0, message
    assert peak < 500


# -- fuzzing ------------------------------------------------------------------------------------------
SAMPLES = [DOCX.read_bytes(), XLSX.read_bytes(), SEED.read_bytes()]
SUFFIXES = [".docx", ".xlsx", ".txt"]


def _mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    buf = bytearray(data)
    for kind, pos, value in ops:
        if not buf:
            break
        at = pos % len(buf)
        if kind == 0:
            buf[at] = value
        elif kind == 1:
            del buf[at : at + 1 + value % 64]
        elif kind == 2:
            buf[at:at] = bytes([value]) * (1 + value % 16)
        else:
            del buf[at:]
    return bytes(buf)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sample=st.integers(min_value=0, max_value=len(SAMPLES) - 1),
    ops=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 10**7), st.integers(0, 255)), min_size=1, max_size=6
    ),
)
def test_mutated_samples_give_reports_or_clear_errors(tmp_path, sample, ops):
    path = tmp_path / f"mutant{SUFFIXES[sample]}"
    path.write_bytes(_mutate(SAMPLES[sample], ops))
    try:
        reports = api.load_reports(path)
    except JixiaoError as exc:
        text = exc.render()
        assert exc.file and "处理办法" in text
        return
    for report in reports:
        api.evaluate(report)  # whatever was read scores and checks without raising


def test_mutated_seed_texts_never_crash():
    """Line-level mutations of the seed text (drop, duplicate, swap lines): a report or a clear error."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    rng = random.Random(7)
    for _ in range(150):
        mutated = list(lines)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(mutated))
            op = rng.randrange(3)
            if op == 0:
                del mutated[i]
            elif op == 1:
                mutated.insert(i, mutated[rng.randrange(len(mutated))])
            else:
                j = rng.randrange(len(mutated))
                mutated[i], mutated[j] = mutated[j], mutated[i]
        path = Path(f"/tmp/jixiao-mutant-{rng.randrange(10**9)}.txt")
        path.write_text("\n".join(mutated), encoding="utf-8")
        try:
            for report in api.load_reports(path):
                api.evaluate(report)
        except JixiaoError as exc:
            assert "处理办法" in exc.render()
        finally:
            path.unlink()


@pytest.mark.parametrize("name", ["empty.docx", "empty.xlsx"])
def test_empty_office_packages(tmp_path, name):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        if name.endswith("docx"):
            zf.writestr(
                "word/document.xml",
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>',
            )
        else:
            zf.writestr(
                "xl/workbook.xml",
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
            )
    code, message, _ = probe(path)
    assert code == 2 and "处理办法" in message and "Traceback" not in message
