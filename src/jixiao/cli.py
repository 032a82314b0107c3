"""Command line: thin commands over jixiao.api. Errors become one clean message in ``main``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from jixiao import __version__
from jixiao.errors import AnswersError, JixiaoError
from jixiao.labels import BASIS_ZH, SEVERITY_ZH


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jixiao", description="财政支出项目绩效自评：读取、复算、检查")
    parser.add_argument("--version", action="version", version=f"jixiao {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text)

    p = add("import", "读取一份报告并显示读到的内容")
    p.add_argument("file")
    p.add_argument("--layout", default="auto", help="版式（默认自动识别）")
    p.add_argument(
        "--explain-layout", action="store_true", help="列出每种版式的得分和依据（为什么识别成这种版式）"
    )
    p.add_argument("--json", action="store_true", help="输出 JSON（jixiao.report/1）")

    for name, text in (
        ("score", "复算每一项得分并运行全部检查"),
        ("check", "只列出发现的问题（像 linter 一样）"),
    ):
        p = add(name, text)
        p.add_argument("file")
        p.add_argument("--layout", default="auto", help="版式（默认自动识别）")
        p.add_argument("--system", help="指标体系编号（默认由版式决定）")
        p.add_argument("--answers", help="复核答案文件（YAML/JSON）")
        p.add_argument("--config", help="检查阈值配置文件（YAML/JSON）")
        p.add_argument("--json", action="store_true", help="输出 JSON")

    p = add("export", "复算后把报告写成 Word / Excel / PDF / JSON")
    p.add_argument("file")
    p.add_argument("--to", required=True, metavar="OUT", help="输出文件：.docx / .xlsx / .pdf / .json")
    p.add_argument("--layout", default="auto", help="版式（默认自动识别）")
    p.add_argument("--system", help="指标体系编号（默认由版式决定）")
    p.add_argument("--answers", help="复核答案文件（YAML/JSON）")

    p = add("batch", "批量读取并复算一个文件夹里的全部报告，写出复核汇总表")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--out", required=True, metavar="REVIEW.xlsx", help="复核汇总表（.xlsx）")
    p.add_argument("--jobs", type=int, default=0, help="并行进程数（默认为 CPU 核数）")
    p.add_argument("--layout", default="auto", help="版式（默认每个文件自动识别）")
    p.add_argument("--system", help="指标体系编号（默认由版式决定）")
    p.add_argument("--json", action="store_true", help="结束时输出 JSON 汇总")
    p.add_argument(
        "--restart",
        action="store_true",
        help="忽略进度文件 REVIEW.xlsx.state.jsonl 全部重做（该文件完成后也保留：重跑只处理新增、改动和失败的文件）",
    )

    p = add("systems", "列出可用的指标体系")
    p.add_argument("--json", action="store_true")

    from jixiao import cli_admin

    cli_admin.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command not in COMMANDS:
            from jixiao import cli_admin

            return cli_admin.COMMANDS[args.command](args)
        return COMMANDS[args.command](args)
    except JixiaoError as exc:
        if isinstance(exc, AnswersError) and getattr(args, "answers", None):
            exc.file = exc.file or args.answers
        elif getattr(args, "file", None) and not exc.file:
            exc.file = args.file
        print(f"jixiao: {exc.render()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("jixiao: 已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug in jixiao, not in the user's file: no traceback, a clear note
        where = getattr(args, "file", "")
        print(
            f"jixiao: 内部错误（{type(exc).__name__}: {exc}）处理 {where} 时发生。"
            "这是 jixiao 的缺陷，请把该文件和此消息发给维护者。",
            file=sys.stderr,
        )
        return 70


# -- commands ------------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from jixiao import api
    from jixiao.serialize import report_json

    if args.explain_layout:
        explained = api.explain_layout(args.file)
        if args.json:
            _print_json(explained)
        else:
            print(render_explanation(explained))
        return 0
    reports = api.load_reports(args.file, args.layout)
    if args.json:
        _print_json([report_json(r) for r in reports])
    else:
        for report in reports:
            print(render_report(report))
    return 0


def render_explanation(explained: dict[str, Any]) -> str:
    chosen = explained["chosen"]
    head = {
        None: "不像绩效自评报告（找不到任何可识别的栏目）",
        "generic": "没有版式达到门槛，按通用方式读取",
    }.get(chosen, f"识别为 {chosen}")
    lines = [f"{explained['file']}：{head}（门槛 {explained['threshold']} 分）", ""]
    for layout in explained["layouts"]:
        mark = "→" if layout["id"] == chosen else " "
        lines.append(f"{mark} {layout['id']:<18} {layout['score']:>3} 分  {layout['name']}")
        for hit in layout["evidence"]:
            sign = "✓" if hit["found"] else "·"
            points = f"{hit['points']:+d}" if hit["found"] else ""
            against = "（别的版式的特征）" if hit["weight"] < 0 else ""
            lines.append(f"      {sign} {hit['what']}{against} {points}".rstrip())
    return "\n".join(lines)


def _evaluate_all(args: argparse.Namespace) -> list[tuple[Any, Any]]:
    from jixiao import api

    reports = api.load_reports(args.file, args.layout)
    answers = api.load_answers(args.answers) if args.answers else None
    config = api.load_config(args.config) if args.config else None
    return [(r, api.evaluate(r, args.system, answers, config)) for r in reports]


def cmd_score(args: argparse.Namespace) -> int:
    from jixiao.serialize import evaluation_json

    pairs = _evaluate_all(args)
    if args.json:
        _print_json([evaluation_json(ev, r) for r, ev in pairs])
    else:
        print("\n\n".join(render_evaluation(r, ev) for r, ev in pairs))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from jixiao.serialize import findings_json

    pairs = _evaluate_all(args)
    findings = [f for _, ev in pairs for f in ev.findings]
    if args.json:
        docs = [findings_json(list(ev.findings)) for _, ev in pairs]
        _print_json(docs)
    else:
        for f in findings:
            print(f"{f.where.render()}: {f.code} [{SEVERITY_ZH[f.severity]}] {f.message}")
        counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_ZH}
        print(
            f"共 {len(findings)} 条：错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}"
        )
    return 1 if any(f.severity == "error" for f in findings) else 0


def cmd_systems(args: argparse.Namespace) -> int:
    from jixiao.numbers import to_json
    from jixiao.systems import all_systems

    systems = all_systems()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "name": s.name,
                        "total": to_json(s.total),
                        "version": s.version,
                        "region": s.region,
                        "layouts": list(s.layouts),
                    }
                    for s in systems
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        rows = [(s.id, s.name, to_json(s.total), s.region) for s in systems]
        print(table(("编号", "名称", "总分", "地区"), rows))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from jixiao import api
    from jixiao.io.exporters import export_reports

    reports = api.load_reports(args.file, args.layout)
    answers = api.load_answers(args.answers) if args.answers else None
    pairs = [(r, api.evaluate(r, args.system, answers)) for r in reports]
    written = export_reports(pairs, Path(args.to))
    print(f"已写出 {written}", file=sys.stderr)
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from pathlib import Path

    from jixiao.batch import run_batch

    result = run_batch(
        Path(args.folder),
        Path(args.out),
        jobs=args.jobs or None,
        layout=args.layout,
        system=args.system,
        restart=args.restart,
        progress=sys.stderr,
    )
    if args.json:
        print(json.dumps(result.summary_json(), ensure_ascii=False, indent=2))
    return 0 if not result.failed else 1


COMMANDS = {
    "import": cmd_import,
    "score": cmd_score,
    "check": cmd_check,
    "export": cmd_export,
    "batch": cmd_batch,
    "systems": cmd_systems,
}


def _print_json(docs: list[dict]) -> None:
    """One JSON document: the object for a one-form file, an array for several."""
    payload = docs[0] if len(docs) == 1 else docs
    print(json.dumps(payload, ensure_ascii=False, indent=2))


# -- terminal rendering --------------------------------------------------------------------------
def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int] = ()) -> str:
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join(_pad(h, widths[i]) for i, h in enumerate(headers))
    out = [line, "  ".join("─" * w for w in widths)]
    for r in cells:
        out.append("  ".join(_pad(c, widths[i], i in right) for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


def render_report(report: Any) -> str:
    from jixiao.numbers import fmt

    p = report.project
    lines = [
        f"{p.name or '（未填项目名称）'}",
        f"  项目单位：{p.unit or '—'}    主管部门：{p.department or '—'}    版式：{report.source.layout}",
        f"  项目负责人：{p.manager or '—'}  电话：{p.phone or '—'}  期间：{p.start or '?'} 至 {p.end or '?'}"
        f"  报告日期：{p.report_date or '—'}",
        "",
        f"资金（{report.funds.unit}）",
    ]
    rows = [
        (r.label, fmt(r.planned), fmt(r.budget), fmt(r.arrived), fmt(r.spent), fmt(r.balance))
        for r in report.funds.rows
    ]
    lines.append(
        table(("来源", "计划安排", "全年预算", "实际到位", "实际支出", "结余"), rows, right=(1, 2, 3, 4, 5))
    )
    if report.expenditures:
        lines += ["", "支出明细"]
        rows = [
            (e.item, f"{fmt(e.amount)}{e.unit or ''}", e.voucher or "", e.note or "")
            for e in report.expenditures
        ]
        lines.append(table(("支出内容", "金额", "会计凭证号", "备注"), rows))
    lines += ["", "绩效指标"]
    rows = [
        (
            i.level2 or i.level1 or "",
            "（无）" if i.empty else i.name,
            i.target.raw if i.target else "",
            i.actual.raw if i.actual else "",
        )
        for i in report.indicators
    ]
    lines.append(table(("类别", "指标", "目标值", "实际完成值"), rows))
    sa = report.self_assessment
    lines += ["", f"自评：{fmt(sa.total)} 分，{sa.grade or '—'}（{len(sa.items)} 项）"]
    return "\n".join(lines)


def render_evaluation(report: Any, ev: Any) -> str:
    from jixiao.numbers import fmt

    rows = [
        ("/".join(i.path), fmt(i.max), fmt(i.self_score), fmt(i.score), BASIS_ZH[i.basis], i.trace)
        for i in ev.items
    ]
    head = f"{report.project.name or report.source.file}（指标体系 {ev.system}）"
    lines = [head, table(("项目", "满分", "自评", "复核", "依据", "计算过程"), rows, right=(1, 2, 3))]
    lines.append("")
    lines.append(f"自评 {fmt(ev.self_total)} 分 {ev.self_grade or '—'}；复算 {fmt(ev.total)} 分 {ev.grade}")
    if ev.findings:
        lines += ["", f"发现的问题（{len(ev.findings)} 条）"]
        for f in ev.findings:
            lines.append(f"  {f.code} [{SEVERITY_ZH[f.severity]}] {f.message}  — {f.where.render()}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
