"""Reports in the database: visibility by role and unit, revisions, scoring, workflow, review answers.

Everything a user may not see is NotFound (404) — never Forbidden — so nothing leaks its existence.
Functions take a Session and never commit.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from jixiao import api
from jixiao.deserialize import report_from_json
from jixiao.diff import json_diff
from jixiao.domain import Attachment, Evaluation, Report
from jixiao.serialize import evaluation_json, report_json
from jixiao.store import audit
from jixiao.store.accounts import Conflict, Forbidden, NotFound, StoreError
from jixiao.store.models import (
    MAX_INT,
    AttachmentRow,
    AuditEntry,
    EvaluationRow,
    Organization,
    ReportRow,
    Revision,
    Transition,
    User,
    utcnow,
)
from jixiao.workflow import EDITABLE, LOCKED, STATES, WorkflowError, next_state, reviewer_stage


def visible_units(session: Session, user: User) -> set[int] | None:
    """Unit ids whose reports the user may see; None means all (the bureau)."""
    if user.role == "bureau":
        return None
    if user.role == "department":
        units = session.execute(
            select(Organization.id).where(Organization.parent_id == user.org_id)
        ).scalars()
        return set(units)
    if user.role == "unit":
        return {user.org_id}
    return set()  # admin: users and organisations, no reports


def visible(session: Session, user: User) -> Select:
    query = select(ReportRow)
    units = visible_units(session, user)
    if units is not None:
        query = query.where(ReportRow.unit_id.in_(units or {-1}))
    return query


def get_report(session: Session, user: User, report_id: int) -> ReportRow:
    if not 1 <= report_id <= MAX_INT:  # no such id can exist; the driver cannot even take it
        raise NotFound(f"没有编号为 {report_id} 的报告", place=f"报告 {report_id}")
    row = session.execute(visible(session, user).where(ReportRow.id == report_id)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"没有编号为 {report_id} 的报告", place=f"报告 {report_id}")
    return row


def revision(session: Session, row: ReportRow, number: int | None = None) -> Revision:
    number = number or row.current_revision
    rev = session.execute(
        select(Revision).where(Revision.report_id == row.id, Revision.number == number)
    ).scalar_one_or_none()
    if rev is None:
        raise NotFound(f"报告 {row.id} 没有第 {number} 版")
    return rev


def current_report(session: Session, row: ReportRow) -> Report:
    """The report as of its current revision, with its attachments (so JX601 sees uploaded evidence)."""
    report = report_from_json(revision(session, row).data)
    files = session.execute(
        select(AttachmentRow).where(AttachmentRow.report_id == row.id, AttachmentRow.deleted.is_(False))
    ).scalars()
    attached = tuple(Attachment(name=a.filename, item=a.item, criterion=a.criterion) for a in files)
    return replace(report, attachments=attached)


def current_report_json(session: Session, row: ReportRow) -> dict[str, Any]:
    """The contract JSON of the current revision as stored (no round trip through Report), with attachments."""
    doc = dict(revision(session, row).data)
    files = session.execute(
        select(AttachmentRow).where(AttachmentRow.report_id == row.id, AttachmentRow.deleted.is_(False))
    ).scalars()
    doc["attachments"] = [{"name": a.filename, "item": a.item, "criterion": a.criterion} for a in files]
    return doc


def latest_answers(session: Session, row: ReportRow) -> dict | None:
    review = session.execute(
        select(EvaluationRow)
        .where(EvaluationRow.report_id == row.id, EvaluationRow.kind == "review")
        .order_by(EvaluationRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return review.answers if review else None


def _summarize(row: ReportRow, report: Report, evaluation: Evaluation) -> None:
    row.project_name = report.project.name
    row.year = report.project.year
    row.self_total = evaluation.self_total
    row.self_grade = evaluation.self_grade
    row.total = evaluation.total
    row.grade = evaluation.grade
    row.system = evaluation.system
    row.gap = evaluation.self_total - evaluation.total if evaluation.self_total is not None else None
    row.errors = sum(1 for f in evaluation.findings if f.severity == "error")
    row.warnings = sum(1 for f in evaluation.findings if f.severity == "warning")
    row.updated_at = utcnow()


def _unit_for(session: Session, user: User, unit_name: str | None) -> Organization:
    if user.role == "unit":
        unit = session.get(Organization, user.org_id)
        if unit_name and unit_name != unit.name:
            raise Forbidden("项目单位只能为本单位创建报告")
        return unit
    if user.role == "admin":
        raise Forbidden("系统管理员不编辑报告")
    if not unit_name:
        raise StoreError("请指定报告所属的项目单位（unit）")
    unit = session.execute(
        select(Organization).where(Organization.name == unit_name, Organization.kind == "unit")
    ).scalar_one_or_none()
    units = visible_units(session, user)
    if unit is None or (units is not None and unit.id not in units):
        raise NotFound(f"没有项目单位「{unit_name}」")
    return unit


def create_report(
    session: Session,
    user: User,
    report: Report,
    *,
    source_name: str | None = None,
    unit_name: str | None = None,
) -> ReportRow:
    unit = _unit_for(session, user, unit_name)
    parent = session.get(Organization, unit.parent_id) if unit.parent_id else None
    row = ReportRow(
        unit_id=unit.id,
        department_id=parent.id if parent and parent.kind == "department" else None,
        state="draft",
    )
    session.add(row)
    session.flush()
    _add_revision(session, user, row, report, source_name=source_name, note="创建")
    audit.record(
        session,
        user,
        "report.create",
        "report",
        row.id,
        report_id=row.id,
        org_id=unit.id,
        detail={"project": report.project.name, "source": source_name},
    )
    return row


def _add_revision(
    session: Session, user: User, row: ReportRow, report: Report, *, source_name: str | None, note: str | None
) -> Revision:
    data = report_json(report)
    number = row.current_revision + 1
    rev = Revision(
        report_id=row.id, number=number, data=data, source_name=source_name, note=note, author_id=user.id
    )
    session.add(rev)
    row.current_revision = number
    session.flush()
    rescore(session, user, row)
    return rev


def rescore(session: Session, user: User | None, row: ReportRow) -> Evaluation:
    report = current_report(session, row)
    evaluation = api.evaluate(report)
    session.add(
        EvaluationRow(
            report_id=row.id,
            revision_number=row.current_revision,
            kind="self",
            data=evaluation_json(evaluation),
            author_id=user.id if user else None,
        )
    )
    _summarize(row, report, evaluation)
    answers = latest_answers(session, row)
    if answers:
        row.review_total = api.evaluate(report, answers=answers).total
    return evaluation


def save_revision(
    session: Session,
    user: User,
    report_id: int,
    report: Report,
    expected_version: int | None,
    *,
    note: str | None = None,
    source_name: str | None = None,
) -> ReportRow:
    row = get_report(session, user, report_id)
    _check_version(row, expected_version)
    if user.role != "unit" or row.state not in EDITABLE:
        raise Forbidden(
            f"报告处于「{STATES[row.state]}」状态，{'只有项目单位在草稿或退回修改时可以修改' if row.state in EDITABLE else '不能修改'}"
        )
    before = revision(session, row).data
    _add_revision(session, user, row, report, source_name=source_name, note=note)
    changes = json_diff(before, report_json(report))
    audit.record(
        session,
        user,
        "report.update",
        "report",
        row.id,
        report_id=row.id,
        org_id=row.unit_id,
        detail={"revision": row.current_revision, "changes": changes[:200], "changed": len(changes)},
    )
    _flush(session)
    return row


def _check_version(row: ReportRow, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise Conflict(
            f"报告已被他人修改（当前版本 {row.version}，你的版本 {expected}）",
            fix="重新打开报告，在最新内容上修改后再保存",
        )


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "报告刚刚被他人修改，本次保存未生效", fix="重新打开报告，在最新内容上修改后再保存"
        ) from None


def transition(
    session: Session,
    user: User,
    report_id: int,
    action: str,
    comment: str | None = None,
    expected_version: int | None = None,
) -> ReportRow:
    row = get_report(session, user, report_id)
    _check_version(row, expected_version)
    try:
        target = next_state(action, user.role, row.state, comment)
    except WorkflowError as exc:
        raise Conflict(exc.message) from None
    session.add(
        Transition(
            report_id=row.id,
            from_state=row.state,
            to_state=target,
            action=action,
            comment=comment,
            user_id=user.id,
        )
    )
    audit.record(
        session,
        user,
        f"report.{action}",
        "report",
        row.id,
        report_id=row.id,
        org_id=row.unit_id,
        detail={"state": [row.state, target], "comment": comment},
    )
    row.state = target
    row.updated_at = utcnow()
    _flush(session)
    return row


def set_answers(
    session: Session, user: User, report_id: int, answers: dict[str, Any], comment: str | None = None
) -> Evaluation:
    row = get_report(session, user, report_id)
    if not reviewer_stage(user.role, row.state):
        raise Conflict(f"报告处于「{STATES[row.state]}」状态，{user.role} 现在不能填写审核意见")
    report = current_report(session, row)
    evaluation = api.evaluate(report, answers=answers)  # AnswersError (400) when they do not fit the system
    old = latest_answers(session, row)
    session.add(
        EvaluationRow(
            report_id=row.id,
            revision_number=row.current_revision,
            kind="review",
            data=evaluation_json(evaluation),
            answers=answers,
            author_id=user.id,
        )
    )
    before = row.review_total
    row.review_total = evaluation.total
    row.updated_at = utcnow()
    audit.record(
        session,
        user,
        "report.review",
        "report",
        row.id,
        report_id=row.id,
        org_id=row.unit_id,
        detail={
            "answers": json_diff(old or {}, answers),
            "review_total": [str(before) if before is not None else None, str(evaluation.total)],
            "comment": comment,
        },
    )
    _flush(session)
    return evaluation


def stored_evaluation(session: Session, row: ReportRow, review: bool = True) -> dict[str, Any]:
    """The evaluation saved with the current revision (the review's when there is one and ``review``)."""
    kinds = ("review", "self") if review else ("self",)
    rows = session.execute(
        select(EvaluationRow)
        .where(EvaluationRow.report_id == row.id, EvaluationRow.kind.in_(kinds))
        .order_by(EvaluationRow.id.desc())
    ).scalars()
    for ev in rows:
        if ev.revision_number == row.current_revision:
            return ev.data
        if ev.kind == "review":
            break  # answers given on an older revision: score the current one with them afresh
    return evaluation_json(evaluation_for(session, row, review=review))


def evaluation_for(session: Session, row: ReportRow, review: bool = True) -> Evaluation:
    report = current_report(session, row)
    answers = latest_answers(session, row) if review else None
    return api.evaluate(report, answers=answers)


def list_reports(
    session: Session,
    user: User,
    *,
    year: int | None = None,
    department: str | None = None,
    unit: str | None = None,
    state: str | None = None,
    grade: str | None = None,
    has_errors: bool | None = None,
    q: str | None = None,
    sort: str = "gap",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ReportRow], int]:
    query = visible(session, user)
    if year is not None:
        query = query.where(ReportRow.year == year)
    for name, column in ((department, ReportRow.department_id), (unit, ReportRow.unit_id)):
        if name:
            org = session.execute(
                select(Organization.id).where(Organization.name == name)
            ).scalar_one_or_none()
            query = query.where(column == (org if org is not None else -1))
    if state:
        if state not in STATES:
            raise StoreError(f"未知的状态 {state}", fix="可用：" + "、".join(STATES))
        query = query.where(ReportRow.state == state)
    if grade:
        query = query.where(ReportRow.grade == grade)
    if has_errors is not None:
        query = query.where(ReportRow.errors > 0 if has_errors else ReportRow.errors == 0)
    if q:
        query = query.where(ReportRow.project_name.contains(q, autoescape=True))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = {
        "gap": (ReportRow.gap.desc().nulls_last(), ReportRow.id),
        "updated": (ReportRow.updated_at.desc(), ReportRow.id),
        "id": (ReportRow.id,),
        "total": (ReportRow.total.asc().nulls_last(), ReportRow.id),
    }.get(sort)
    if order is None:
        raise StoreError(f"未知的排序 {sort}", fix="可用：gap、updated、id、total")
    rows = session.execute(query.order_by(*order).limit(min(limit, 500)).offset(offset)).scalars().all()
    return list(rows), total


