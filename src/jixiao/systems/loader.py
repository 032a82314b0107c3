"""Load and validate indicator-system files; every error names the file, the node and the fix.

Systems are found in the package's builtin/ folder and in any folder listed in the environment
variable JIXIAO_SYSTEMS_PATH (os.pathsep-separated): adding a region's system is adding a file.
"""

from __future__ import annotations

import itertools
import os
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from jixiao.errors import SystemDefinitionError, UnknownSystemError
from jixiao.systems.model import RULE_PARAMS, Criterion, GradeBand, Node, Rule, System

BUILTIN = Path(__file__).with_name("builtin")


def _yaml_load(text: str) -> Any:
    import yaml  # imported here: only commands that need a system pay for it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def system_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("JIXIAO_SYSTEMS_PATH", "").split(os.pathsep) if p]
    return [BUILTIN, *extra]


def system_files() -> dict[str, Path]:
    """System id → file. Listed once per process and search path (scoring asks for it per report)."""
    return dict(_system_files(os.environ.get("JIXIAO_SYSTEMS_PATH", "")))


@lru_cache(maxsize=8)
def _system_files(search_path: str) -> dict[str, Path]:  # cached: callers must not change it
    files: dict[str, Path] = {}
    for folder in system_dirs():
        if folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                files[path.stem] = path
    return files


@lru_cache(maxsize=64)
def _load_cached(path: str) -> System:
    return load_system_file(Path(path))


def load_system(system_id: str) -> System:
    files = _system_files(os.environ.get("JIXIAO_SYSTEMS_PATH", ""))
    if system_id not in files:
        known = "、".join(sorted(files)) or "（无）"
        raise UnknownSystemError(
            f"没有编号为 {system_id} 的指标体系",
            place="--system",
            fix=f"可用的指标体系：{known}（jixiao systems 列出全部）",
        )
    return _load_cached(str(files[system_id]))


def all_systems() -> list[System]:
    return [load_system(sid) for sid in system_files()]


def system_for_layout(layout: str | None, default: str = "yueyang-2020") -> str:
    """The system that names this layout (the first in file order), else ``default``."""
    if not layout:
        return default
    return _systems_by_layout(os.environ.get("JIXIAO_SYSTEMS_PATH", "")).get(layout, default)


@lru_cache(maxsize=8)
def _systems_by_layout(search_path: str) -> dict[str, str]:  # cached: callers must not change it
    found: dict[str, str] = {}
    for system in all_systems():
        for layout in system.layouts:
            found.setdefault(layout, system.id)
    return found


def load_system_file(path: Path) -> System:
    name = str(path)
    try:
        data = _yaml_load(path.read_text(encoding="utf-8"))
    except Exception as exc:  # YAML syntax errors carry their own line numbers
        raise SystemDefinitionError(f"不是合法的 YAML：{exc}", file=name, fix="修正 YAML 语法") from None
    return build_system(data, name, expected_id=path.stem)


def build_system(data: Any, file: str, expected_id: str | None = None) -> System:
    v = _Validator(file)
    if not isinstance(data, dict):
        raise v.error("", "文件顶层应是一个映射（id、name、total、grades、items …）")
    for key in ("id", "name", "version", "total", "grades", "items"):
        if key not in data:
            raise v.error(key, f"缺少必填项 {key}")
    sid = str(data["id"])
    if expected_id and sid != expected_id:
        raise v.error("id", f"id 为 {sid}，与文件名 {expected_id}.yaml 不一致", fix="让 id 与文件名相同")
    total = v.decimal(data["total"], "total")
    grades = []
    for i, g in enumerate(data["grades"] or []):
        if not isinstance(g, dict) or "name" not in g or "min" not in g:
            raise v.error(f"grades[{i}]", "每个等次需要 name 和 min")
        grades.append(GradeBand(str(g["name"]), v.decimal(g["min"], f"grades[{i}].min")))
    if not grades:
        raise v.error("grades", "至少需要一个等次")
    if any(a.min < b.min for a, b in itertools.pairwise(grades)):
        raise v.error("grades", "等次应从高到低排列（min 递减）")
    items = tuple(v.node(n, (), f"items[{i}]") for i, n in enumerate(data["items"] or []))
    if not items:
        raise v.error("items", "指标体系没有任何指标")
    top = sum((n.points for n in items), Decimal(0))
    if top != total:
        raise v.error("items", f"一级指标分值合计 {top}，与总分 {total} 不符", fix="调整各一级指标的 points")
    return System(
        id=sid,
        name=str(data["name"]),
        version=str(data["version"]),
        total=total,
        grades=tuple(grades),
        items=items,
        region=str(data.get("region", "")),
        source=str(data.get("source", "")),
        notes=str(data.get("notes", "")).strip(),
        layouts=tuple(str(x) for x in data.get("layouts", []) or []),
        file=file,
        raw=data,
    )


