"""Per-file .docx import time against docx2python's plain text extraction of the same file, side by side.

Target (issue: documents): jixiao's full import (read + layout + parse into a Report) ≤ 1.0× docx2python's
plain text extraction. Run: .venv/bin/python bench/bench_docx.py [--n 200] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import update_section

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "samples" / "yueyang-2-2-egov-cloud.docx"


def per_file_ms(fn, n: int) -> float:
    fn()  # warm
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - start) / n * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from docx2python import docx2python

    from jixiao import api

    def baseline():
        with docx2python(SAMPLE) as doc:
            return doc.text

    ours = per_file_ms(lambda: api.load_report(SAMPLE), args.n)
    theirs = per_file_ms(baseline, args.n)
    ratio = ours / theirs
    body = (
        "`bench/bench_docx.py`：同一次运行中交替测量，按 CPU 时间（三次取最好）。jixiao 的时间包括读取、版式识别和解析成 "
        "`Report` 的全过程；docx2python 只是提取纯文本。\n\n"
        "| 样例 | jixiao 导入 | docx2python 提取文本 | 比值 | 目标 |\n|---|---|---|---|---|\n"
        f"| {SAMPLE.name} | {ours:.2f} ms | {theirs:.2f} ms | {ratio:.2f}× | ≤ 1.0× |"
    )
    print(body)
    if not args.no_write:
        update_section("Word（.docx）单文件导入", body)


if __name__ == "__main__":
    main()
