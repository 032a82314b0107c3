"""One function per rule kind: (node, report, self-score, answer) → score, basis and a Chinese trace.

Data-decidable kinds (ratio, execution, completion, band) compute from the report. Judgement kinds
(checklist, deduction, tier, qualitative, manual) keep the self-score unless a review answer is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jixiao.domain import FUND_FIELDS, Report
from jixiao.domain.record import record
from jixiao.errors import AnswersError
from jixiao.io.cells import compact
from jixiao.numbers import ZERO, fmt, fmt_pct, round_score
from jixiao.scoring.completion import row_completion
from jixiao.systems import Node

FIELD_LABELS = {
    "planned": "计划安排",
    "budget": "全年预算数",
    "arrived": "实际到位",
    "spent": "实际支出",
    "balance": "结余",
}


@record
class Outcome:
    score: Decimal
    basis: str  # computed | judgement | missing
    trace: str
    rows: tuple[int, ...] = ()  # positions of the indicator rows looked at

    def looking_at(self, rows: tuple[int, ...]) -> Outcome:
        return Outcome(self.score, self.basis, self.trace, rows)


def fund_value(report: Report, ref: str) -> Decimal | None:
    """'funds.total.arrived' → the total row's value, or the sum of the source rows if no total."""
    parts = ref.split(".")
    if len(parts) != 3 or parts[0] != "funds" or parts[2] not in FUND_FIELDS:
        raise ValueError(f"unknown field reference {ref}")
    _, key, field = parts
    row = report.funds.row(key)
    given = getattr(row, field) if row is not None else None
    if key == "total" and not given:  # no total, or a total row left at 0 while its sources hold amounts
        values = [
            getattr(r, field) for r in report.funds.rows if r.key != "total" and getattr(r, field) is not None
        ]
        if values and sum(values, ZERO):
            return sum(values, ZERO)
    return given


def _first_fund(report: Report, refs: Any) -> tuple[str, Decimal | None]:
    for ref in [refs] if isinstance(refs, str) else list(refs):
        value = fund_value(report, ref)
        if value is not None:
            return ref, value
    first = refs if isinstance(refs, str) else next(iter(refs))
    return first, None


def _label(ref: str) -> str:
    return FIELD_LABELS.get(ref.rsplit(".", 1)[-1], ref)


def rule_ratio(node: Node, report: Report, self_score: Decimal | None, answer: Mapping | None) -> Outcome:
    params = node.rule.params
    num_ref, num = _first_fund(report, params["numerator"])
    den_ref, den = _first_fund(report, params["denominator"])
    formula = f"{_label(num_ref)}/{_label(den_ref)}"
    if num is None or den is None:
        gone = "、".join(_label(r) for r, v in ((num_ref, num), (den_ref, den)) if v is None)
        return Outcome(ZERO, "missing", f"{formula}：报告缺少{gone}，无法计算，得 0")
    if den == 0:
        return Outcome(ZERO, "missing", f"{formula}：{_label(den_ref)}为 0，无法计算，得 0")
    cap = Decimal(str(params.get("cap", 1)))
    ratio = num / den
    used = min(ratio, cap)
    score = round_score(node.points * used)
    capped = f"（封顶 {fmt_pct(cap)}）" if ratio > cap else ""
    return Outcome(
        score,
        "computed",
        f"{formula} = {fmt(num)}/{fmt(den)} = {fmt_pct(ratio)}{capped} × {fmt(node.points)} = {fmt(score)}",
    )


def matching_positions(report: Report, categories: list[str]) -> tuple[int, ...]:
    """Positions of the indicator rows whose 二级指标 (else 一级指标) names one of the categories."""
    words = _category_words(tuple(categories))
    out = []
    for n, row in enumerate(report.indicators):
        key = compact(row.level2) if row.level2 else compact(row.level1 or "")
        for w in words:
            if w in key:
                out.append(n)
                break
    return tuple(out)


