"""总览 for the bureau (and a department, over its own units): states, grades, findings, gaps — as SVG charts."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from jixiao.checks.registry import CODES
from jixiao.store import accounts, reports
from jixiao.store.models import EvaluationRow, Organization, ReportRow
from jixiao.web.charts import bar_chart
from jixiao.web.deps import SessionDep, UserDep
from jixiao.web.render import page
from jixiao.web.routes.pages import GRADE_ORDER, as_int
from jixiao.workflow import STATES

router = APIRouter(include_in_schema=False)


def _count_by(session, query, column) -> dict[str, int]:
    sub = query.subquery()
    col = sub.c[column.key]
    return {k: n for k, n in session.execute(select(col, func.count()).group_by(col)).all()}


@router.get("/overview", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, user: UserDep, year: str | None = None):
    if user.role not in ("bureau", "department"):
        raise accounts.NotFound("总览只对财政局和主管部门开放")
    query = reports.visible(session, user)
    chosen = as_int(year)
    if chosen:
        query = query.where(ReportRow.year == chosen)
    by_state = _count_by(session, query, ReportRow.state)
    by_self = _count_by(session, query, ReportRow.self_grade)
    by_grade = _count_by(session, query, ReportRow.grade)
    grades = [g for g in GRADE_ORDER if g in by_self or g in by_grade]
    grades += sorted({*by_self, *by_grade} - set(grades) - {None})
    codes = _finding_counts(session, query)
    gaps = _unit_gaps(session, query)
    states = list(STATES)
    charts = {
        "state": bar_chart(
            "各状态报告数",
            [STATES[s] for s in states],
            [("报告数", "bar-score", [by_state.get(s, 0) for s in states])],
        ),
        "grade": bar_chart(
            "自评等次与复算等次",
            grades,
            [
                ("自评", "bar-self", [by_self.get(g, 0) for g in grades]),
                ("复算", "bar-score", [by_grade.get(g, 0) for g in grades]),
            ],
        ),
        "codes": bar_chart(
            "最常见的问题编号（涉及报告数）",
            [c["code"] for c in codes],
            [("报告数", "bar-error", [c["reports"] for c in codes])],
        ),
        "gaps": bar_chart(
            "自评与复算分差最大的单位（平均分差）",
            [g["unit"] for g in gaps],
            [("平均分差", "bar-self", [g["avg"] for g in gaps])],
        ),
    }
    all_years = sorted(
        {
            y
            for y in session.execute(
                reports.visible(session, user).with_only_columns(ReportRow.year)
            ).scalars()
            if y
        },
        reverse=True,
    )
    return page(
        request,
        "overview.html",
        user=user,
        title="总览",
        total=sum(by_state.values()),
        by_state=by_state,
        states=states,
        grades=grades,
        by_self=by_self,
        by_grade=by_grade,
        codes=codes,
        gaps=gaps,
        charts=charts,
        years=all_years,
        year=chosen,
    )


def _finding_counts(session, query) -> list[dict]:
    """Finding codes over the current self-evaluations of the reports in ``query``: most frequent first."""
    ids = query.with_only_columns(ReportRow.id).subquery()
    latest = (
        select(func.max(EvaluationRow.id))
        .join(ReportRow, ReportRow.id == EvaluationRow.report_id)
        .where(
            EvaluationRow.kind == "self",
            EvaluationRow.revision_number == ReportRow.current_revision,
            EvaluationRow.report_id.in_(select(ids.c.id)),
        )
        .group_by(EvaluationRow.report_id)
    )
    findings, touched = Counter(), Counter()
    for (data,) in session.execute(select(EvaluationRow.data).where(EvaluationRow.id.in_(latest))):
        codes = [f["code"] for f in data.get("findings") or []]
        findings.update(codes)
        touched.update(set(codes))
    return [
        {
            "code": code,
            "title": CODES[code].title if code in CODES else "",
            "count": findings[code],
            "reports": n,
        }
        for code, n in touched.most_common(10)
    ]


def _unit_gaps(session, query) -> list[dict]:
    sub = query.where(ReportRow.gap.is_not(None)).subquery()
    rows = session.execute(
        select(sub.c.unit_id, func.count(), func.avg(sub.c.gap), func.max(sub.c.gap))
        .group_by(sub.c.unit_id)
        .order_by(func.avg(sub.c.gap).desc())
        .limit(10)
    ).all()
    names = dict(session.execute(select(Organization.id, Organization.name)).all())
    return [
        {
            "unit": names.get(unit_id, str(unit_id)),
            "reports": n,
            "avg": Decimal(str(avg)).quantize(Decimal("0.1")),
            "max": Decimal(str(top)),
        }
        for unit_id, n, avg, top in rows
    ]
