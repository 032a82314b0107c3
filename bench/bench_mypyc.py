"""Would compiling the core with mypyc reach the core's throughput target? An experiment, not a build step.

Copies src/ to a temporary folder, compiles the modules that import + score + check of the seed run
through (text import, the Yueyang layout, quantities, scoring, checks, the records) with mypyc, and
measures reports/s against the interpreted code, in alternating subprocesses on the same machine.
Two compiled variants:

- "as written": ``@record`` classes stay ordinary Python classes (mypyc compiles only classes it knows);
- "native records": ``@record`` swapped for a plain (mutable) ``@dataclass`` so mypyc makes them C
  structs. That drops the records' runtime immutability, so it is an upper bound, not something to ship.

The code is not mypy-clean (Optional fields narrowed by control flow mypy does not follow), so the
experiment turns those error codes off; mypyc then checks the types at run time instead.

Run: .venv/bin/pip install mypy && .venv/bin/python bench/bench_mypyc.py [--n 1000] [--no-write]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import update_section

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "data" / "seed-yueyang-2019.txt"

MODULES = [
    "jixiao/domain/records.py",
    "jixiao/systems/model.py",
    "jixiao/quantity.py",
    "jixiao/numbers.py",
    "jixiao/labels.py",
    "jixiao/io/cells.py",
    "jixiao/io/importers/text.py",
    "jixiao/io/layouts/common.py",
    "jixiao/io/layouts/yueyang.py",
    "jixiao/scoring/engine.py",
    "jixiao/scoring/rules.py",
    "jixiao/scoring/completion.py",
    "jixiao/checks/__init__.py",
    "jixiao/checks/context.py",
    "jixiao/checks/evidence.py",
    "jixiao/checks/execution.py",
    "jixiao/checks/fields.py",
    "jixiao/checks/funds.py",
    "jixiao/checks/indicators.py",
    "jixiao/checks/scores.py",
]
RECORD_MODULES = [
    "jixiao/domain/records.py",
    "jixiao/checks/context.py",
    "jixiao/systems/model.py",
    "jixiao/scoring/rules.py",
    "jixiao/scoring/completion.py",
]
MYPY_INI = """[mypy]
ignore_missing_imports = True
disable_error_code = union-attr, operator, arg-type, dict-item, var-annotated, type-var, misc, assignment,
    return-value, index, call-overload, attr-defined, has-type, call-arg, list-item, override, no-redef
"""
RATE = """
import sys, time
from jixiao import api
seed = sys.argv[1]
api.evaluate(api.load_report(seed))
best = 0.0
for _ in range(3):
    start = time.process_time()
    for _ in range(int(sys.argv[2])):
        api.evaluate(api.load_report(seed))
    best = max(best, int(sys.argv[2]) / (time.process_time() - start))
evaluation = api.evaluate(api.load_report(seed))
import jixiao.quantity
print(best, evaluation.total, len(evaluation.findings), jixiao.quantity.__file__.endswith(".so"))
"""


def prepare(target: Path, native_records: bool) -> Path:
    src = target / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    cells = src / "jixiao/io/cells.py"
    # Cell subclasses a NamedTuple: mypyc compiles it only as an ordinary Python class
    cells.write_text(
        cells.read_text(encoding="utf-8").replace(
            "class Cell(_CellFields):",
            "from mypy_extensions import mypyc_attr\n\n\n@mypyc_attr(native_class=False)\nclass Cell(_CellFields):",
        ),
        encoding="utf-8",
    )
    if native_records:
        for name in RECORD_MODULES:
            path = src / name
            text = path.read_text(encoding="utf-8")
            text = text.replace("from jixiao.domain.record import record\n", "")
            text = re.sub(r"^@record$", "@dataclass", text, flags=re.M)
            text = text.replace(
                "from __future__ import annotations\n",
                "from __future__ import annotations\n\nfrom dataclasses import dataclass\n",
                1,
            )
            path.write_text(text, encoding="utf-8")
    (target / "mypy.ini").write_text(MYPY_INI, encoding="utf-8")
    mypyc = Path(sys.executable).with_name("mypyc")
    done = subprocess.run(
        [str(mypyc), "--config-file", str(target / "mypy.ini"), *MODULES],
        cwd=src,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"mypyc failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return src


def rate(src: Path, n: int, compiled: bool) -> tuple[float, str]:
    out = subprocess.run(
        [sys.executable, "-c", RATE, str(SEED), str(n)],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if (out[3] == "True") != compiled:
        sys.exit(f"{src}: expected {'compiled' if compiled else 'interpreted'} modules, got the other")
    return float(out[0]), f"{out[1]} / {out[2]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if shutil.which("mypyc", path=str(Path(sys.executable).parent)) is None:
        sys.exit("需要 mypyc：.venv/bin/pip install mypy")
    with tempfile.TemporaryDirectory(prefix="jixiao-mypyc-") as tmp:
        variants = {
            "解释执行（现状）": ROOT / "src",
            "mypyc 编译，记录类照旧": prepare(Path(tmp) / "as-written", native_records=False),
            "mypyc 编译，记录类改为原生类（上限）": prepare(Path(tmp) / "native", native_records=True),
        }
        best: dict[str, float] = dict.fromkeys(variants, 0.0)
        results: dict[str, str] = {}
        for _ in range(args.rounds):  # alternate, so a slow spell of the machine hits every variant
            for label, src in variants.items():
                value, result = rate(src, args.n, compiled=src != ROOT / "src")
                best[label] = max(best[label], value)
                results[label] = result
    base = best["解释执行（现状）"]
    lines = ["| 代码 | 导入 + 复算 + 检查 | 相对现状 | 结果（总分 / 问题数） |", "|---|---|---|---|"]
    lines += [
        f"| {label} | {value:.0f} 份/秒 | {value / base:.2f}× | {results[label]} |"
        for label, value in best.items()
    ]
    body = (
        "`bench/bench_mypyc.py`：把导入 + 复算 + 检查种子报告经过的 20 个模块用 mypyc 编译成 C 扩展，"
        "与解释执行的同一份代码在同一台机器上轮流测量（各取最好）。这是试验，不是构建步骤。\n\n"
        + "\n".join(lines)
    )
    print(body)
    if not args.no_write:
        update_section("核心：编译试验（mypyc）", body)


if __name__ == "__main__":
    main()