class _Validator:
    def __init__(self, file: str):
        self.file = file

    def error(self, where: str, message: str, fix: str | None = None) -> SystemDefinitionError:
        return SystemDefinitionError(
            message, file=self.file, place=where or None, fix=fix or "按 docs/systems.md 修改"
        )

    def decimal(self, value: Any, where: str) -> Decimal:
        if isinstance(value, bool) or value is None:
            raise self.error(where, f"应是数字，实际是 {value!r}")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise self.error(where, f"应是数字，实际是 {value!r}") from None

    def node(self, data: Any, parent: tuple[str, ...], where: str) -> Node:
        if not isinstance(data, dict) or "name" not in data or "points" not in data:
            raise self.error(where, "每个指标需要 name 和 points")
        name = str(data["name"])
        where = f"{where}({name})"
        points = self.decimal(data["points"], f"{where}.points")
        path = (*parent, name)
        children_data = data.get("children") or []
        children = tuple(self.node(c, path, f"{where}.children[{i}]") for i, c in enumerate(children_data))
        rule = None
        if children:
            total = sum((c.points for c in children), Decimal(0))
            if total != points:
                raise self.error(
                    where, f"下级指标分值合计 {total}，与本级分值 {points} 不符", fix="调整下级指标的 points"
                )
            if "rule" in data:
                raise self.error(where, "有下级指标的节点不能再有 rule")
        else:
            if "rule" not in data:
                raise self.error(where, "末级指标需要 rule（评分规则）")
            rule = self.rule(data["rule"], points, f"{where}.rule")
        return Node(
            name=name,
            points=points,
            path=path,
            children=children,
            rule=rule,
            indicator=str(data.get("indicator", "") or "").strip(),
            standard=str(data.get("standard", "") or "").strip(),
            formula=str(data.get("formula", "") or ""),
            evidence=str(data.get("evidence", "") or ""),
            aliases=tuple(str(a) for a in data.get("aliases", []) or []),
        )

    def rule(self, data: Any, points: Decimal, where: str) -> Rule:
        if not isinstance(data, dict) or "kind" not in data:
            raise self.error(where, "rule 需要 kind")
        kind = str(data["kind"])
        if kind not in RULE_PARAMS:
            known = "、".join(RULE_PARAMS)
            raise self.error(f"{where}.kind", f"未知的评分规则 {kind}", fix=f"可用的规则：{known}")
        for param in RULE_PARAMS[kind]:
            if param not in data or data[param] in (None, [], ""):
                raise self.error(where, f"{kind} 规则缺少参数 {param}", fix="补上该参数，见 docs/systems.md")
        params = {k: v for k, v in data.items() if k != "kind"}
        criteria: tuple[Criterion, ...] = ()
        if kind == "checklist":
            criteria = self.criteria(data["criteria"], f"{where}.criteria", "points")
            total = sum((c.points for c in criteria), Decimal(0))
            if total != points:
                raise self.error(where, f"各条标准分值合计 {total}，与指标分值 {points} 不符")
        elif kind == "deduction":
            criteria = self.criteria(data["deductions"], f"{where}.deductions", "max")
            for c in criteria:
                if (c.min is not None and c.min > c.points) or c.points > points:
                    raise self.error(
                        where, f"扣分项 {c.id} 的范围 {c.min}–{c.points} 不合理（指标分值 {points}）"
                    )
        elif kind == "tier":
            criteria = self.criteria(data["options"], f"{where}.options", "score")
            for c in criteria:
                if c.points > points:
                    raise self.error(where, f"档次 {c.id} 的得分 {c.points} 超过指标分值 {points}")
        elif kind == "band":
            for i, band in enumerate(data["bands"]):
                if not isinstance(band, dict) or "min" not in band or "score" not in band:
                    raise self.error(f"{where}.bands[{i}]", "每档需要 min 和 score")
                if self.decimal(band["score"], f"{where}.bands[{i}].score") > points:
                    raise self.error(f"{where}.bands[{i}]", f"该档得分超过指标分值 {points}")
        elif kind == "qualitative":
            for i, tier in enumerate(data["tiers"]):
                if not isinstance(tier, dict) or not {"name", "min", "max"} <= set(tier):
                    raise self.error(f"{where}.tiers[{i}]", "每档需要 name、min、max（占分值的比例）")
        return Rule(kind=kind, params=params, criteria=criteria, summary=_summary(kind, criteria, params))

    def criteria(self, items: Any, where: str, amount_key: str) -> tuple[Criterion, ...]:
        if not isinstance(items, list):
            raise self.error(where, "应是一个列表")
        out = []
        for i, c in enumerate(items):
            if not isinstance(c, dict) or "id" not in c or amount_key not in c:
                raise self.error(f"{where}[{i}]", f"每一项需要 id 和 {amount_key}")
            out.append(
                Criterion(
                    id=str(c["id"]),
                    text=str(c.get("text", "")),
                    points=self.decimal(c[amount_key], f"{where}[{i}].{amount_key}"),
                    min=self.decimal(c["min"], f"{where}[{i}].min") if "min" in c else None,
                    evidence=bool(c.get("evidence", False)),
                )
            )
        return tuple(out)


def _summary(kind: str, criteria: tuple[Criterion, ...], params: dict[str, Any]) -> str:
    """The rule's criteria in one line, as traces of judgement items show them."""
    from jixiao.numbers import fmt

    if kind == "deduction":
        return "；".join(
            f"{c.id}{c.text}扣{fmt(c.min)}-{fmt(c.points)}"
            if c.min is not None and c.min != c.points
            else f"{c.id}{c.text}扣{fmt(c.points)}"
            for c in criteria
        )
    if kind in ("checklist", "tier"):
        return "；".join(f"{c.id}{c.text}({fmt(c.points)})" for c in criteria)
    if kind == "qualitative":
        return "；".join(f"{t['name']} {t['min']}-{t['max']}" for t in params["tiers"])
    return ""
