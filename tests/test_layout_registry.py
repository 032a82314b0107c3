"""The layout registry: every layout is a spec file; adding a spec file adds a layout; bad specs say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.io.layouts import LAYOUTS, generic_layout
from jixiao.io.layouts.spec import BUILTIN, ENV_DIR, SpecError, load_spec

SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"
BUILTIN_IDS = [
    "yueyang-2-2",
    "mof-2020",
    "transfer-2020",
    "department-2020",
    "provincial-2020",
    "fourblock-2020",
]


def test_every_builtin_layout_is_a_spec_file_in_detection_order():
    assert list(LAYOUTS) == BUILTIN_IDS
    for layout_id in BUILTIN_IDS:
        layout = LAYOUTS[layout_id]
        assert layout.LAYOUT == layout_id == layout.spec.id
        assert Path(layout.spec.file) == BUILTIN / f"{layout_id}.yaml"
        assert layout.spec.evidence, layout_id
    assert "nope" not in LAYOUTS
    assert LAYOUTS["generic"] is generic_layout()


def test_a_spec_file_in_the_layouts_folder_adds_a_layout(tmp_path, monkeypatch):
    (tmp_path / "county-2023.yaml").write_text(
        "id: county-2023\nname: 某县项目绩效自评表\nsystem: mof-2020\norder: 5\n"
        "detect:\n  - {title: 某县项目绩效自评表, points: 80}\n"
        "vocabulary:\n  fund_columns:\n    spent: [当年支出]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(ENV_DIR, str(tmp_path))
    assert next(iter(LAYOUTS)) == "county-2023"
    spec = LAYOUTS["county-2023"].spec
    spent = spec.vocabulary.section("fund_columns")["spent"]
    assert spent[0] == "当年支出" and "全年执行数" in spent  # its own words first, then the shared ones
    assert spec.vocabulary.section("fund_columns")["planned"][0] == "年初预算数"  # the rest is shared


@pytest.mark.parametrize(
    ("text", "place", "words"),
    [
        ("id: x\nname: X\nsystem: mof-2020\n", "id", "文件名"),
        ("id: bad\nname: X\n", "system", "缺少"),
        ("id: bad\nname: X\nsystem: mof-2020\ncolour: red\n", "顶层", "colour"),
        ("id: bad\nname: X\nsystem: mof-2020\ndetect:\n  - {word: 年初, pts: 3}\n", "detect 第 1 项", "pts"),
        ("id: bad\nname: X\nsystem: mof-2020\nhooks: [magic]\n", "hooks", "magic"),
        ("id: bad\nname: X\nsystem: mof-2020\nvocabulary:\n  colours: {}\n", "vocabulary", "colours"),
        ("id: bad\nname: [X\n", "第 3 行", "YAML"),
    ],
)
def test_a_bad_spec_names_the_file_the_place_and_the_fix(tmp_path, text, place, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    error = caught.value
    assert error.file == str(path) and error.place == place and error.fix
    assert words in error.message


def test_the_seed_is_detected_as_yueyang_with_its_evidence():
    from jixiao.io.importers import read_cells
    from jixiao.io.layouts import detection

    cells, _ = read_cells(SEED)
    (best, score, hits), *rest = detection(cells)
    assert (best.LAYOUT, score) == ("yueyang-2-2", 100)
    assert [h.evidence.kind for h in hits if h.found][:2] == ["word", "starts"]
    assert all(other_score < 100 for _, other_score, _ in rest)
