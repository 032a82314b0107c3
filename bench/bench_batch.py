"""Benchmark of ``jixiao batch``: generate 2,000 reports (mostly .docx), score them with 2 jobs, report files/s.

    python bench/bench_batch.py [--files 2000] [--jobs 2] [--seed 2019] [--profile] [--no-record]

Appends the numbers to docs/benchmarks.md under "## jixiao batch". ``--profile`` also runs cProfile on
jobs=1 over the same files and prints the hottest functions (the pool hides them from the profiler).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_reports import generate

from jixiao.batch import BatchResult, run_batch
from jixiao.batch.workbook import write_workbook

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## jixiao batch"
INTRO = "# 基准测试\n\n各项性能基准的实测结果（`bench/` 下的脚本生成，追加记录，不是计时测试）。\n"
TARGET = 100  # .docx files per second with 2 jobs


def timed_batch(folder: Path, out: Path, jobs: int, restart: bool = True) -> tuple[float, BatchResult]:
    started = time.perf_counter()
    result = run_batch(
        folder, out, jobs=jobs, layout="auto", system=None, restart=restart, progress=io.StringIO()
    )
    return time.perf_counter() - started, result


def profile(folder: Path, out: Path) -> str:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    run_batch(folder, out, jobs=1, layout="auto", system=None, restart=True, progress=io.StringIO())
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
    text.write("\n--- by own time ---\n")
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(20)
    return text.getvalue()


def record(lines: list[str]) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else INTRO
    if HEADING not in text:
        text = (
            text.rstrip("\n")
            + f"\n\n{HEADING}\n\n`python bench/bench_batch.py`：生成 2000 份报告（多数为 .docx，"
        )
        text += "夹杂文本和少量损坏文件），用 `run_batch(jobs=2)` 读取、复算、写复核汇总表。\n"
    # new results go at the end of this section, before the next heading written by others
    start = text.index(HEADING)
    nxt = text.find("\n## ", start + len(HEADING))
    head = text if nxt == -1 else text[:nxt]
    head = head.rstrip("\n") + ("\n" if head.rstrip("\n").rsplit("\n", 1)[-1].startswith("- ") else "\n\n")
    text = head + "\n".join(lines) + "\n" + ("" if nxt == -1 else text[nxt:])
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="jixiao batch 基准测试")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--profile", action="store_true", help="另用 jobs=1 跑一遍 cProfile，打印热点")
    parser.add_argument("--no-record", action="store_true", help="不写入 docs/benchmarks.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        folder, out = Path(tmp) / "reports", Path(tmp) / "review.xlsx"
        started = time.perf_counter()
        counts = generate(args.files, folder, args.seed)
        generated = time.perf_counter() - started
        print(f"生成 {args.files} 个文件用时 {generated:.1f} 秒：{counts}")

        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        seconds, result = timed_batch(folder, out, args.jobs)
        rate = result.files / seconds
        started = time.perf_counter()
        write_workbook(out, result.outcomes)
        workbook = time.perf_counter() - started
        docx = counts.get("docx", 0)
        print(
            f"jobs={args.jobs}: {result.files} 个文件，{len(result.reports)} 份报告，失败 {len(result.failed)}，"
            f"{seconds:.2f} 秒（其中写汇总表约 {workbook:.2f} 秒），{rate:.1f} 个/秒；目标 ≥ {TARGET} 个 .docx/秒"
        )
        rerun, resumed = timed_batch(folder, out, args.jobs, restart=False)
        print(f"不改动文件重跑（全部沿用 state）：{rerun:.2f} 秒，沿用 {resumed.reused} 个")

        if args.profile:
            print(profile(folder, out))

    if not args.no_record:
        cpu = os.cpu_count()
        record(
            [
                f"- {date.today().isoformat()}，{platform.python_implementation()} {platform.python_version()}，"
                f"{cpu} 核（开始时 1 分钟负载 {load:.2f}），jobs={args.jobs}：{result.files} 个文件（岳阳 .docx {docx}、文本 {counts.get('text', 0)}、"
                f"其他版式 {counts.get('family', 0)}、损坏 {sum(counts.get(k, 0) for k in ('empty', 'truncated', 'random'))}），"
                f"{len(result.reports)} 份报告，"
                f"用时 {seconds:.2f} 秒（其中写汇总表约 {workbook:.2f} 秒），**{rate:.1f} 个/秒**（目标 ≥ {TARGET}）；"
                f"无改动重跑 {rerun:.2f} 秒。",
            ]
        )
        print(f"已记入 {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
