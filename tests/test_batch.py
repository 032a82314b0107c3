"""jixiao batch: a folder in, one review workbook out; failures listed, never fatal; resumable."""

from __future__ import annotations

import importlib.util
import io
import json
import multiprocessing
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jixiao import api, cli
from jixiao.batch import run_batch, runner
from jixiao.batch.runner import Progress, find_report_files, run_pool, state_path_for
from jixiao.checks.execution import execution_rate

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEED = DATA / "seed-yueyang-2019.txt"
SAMPLES = DATA / "samples"
SEED_NAME = "电子政务云平台租赁及维护项目"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_reports", ROOT / "bench" / "generate_reports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seed_copies(folder: Path, names: list[str]) -> list[Path]:
    """Text copies of the seed, each with its own project name (all score 98 → 68)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    paths = []
    for name in names:
        path = folder / f"{name}.txt"
        path.write_text(text.replace(SEED_NAME, f"项目{name}"), encoding="utf-8")
        paths.append(path)
    return paths


def batch(folder: Path, out: Path, jobs: int = 1, restart: bool = False, log: io.StringIO | None = None):
    return run_batch(
        folder, out, jobs=jobs, layout="auto", system=None, restart=restart, progress=log or io.StringIO()
    )


def sheet_rows(path: Path, title: str) -> list[dict]:
    ws = load_workbook(path)[title]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def count_worker_calls(monkeypatch) -> list[str]:
    """Make the per-file worker observable (jobs=1 runs it in this process)."""
    calls: list[str] = []
    original = runner.summarize_file

    def counting(path, rel, converted, layout, system):
        calls.append(rel)
        return original(path, rel, converted, layout, system)

    monkeypatch.setattr(runner, "summarize_file", counting)
    return calls


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The seed as text and .docx, eight generated variants, three broken files; run once with jobs=1."""
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "docx").mkdir()
    shutil.copy(SAMPLES / "yueyang-2-2-egov-cloud.docx", folder / "docx" / "seed.docx")
    counts = _generator().generate(11, folder / "generated", seed=4, families=False)
    assert (counts["docx"], counts["text"]) == (6, 2) and counts["empty"] == counts["truncated"] == counts[
        "random"
    ] == 1
    out = folder.parent / f"{folder.name}-review.xlsx"
    return folder, out, batch(folder, out, jobs=1)


def test_summary_rows_are_the_direct_scores_sorted_by_gap(mixed):
    folder, out, result = mixed
    rows = sheet_rows(out, "报告汇总")
    assert len(rows) == len(result.reports) == 10
    seed = next(r for r in rows if r["文件"] == "seed.txt")
    assert (seed["自评得分"], seed["自评等次"], seed["复算得分"], seed["复算等次"], seed["分差"]) == (
        98,
        "优秀",
        68,
        "中",
        30,
    )
    assert seed["预算执行率"] == pytest.approx(42 / 152)
    assert seed["项目名称"] == SEED_NAME and seed["版式"] == "yueyang-2-2"
    assert next(r for r in rows if r["文件"] == "docx/seed.docx")["分差"] == 30
    for row in rows:  # every row equals what the library says for that file
        report = api.load_report(folder / row["文件"])
        ev = api.evaluate(report)
        assert Decimal(str(row["自评得分"])) == ev.self_total
        assert Decimal(str(row["复算得分"])) == ev.total
        assert Decimal(str(row["分差"])) == ev.self_total - ev.total
        assert row["复算等次"] == ev.grade and row["项目名称"] == report.project.name
        assert row["预算执行率"] == pytest.approx(float(execution_rate(report)[0]))
        severities = [f.severity for f in ev.findings]
        assert (row["错误数"], row["警告数"], row["提示数"]) == tuple(
            severities.count(s) for s in ("error", "warning", "info")
        )
    gaps = [r["分差"] for r in rows]
    assert gaps == sorted(gaps, reverse=True) and len(set(gaps)) > 3


def test_findings_and_failures_sheets(mixed):
    _, out, result = mixed
    findings = sheet_rows(out, "问题清单")
    assert len(findings) == sum(len(r.findings) for r in result.reports)
    seed = [f for f in findings if f["文件"] == "seed.txt"]
    assert len(seed) == 23 and {f["严重程度"] for f in seed} == {"错误", "警告"}
    jx201 = next(f for f in seed if f["编号"] == "JX201")
    assert jx201["严重程度"] == "警告" and "27.6%" in jx201["说明"] and jx201["位置"] == "funds[合计].spent"
    failed = sheet_rows(out, "读取失败")
    assert [f["文件"] for f in failed] == [o.file for o in result.failed]
    assert len(failed) == 3 and all(f["文件"].startswith("generated/") for f in failed)
    reasons = " ".join(f["原因"] for f in failed)
    assert "文件是空的" in reasons and "文件已损坏" in reasons and "二进制" in reasons


