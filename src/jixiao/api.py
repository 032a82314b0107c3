"""The public library surface. The CLI and the web call only this."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from jixiao.checks import CheckConfig, run_checks
from jixiao.domain import Evaluation, FormTraits, Report
from jixiao.errors import JixiaoError
from jixiao.scoring import evaluate as _score
from jixiao.scoring import normalize_answers
from jixiao.systems import System, load_system, system_for_layout


def load_reports(path: str | Path, layout: str | None = "auto") -> list[Report]:
    """Every report (form) in a file, in file order. Raises InputError when it cannot be read."""
    from jixiao.io.importers import load_reports as _load

    return _load(path, layout)


def load_report(path: str | Path, layout: str | None = "auto") -> Report:
    return load_reports(path, layout)[0]


def explain_layout(path: str | Path) -> dict[str, Any]:
    """Why a file reads as the layout it reads as: every spec's score and the evidence behind it."""
    from jixiao.io.importers import read_cells
    from jixiao.io.layouts import GENERIC, MIN_CONFIDENCE, detection, looks_like_a_report

    cells, _source = read_cells(Path(path))
    ranked = detection(cells)
    best = ranked[0][1] if ranked else 0
    chosen = ranked[0][0].LAYOUT if ranked and best >= MIN_CONFIDENCE else GENERIC
    if chosen == GENERIC and not looks_like_a_report(cells):
        chosen = None
    return {
        "file": Path(path).name,
        "chosen": chosen,
        "threshold": MIN_CONFIDENCE,
        "layouts": [
            {
                "id": layout.LAYOUT,
                "name": layout.spec.name,
                "score": score,
                "evidence": [
                    {
                        "what": hit.evidence.describe(),
                        "found": hit.found,
                        "points": hit.points,
                        "weight": hit.evidence.points,
                    }
                    for hit in hits
                    if hit.evidence.kind != "base" or hit.found
                ],
            }
            for layout, score, hits in ranked
        ],
    }


def form_traits(layout: str | None) -> FormTraits:
    """What the report's form asks for (required fields, a grade cell), from its layout spec."""
    from jixiao.io.layouts import GENERIC, LAYOUTS

    if layout != GENERIC and layout not in LAYOUTS:
        return FormTraits()
    spec = LAYOUTS[layout].spec
    return FormTraits(required=spec.required, has_grade=spec.has_grade, has_total=spec.has_total)


def system_for(report: Report, system_id: str | None = None) -> System:
    """The system asked for, else the one the report's layout spec names, else one that names the layout."""
    if system_id:
        return load_system(system_id)
    from jixiao.io.layouts import GENERIC, LAYOUTS

    layout = report.source.layout
    if layout == GENERIC or layout in LAYOUTS:
        return load_system(LAYOUTS[layout].spec.system)
    return load_system(system_for_layout(layout))


def evaluate(
    report: Report,
    system: System | str | None = None,
    answers: Mapping[str, Any] | None = None,
    config: CheckConfig | None = None,
) -> Evaluation:
    """Recompute every score (with traces) and run every check."""
    if not isinstance(system, System):
        system = system_for(report, system)
    evaluation = _score(report, system, normalize_answers(answers) if answers else None)
    findings = run_checks(report, system, evaluation, config, form_traits(report.source.layout))
    return replace(evaluation, findings=tuple(findings))


def _read_mapping(path: str | Path, what: str) -> Mapping[str, Any]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise JixiaoError(f"无法读取{what}：{exc.strerror}", file=str(p), fix="检查路径") from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # a syntax error in a user's file: report it, with its position
        raise JixiaoError(f"{what}格式错误：{exc}", file=str(p), fix="用 YAML 或 JSON 书写") from None
    if not isinstance(data, Mapping):
        raise JixiaoError(f"{what}应是一个映射", file=str(p), fix="见 docs/answers.md")
    return data


def load_answers(path: str | Path) -> Mapping[str, Any]:
    """A review-answers file (YAML/JSON): {三级指标: {criteria|deductions|tier|score…}}; see docs/answers.md."""
    return _read_mapping(path, "复核答案文件")


def load_config(path: str | Path) -> CheckConfig:
    return CheckConfig.from_mapping(_read_mapping(path, "检查配置文件"))
