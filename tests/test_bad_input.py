"""Input that cannot be read as a report: the CLI exits 2 with one clean Chinese message, never a traceback.

The message goes to stderr, names the file and the place, and says what to do ("处理办法：").
stdout stays empty, so `--json` output is never a half-written document.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from jixiao import api
from jixiao.errors import InputError

SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.split("\n")

_SCRIPT = Path(sys.executable).with_name("jixiao")
JIXIAO = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "import sys; from jixiao.cli import main; sys.exit(main(sys.argv[1:]))"]
)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [*JIXIAO, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def line_index(predicate: Callable[[str], bool]) -> int:
    """Index in SEED_LINES of the first line matching predicate (found by content, not by number)."""
    for i, line in enumerate(SEED_LINES):
        if predicate(line):
            return i
    raise AssertionError("seed line not found")


# --------------------------------------------------------------------------- unreadable input


def make_empty(d: Path) -> Path:
    path = d / "empty.txt"
    path.write_bytes(b"")
    return path


def make_random_bytes(d: Path) -> Path:
    path = d / "random.txt"
    path.write_bytes(random.Random(1).randbytes(4096))
    return path


def make_gbk_prose(d: Path) -> Path:
    path = d / "prose-gbk.txt"
    prose = (
        "洞庭湖畔的岳阳楼，始建于三国时期，历代屡毁屡修。\n"
        "登楼远眺，湖光山色尽收眼底，游人络绎不绝。\n"
        "春和景明，波澜不惊，上下天光，一碧万顷。\n"
    ) * 30
    path.write_bytes(prose.encode("gbk"))
    return path


def make_cut_in_funds(d: Path) -> Path:
    """The seed cut right after the value of the first 市财政 cell (mid funds table)."""
    i = line_index(lambda line: line.strip() == "市财政")
    assert SEED_LINES[i + 1].strip() == "152"
    path = d / "cut-in-funds.txt"
    path.write_text("\n".join(SEED_LINES[: i + 2]) + "\n", encoding="utf-8")
    return path


def make_50mb(d: Path) -> Path:
    """The seed followed by repeated filler lines up to 50 MB, written in 1 MB blocks."""
    path = d / "huge.txt"
    block = ("\t补充说明：本行为填充内容，用于测试文件大小上限。\n" * 20000).encode("utf-8")
    with path.open("wb") as fh:
        fh.write(SEED_TEXT.encode("utf-8"))
        written = 0
        while written < 50 * 1024 * 1024:
            fh.write(block)
            written += len(block)
    return path


def make_missing(d: Path) -> Path:
    return d / "does-not-exist.txt"


def make_directory(d: Path) -> Path:
    path = d / "a-folder"
    path.mkdir()
    (path / "report.txt").write_text(SEED_TEXT, encoding="utf-8")
    return path


BAD_INPUTS: dict[str, Callable[[Path], Path]] = {
    "empty": make_empty,
    "random-bytes": make_random_bytes,
    "gbk-prose": make_gbk_prose,
    "cut-in-funds": make_cut_in_funds,
    "50mb": make_50mb,
    "missing": make_missing,
    "directory": make_directory,
}


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad-input")
    return {name: make(d) for name, make in BAD_INPUTS.items()}


@pytest.mark.parametrize("command", ["import", "score", "check"])
@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_unreadable_input_exits_2_with_one_clean_message(
    bad_inputs: dict[str, Path], name: str, command: str
) -> None:
    path = bad_inputs[name]
    result = run(command, path, "--json")
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    err = result.stderr
    assert "Traceback" not in err
    assert "内部错误" not in err
    assert err.startswith("jixiao: ")
    assert err.count("jixiao: ") == 1
    assert str(path) in err
    assert "处理办法：" in err
    # the fix is a sentence, not an empty label
    assert err.split("处理办法：", 1)[1].strip()


def test_fifty_megabyte_file_really_is_fifty_megabytes(bad_inputs: dict[str, Path]) -> None:
    assert bad_inputs["50mb"].stat().st_size >= 50 * 1024 * 1024


def test_cut_in_funds_names_the_last_line(bad_inputs: dict[str, Path]) -> None:
    path = bad_inputs["cut-in-funds"]
    last_line = len(path.read_text(encoding="utf-8").splitlines())
    result = run("import", path)
    assert result.returncode == 2
    assert f"第 {last_line} 行" in result.stderr
    assert "资金" in result.stderr


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_api_raises_input_error(bad_inputs: dict[str, Path], name: str) -> None:
    path = bad_inputs[name]
    with pytest.raises(InputError) as info:
        api.load_reports(path)
    assert info.value.file == str(path)
    assert info.value.fix
    assert "处理办法：" in info.value.render()


def test_every_cut_of_the_seed_reads_or_fails_cleanly(tmp_path: Path) -> None:
    """Cut after each line in turn: either a report (that evaluates) or an InputError, nothing else."""
    path = tmp_path / "cut.txt"
    outcomes = {"report": 0, "input-error": 0}
    for n in range(1, len(SEED_LINES) + 1):
        path.write_text("\n".join(SEED_LINES[:n]), encoding="utf-8")
        try:
            report = api.load_report(path)
        except InputError as exc:
            assert exc.file == str(path), n
            assert exc.fix, n
            outcomes["input-error"] += 1
            continue
        api.evaluate(report)
        outcomes["report"] += 1
    assert outcomes["report"] > 0
    assert outcomes["input-error"] > 0


# --------------------------------------------------------------------------- readable input


def test_seed_cut_after_evaluators_imports_and_lists_missing_parts(tmp_path: Path) -> None:
    """Without 附件3-2 and the narrative the report still imports; check names what is missing."""
    narrative = line_index(lambda line: line.startswith("\t五、评价报告综述"))
    assert line_index(lambda line: line.startswith("\t四、评价人员")) < narrative
    path = tmp_path / "no-annex.txt"
    path.write_text("\n".join(SEED_LINES[:narrative]) + "\n", encoding="utf-8")
    assert "附件3-2" not in path.read_text(encoding="utf-8")

    imported = run("import", path, "--json")
    assert imported.returncode == 0, imported.stderr
    assert "Traceback" not in imported.stderr
    doc = json.loads(imported.stdout)
    assert [e["name"] for e in doc["evaluators"]] == ["谢芳茂", "季传志", "黎朝阳"]
    assert doc["self_assessment"]["items"] == []
    assert doc["self_assessment"]["total"] == "98"

    checked = run("check", path, "--json")
    assert checked.returncode in (0, 1), checked.stderr
    assert "Traceback" not in checked.stderr
    findings = json.loads(checked.stdout)["findings"]
    missing = [f for f in findings if f["code"] == "JX503"]
    paths = {f["location"]["path"] for f in missing}
    assert any("附件3-2" in p for p in paths), missing
    assert any("评价报告综述" in p for p in paths), missing
    assert all(f["location"]["file"] == str(path) for f in missing)


def test_check_on_the_seed_exits_1() -> None:
    result = run("check", SEED)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "JX301" in result.stdout


def test_check_json_on_the_seed_exits_1_with_one_document() -> None:
    result = run("check", SEED, "--json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "jixiao.findings/1"
    assert any(f["severity"] == "error" for f in doc["findings"])


def test_import_json_prints_exactly_one_document() -> None:
    result = run("import", SEED, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    doc = json.loads(result.stdout)  # raises if there is anything but one JSON value
    assert isinstance(doc, dict)
    assert doc["schema"] == "jixiao.report/1"
    assert doc["project"]["name"] == "电子政务云平台租赁及维护项目"
    decoder = json.JSONDecoder()
    _, end = decoder.raw_decode(result.stdout)
    assert result.stdout[end:].strip() == ""


def test_score_on_the_seed_exits_0() -> None:
    result = run("score", SEED, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "jixiao.evaluation/1"
    assert doc["self_total"] == "98"


def test_absurd_values_evaluate_without_crashing(tmp_path: Path) -> None:
    """A self-score cell that runs on into a line of thirty zeros, and an indicator whose actual is a
    hundred-million-fold its target: found by fuzzing, both crashed the percentage printing."""
    lines = list(SEED_LINES)
    # 产出质量 (broken over two lines), 分值, 具体指标, 评价标准, 自评得分
    name = next(i for i, line in enumerate(lines) if line == "\t产出" and lines[i + 1] == "质量")
    assert lines[name + 2] == lines[name + 5] == "\t4"
    lines.insert(name + 6, "0" * 30)  # no tab: continues the 自评得分 cell
    lines[lines.index("\t300T")] = "\t0.0000001T"
    lines[lines.index("\t500T")] = "\t999999999999亿T"
    path = tmp_path / "absurd.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = api.load_report(path)
    quality = next(i for i in report.self_assessment.items if i.path[-1] == "产出质量")
    assert quality.score is None  # 31 digits are not a score anybody wrote
    evaluation = api.evaluate(report)
    codes = {f.code for f in evaluation.findings}
    assert "JX401" in codes  # the items no longer add up to the stated total
    assert any(f.code == "JX302" and "存储" in f.message for f in evaluation.findings)
    done = run("score", path, "--json")
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)
