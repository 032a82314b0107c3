"""Indicator systems (指标体系) as typed records. The YAML files under builtin/ are the data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from decimal import Decimal
from typing import Any

from jixiao.domain.record import record

# Rule kinds the scoring engine knows, and the parameters each must have.
RULE_PARAMS: dict[str, tuple[str, ...]] = {
    "ratio": ("numerator", "denominator"),
    "execution": ("numerator", "denominator"),
    "completion": ("categories",),
    "band": ("categories", "bands"),
    "checklist": ("criteria",),
    "deduction": ("deductions",),
    "tier": ("options",),
    "qualitative": ("tiers",),
    "manual": (),
    "rows": (),
}
# Kinds whose score the report's data decides; the others are a reviewer's judgement.
COMPUTED_KINDS = frozenset({"ratio", "execution", "completion", "band", "rows"})


@record
class Criterion:
    id: str
    text: str
    points: Decimal  # for deductions: the maximum
    min: Decimal | None = None  # for deductions: the minimum taken when it applies
    evidence: bool = False


@record
class Rule:
    kind: str
    params: Mapping[str, Any]
    criteria: tuple[Criterion, ...] = ()  # checklist criteria / deductions / tier options
    summary: str = ""  # the criteria in one line, for traces (built once by the loader)

    @property
    def computed(self) -> bool:
        return self.kind in COMPUTED_KINDS


@record
class Node:
    name: str
    points: Decimal
    path: tuple[str, ...]
    children: tuple[Node, ...] = ()
    rule: Rule | None = None
    indicator: str = ""  # 具体指标
    standard: str = ""  # 评价标准
    formula: str = ""
    evidence: str = ""  # the whole item needs this 佐证材料
    aliases: tuple[str, ...] = ()

    # what needs 佐证材料, as (criterion id or None for the whole item, label); computed once
    _evidence_needs: tuple[tuple[str | None, str], ...] = field(
        default=(), init=False, repr=False, compare=False
    )
    _evidence: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        needs: list[tuple[str | None, str]] = [(None, self.evidence)] if self.evidence else []
        if self.rule:
            needs.extend((c.id, f"{c.id}{c.text}") for c in self.rule.criteria if c.evidence)
        object.__setattr__(self, "_evidence_needs", tuple(needs))
        object.__setattr__(self, "_evidence", tuple(label for _, label in needs))

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def evidence_required(self) -> tuple[str, ...]:
        """Labels of what needs 佐证材料: the item's document, or each criterion marked so."""
        return self._evidence

    def evidence_needs(self) -> tuple[tuple[str | None, str], ...]:
        """(criterion id, label) per 佐证材料 needed; the id is None when the whole item needs it."""
        return self._evidence_needs


@record
class GradeBand:
    name: str
    min: Decimal


@record
class System:
    id: str
    name: str
    version: str
    total: Decimal
    grades: tuple[GradeBand, ...]
    items: tuple[Node, ...]
    region: str = ""
    source: str = ""
    notes: str = ""
    layouts: tuple[str, ...] = ()
    file: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    _leaves: tuple[Node, ...] = field(default=(), init=False, repr=False, compare=False)
    _by_path: Mapping[tuple[str, ...], Node] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # the scored leaves in table order, computed once (systems are immutable)
        out: list[Node] = []
        stack = list(reversed(self.items))
        while stack:
            node = stack.pop()
            if node.is_leaf:
                out.append(node)
            else:
                stack.extend(reversed(node.children))
        object.__setattr__(self, "_leaves", tuple(out))
        object.__setattr__(self, "_by_path", {leaf.path: leaf for leaf in out})

    def leaves(self) -> tuple[Node, ...]:
        return self._leaves

    def leaf(self, path: tuple[str, ...]) -> Node | None:
        return self._by_path.get(tuple(path))

    def grade(self, total: Decimal) -> str:
        for band in self.grades:
            if total >= band.min:
                return band.name
        return self.grades[-1].name

    @property
    def scores_rows(self) -> bool:
        """True where the system scores the report's own indicator rows (mof-2020)."""
        return any(leaf.rule and leaf.rule.kind == "rows" for leaf in self.leaves())
