"""What the exported forms say, decided once for every writer: labels, dates, merged blocks, score rows.

No python-docx or openpyxl here — the writers only lay these values out.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jixiao.domain import Evaluation, FundRow, Indicator, ProjectInfo, Quantity, Report, ScoredItem
from jixiao.errors import JixiaoError
from jixiao.io.cells import compact
from jixiao.systems import Node, System, load_system

YUEYANG_LAYOUT = "yueyang-2-2"
# The fund sources the 附件2-2 form prints under its total, in its order.
YUEYANG_SOURCES = (
    ("central", "中央财政"),
    ("provincial", "省财政"),
    ("city", "市财政"),
    ("county", "县市区财政"),
    ("other", "其它"),
)
# Sign-off blocks of table 四: role, label, the signature line under it.
OPINIONS = (
    ("evaluation_group", "评价组组长（签字）：", ""),
    ("unit", "项目单位意见：", "项目单位负责人（签章）："),
    ("department", "主管部门意见：", "主管部门负责人（签章）："),
    ("finance", "财政部门归口业务科室意见：", "财政部门归口业务科室负责人（签章）："),
)


def is_yueyang(report: Report) -> bool:
    return report.source.layout == YUEYANG_LAYOUT


def cn_date(iso: str | None) -> str:
    """'2020-06-08' → '2020年6月8日'; '2019-06' → '2019年6月'; anything else as it is."""
    if not iso:
        return ""
    parts = iso.split("-")
    if not all(p.isdigit() for p in parts) or not 2 <= len(parts) <= 3:
        return iso
    names = ("年", "月", "日")
    return "".join(f"{int(p)}{names[n]}" for n, p in enumerate(parts))


def period_text(p: ProjectInfo) -> str:
    if p.start and p.end:
        return f"{cn_date(p.start)}起至{cn_date(p.end)}止"
    return p.period_raw or ""


def fund_source_rows(report: Report) -> list[tuple[str, FundRow | None]]:
    """The rows under the funds total. A Yueyang report keeps exactly its own rows (so it reads back the
    same); any other report gets the form's five sources, then its other rows (财政拨款, 上年结转…)."""
    rows = [r for r in report.funds.rows if r.key != "total"]
    if is_yueyang(report):
        return [(r.label, r) for r in rows]
    by_key = {r.key: r for r in rows}
    out: list[tuple[str, FundRow | None]] = [(label, by_key.get(key)) for key, label in YUEYANG_SOURCES]
    known = {key for key, _ in YUEYANG_SOURCES}
    return out + [(r.label, r) for r in rows if r.key not in known]


def opinion_blocks(report: Report) -> list[tuple[str, str | None, str]]:
    """(label, text, signature line) for each sign-off block: a Yueyang report's own, else the form's four."""
    signature = {role: sig for role, _, sig in OPINIONS}
    if is_yueyang(report) and report.opinions:
        return [(o.label, o.text, signature.get(o.role, "")) for o in report.opinions]
    texts = {o.role: o.text for o in report.opinions}
    return [(label, texts.get(role), sig) for role, label, sig in OPINIONS]


def indicator_blocks(rows: Sequence[Indicator]) -> tuple[list[int], list[int]]:
    """A block number per row for the merged 一级 and 二级 cells (equal numbers share one cell).

    A row without 二级指标 after one with it opens a new 一级 block: the importer clears 二级 only there.
    """
    blocks1: list[int] = []
    blocks2: list[int] = []
    prev: Indicator | None = None
    for row in rows:
        new1 = prev is None or row.level1 != prev.level1 or (row.level2 is None and prev.level2 is not None)
        new2 = new1 or row.level2 != prev.level2
        blocks1.append(len(blocks1) if new1 else blocks1[-1])
        blocks2.append(len(blocks2) if new2 else blocks2[-1])
        prev = row
    return blocks1, blocks2


