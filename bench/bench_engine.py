"""The forms engine against the code it replaced, side by side in one run: per-file .docx import time
(against docx2python's text extraction too) and ``jixiao batch`` files per second.

    python bench/bench_engine.py [--ref COMMIT] [--files 2000] [--rounds 3] [--no-write]

``--ref`` is the commit to compare with (default: the last commit before the engine, 37f031c); it is
checked out into a temporary git worktree and run from there with the same interpreter. Each figure is
taken for both in turn (A B A B …) and the median of the rounds is quoted, so a machine's drift hits both.
Targets (issue #10): .docx import ≤ 0.1× docx2python; batch files/s ≥ 0.9× the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
from _report import update_section  # noqa: E402

REFERENCE = "37f031c"

# Runs inside a child interpreter whose PYTHONPATH is one checkout's src: prints a JSON result.
DOCX_PROBE = r"""
import json, sys, time
from pathlib import Path
from jixiao import api
files, n = [Path(p) for p in sys.argv[1].split("|")], int(sys.argv[2])
out = {}
for f in files:
    api.load_reports(f)
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(n):
            api.load_reports(f)
        best = min(best, (time.process_time() - start) / n * 1000)
    out[f.name] = best
print(json.dumps(out))
"""
BATCH_PROBE = r"""
import io, json, sys, time
from pathlib import Path
from jixiao.batch import run_batch
folder, out = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
result = run_batch(folder, out, jobs=2, layout="auto", system=None, restart=True, progress=io.StringIO())
print(json.dumps({"seconds": time.perf_counter() - start, "files": len(result.outcomes)}))
"""
DOCX2PYTHON_PROBE = r"""
import json, sys, time
from pathlib import Path
from docx2python import docx2python
files, n = [Path(p) for p in sys.argv[1].split("|")], int(sys.argv[2])
out = {}
for f in files:
    docx2python(f).text
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(n):
            docx2python(f).text
        best = min(best, (time.process_time() - start) / n * 1000)
    out[f.name] = best
print(json.dumps(out))
"""


def run_probe(code: str, src: Path, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=src.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def docx_files(base: Path) -> list[Path]:
    """The sample Yueyang .docx and one .docx of each grid family (from the fixtures' data)."""
    from fixtures.forms_mof import FAMILIES
    from fixtures.forms_mof import write_docx as write_mof
    from fixtures.forms_provincial import AGRICULTURE, PROVINCIAL_PROJECTS
    from fixtures.forms_provincial import write_docx as write_provincial

    base.mkdir(parents=True, exist_ok=True)
    files = [ROOT / "tests" / "data" / "samples" / "yueyang-2-2-egov-cloud.docx"]
    for family, forms in FAMILIES.items():
        files.append(write_mof(forms[:1], base / f"{family}.docx"))
    files.append(write_provincial(PROVINCIAL_PROJECTS[:1], base / "provincial-2020.docx"))
    files.append(write_provincial([AGRICULTURE], base / "fourblock-2020.docx"))
    return files


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ref", default=REFERENCE)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=50, help="imports per timing of one .docx")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from generate_reports import generate

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-engine-") as tmp_name:
        tmp = Path(tmp_name)
        ref = tmp / "ref"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(ref), args.ref],
            check=True,
            capture_output=True,
        )
        try:
            files = docx_files(tmp / "docx")
            joined = "|".join(str(f) for f in files)
            new_docx, old_docx, d2p = [], [], []
            for _ in range(args.rounds):
                new_docx.append(run_probe(DOCX_PROBE, ROOT / "src", joined, str(args.n)))
                old_docx.append(run_probe(DOCX_PROBE, ref / "src", joined, str(args.n)))
                d2p.append(run_probe(DOCX2PYTHON_PROBE, ROOT / "src", joined, str(max(5, args.n // 10))))
            folder = tmp / "batch"
            generate(args.files, folder, seed=2019)
            new_batch, old_batch = [], []
            for _ in range(args.rounds):
                new_batch.append(run_probe(BATCH_PROBE, ROOT / "src", str(folder), str(tmp / "new.xlsx")))
                old_batch.append(run_probe(BATCH_PROBE, ref / "src", str(folder), str(tmp / "old.xlsx")))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(ref)], capture_output=True
            )

    def median(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    rows = []
    for f in files:
        new, old, text = median(new_docx, f.name), median(old_docx, f.name), median(d2p, f.name)
        rows.append((f.name, new, old, text))
    new_rate = statistics.median(r["files"] / r["seconds"] for r in new_batch)
    old_rate = statistics.median(r["files"] / r["seconds"] for r in old_batch)
    lines = [
        f"对照提交 {args.ref}（git worktree），每项 {args.rounds} 轮交替测量取中位数；.docx 为 CPU 时间（每轮三次取最好）。",
        "",
        "| .docx | 新引擎 | 旧代码 | docx2python 提取文本 | 新/docx2python | 目标 |",
        "|---|---|---|---|---|---|",
    ]
    for name, new, old, text in rows:
        lines.append(f"| {name} | {new:.2f} ms | {old:.2f} ms | {text:.2f} ms | {new / text:.3f}× | ≤ 0.1× |")
    lines += [
        "",
        f"`jixiao batch`（{args.files} 个文件，jobs=2）：新引擎 **{new_rate:.1f} 个/秒**，旧代码 {old_rate:.1f} 个/秒，"
        f"比值 **{new_rate / old_rate:.2f}×**（目标 ≥ 0.9×）。",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        update_section("版式引擎：新旧对照", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
