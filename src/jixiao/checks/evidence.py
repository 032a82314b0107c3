"""佐证材料: criteria that require supporting documents (JX601)."""

from __future__ import annotations

from collections.abc import Iterator

from jixiao.checks.context import CheckContext
from jixiao.checks.indicators import item_where
from jixiao.domain import Finding
from jixiao.io.cells import compact


def missing_evidence(ctx: CheckContext) -> Iterator[Finding]:
    """JX601: an item claims points on a criterion that needs 佐证材料, and nothing is attached."""
    attached = ctx.report.attachments
    items = {item.path: item for item in ctx.evaluation.items}
    for leaf in ctx.system.leaves():
        needs = leaf.evidence_needs()
        if not needs:
            continue
        item = items.get(leaf.path)
        if item is None or not item.self_score:
            continue  # no points claimed on it (none, or no self-score the form gives for it)
        for criterion, label in needs:
            have = [
                a
                for a in attached
                if a.item
                and compact(a.item) in (compact(leaf.name), compact("/".join(leaf.path)))
                and (criterion is None or a.criterion in (None, criterion))
            ]
            if not have:
                yield ctx.finding(
                    "JX601",
                    f"「{leaf.name}」评价标准要求提供佐证材料（{label}），报告未附",
                    item_where(item),
                )


CHECKS = (missing_evidence,)