def revisions(session: Session, user: User, report_id: int) -> list[Revision]:
    row = get_report(session, user, report_id)
    return list(
        session.execute(
            select(Revision).where(Revision.report_id == row.id).order_by(Revision.number)
        ).scalars()
    )


def diff(session: Session, user: User, report_id: int, a: int, b: int) -> list[dict[str, Any]]:
    row = get_report(session, user, report_id)
    return json_diff(revision(session, row, a).data, revision(session, row, b).data)


def history(session: Session, user: User, report_id: int) -> list[AuditEntry]:
    row = get_report(session, user, report_id)
    return list(
        session.execute(
            select(AuditEntry).where(AuditEntry.report_id == row.id).order_by(AuditEntry.id)
        ).scalars()
    )


def transitions(session: Session, user: User, report_id: int) -> list[Transition]:
    row = get_report(session, user, report_id)
    return list(
        session.execute(
            select(Transition).where(Transition.report_id == row.id).order_by(Transition.id)
        ).scalars()
    )


def org_names(session: Session, rows: list[ReportRow]) -> dict[int, str]:
    """Names of the units and departments of these reports, in one query."""
    ids = {r.unit_id for r in rows} | {r.department_id for r in rows if r.department_id}
    if not ids:
        return {}
    return dict(
        session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(ids))).all()
    )


def summary(row: ReportRow, session: Session, names: dict[int, str] | None = None) -> dict[str, Any]:
    names = names if names is not None else org_names(session, [row])
    return {
        "id": row.id,
        "project": row.project_name,
        "unit": names.get(row.unit_id),
        "department": names.get(row.department_id) if row.department_id else None,
        "year": row.year,
        "state": row.state,
        "state_label": STATES[row.state],
        "locked": row.state == LOCKED,
        "self_total": _s(row.self_total),
        "self_grade": row.self_grade,
        "total": _s(row.total),
        "grade": row.grade,
        "review_total": _s(row.review_total),
        "gap": _s(row.gap),
        "errors": row.errors,
        "warnings": row.warnings,
        "version": row.version,
        "revision": row.current_revision,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def _s(value: Decimal | None) -> str | None:
    from jixiao.numbers import to_json

    return to_json(value)