@lru_cache(maxsize=256)
def _category_words(categories: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(compact(str(c)) for c in categories)


def rule_completion(
    node: Node, report: Report, self_score: Decimal | None, answer: Mapping | None
) -> Outcome:
    positions = matching_positions(report, list(node.rule.params["categories"]))
    return _completion(node, report, self_score, answer, positions).looking_at(positions)


def _completion(
    node: Node, report: Report, self_score: Decimal | None, answer: Mapping | None, positions: tuple[int, ...]
) -> Outcome:
    params = node.rule.params
    label = "/".join(params["categories"])
    rows = [report.indicators[n] for n in positions]
    filled = [r for r in rows if not r.empty]
    if not filled:
        why = "只填了“无”" if rows else "没有"
        return Outcome(ZERO, "missing", f"报告{why}{label}类指标，无目标可评，得 0")
    direction = str(params.get("direction", ">="))
    results = [row_completion(r, direction) for r in filled]
    decided = [c for c in results if c.status == "decided"]
    pending = [c for c in results if c.status == "undecidable"]
    if not decided and not pending:
        return Outcome(
            ZERO, "missing", "；".join(c.explain for c in results) + f"：{label}类指标均未设目标值，得 0"
        )
    if not decided:
        return _keep_self(node, self_score, answer, "；".join(c.explain for c in pending))
    mean = sum((c.ratio for c in decided), ZERO) / len(decided)
    score = round_score(node.points * mean)
    parts = "；".join(c.explain for c in decided)
    extra = (
        f"（另有 {len(pending)} 项需人工判断，未计入：" + "；".join(c.explain for c in pending) + "）"
        if pending
        else ""
    )
    avg = f"平均完成率 {fmt_pct(mean)}" if len(decided) > 1 else f"完成率 {fmt_pct(mean)}"
    return Outcome(score, "computed", f"{parts}；{avg} × {fmt(node.points)} = {fmt(score)}{extra}")


def rule_band(node: Node, report: Report, self_score: Decimal | None, answer: Mapping | None) -> Outcome:
    positions = matching_positions(report, list(node.rule.params["categories"]))
    return _band(node, report, positions).looking_at(positions)


def _band(node: Node, report: Report, positions: tuple[int, ...]) -> Outcome:
    params = node.rule.params
    rows = [r for r in (report.indicators[n] for n in positions) if not r.empty]
    values = [(r, r.actual.value) for r in rows if r.actual is not None and r.actual.is_number]
    values = [(r, v) for r, v in values if r.actual.unit in (None, "%")]
    if not values:
        label = "/".join(params["categories"])
        why = "实际值不是百分数" if rows else f"报告没有{label}类指标"
        return Outcome(ZERO, "missing", f"{why}，无法按档计分，得 0")
    mean = sum((v for _, v in values), ZERO) / len(values)
    bands = sorted(params["bands"], key=lambda b: Decimal(str(b["min"])), reverse=True)
    chosen = next((b for b in bands if mean >= Decimal(str(b["min"]))), bands[-1])
    score = round_score(min(Decimal(str(chosen["score"])), node.points))
    shown = "、".join(f"「{r.name}」{r.actual.raw}" for r, _ in values)
    avg = f"，平均 {fmt(mean)}%" if len(values) > 1 else ""
    return Outcome(score, "computed", f"{shown}{avg} → ≥{chosen['min']}% 档 = {fmt(score)}")


# -- judgement kinds --------------------------------------------------------------------------------
def _keep_self(node: Node, self_score: Decimal | None, answer: Mapping | None, why: str) -> Outcome:
    if answer:
        return rule_manual(node, None, self_score, answer)
    if self_score is None:
        return Outcome(ZERO, "judgement", f"{why}；自评未填，复核前按 0 计")
    return Outcome(min(self_score, node.points), "judgement", f"{why}；保留自评 {fmt(self_score)}（待复核）")


def rule_checklist(node: Node, report: Report, self_score: Decimal | None, answer: Mapping | None) -> Outcome:
    if not answer:
        return _keep_self(node, self_score, None, f"评审判断项（{node.rule.summary}）")
    if "score" in answer and "criteria" not in answer:
        return rule_manual(node, report, self_score, answer)
    given = answer.get("criteria")
    if not isinstance(given, Mapping):
        raise AnswersError(f"「{node.name}」的答案应为 criteria: {{条目: 是/否}}", place=node.name)
    known = {c.id: c for c in node.rule.criteria}
    for cid in given:
        if str(cid) not in known:
            raise AnswersError(
                f"「{node.name}」没有条目 {cid}", place=node.name, fix="可用条目：" + "、".join(known)
            )
    met, parts = ZERO, []
    for c in node.rule.criteria:
        ok = _yes(given.get(c.id), node.name, c.id)  # ids are circled by normalize_answers
        if ok:
            met += c.points
        parts.append(f"{c.id}{c.text}{'✓' if ok else '✗'}")
    score = round_score(met)
    return Outcome(score, "judgement", f"复核：{'；'.join(parts)} = {fmt(score)}")


def rule_deduction(node: Node, report: Report, self_score: Decimal | None, answer: Mapping | None) -> Outcome:
    if not answer:
        return _keep_self(node, self_score, None, f"扣分项（{node.rule.summary}）")
    if "score" in answer and "deductions" not in answer:
        return rule_manual(node, report, self_score, answer)
    taken = answer.get("deductions", {}) or {}
    if not isinstance(taken, Mapping):
        raise AnswersError(f"「{node.name}」的答案应为 deductions: {{扣分项: 扣分}}", place=node.name)
    known = {c.id: c for c in node.rule.criteria}
    total, parts = ZERO, []
    for cid, amount in taken.items():
        c = known.get(str(cid))
        if c is None:
            raise AnswersError(
                f"「{node.name}」没有扣分项 {cid}", place=node.name, fix="可用：" + "、".join(known)
            )
        value = _decimal(amount, node.name)
        low = c.min if c.min is not None else ZERO
        if value and not low <= value <= c.points:
            raise AnswersError(
                f"「{node.name}」{c.id}{c.text} 应扣 {fmt(low)}–{fmt(c.points)} 分，答案给了 {fmt(value)}",
                place=node.name,
            )
        if value:
            total += value
            parts.append(f"{c.id}{c.text} 扣 {fmt(value)}")
    score = round_score(max(ZERO, node.points - total))
    shown = "；".join(parts) if parts else "无扣分"
    return Outcome(score, "judgement", f"复核：{fmt(node.points)} − {fmt(total)}（{shown}）= {fmt(score)}")


def rule_tier(node: Node, report: Report, self_score: Decimal | None, answer: Mapping | None) -> Outcome:
    if not answer:
        return _keep_self(node, self_score, None, f"按档评分（{node.rule.summary}）")
    chosen = str(answer.get("tier", ""))
    options = {c.id: c for c in node.rule.criteria}
    option = options.get(chosen) or next((c for c in node.rule.criteria if c.text == chosen), None)
    if option is None:
        raise AnswersError(
            f"「{node.name}」没有档次 {chosen!r}", place=node.name, fix="可选：" + "、".join(options)
        )
    return Outcome(
        round_score(option.points), "judgement", f"复核选档：{option.id}{option.text} = {fmt(option.points)}"
    )


def rule_qualitative(
    node: Node, report: Report, self_score: Decimal | None, answer: Mapping | None
) -> Outcome:
    tiers = node.rule.params["tiers"]
    if not answer:
        return _keep_self(node, self_score, None, f"定性三档（{node.rule.summary}，占分值比例）")
    return qualitative_answer(node.name, node.points, tiers, answer)


def qualitative_answer(name: str, points: Decimal, tiers: list, answer: Mapping) -> Outcome:
    chosen = str(answer.get("tier", ""))
    tier = next((t for t in tiers if str(t["name"]) == chosen), None)
    if tier is None:
        if "score" in answer:
            value = _decimal(answer["score"], name)
            if not ZERO <= value <= points:
                raise AnswersError(f"「{name}」得分 {fmt(value)} 超出 0–{fmt(points)}", place=name)
            return Outcome(
                round_score(value), "judgement", f"复核给分 {fmt(value)}：{answer.get('reason', '')}"
            )
        raise AnswersError(
            f"「{name}」没有档次 {chosen!r}",
            place=name,
            fix="可选：" + "、".join(str(t["name"]) for t in tiers),
        )
    low, high = points * Decimal(str(tier["min"])), points * Decimal(str(tier["max"]))
    if "score" in answer:
        value = _decimal(answer["score"], name)
        if not low <= value <= high:
            raise AnswersError(f"「{name}」选「{chosen}」档时得分应在 {fmt(low)}–{fmt(high)}", place=name)
    else:
        value = high
    score = round_score(value)
    return Outcome(score, "judgement", f"复核：{chosen}（{fmt(low)}–{fmt(high)}）得 {fmt(score)}")


def rule_manual(
    node: Node, report: Report | None, self_score: Decimal | None, answer: Mapping | None
) -> Outcome:
    if not answer:
        return _keep_self(node, self_score, None, "人工评分项")
    if "score" not in answer:
        raise AnswersError(f"「{node.name}」需要 score 与 reason", place=node.name)
    value = _decimal(answer["score"], node.name)
    params = node.rule.params if node.rule else {}
    low = Decimal(str(params.get("min", 0)))
    high = Decimal(str(params.get("max", node.points)))
    if not low <= value <= high:
        raise AnswersError(f"「{node.name}」得分 {fmt(value)} 超出 {fmt(low)}–{fmt(high)}", place=node.name)
    reason = str(answer.get("reason", "")).strip()
    if not reason:
        raise AnswersError(f"「{node.name}」人工给分需要写明理由（reason）", place=node.name)
    return Outcome(round_score(value), "judgement", f"复核给分 {fmt(value)}：{reason}")


RULES: dict[str, Callable[[Node, Report, Decimal | None, Mapping | None], Outcome]] = {
    "ratio": rule_ratio,
    "execution": rule_ratio,
    "completion": rule_completion,
    "band": rule_band,
    "checklist": rule_checklist,
    "deduction": rule_deduction,
    "tier": rule_tier,
    "qualitative": rule_qualitative,
    "manual": rule_manual,
}


def _yes(value: Any, name: str, cid: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        raise AnswersError(f"「{name}」缺少条目 {cid} 的答案（是/否）", place=name)
    text = str(value).strip().lower()
    if text in ("是", "yes", "y", "true", "1", "符合", "√"):
        return True
    if text in ("否", "no", "n", "false", "0", "不符合", "×"):
        return False
    raise AnswersError(f"「{name}」条目 {cid} 的答案 {value!r} 应为 是/否", place=name)


def _decimal(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise AnswersError(f"「{name}」的分数 {value!r} 不是数字", place=name) from None


__all__ = ["RULES", "Outcome", "fund_value", "matching_positions", "qualitative_answer"]
