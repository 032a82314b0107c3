"""Score a report against an indicator system: one ScoredItem per leaf (or per indicator row)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from jixiao.domain import Evaluation, Indicator, Report, ScoredItem, SelfItem
from jixiao.errors import AnswersError
from jixiao.io.cells import compact
from jixiao.numbers import ZERO, fmt, round_score
from jixiao.scoring.completion import row_completion
from jixiao.scoring.rules import RULES, Outcome, qualitative_answer
from jixiao.systems import Node, System

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
# Where a mof-style form gives no 分值 per row: the 90 points split by 一级指标.
DEFAULT_ROW_WEIGHTS = (("产出", Decimal(50)), ("效益", Decimal(30)), ("满意", Decimal(10)))


def normalize_answers(data: object) -> dict[str, dict]:
    """Accept {items: {key: answer}} or {key: answer}; keys are leaf names or 一级/二级/三级 paths."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise AnswersError("答案文件应是一个映射：{三级指标名称: {criteria/deductions/tier/score…}}")
    items = data.get("items", data) if "items" in data else {k: v for k, v in data.items() if k != "schema"}
    if not isinstance(items, Mapping):
        raise AnswersError("答案文件的 items 应是一个映射")
    out: dict[str, dict] = {}
    for key, answer in items.items():
        if not isinstance(answer, Mapping):
            raise AnswersError(
                f"「{key}」的答案应是一个映射（criteria / deductions / tier / score）", place=str(key)
            )
        fixed = dict(answer)
        for sub in ("criteria", "deductions"):
            if isinstance(fixed.get(sub), Mapping):
                fixed[sub] = {_circle(k): v for k, v in fixed[sub].items()}
        if "tier" in fixed and fixed["tier"] is not None:
            fixed["tier"] = _circle(fixed["tier"])
        out[compact(str(key))] = fixed
    return out


def _circle(key: object) -> str:
    text = str(key).strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(CIRCLED):
        return CIRCLED[int(text) - 1]
    return text


def evaluate(report: Report, system: System, answers: Mapping[str, dict] | None = None) -> Evaluation:
    """Recompute every item; findings are added by the checks afterwards (see jixiao.api)."""
    answers = dict(answers or {})
    used: set[str] = set()
    self_index = _SelfIndex(report.self_assessment.items)
    items: list[ScoredItem] = []
    for leaf in system.leaves():
        if leaf.rule.kind == "rows":
            items.extend(_score_rows(leaf, report, answers, used))
            continue
        self_item = self_index.find(leaf)
        self_score = self_item.score if self_item else None
        if leaf.rule.params.get("points_from_form") and self_item is not None and self_item.max:
            leaf = replace(leaf, points=self_item.max)  # the form sets this item's points (预算执行率 20 分)
        if leaf.rule.kind in ("execution",) and self_score is None:
            total_row = report.funds.row("total")
            self_score = total_row.score if total_row else None
        answer = _answer_for(answers, used, leaf.path) if answers else None
        if answer and leaf.rule.computed:
            raise AnswersError(
                f"「{leaf.name}」由数据计算得分，不接受复核答案",
                place=leaf.name,
                fix="若数据有误，请修改报告中的数据后重新计分",
            )
        outcome = RULES[leaf.rule.kind](leaf, report, self_score, answer)
        items.append(
            ScoredItem(
                path=leaf.path,
                max=leaf.points,
                self_score=self_score,
                score=outcome.score,
                basis=outcome.basis,
                trace=outcome.trace,
                evidence=leaf.evidence_required(),
                rows=outcome.rows,
            )
        )
    unknown = set(answers) - used
    if unknown:
        raise AnswersError(
            "答案文件中有指标体系里没有的项：" + "、".join(sorted(unknown)),
            fix="用三级指标名称或“一级/二级/三级”路径作键",
        )
    total = round_score(sum((i.score for i in items), ZERO))
    sa = report.self_assessment
    self_total = sa.total
    if self_total is None and any(i.self_score is not None for i in items):
        self_total = sum((i.self_score for i in items if i.self_score is not None), ZERO)
    return Evaluation(
        system=system.id,
        self_total=self_total,
        self_grade=sa.grade,
        total=total,
        grade=system.grade(total),
        items=tuple(items),
    )


def _answer_for(answers: dict[str, dict], used: set[str], path: tuple[str, ...]) -> dict | None:
    for key in (compact("/".join(path)), compact(path[-1])):
        if key in answers:
            used.add(key)
            return answers[key]
    return None


