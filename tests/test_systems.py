"""Indicator systems are data: the builtin files load, invalid ones are refused with a clear place."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from jixiao.errors import SystemDefinitionError, UnknownSystemError
from jixiao.systems import all_systems, load_system
from jixiao.systems.loader import build_system, load_system_file

GOOD = """
id: demo-2024
name: 演示体系
version: "2024"
total: 10
grades: [{name: 优, min: 9}, {name: 差, min: 0}]
items:
  - name: 决策
    points: 10
    children:
      - name: 目标
        points: 4
        rule: {kind: checklist, criteria: [{id: "①", text: 有目标, points: 2}, {id: "②", text: 量化, points: 2}]}
      - name: 到位率
        points: 6
        rule: {kind: ratio, numerator: funds.total.arrived, denominator: funds.total.planned}
"""


def test_builtin_systems_load():
    systems = {s.id: s for s in all_systems()}
    assert set(systems) >= {"yueyang-2020", "mof-2020"}
    yy = systems["yueyang-2020"]
    leaves = list(yy.leaves())
    assert len(leaves) == 22
    assert sum(leaf.points for leaf in leaves) == Decimal(100)
    assert [g.name for g in yy.grades] == ["优秀", "良好", "中", "差"]
    assert (
        yy.grade(Decimal(90)) == "优秀"
        and yy.grade(Decimal("89.99")) == "良好"
        and yy.grade(Decimal(59)) == "差"
    )
    basis = next(leaf for leaf in leaves if leaf.name == "决策依据")
    assert basis.evidence_required() == ("③部门年度工作计划",)
    assert next(leaf for leaf in leaves if leaf.name == "分配结果").evidence == "资金分配方案"
    assert (
        "满意率达90%（含）以上的得8分"
        in next(leaf for leaf in leaves if leaf.name == "服务对象满意度").standard
    )
    mof = systems["mof-2020"]
    assert mof.scores_rows
    assert [g.name for g in mof.grades] == ["优", "良", "中", "差"]


def _build(text: str):
    import yaml

    return build_system(yaml.safe_load(textwrap.dedent(text)), "demo.yaml")


def test_valid_system_builds():
    system = _build(GOOD)
    assert [leaf.name for leaf in system.leaves()] == ["目标", "到位率"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("points: 6\n", "points: 5\n"), "下级指标分值合计 9，与本级分值 10 不符"),
        (("kind: ratio", "kind: magic"), "未知的评分规则 magic"),
        (("numerator: funds.total.arrived, ", ""), "ratio 规则缺少参数 numerator"),
        (("text: 量化, points: 2", "text: 量化, points: 1"), "各条标准分值合计 3，与指标分值 4 不符"),
        (("total: 10", "total: 12"), "一级指标分值合计 10，与总分 12 不符"),
        (("{name: 优, min: 9}, {name: 差, min: 0}", "{name: 差, min: 0}, {name: 优, min: 9}"), "从高到低"),
    ],
)
def test_invalid_systems_are_refused_with_the_place(edit, message):
    old, new = edit
    assert old in GOOD
    with pytest.raises(SystemDefinitionError) as info:
        _build(GOOD.replace(old, new, 1))
    assert message in info.value.message
    assert info.value.file == "demo.yaml"
    assert "处理办法" in info.value.render()


def test_leaf_without_rule_names_the_node():
    with pytest.raises(SystemDefinitionError) as info:
        _build(
            GOOD.replace(
                "        rule: {kind: ratio, numerator: funds.total.arrived, denominator: funds.total.planned}\n",
                "",
            )
        )
    assert "到位率" in info.value.place
    assert "rule" in info.value.message


def test_adding_a_region_is_adding_a_file(tmp_path, monkeypatch):
    (tmp_path / "demo-2024.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("JIXIAO_SYSTEMS_PATH", str(tmp_path))
    assert load_system("demo-2024").total == Decimal(10)
    (tmp_path / "wrong-id.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(SystemDefinitionError, match="与文件名"):
        load_system_file(tmp_path / "wrong-id.yaml")


def test_unknown_system_lists_the_known_ones():
    with pytest.raises(UnknownSystemError) as info:
        load_system("nowhere-1999")
    assert "yueyang-2020" in info.value.fix
