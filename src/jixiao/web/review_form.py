"""The 审核 form: one block per judgement item of the indicator system ⇄ review answers (docs/answers.md).

Only items whose 「复核此项」 box is ticked are answered; the others keep the self-score, exactly as an
answers file that leaves them out. Validation of ranges stays in the scoring engine (AnswersError).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from jixiao.io.cells import compact
from jixiao.numbers import fmt
from jixiao.quantity import parse_decimal
from jixiao.systems import System

DEFAULT_TIERS = (
    {"name": "达成", "min": 0.8, "max": 1},
    {"name": "部分达成", "min": 0.6, "max": 0.8},
    {"name": "未达成", "min": 0, "max": 0.6},
)


def controls(system: System, evaluation: Mapping[str, Any]) -> list[dict]:
    """One control block per judgement item of the evaluation, in table order."""
    rows_leaf = next((leaf for leaf in system.leaves() if leaf.rule and leaf.rule.kind == "rows"), None)
    out = []
    for item in evaluation.get("items") or []:
        if item.get("basis") != "judgement":
            continue
        path = tuple(item["path"])
        leaf = system.leaf(path)
        points = Decimal(item.get("max") or "0")
        block: dict[str, Any] = {
            "k": len(out),
            "key": "/".join(path),
            "path": path,
            "name": path[-1],
            "max": points,
            "self": item.get("self_score"),
            "score": item.get("score"),
            "trace": item.get("trace"),
            "standard": leaf.standard if leaf else "",
        }
        kind = leaf.rule.kind if leaf and leaf.rule else "qualitative"
        if kind == "checklist":
            block["criteria"] = [
                {"n": n, "id": c.id, "text": c.text, "points": fmt(c.points), "evidence": c.evidence}
                for n, c in enumerate(leaf.rule.criteria)
            ]
        elif kind == "deduction":
            block["deductions"] = [
                {
                    "n": n,
                    "id": c.id,
                    "text": c.text,
                    "min": fmt(c.min if c.min is not None else Decimal(0)),
                    "max": fmt(c.points),
                }
                for n, c in enumerate(leaf.rule.criteria)
            ]
        elif kind == "tier":
            block["options"] = [
                {"id": c.id, "text": c.text, "points": fmt(c.points)} for c in leaf.rule.criteria
            ]
        elif kind in ("qualitative", "rows") or leaf is None:
            params = (leaf.rule.params if leaf and leaf.rule else {}) or {}
            tiers = params.get("tiers") or (
                (rows_leaf.rule.params.get("qualitative") or {}).get("tiers") if rows_leaf else None
            )
            kind = "qualitative"
            block["tiers"] = [
                {
                    "name": str(t["name"]),
                    "low": fmt(points * Decimal(str(t["min"]))),
                    "high": fmt(points * Decimal(str(t["max"]))),
                }
                for t in tiers or DEFAULT_TIERS
            ]
        else:
            kind = "manual"
        block["kind"] = kind
        out.append(block)
    return out


def _find(answers: Mapping[str, Any], block: Mapping[str, Any]) -> Mapping[str, Any] | None:
    wanted = {compact(block["key"]), compact(block["name"])}
    items = answers.get("items", answers) if isinstance(answers.get("items"), Mapping) else answers
    for key, answer in items.items():
        if compact(str(key)) in wanted and isinstance(answer, Mapping):
            return answer
    return None


def values_from_answers(answers: Mapping[str, Any] | None, blocks: Sequence[Mapping[str, Any]]) -> dict:
    """Form fields prefilled from the latest saved answers."""
    v: dict[str, str] = {}
    for b in blocks:
        answer = _find(answers or {}, b)
        if answer is None:
            v.update(_from_self(b))
            continue
        k = b["k"]
        v[f"r{k}.on"] = "1"
        criteria = answer.get("criteria") or {}
        for c in b.get("criteria", ()):
            given = criteria.get(c["id"], criteria.get(str(c["n"] + 1)))
            if given is True or str(given).strip().lower() in ("是", "yes", "y", "true", "1", "符合", "√"):
                v[f"r{k}.c{c['n']}"] = "1"
        taken = answer.get("deductions") or {}
        for d in b.get("deductions", ()):
            if d["id"] in taken:
                v[f"r{k}.d{d['n']}"] = str(taken[d["id"]])
        for key in ("tier", "score", "reason"):
            if answer.get(key) is not None:
                v[f"r{k}.{key}"] = str(answer[key])
    return v


def _from_self(block: Mapping[str, Any]) -> dict:
    """A starting point that matches the self-score (not ticked: it changes nothing until 复核此项)."""
    k, own = block["k"], parse_decimal(str(block.get("self") or ""))
    if own is None:
        return {}
    if block["kind"] == "checklist" and own == block["max"]:
        return {f"r{k}.c{c['n']}": "1" for c in block["criteria"]}
    if block["kind"] == "tier":
        match = next((o for o in block["options"] if parse_decimal(o["points"]) == own), None)
        return {f"r{k}.tier": match["id"]} if match else {}
    return {}


def answers_from_form(v: Mapping[str, str], blocks: Sequence[Mapping[str, Any]]) -> tuple[dict, dict]:
    """(answers keyed by 一级/二级/三级 path, field → Chinese message for what cannot be read)."""
    answers: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for b in blocks:
        k = b["k"]
        if not v.get(f"r{k}.on"):
            continue
        kind = b["kind"]
        if kind == "checklist":
            answers[b["key"]] = {
                "criteria": {c["id"]: "是" if v.get(f"r{k}.c{c['n']}") else "否" for c in b["criteria"]}
            }
        elif kind == "deduction":
            taken = {}
            for d in b["deductions"]:
                text = v.get(f"r{k}.d{d['n']}", "").strip()
                if not text:
                    continue
                value = parse_decimal(text)
                if value is None:
                    errors[f"r{k}.d{d['n']}"] = f"扣分「{text}」不是数字"
                elif value:
                    taken[d["id"]] = fmt(value)
            answers[b["key"]] = {"deductions": taken}
        elif kind in ("tier", "qualitative"):
            tier = v.get(f"r{k}.tier", "").strip()
            answer: dict[str, Any] = {"tier": tier}
            score_text = v.get(f"r{k}.score", "").strip()
            if kind == "qualitative" and score_text:
                value = parse_decimal(score_text)
                if value is None:
                    errors[f"r{k}.score"] = f"得分「{score_text}」不是数字"
                answer["score"] = fmt(value) if value is not None else score_text
            if not tier:
                errors[f"r{k}.tier"] = f"「{b['name']}」请选择一个档次"
            answers[b["key"]] = answer
        else:
            score_text = v.get(f"r{k}.score", "").strip()
            value = parse_decimal(score_text) if score_text else None
            if value is None:
                errors[f"r{k}.score"] = f"「{b['name']}」请填写得分（数字）"
            answers[b["key"]] = {
                "score": fmt(value) if value is not None else "",
                "reason": v.get(f"r{k}.reason", "").strip(),
            }
    return answers, errors