class _SelfIndex:
    """Finds the report's self-score for a system leaf: by name, alias, or full path."""

    def __init__(self, items: tuple[SelfItem, ...]):
        self.by_path: dict[tuple[str, ...], SelfItem] = {}
        self.by_name: dict[str, SelfItem] = {}
        for i in items:
            key = _path_key(i.path)
            self.by_path[key] = i  # a repeated path: the last row wins, as before
            self.by_name.setdefault(key[-1], i)

    def find(self, leaf: Node) -> SelfItem | None:
        hit = self.by_path.get(_path_key(leaf.path))
        if hit:
            return hit
        for name in _name_keys(leaf.name, leaf.aliases):
            found = self.by_name.get(name)
            if found:
                return found
        return None


@lru_cache(maxsize=4096)
def _path_key(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(compact(p) for p in path)


@lru_cache(maxsize=4096)
def _name_keys(name: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(compact(n) for n in (name, *aliases))


def form_has_row_points(report: Report) -> bool:
    return any(r.weight is not None for r in report.indicators if not r.empty and r.name)


def row_weights(report: Report) -> list[tuple[Indicator, Decimal | None]]:
    """Each non-empty indicator row with its 分值; rows without one share their block's default."""
    rows = [r for r in report.indicators if not r.empty and r.name]
    if not form_has_row_points(report):
        out = []
        for prefix, block in DEFAULT_ROW_WEIGHTS:
            members = [r for r in rows if prefix in (r.level1 or "")]
            for r in members:
                out.append((r, round_score(block / len(members))))
        assigned = {id(r) for r, _ in out}
        out.extend((r, None) for r in rows if id(r) not in assigned)
        order = {id(r): n for n, r in enumerate(rows)}
        return sorted(out, key=lambda pair: order[id(pair[0])])
    return [(r, r.weight) for r in rows]


def _score_rows(leaf: Node, report: Report, answers: dict[str, dict], used: set[str]) -> list[ScoredItem]:
    params = leaf.rule.params
    zero_at = Decimal(str(params.get("less_is_better_zero_at", 2)))
    tiers = (params.get("qualitative") or {}).get("tiers") or []
    out = []
    guessed = not form_has_row_points(report)
    for row, weight in row_weights(report):
        path = tuple(p for p in (row.level1, row.level2, row.name) if p)
        if weight is None:
            outcome = Outcome(ZERO, "missing", f"「{row.name}」没有分值，无法计分")
            weight = ZERO
        elif guessed and row.score is not None:
            # the form gives no 分值 per row: its max is a guess, so the data cannot decide the score
            outcome = Outcome(
                row.score,
                "judgement",
                f"表中各行没有分值（按默认权重约 {fmt(weight)} 分）：无法按数据计分，保留自评 {fmt(row.score)}（待复核）",
            )
        else:
            outcome = _score_row(row, weight, zero_at, tiers, _answer_for(answers, used, path))
        out.append(
            ScoredItem(
                path=path,
                max=weight,
                self_score=row.score,
                score=outcome.score,
                basis=outcome.basis,
                trace=outcome.trace,
            )
        )
    return out


def _score_row(
    row: Indicator, weight: Decimal, zero_at: Decimal, tiers: list, answer: dict | None
) -> Outcome:
    completion = row_completion(row, ">=", zero_at)
    if completion.status == "no_target":
        return Outcome(ZERO, "missing", f"{completion.explain}，无目标可评，得 0")
    by_data = (row.target is not None and row.target.is_number) or (row.target is None and bool(row.parts))
    if completion.status == "decided" and by_data:
        if answer:
            raise AnswersError(f"「{row.name}」由数据计算得分，不接受复核答案", place=row.name or "")
        score = round_score(weight * completion.ratio)
        return Outcome(score, "computed", f"{completion.explain} × {fmt(weight)} = {fmt(score)}")
    # qualitative rows are a reviewer's call within the three tiers
    if answer:
        return qualitative_answer(row.name or "", weight, tiers, answer)
    shown = "；".join(f"{t['name']} {t['min']}-{t['max']}" for t in tiers)
    if row.score is None:
        return Outcome(ZERO, "judgement", f"{completion.explain}（{shown}）；自评未填，复核前按 0 计")
    return Outcome(
        min(row.score, weight),
        "judgement",
        f"{completion.explain}（{shown}）；保留自评 {fmt(row.score)}（待复核）",
    )
