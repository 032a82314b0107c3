"""The docs are generated from (or checked against) the code; these tests fail when the two drift apart."""

from __future__ import annotations

import argparse
import copy
import json
import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from jixiao import api, cli
from jixiao.checks.context import CheckConfig
from jixiao.checks.docs import main as checks_docs_main
from jixiao.checks.docs import render_checks_markdown
from jixiao.checks.registry import CODES
from jixiao.schema import main as schema_main
from jixiao.schema import render, schemas
from jixiao.serialize import evaluation_json, findings_json, report_json
from jixiao.systems import load_system

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SEED = ROOT / "tests" / "data" / "seed-yueyang-2019.txt"


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


# -- docs/checks.md ------------------------------------------------------------------------------------
def test_checks_md_is_generated_from_registry() -> None:
    assert _read("checks.md") == render_checks_markdown(), "运行 python -m jixiao.checks.docs 重新生成"


def test_checks_docs_check_mode_passes() -> None:
    assert checks_docs_main(["--check"]) == 0


def test_every_code_has_a_section() -> None:
    text = _read("checks.md")
    sections = re.findall(r"^## (JX\d{3}) ", text, re.MULTILINE)
    assert sorted(sections) == sorted(CODES)
    for code, doc in CODES.items():
        assert f"## {code} {doc.title}\n" in text
        for label in ("检查内容", "原因", "错误示例", "正确示例", "依据", "严重程度", "自版本"):
            assert f"**{label}**" in text.split(f"## {code} ", 1)[1].split("\n## ", 1)[0], (code, label)


def test_contract_codes_are_in_registry() -> None:
    contract = _read("contract.md")
    table = contract.split("## Finding codes", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\|\s*(JX\d{3})\s*\|", table, re.MULTILINE)
    assert listed, "docs/contract.md 的问题编号表为空"
    assert set(listed) <= set(CODES), set(listed) - set(CODES)


def test_every_config_field_is_documented() -> None:
    text = _read("checks.md")
    for f in fields(CheckConfig):
        assert f"`{f.name}`" in text, f.name


def test_config_defaults_are_read_from_dataclass() -> None:
    text = _read("checks.md")
    default = CheckConfig()
    for name in ("execution_min", "arrival_min", "overachievement", "high_score_gap"):
        value = getattr(default, name)
        assert re.search(rf"\| `{name}` \| `{value}` \|", text), name


# -- docs/schema/*.json --------------------------------------------------------------------------------
@pytest.mark.parametrize("stem", ["report", "evaluation", "findings"])
def test_schema_files_match_code(stem: str) -> None:
    path = DOCS / "schema" / f"{stem}.json"
    assert path.read_text(encoding="utf-8") == render(schemas()[stem]), (
        "运行 python -m jixiao.schema 重新生成"
    )


def test_schema_check_mode_passes() -> None:
    assert schema_main(["--check"]) == 0


# -- other docs ----------------------------------------------------------------------------------------
def test_every_builtin_system_is_documented() -> None:
    text = _read("systems.md")
    ids = sorted(p.stem for p in (ROOT / "src" / "jixiao" / "systems" / "builtin").glob("*.yaml"))
    assert ids
    for sid in ids:
        assert sid in text, sid


def _subcommands() -> list[str]:
    parser = cli._parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    raise AssertionError("jixiao 没有子命令")


def test_every_cli_subcommand_is_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in _subcommands():
        assert f"jixiao {command}" in readme, command


def _glossary_rows() -> list[list[str]]:
    rows = []
    for line in _read("glossary.md").splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:]  # without the header


def test_glossary_rows_are_complete() -> None:
    rows = _glossary_rows()
    assert len(rows) >= 40
    for row in rows:
        assert len(row) == 3, row
        term, identifier, explanation = row
        assert term and identifier and explanation, row


@pytest.mark.parametrize(
    ("term", "identifier"),
    [
        ("绩效自评报告", "Report"),
        ("项目单位", "project.unit"),
        ("主管部门", "project.department"),
        ("计划安排资金", "planned"),
        ("全年预算数", "budget"),
        ("实际到位资金", "arrived"),
        ("实际支出", "spent"),
        ("结余", "balance"),
        ("本年财政拨款", "fiscal"),
        ("上年结转", "carryover"),
        ("单位资金", "unit_funds"),
        ("会计凭证号", "voucher"),
        ("三级指标", "name"),
        ("实际完成值", "actual"),
        ("偏差原因", "note"),
        ("核心指标", "core"),
        ("佐证材料", "Attachment"),
        ("自评得分", "self_score"),
        ("综合得分", "total"),
        ("评价等次", "grade"),
        ("依据", "basis"),
        ("计算过程", "trace"),
        ("严重程度", "severity"),
        ("版式", "layout"),
        ("财预〔2020〕10号", "mof-2020"),
        ("偏离度", "JX302"),
    ],
)
def test_glossary_covers_term(term: str, identifier: str) -> None:
    assert any(row[0].startswith(term) and identifier in row[1] for row in _glossary_rows()), term


def _example_blocks() -> tuple[str, str]:
    text = _read("answers.md").split("## 完整示例", 1)[1]
    yaml_text = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    json_text = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert yaml_text and json_text
    return yaml_text[1], json_text[1]


def test_answers_example_scores_every_judgement_item() -> None:
    report = api.load_report(SEED)
    judgement = [leaf.name for leaf in load_system("yueyang-2020").leaves() if not leaf.rule.computed]
    yaml_text, json_text = _example_blocks()
    totals = []
    for answers in (yaml.safe_load(yaml_text), json.loads(json_text)):
        ev = api.evaluate(report, None, answers)
        answered = [i.path[-1] for i in ev.items if i.trace.startswith("复核")]
        assert sorted(answered) == sorted(judgement)
        totals.append(ev.total)
    assert totals[0] == totals[1]


