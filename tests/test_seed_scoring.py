"""The seed report (Yueyang 2019 e-government cloud) scored against yueyang-2020: the core acceptance."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao import api
from jixiao.serialize import evaluation_json

SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"
D = Decimal


@pytest.fixture(scope="module")
def report():
    return api.load_report(SEED)


@pytest.fixture(scope="module")
def evaluation(report):
    return api.evaluate(report)


def item(evaluation, name):
    return next(i for i in evaluation.items if i.path[-1] == name)


def test_totals_and_grades(evaluation):
    assert evaluation.system == "yueyang-2020"
    assert evaluation.self_total == D(98)
    assert evaluation.self_grade == "优秀"
    assert evaluation.total == D(68)
    assert evaluation.grade == "中"
    assert len(evaluation.items) == 22


@pytest.mark.parametrize("name", ["产出时效", "产出成本", "社会效益", "环境效益", "可持续影响"])
def test_items_without_targets_are_missing(evaluation, name):
    i = item(evaluation, name)
    assert i.basis == "missing"
    assert i.score == 0
    assert i.self_score > 0


@pytest.mark.parametrize(
    ("name", "score"),
    [("到位率", 3), ("产出数量", 5), ("产出质量", 4), ("经济效益", 8), ("服务对象满意度", 8)],
)
def test_computed_items(evaluation, name, score):
    i = item(evaluation, name)
    assert i.basis == "computed"
    assert i.score == D(score)


def test_trace_shows_rule_inputs_and_arithmetic(evaluation):
    assert item(evaluation, "到位率").trace == "实际到位/计划安排 = 152/152 = 100.0% × 3 = 3"
    quantity = item(evaluation, "产出数量").trace
    assert "「计算节点」60/32 = 187.5%（封顶 100%）" in quantity
    assert "× 5 = 5" in quantity
    assert "100% → ≥90% 档 = 8" in item(evaluation, "服务对象满意度").trace


def test_judgement_items_keep_self_score(evaluation):
    judged = [i for i in evaluation.items if i.basis == "judgement"]
    assert len(judged) == 12
    assert all(i.score == i.self_score for i in judged)
    assert item(evaluation, "分配结果").score == D(3)  # the unit gave itself 3 of 5


def test_findings(evaluation):
    codes = Counter(f.code for f in evaluation.findings)
    assert codes["JX201"] == 1
    assert codes["JX203"] == 1
    assert codes["JX301"] == 5
    assert codes["JX404"] == 5
    assert codes["JX501"] == 1
    assert codes["JX601"] == 5
    too_low = sorted(f.message.split("」")[0].lstrip("「") for f in evaluation.findings if f.code == "JX302")
    assert too_low == sorted(["计算节点", "存储", "运行系统", "政务数据", "节省财政资金"])
    jx201 = next(f for f in evaluation.findings if f.code == "JX201")
    assert "27.6%（42/152）" in jx201.message
    # nothing the seed gets right is flagged
    for clean in ("JX101", "JX102", "JX103", "JX104", "JX401", "JX402", "JX403"):
        assert codes[clean] == 0, clean


def test_jx301_points_at_the_rows_filled_with_wu(evaluation):
    where = {f.message[1:5]: f.where for f in evaluation.findings if f.code == "JX301"}
    assert where["产出时效"].path.startswith("indicators[")
    assert where["产出时效"].line == 162  # the 无 cell of the 时效指标 row


def test_answers_change_judgement_scores(report):
    answers = {
        "目标内容": {"criteria": {"①": "是", "②": "是", "③": "否", "④": "否"}},
        "资金使用": {"deductions": {"③": 3}},
        "到位时效": {"tier": "②"},
        "项目决策/资金分配/分配结果": {"criteria": {"1": True, "2": False}},
    }
    ev = api.evaluate(report, answers=answers)
    assert item(ev, "目标内容").score == D(2)
    assert item(ev, "资金使用").score == D(4)
    assert item(ev, "到位时效").score == D(1)
    assert item(ev, "分配结果").score == D(2)
    assert "复核" in item(ev, "资金使用").trace
    assert ev.total == D(68) - 2 - 3 - 1 - 1


def test_answers_are_validated(report):
    from jixiao.errors import AnswersError

    with pytest.raises(AnswersError, match="应扣 3–6"):
        api.evaluate(report, answers={"资金使用": {"deductions": {"③": 9}}})
    with pytest.raises(AnswersError, match="由数据计算"):
        api.evaluate(report, answers={"到位率": {"score": 1, "reason": "x"}})
    with pytest.raises(AnswersError, match="没有的项"):
        api.evaluate(report, answers={"不存在的指标": {"tier": "①"}})


def test_thresholds_are_configurable(report):
    from jixiao.checks import CheckConfig

    loose = api.evaluate(report, config=CheckConfig(execution_min=D(20), overachievement=D(300)))
    codes = {f.code for f in loose.findings}
    assert "JX201" not in codes
    assert "JX302" not in codes
    off = api.evaluate(report, config=CheckConfig(disabled=frozenset({"JX601"})))
    assert not any(f.code == "JX601" for f in off.findings)


def _cli(*args):
    code = "import sys; from jixiao.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)


def test_cli_score_json_matches_library(evaluation, report):
    run = _cli("score", str(SEED), "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["schema"] == "jixiao.evaluation/1"
    assert (doc["self_total"], doc["self_grade"], doc["total"], doc["grade"]) == ("98", "优秀", "68", "中")
    assert doc["items"] == evaluation_json(evaluation, report)["items"]
    assert all(isinstance(i["score"], str) for i in doc["items"])


def test_cli_check_exits_1_and_answers_file(tmp_path):
    run = _cli("check", str(SEED))
    assert run.returncode == 1
    assert "JX301 [错误]" in run.stdout
    answers = tmp_path / "review.yaml"
    answers.write_text("到位时效:\n  tier: ③\n", encoding="utf-8")
    run = _cli("score", str(SEED), "--json", "--answers", str(answers))
    doc = json.loads(run.stdout)
    assert doc["total"] == "66.5"
    bad = tmp_path / "bad.yaml"
    bad.write_text("到位时效:\n  tier: ⑨\n", encoding="utf-8")
    run = _cli("score", str(SEED), "--answers", str(bad))
    assert run.returncode == 2
    assert "没有档次" in run.stderr and "Traceback" not in run.stderr


def test_cli_systems_lists_both():
    run = _cli("systems", "--json")
    ids = {s["id"]: s["total"] for s in json.loads(run.stdout)}
    assert {"yueyang-2020", "mof-2020"} <= set(ids)
    assert all(total == "100" for total in ids.values())