def runs(keys: Sequence[Hashable]) -> dict[int, int]:
    """Start index → length of each run of equal consecutive keys (the rows one merged cell covers)."""
    out: dict[int, int] = {}
    start = 0
    for n in range(1, len(keys) + 1):
        if n == len(keys) or keys[n] != keys[start]:
            out[start] = n - start
            start = n
    return out


# -- 附件3-2 rows -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScoreRow:
    path: tuple[str, str, str]  # 一级, 二级, 三级
    max: Decimal | None
    self_score: Decimal | None
    scored: ScoredItem | None  # the recomputed item, when the evaluation has one for this row
    indicator: str  # 具体指标
    standard: str  # 评价标准


def system_of(evaluation: Evaluation) -> System | None:
    try:
        return load_system(evaluation.system)
    except JixiaoError:  # a system that is not installed here: the tables go without its texts
        return None


def score_rows(report: Report, evaluation: Evaluation, system: System | None) -> list[ScoreRow]:
    """The report's own 附件3-2 rows (so they read back the same), else the evaluation's items."""
    by_path = {tuple(i.path): i for i in evaluation.items}
    if report.self_assessment.items:
        source = [(tuple(i.path), i.max, i.score) for i in report.self_assessment.items]
    else:
        source = [(tuple(i.path), i.max, i.self_score) for i in evaluation.items]
    rows = {tuple(p for p in (r.level1, r.level2, r.name) if p): r for r in report.indicators}
    out = []
    for path, most, self_score in source:
        leaf = _leaf_for(system, path) if system else None
        scored = by_path.get(path) or (by_path.get(leaf.path) if leaf else None)
        indicator = leaf.indicator if leaf else ""
        row = rows.get(path)
        if row is not None and leaf is not None and leaf.rule and leaf.rule.kind == "rows":
            indicator = f"年度指标值：{_raw(row.target)}；实际完成值：{_raw(row.actual)}"
        out.append(
            ScoreRow(
                path=_three(path),
                max=most,
                self_score=self_score,
                scored=scored,
                indicator=indicator,
                standard=leaf.standard if leaf else "",
            )
        )
    return out


def _raw(q: Quantity | None) -> str:
    return q.raw if q is not None and q.raw else "—"


def group_points(
    system: System | None, rows: Sequence[ScoreRow], start: int, length: int, depth: int
) -> Decimal | None:
    """分值 of the 一级 (depth 1) or 二级 (depth 2) block: the system's points, else the sum of its rows."""
    name = compact(rows[start].path[depth - 1])
    if not name:  # a row without that level (预算执行率): nothing to total
        return None
    nodes: Sequence[Node] = system.items if system else ()
    if depth == 2 and system:
        parent = compact(rows[start].path[0])
        nodes = [c for n in system.items if compact(n.name) == parent for c in n.children]
    for node in nodes:
        if compact(node.name) == name:
            return node.points
    maxes = [r.max for r in rows[start : start + length] if r.max is not None]
    return sum(maxes, Decimal(0)) if maxes else None


def _leaf_for(system: System, path: tuple[str, ...]) -> Node | None:
    """The system leaf a report row scores: by full path, else by name or alias (as the engine matches)."""
    key = tuple(compact(p) for p in path)
    leaves = system.leaves()
    for leaf in leaves:
        if tuple(compact(p) for p in leaf.path) == key:
            return leaf
    name = key[-1] if key else ""
    for leaf in leaves:
        if name in {compact(n) for n in (leaf.name, *leaf.aliases)}:
            return leaf
    if len(path) == 3 and system.scores_rows:  # an indicator row of a system that scores the rows
        return next((leaf for leaf in leaves if leaf.rule and leaf.rule.kind == "rows"), None)
    return None


def _three(path: tuple[str, ...]) -> tuple[str, str, str]:
    if len(path) >= 3:
        return (path[0], path[1], path[-1])
    if len(path) == 2:
        return (path[0], "", path[1])
    name = path[0] if path else ""
    return (name, "", name)
