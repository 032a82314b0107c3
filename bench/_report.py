"""Write a benchmark's results into its own section of docs/benchmarks.md (other sections are kept)."""

from __future__ import annotations

import platform
import re
from datetime import date
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
INTRO = (
    "# 基准测试\n\n"
    "性能目标写在这里，不写进计时测试。每一节由 `bench/` 下对应的脚本生成，重新运行脚本即更新该节。\n"
)


def machine() -> str:
    import os

    return f"{platform.python_implementation()} {platform.python_version()}，{os.cpu_count()} 核，{platform.machine()}"


def update_section(heading: str, body: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else INTRO
    section = f"## {heading}\n\n_{date.today().isoformat()}，{machine()}_\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    DOC.write_text(text.rstrip() + "\n", encoding="utf-8")
