"""Golden outputs: import + score + check of every generated family file, the samples and the seed, compared
with the committed outputs in tests/golden/expected/. A change of output must be a named fix: rerun with
JIXIAO_GOLDEN_UPDATE=1 to rewrite them, and say in the commit what changed and why."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from golden.inputs import golden_inputs
from jixiao import api
from jixiao.errors import JixiaoError
from jixiao.serialize import evaluation_json, report_json

EXPECTED = Path(__file__).parent / "golden" / "expected"
UPDATE = os.environ.get("JIXIAO_GOLDEN_UPDATE") == "1"


def outcome(path: Path) -> dict:
    """What jixiao makes of a file, with the temporary directory taken out of every file name."""
    try:
        reports = api.load_reports(path)
    except JixiaoError as exc:
        return {"error": exc.message, "place": exc.place}
    out = []
    for report in reports:
        evaluation = api.evaluate(report)
        out.append({"report": report_json(report), "evaluation": evaluation_json(evaluation)})
    text = json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True)
    return json.loads(text.replace(str(path.parent) + "/", ""))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    return golden_inputs(tmp_path_factory.mktemp("golden"))


def test_every_input_gives_its_committed_output(inputs):
    changed = []
    for name, path in inputs.items():
        got = outcome(path)
        expected_file = EXPECTED / f"{name}.json"
        if UPDATE:
            EXPECTED.mkdir(parents=True, exist_ok=True)
            expected_file.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
            continue
        assert expected_file.exists(), f"no committed output for {name}: run with JIXIAO_GOLDEN_UPDATE=1"
        if json.loads(expected_file.read_text()) != got:
            changed.append(name)
    assert not changed, f"output changed for: {', '.join(changed)}"


def test_no_committed_output_is_orphaned(inputs):
    names = {p.name.removesuffix(".json") for p in EXPECTED.glob("*.json")}
    assert names == set(inputs)
