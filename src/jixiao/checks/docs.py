"""docs/checks.md, generated from the code table (registry.CODES) and the thresholds (CheckConfig).

Run ``python -m jixiao.checks.docs`` to write the file, ``python -m jixiao.checks.docs --check`` to
exit 1 when the file on disk differs from what the code says. A test keeps the two equal.
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from collections.abc import Sequence
from dataclasses import MISSING, fields
from decimal import Decimal
from pathlib import Path

from jixiao.checks.context import CheckConfig
from jixiao.checks.registry import CODES, CodeDoc
from jixiao.labels import SEVERITY_ZH

DOC_PATH = Path(__file__).parents[3] / "docs" / "checks.md"


# What each CheckConfig field means. A field missing here falls back to the comment on its line in
# context.py, so a new threshold is never left out of the page (the test also checks every field is listed).
CONFIG_MEANINGS = {
    "execution_min": "预算执行率下限（%）：实际支出/全年预算低于它时给出 JX201",
    "arrival_min": "资金到位率下限（%）：实际到位/计划安排低于它时给出 JX202",
    "overachievement": "超额完成阈值（%）：实际完成值达到目标值的这个百分比及以上时给出 JX302",
    "high_score_gap": "高分低支出的差距（百分点）：绩效指标得分率比预算执行率高出超过它时给出 JX203",
    "rate_tolerance": "执行率容差（百分点）：表中填报的执行率与计算值相差超过它时给出 JX105",
    "amount_tolerance": "金额容差（按资金表的单位，万元或元）：JX101–JX104 的算术差超过它才报告",
    "score_tolerance": "分数容差（分）：JX401、JX404 的差超过它才报告",
    "disabled": "停用的编号列表，如 `[JX306]`：这些编号的问题不再报告",
}


def _source_comments() -> dict[str, str]:
    """The trailing comment of each field line in CheckConfig's source (fallback meanings)."""
    try:
        source = inspect.getsource(CheckConfig)
    except (OSError, TypeError):
        return {}
    out = {}
    for match in re.finditer(r"^\s+(\w+):[^#\n]*#\s*(.+)$", source, re.MULTILINE):
        out[match[1]] = match[2].strip()
    return out


def _default_text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    if isinstance(value, frozenset | set | list | tuple):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    return str(value)


def config_rows() -> list[tuple[str, str, str]]:
    """(field, default as YAML would write it, meaning) for every CheckConfig field, in order."""
    comments = _source_comments()
    rows = []
    for f in fields(CheckConfig):
        if f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:  # pragma: no cover - every threshold has a default
            default = ""
        meaning = CONFIG_MEANINGS.get(f.name) or comments.get(f.name, "")
        rows.append((f.name, _default_text(default), meaning))
    return rows


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _intro() -> list[str]:
    defaults = {name: default for name, default, _ in config_rows()}
    lines = [
        "# 检查编号（问题清单）",
        "",
        "<!-- 本文件由 `python -m jixiao.checks.docs` 从 src/jixiao/checks/registry.py 生成，请勿手工修改。 -->",
        "",
        "jixiao 读入自评报告、复算得分之后运行全部检查。检查发现的每一个问题（finding）包含：",
        "",
        "- **编号**（code）：如 `JX101`，一个编号的含义永远不变；停用的检查保留编号，不会挪作他用；",
        "- **严重程度**（severity）：`error` 错误（必须改正，数据自相矛盾或得分不成立）、"
        "`warning` 警告（需要说明或核实）、`info` 提示（建议改进）；",
        "- **位置**（where）：`文件:行号:报告内路径`，如 `seed.txt:162:indicators[5]`、`funds[合计].spent`、"
        "`items[项目绩效/项目产出/产出时效]`；JSON 中另有 `location: {file, path, line, cell}`；",
        "- **说明**（message）：一句中文，写明数据、算式和应当怎样改。",
        "",
        "`jixiao check FILE` 像 linter 一样逐行列出问题，末行汇总各严重程度的条数；`--json` 输出 "
        '`{"schema": "jixiao.findings/1", "findings": [...]}`。退出码：**0** 没有“错误”级问题'
        "（可能仍有警告和提示）；**1** 至少有一条“错误”级问题；**2** 报告无法读取（标准错误输出写明文件、位置和处理办法）。"
        "`jixiao score` 运行同样的检查，问题列在评分表之后。",
        "",
        "## 调整阈值",
        "",
        "阈值可以用 `--config FILE`（YAML 或 JSON）调整，`jixiao score` 和 `jixiao check` 都接受：",
        "",
        "```yaml",
        "checks:",
        f"  execution_min: 85      # 默认 {defaults.get('execution_min', '')}",
        f"  overachievement: 150   # 默认 {defaults.get('overachievement', '')}",
        f"  high_score_gap: 5      # 默认 {defaults.get('high_score_gap', '')}",
        "  disabled: [JX306]      # 不再报告 JX306",
        "```",
        "",
        "```bash",
        "jixiao check report.txt --config checks.yaml",
        "```",
        "",
        "只写要改的项，其余用默认值；顶层的 `checks:` 可以省略。写了未知的项会报错并列出可用的项。可用的项：",
        "",
        "| 项 | 默认值 | 含义 |",
        "|---|---|---|",
    ]
    for name, default, meaning in config_rows():
        lines.append(f"| `{name}` | `{_cell(default)}` | {_cell(meaning)} |")
    lines += [
        "",
        "百分比阈值写百分数的数值（`85` 表示 85%），不写 `%`。",
        "",
    ]
    return lines


def _summary() -> list[str]:
    lines = ["## 一览", "", "| 编号 | 严重程度 | 一句话 |", "|---|---|---|"]
    for doc in CODES.values():
        title = doc.title + ("（已停用）" if doc.status == "removed" else "")
        lines.append(f"| [{doc.code}](#{doc.code.lower()}) | {SEVERITY_ZH[doc.severity]} | {_cell(title)} |")
    lines.append("")
    return lines


def render_code(doc: CodeDoc) -> list[str]:
    """One code's section in the fixed form."""
    lines = [
        f'<a id="{doc.code.lower()}"></a>',
        "",
        f"## {doc.code} {doc.title}",
        "",
        f"- **检查内容**：{doc.what}",
        f"- **原因**：{doc.why}",
        f"- **错误示例**：{doc.bad}",
        f"- **正确示例**：{doc.good}",
        f"- **依据**：{doc.basis}",
        f"- **严重程度**：{SEVERITY_ZH[doc.severity]}（`{doc.severity}`）",
        f"- **自版本**：{doc.since}",
    ]
    if doc.status != "active":
        lines.append("- **状态**：已停用（编号保留，不再报告，也不会另作他用）")
    lines.append("")
    return lines


def render_checks_markdown() -> str:
    """The whole of docs/checks.md."""
    lines = _intro() + _summary()
    for doc in CODES.values():
        lines += render_code(doc)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jixiao.checks.docs", description="由编号表生成 docs/checks.md"
    )
    parser.add_argument("--check", action="store_true", help="只比较：文件与生成结果不同时退出码为 1")
    parser.add_argument("--out", type=Path, default=DOC_PATH, help=f"输出文件（默认 {DOC_PATH}）")
    args = parser.parse_args(argv)
    text = render_checks_markdown()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
        if current != text:
            print(f"{args.out} 与编号表不一致；运行 python -m jixiao.checks.docs 重新生成", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"已写入 {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