def test_workbook_formatting(mixed):
    _, out, _ = mixed
    wb = load_workbook(out)
    assert wb.sheetnames == ["报告汇总", "问题清单", "读取失败"]
    for ws in wb:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert ws["A1"].font.b and ws.column_dimensions["A"].width >= 30
    summary = wb["报告汇总"]
    assert summary["K2"].number_format == "0.0%"
    for row in summary.iter_rows(min_row=2):
        red = row[0].fill.fgColor.rgb.endswith("FFC7CE")
        assert red == (row[11].value > 0)
    for row in wb["问题清单"].iter_rows(min_row=2):
        assert row[3].fill.fgColor.rgb.endswith("FFC7CE") == (row[3].value == "错误")


def test_two_jobs_give_the_same_workbook(mixed, tmp_path):
    folder, out, _ = mixed
    out2 = tmp_path / "review.xlsx"
    result = batch(folder, out2, jobs=2)
    assert result.reused == 0
    for title in ("报告汇总", "问题清单", "读取失败"):
        assert sheet_rows(out2, title) == sheet_rows(out, title)


def test_cli_exit_codes_and_json(tmp_path, capsys):
    good = tmp_path / "good"
    seed_copies(good, ["a", "b"])
    assert cli.main(["batch", str(good), "--out", str(tmp_path / "good.xlsx"), "--jobs", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["schema"] == "jixiao.batch/1"
    assert (summary["files"], summary["reports"], summary["failed"]) == (2, 2, [])
    assert summary["out"] == str(tmp_path / "good.xlsx") and float(summary["elapsed_seconds"]) >= 0

    (good / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    assert cli.main(["batch", str(good), "--out", str(tmp_path / "bad.xlsx"), "--jobs", "2", "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"] == 3 and summary["reports"] == 2
    assert [f["file"] for f in summary["failed"]] == ["broken.docx"]
    assert "文件已损坏" in summary["failed"][0]["reason"]

    assert cli.main(["batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "文件夹不存在" in capsys.readouterr().err


def test_an_internal_error_fails_only_that_file(tmp_path, monkeypatch):
    seed_copies(tmp_path / "in", ["a", "b", "c"])
    original = runner.import_reports

    def flaky(path, layout, converted=None):
        if path.endswith("b.txt"):
            raise RuntimeError("模拟的缺陷")
        return original(path, layout, converted=converted)

    monkeypatch.setattr(runner, "import_reports", flaky)
    result = batch(tmp_path / "in", tmp_path / "review.xlsx")
    assert [o.file for o in result.failed] == ["b.txt"]
    assert result.failed[0].failure == "内部错误: RuntimeError: 模拟的缺陷"
    assert len(result.reports) == 2


def _crash_on_b(path, rel, converted, layout, system):
    if rel == "b.txt":
        os._exit(3)  # a worker dying outright (segfault, out of memory)
    return runner.FileOutcome(rel)


def test_a_dying_worker_fails_only_its_file(monkeypatch):
    monkeypatch.setattr(runner, "summarize_file", _crash_on_b)
    items = [(f"/x/{n}.txt", f"{n}.txt", None) for n in "abcdefgh"]
    fork = multiprocessing.get_context("fork")  # the forked workers see the patched function

    def make_pool(n):
        return runner.ProcessPoolExecutor(max_workers=n, mp_context=fork)

    outcomes = [o for chunk in run_pool(items, 2, "auto", None, make_pool=make_pool) for o in chunk]
    assert sorted(o.file for o in outcomes) == [f"{n}.txt" for n in "abcdefgh"]
    assert [(o.file, o.failure) for o in outcomes if o.failure] == [("b.txt", runner.WORKER_DIED)]


def _truncate_state(state: Path, complete: int) -> None:
    lines = state.read_bytes().splitlines(keepends=True)
    torn = lines[complete][: len(lines[complete]) // 2]
    state.write_bytes(b"".join(lines[:complete]) + torn)


def test_resume_after_an_interruption(tmp_path, monkeypatch):
    folder, out = tmp_path / "in", tmp_path / "review.xlsx"
    seed_copies(folder, [f"{n:02d}" for n in range(10)])
    batch(folder, out)
    state = state_path_for(out)
    assert len(state.read_text(encoding="utf-8").splitlines()) == 10
    _truncate_state(state, 6)  # six files recorded, the seventh line torn mid-write
    seed_copies(folder, ["new1", "new2"])
    calls = count_worker_calls(monkeypatch)
    result = batch(folder, out)
    assert sorted(calls) == ["06.txt", "07.txt", "08.txt", "09.txt", "new1.txt", "new2.txt"]
    assert result.reused == 6 and result.files == 12
    rows = sheet_rows(out, "报告汇总")
    assert len(rows) == 12 and len({r["文件"] for r in rows}) == 12
    assert {r["复算得分"] for r in rows} == {68}
    # the state is kept, one line per file: a third run has nothing to do
    assert len(state.read_text(encoding="utf-8").splitlines()) == 12
    calls.clear()
    assert batch(folder, out).reused == 12 and calls == []


def test_interrupted_runs_keep_what_they_finished(tmp_path, monkeypatch):
    folder, out = tmp_path / "in", tmp_path / "review.xlsx"
    seed_copies(folder, [f"{n:02d}" for n in range(10)])
    calls: list[str] = []
    original = runner.summarize_file

    def interrupted_at(n):
        def worker(path, rel, converted, layout, system):
            calls.append(rel)
            if len(calls) == n:
                raise KeyboardInterrupt  # Ctrl-C while this file is being read
            return original(path, rel, converted, layout, system)

        calls.clear()
        monkeypatch.setattr(runner, "summarize_file", worker)

    interrupted_at(4)
    log = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        batch(folder, out, log=log)
    assert "已中断" in log.getvalue() and not out.exists()
    state = state_path_for(out)
    assert len(state.read_text(encoding="utf-8").splitlines()) == 3
    _truncate_state(state, 2)  # then killed while writing the third line
    interrupted_at(3)  # a second run, interrupted too: its two lines follow the torn one
    with pytest.raises(KeyboardInterrupt):
        batch(folder, out)
    assert calls == ["02.txt", "03.txt", "04.txt"]
    calls.clear()
    monkeypatch.setattr(runner, "summarize_file", original)
    calls = count_worker_calls(monkeypatch)
    result = batch(folder, out)
    assert calls == ["04.txt", "05.txt", "06.txt", "07.txt", "08.txt", "09.txt"]
    assert result.reused == 4 and len(sheet_rows(out, "报告汇总")) == 10


def test_duplicate_state_lines_are_counted_once(tmp_path, monkeypatch):
    folder, out = tmp_path / "in", tmp_path / "review.xlsx"
    seed_copies(folder, ["a", "b", "c"])
    batch(folder, out)
    state = state_path_for(out)
    text = state.read_text(encoding="utf-8")
    state.write_text(text + text + text.splitlines(keepends=True)[0], encoding="utf-8")
    calls = count_worker_calls(monkeypatch)
    result = batch(folder, out)
    assert calls == [] and result.reused == 3
    rows = sheet_rows(out, "报告汇总")
    assert sorted(r["文件"] for r in rows) == ["a.txt", "b.txt", "c.txt"]
    assert len(sheet_rows(out, "问题清单")) == 3 * 23


def test_changed_and_failed_files_are_redone_restart_redoes_all(tmp_path, monkeypatch):
    folder, out = tmp_path / "in", tmp_path / "review.xlsx"
    a, _ = seed_copies(folder, ["a", "b"])
    (folder / "empty.txt").write_bytes(b"")
    batch(folder, out)
    calls = count_worker_calls(monkeypatch)
    a.write_text(a.read_text(encoding="utf-8").replace("项目a", "项目a（修订）"), encoding="utf-8")
    result = batch(folder, out)
    assert sorted(calls) == ["a.txt", "empty.txt"]  # the changed file, and the failure is retried
    assert "项目a（修订）" in {r.name for r in result.reports}
    calls.clear()
    batch(folder, out, restart=True)
    assert sorted(calls) == ["a.txt", "b.txt", "empty.txt"]
    assert len(state_path_for(out).read_text(encoding="utf-8").splitlines()) == 3


def test_legacy_doc_converted_in_one_libreoffice_run(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "yueyang-2-2-egov-cloud.doc", folder / "a.doc")
    shutil.copy(SAMPLES / "yueyang-2-2-egov-cloud.doc", folder / "b.wps")  # a .doc under a WPS name
    shutil.copy(SAMPLES / "yueyang-2-2-egov-cloud.doc", folder / "no-suffix")
    shutil.copy(SEED, folder / "seed.txt")
    runs = []
    original = runner.convert_many

    def counting(paths, target, outdir):
        runs.append((sorted(p.name for p in paths), target))
        return original(paths, target, outdir)

    monkeypatch.setattr(runner, "convert_many", counting)
    log = io.StringIO()
    result = batch(folder, tmp_path / "review.xlsx", log=log)
    assert runs == [(["a.doc", "b.wps", "no-suffix"], "docx")]
    assert "转换旧格式文件" in log.getvalue()
    assert result.failed == []
    rows = {r["文件"]: r for r in sheet_rows(tmp_path / "review.xlsx", "报告汇总")}
    assert set(rows) == {"a.doc", "b.wps", "no-suffix", "seed.txt"}
    assert {(r["自评得分"], r["复算得分"], r["分差"]) for r in rows.values()} == {(98, 68, 30)}


def test_a_file_libreoffice_cannot_convert_is_a_failure(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "yueyang-2-2-egov-cloud.doc", folder / "a.doc")
    seed_copies(folder, ["ok"])
    monkeypatch.setattr(runner, "convert_many", lambda paths, target, outdir: {})
    result = batch(folder, tmp_path / "review.xlsx")
    assert [o.file for o in result.failed] == ["a.doc"]
    assert "LibreOffice 无法转换此文件" in result.failed[0].failure
    assert len(result.reports) == 1


def test_which_files_are_read(tmp_path):
    folder = tmp_path / "in"
    seed_copies(folder, ["a"])
    (folder / ".hidden.txt").write_text("x", encoding="utf-8")
    (folder / "~$a.docx").write_bytes(b"lock")
    (folder / ".git").mkdir()
    (folder / ".git" / "config.txt").write_text("x", encoding="utf-8")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 ...")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    (folder / "report").write_bytes(SEED.read_bytes())  # no suffix: sniffed as text
    (folder / "renamed.bak").write_bytes((SAMPLES / "yueyang-2-2-egov-cloud.docx").read_bytes())
    (folder / "sub").mkdir()
    shutil.copy(SAMPLES / "yueyang-2-2-egov-cloud.docx", folder / "sub" / "z.docx")
    out = folder / "review.xlsx"
    out.write_bytes(b"PK\x03\x04 an earlier review")
    state_path_for(out).write_text("", encoding="utf-8")
    found = [f.rel for f in find_report_files(folder, skip=(out, state_path_for(out)))]
    assert found == ["a.txt", "renamed.bak", "report", "sub/z.docx"]
    result = batch(folder, out)
    assert result.files == 4 and result.failed == []


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "f.txt").write_text(
        SEED.read_text(encoding="utf-8").replace(SEED_NAME, "=HYPERLINK(1)"), encoding="utf-8"
    )
    batch(folder, tmp_path / "review.xlsx")
    cell = load_workbook(tmp_path / "review.xlsx")["报告汇总"]["C2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_an_unwritable_workbook_keeps_the_progress(tmp_path, monkeypatch):
    folder, out = tmp_path / "in", tmp_path / "review.xlsx"
    seed_copies(folder, ["a", "b"])
    out.mkdir()  # something in the way of the workbook
    with pytest.raises(runner.InputError, match="无法写入复核汇总表"):
        batch(folder, out)
    assert not list(tmp_path.glob(".review.xlsx.*.tmp"))
    out.rmdir()
    calls = count_worker_calls(monkeypatch)
    assert batch(folder, out).reused == 2 and calls == []
    assert len(sheet_rows(out, "报告汇总")) == 2


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_line_has_count_rate_eta_and_failures():
    log, clock = io.StringIO(), FakeClock()
    meter = Progress(log, 2000, clock=clock)
    meter.start(0)
    for _ in range(10):  # 100 files a second for 10 s, with 3 failures
        clock.now += 1
        meter.advance(100, failed=0)
    meter.advance(0, failed=3)
    lines = log.getvalue().splitlines()
    assert len(lines) == 5  # a plain line every 2 s in a log, not one per file
    assert lines[-1] == "[##########----------] 1000/2000 50% 100.0 个/秒 剩余 10 秒 失败 0"
    assert meter.line() == "[##########----------] 1000/2000 50% 100.0 个/秒 剩余 10 秒 失败 3"


def test_progress_on_a_terminal_rewrites_one_line():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    log, clock = Tty(), FakeClock()
    meter = Progress(log, 10, clock=clock)
    meter.start(4)  # four reused from an earlier run: not part of the rate
    for _ in range(6):
        clock.now += 0.5
        meter.advance(1, failed=0)
    meter.note("完成")
    text = log.getvalue()
    assert text.count("\r") == 6 and "\n" not in text.split("完成")[0][:-1]
    assert "10/10 100% 2.0 个/秒 剩余 0 秒" in text


def test_batch_progress_output(tmp_path):
    folder = tmp_path / "in"
    seed_copies(folder, ["a", "b", "c"])
    log = io.StringIO()
    batch(folder, tmp_path / "review.xlsx", log=log)
    text = log.getvalue()
    assert "共 3 个文件" in text
    assert "3/3 100%" in text and "个/秒" in text and "剩余" in text and "失败 0" in text
    assert "完成：3 个文件，3 份报告，读取失败 0 个，用时" in text
