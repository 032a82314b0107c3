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


# Where a user may put a cell the reading left over (upload preview): target → 中文名. The key is the
# vocabulary section and role the cell's text is added to.
ASSIGNABLE: dict[str, str] = {
    "facts.name": "项目名称（栏目名）",
    "facts.department": "主管部门（栏目名）",
    "facts.unit": "实施单位（栏目名）",
    "facts.manager": "项目负责人（栏目名）",
    "facts.phone": "联系电话（栏目名）",
    "totals.total": "自评总分（栏目名）",
    "totals.grade": "评价等次（栏目名）",
    "fund_columns.planned": "资金表·年初预算数列",
    "fund_columns.budget": "资金表·全年预算数列",
    "fund_columns.arrived": "资金表·实际到位列",
    "fund_columns.spent": "资金表·全年执行数列",
    "fund_columns.rate": "资金表·执行率列",
    "fund_columns.weight": "资金表·分值列",
    "fund_columns.score": "资金表·得分列",
    "fund_sources.total": "资金表·合计行",
    "fund_sources.fiscal": "资金表·财政拨款行",
    "fund_sources.other": "资金表·其他资金行",
    "levels.level1": "指标表·一级指标列",
    "levels.level2": "指标表·二级指标列",
    "levels.name": "指标表·指标名称列",
    "indicator_columns.target": "指标表·指标值（目标）列",
    "indicator_columns.actual": "指标表·实际完成值列",
    "points": "指标表·分值列",
    "indicator_columns.score": "指标表·得分列",
    "indicator_columns.note": "指标表·偏差原因列",
    "goal_columns.expected": "目标·预期目标",
    "goal_columns.actual": "目标·实际完成情况",
    "block_labels": "只是栏目标题，不读内容",
}


def assign_layout(
    path: str | Path, assignments: list[tuple[str, str]], folder: str | Path, by: str | None = None
) -> str:
    """Keep what a user said of a form's leftover cells (text → one of ``ASSIGNABLE``) as a layout spec in
    ``folder``, so the next form of the same kind reads by itself; returns the spec's id. A form read by a
    spec gets a local spec extending it (``local-<id>``); a form read the generic way, a new one named
    after its title. The spec's evidence is the assigned texts (and the title), so it wins on such forms."""
    import hashlib
    from datetime import date

    import yaml

    from jixiao.io.layouts import GENERIC, LAYOUTS
    from jixiao.quantity import compact

    picked = [(text.strip(), target) for text, target in assignments if text.strip() and target in ASSIGNABLE]
    if not picked:
        raise JixiaoError("没有指定任何栏目", fix="在下拉框中为至少一个单元格选择它是什么")
    report = load_reports(path)[0]
    layout = report.source.layout or GENERIC
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if layout == GENERIC:
        seed = compact(report.title or "") or "|".join(compact(t) for t, _ in picked)
        spec_id = "local-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:10]
    else:
        spec_id = layout if layout.startswith("local-") else f"local-{layout}"
    file = folder / f"{spec_id}.yaml"
    data: dict[str, Any] = yaml.safe_load(file.read_text(encoding="utf-8")) if file.exists() else {}
    if not data:
        data = {"id": spec_id, "order": 5, "detect": []}
        if layout == GENERIC:
            data.update(name=f"{report.title or '本地表格'}（网页上指定的栏目）", system="mof-2020")
            if report.title:
                data["detect"].append({"title": compact(report.title)[:40], "points": 40})
        else:
            parent = LAYOUTS[layout].spec
            data.update(extends=layout, name=f"{parent.name}（本地补充的栏目）", system=parent.system)
    vocabulary = data.setdefault("vocabulary", {})
    for text, target in picked:
        section, _, role = target.partition(".")
        if role:
            words = vocabulary.setdefault(section, {}).setdefault(role, [])
        else:
            words = vocabulary.setdefault(section, [])
        if text not in words:
            words.append(text)
    headers = [compact(t) for t, target in picked if target != "block_labels"]
    if headers:
        data["detect"].append({"word": headers, "all": True, "points": 60})
    stamp = f"# 由 {by or '用户'} 于 {date.today().isoformat()} 在上传预览中指定；可以手工修改，见 docs/layouts.md\n"
    file.write_text(stamp + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    from jixiao.io.layouts.spec import load_spec

    load_spec(file) if "extends" not in data else None  # a broken spec is refused now, not at the next upload
    return spec_id