# -- JSON outputs validate against the published schemas -----------------------------------------------
try:  # the real validator when the venv has it; otherwise the small one below (no extra dependency)
    import jsonschema
except ImportError:  # pragma: no cover - depends on the environment
    jsonschema = None

_SUPPORTED = {
    "$schema",
    "$defs",
    "$ref",
    "title",
    "description",
    "type",
    "const",
    "enum",
    "pattern",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "minimum",
    "anyOf",
}
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
}


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number"):
        kinds = (int,) if name == "integer" else (int, float)
        return isinstance(value, kinds) and not isinstance(value, bool)
    return isinstance(value, _TYPES[name])


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _mini_validate(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str) -> Iterator[str]:
    """The subset of draft 2020-12 that jixiao.schema uses; an unknown keyword is a test error."""
    unknown = set(schema) - _SUPPORTED
    assert not unknown, f"校验器不认识的关键字 {unknown}：请扩充 tests/test_docs.py 的 _mini_validate"
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        yield from _mini_validate(value, root["$defs"][ref.removeprefix("#/$defs/")], root, where)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, t) for t in types):
            yield f"{where}: {value!r} 不是 {types}"
            return
    if "const" in schema and not _same(value, schema["const"]):
        yield f"{where}: {value!r} ≠ {schema['const']!r}"
    if "enum" in schema and not any(_same(value, v) for v in schema["enum"]):
        yield f"{where}: {value!r} 不在 {schema['enum']}"
    if "anyOf" in schema and all(
        list(_mini_validate(value, branch, root, where)) for branch in schema["anyOf"]
    ):
        yield f"{where}: {value!r} 不符合 anyOf 的任何一项"
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value, re.ASCII):
        yield f"{where}: {value!r} 不匹配 {schema['pattern']}"
    if _is_type(value, "number") and "minimum" in schema and value < schema["minimum"]:
        yield f"{where}: {value!r} < {schema['minimum']}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                yield f"{where}: 缺少 {key}"
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                yield from _mini_validate(item, props[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                yield f"{where}: 多出的键 {key}"
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            yield f"{where}: 少于 {schema['minItems']} 项"
        if "items" in schema:
            for n, item in enumerate(value):
                yield from _mini_validate(item, schema["items"], root, f"{where}[{n}]")


def validation_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    if jsonschema is not None:
        validator_cls = jsonschema.Draft202012Validator
        validator_cls.check_schema(schema)
        errors = validator_cls(schema).iter_errors(instance)
        return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    return list(_mini_validate(instance, schema, schema, "$"))


def _schema_file(stem: str) -> dict[str, Any]:
    return json.loads((DOCS / "schema" / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed() -> tuple[Any, Any]:
    report = api.load_report(str(SEED))
    return report, api.evaluate(report)


def test_report_json_validates(seed: tuple[Any, Any]) -> None:
    report, _ = seed
    assert validation_errors(report_json(report), _schema_file("report")) == []


def test_evaluation_json_validates(seed: tuple[Any, Any]) -> None:
    report, ev = seed
    assert ev.findings, "种子报告应有问题，才能校验 finding 的结构"
    schema = _schema_file("evaluation")
    assert validation_errors(evaluation_json(ev, report), schema) == []
    assert validation_errors(evaluation_json(ev), schema) == []  # project/source only come with a report


def test_findings_json_validates(seed: tuple[Any, Any]) -> None:
    _, ev = seed
    assert validation_errors(findings_json(list(ev.findings)), _schema_file("findings")) == []


def test_evaluation_with_answers_validates(seed: tuple[Any, Any]) -> None:
    report, _ = seed
    ev = api.evaluate(report, None, yaml.safe_load(_example_blocks()[0]))
    assert validation_errors(evaluation_json(ev, report), _schema_file("evaluation")) == []


@pytest.mark.parametrize(
    ("command", "stem"), [("import", "report"), ("score", "evaluation"), ("check", "findings")]
)
def test_cli_json_validates(command: str, stem: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main([command, str(SEED), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert validation_errors(document, _schema_file(stem)) == []


def test_schemas_reject_what_the_contract_forbids(seed: tuple[Any, Any]) -> None:
    report, ev = seed
    schema = _schema_file("report")
    good = report_json(report)

    as_float = copy.deepcopy(good)
    as_float["funds"]["rows"][0]["planned"] = 152.0
    assert validation_errors(as_float, schema)

    bad_text = copy.deepcopy(good)
    bad_text["funds"]["rows"][0]["spent"] = "42万"
    assert validation_errors(bad_text, schema)

    missing = copy.deepcopy(good)
    del missing["project"]["manager"]
    assert validation_errors(missing, schema)

    extra = copy.deepcopy(good)
    extra["project"]["surprise"] = 1
    assert validation_errors(extra, schema)

    bad_op = copy.deepcopy(good)
    bad_op["indicators"][0]["target"]["op"] = "≥"
    assert validation_errors(bad_op, schema)

    doc = evaluation_json(ev, report)
    bad_basis = copy.deepcopy(doc)
    bad_basis["items"][0]["basis"] = "guess"
    assert validation_errors(bad_basis, _schema_file("evaluation"))

    bad_severity = findings_json(list(ev.findings))
    bad_severity["findings"][0]["severity"] = "fatal"
    assert validation_errors(bad_severity, _schema_file("findings"))

    null_total = copy.deepcopy(doc)
    null_total["total"] = None
    assert validation_errors(null_total, _schema_file("evaluation"))
