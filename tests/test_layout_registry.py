"""The layout registry: ids match their modules, modules load only when needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jixiao.io.layouts import LAYOUT_MODULES, LAYOUTS, layout_module

SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"


def test_every_registered_id_is_its_modules_layout():
    for layout in LAYOUT_MODULES:
        module = layout_module(layout)
        assert layout == module.LAYOUT
        assert callable(module.detect) and callable(module.parse_all)
        assert LAYOUTS[layout] is module
    assert list(LAYOUTS) == list(LAYOUT_MODULES) and "nope" not in LAYOUTS


def test_reading_a_yueyang_report_loads_no_other_family():
    code = (
        "import sys; from jixiao import api; api.load_report(sys.argv[1]);"
        "print(sorted(m for m in sys.modules if m.startswith('jixiao.io.layouts.')))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(SEED)], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip()
    assert "jixiao.io.layouts.yueyang" in loaded
    for other in ("mof", "transfer", "department", "provincial", "fourblock"):
        assert f"jixiao.io.layouts.{other}'" not in loaded
