"""One report's pages: 评分表, workflow buttons, 审核, 佐证材料, 修改记录."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from jixiao import api
from jixiao.errors import AnswersError
from jixiao.serialize import report_json
from jixiao.store import files, reports
from jixiao.store.accounts import Conflict, StoreError
from jixiao.store.models import ReportRow, User
from jixiao.web import review_form, views
from jixiao.web.deps import DbId, SessionDep, UserDep
from jixiao.web.render import page, redirect
from jixiao.web.report_form import FUND_COLUMNS, PROJECT_FIELDS, fund_columns
from jixiao.web.routes.pages import CSRF, FormDep
from jixiao.workflow import ACTIONS, EDITABLE, LOCKED, STATES, actions_for, reviewer_stage

router = APIRouter(include_in_schema=False)
DONE = {
    "submit": "已提交，等待审核",
    "return": "已退回修改",
    "approve": "已通过",
    "reopen": "已重新打开",
}


def report_context(session, user: User, row: ReportRow) -> dict:
    """What every report page shows in its header: facts, totals, state, who may do what now."""
    report = reports.current_report(session, row)
    doc = report_json(report)
    evaluation = reports.stored_evaluation(session, row, review=False)
    answers = reports.latest_answers(session, row)
    review = reports.stored_evaluation(session, row, review=True) if answers else None
    steps = reports.transitions(session, user, row.id)
    return {
        "row": row,
        "meta": reports.summary(row, session),
        "doc": doc,
        "evaluation": evaluation,
        "review": review,
        "steps": steps,
        "comments": [t for t in steps if t.comment],
        "actions": actions_for(user.role, row.state),
        "can_edit": user.role == "unit" and row.state in EDITABLE,
        "can_review": reviewer_stage(user.role, row.state),
        "can_attach": user.role != "admin" and row.state != LOCKED,
        "locked": row.state == LOCKED,
        "ACTIONS": ACTIONS,
        "system": api.system_for(report, row.system),
    }


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def scoresheet(request: Request, report_id: DbId, session: SessionDep, user: UserDep):
    row = reports.get_report(session, user, report_id)
    ctx = report_context(session, user, row)
    from jixiao.web.report_form import findings_by_anchor

    return page(
        request,
        "report.html",
        user=user,
        title=f"评分表 · {row.project_name or '未命名项目'}",
        rows=views.scoresheet(ctx["evaluation"], ctx["review"]),
        chart=views.block_chart(ctx["evaluation"], ctx["review"]),
        anchors=findings_by_anchor(ctx["evaluation"].get("findings") or []),
        project_fields=PROJECT_FIELDS,
        fund_columns=fund_columns(ctx["doc"]),
        fund_labels=FUND_COLUMNS,
        **ctx,
    )


@router.post("/reports/{report_id}/transition", dependencies=CSRF)
def transition(
    report_id: DbId,
    session: SessionDep,
    user: UserDep,
    action: Annotated[str, Form()],
    comment: Annotated[str, Form(max_length=2000)] = "",
    version: Annotated[str, Form()] = "",
):
    reports.get_report(session, user, report_id)  # 404 first: nothing leaks through the messages below
    try:
        reports.transition(
            session,
            user,
            report_id,
            action,
            comment.strip() or None,
            int(version) if version.isdigit() else None,
        )
    except StoreError as exc:
        session.rollback()
        return redirect(f"/reports/{report_id}", exc.message + (f"（{exc.fix}）" if exc.fix else ""), "error")
    return redirect(f"/reports/{report_id}", DONE.get(action, "已完成"))


@router.get("/reports/{report_id}/history", response_class=HTMLResponse)
def history(request: Request, report_id: DbId, session: SessionDep, user: UserDep):
    row = reports.get_report(session, user, report_id)
    entries = views.history_rows(reports.history(session, user, report_id))
    return page(
        request,
        "history.html",
        user=user,
        title=f"修改记录 · {row.project_name or '未命名项目'}",
        meta=reports.summary(row, session),
        entries=entries,
    )


# --------------------------------------------------------------------------- 佐证材料


def _evidence_needs(system) -> list[dict]:
    """Items whose 评价标准 asks for 佐证材料: the whole item and/or single criteria."""
    out = []
    for leaf in system.leaves():
        needs = leaf.evidence_required()
        if not needs:
            continue
        options = ([{"id": "", "label": f"整项：{leaf.evidence}"}] if leaf.evidence else []) + [
            {"id": c.id, "label": f"{c.id}{c.text}"} for c in leaf.rule.criteria if c.evidence
        ]
        out.append({"name": leaf.name, "path": "/".join(leaf.path), "needs": needs, "options": options})
    return out


@router.get("/reports/{report_id}/attachments", response_class=HTMLResponse)
def attachments(request: Request, report_id: DbId, session: SessionDep, user: UserDep):
    row = reports.get_report(session, user, report_id)
    ctx = report_context(session, user, row)
    listed = files.list_attachments(session, user, report_id)
    needs = _evidence_needs(ctx["system"])
    known = {n["name"] for n in needs}
    by_item: dict[str, list] = {}
    for a in listed:
        by_item.setdefault(a.item if a.item in known else "", []).append(a)
    return page(
        request,
        "attachments.html",
        user=user,
        title=f"佐证材料 · {row.project_name or '未命名项目'}",
        needs=needs,
        by_item=by_item,
        **ctx,
    )


@router.post("/reports/{report_id}/attachments", dependencies=CSRF)
def upload_attachment(
    request: Request,
    report_id: DbId,
    session: SessionDep,
    user: UserDep,
    file: Annotated[UploadFile, File()],
    item: Annotated[str, Form(max_length=100)] = "",
    criterion: Annotated[str, Form(max_length=20)] = "",
):
    reports.get_report(session, user, report_id)
    data = file.file.read(files.MAX_BYTES + 1)
    try:
        att = files.add_attachment(
            session,
            user,
            report_id,
            file.filename or "附件",
            data,
            item=item or None,
            criterion=criterion or None,
            base=request.app.state.settings.files_dir,
        )
    except StoreError as exc:
        session.rollback()
        return redirect(f"/reports/{report_id}/attachments", exc.message, "error")
    return redirect(f"/reports/{report_id}/attachments", f"已上传「{att.filename}」")


# --------------------------------------------------------------------------- 审核


def _review_page(request, session, user, row, v=None, errors=None, message=None, status=200):
    ctx = report_context(session, user, row)
    blocks = review_form.controls(ctx["system"], ctx["evaluation"])
    if v is None:
        v = review_form.values_from_answers(reports.latest_answers(session, row), blocks)
    attached: dict[str, list] = {}
    for a in files.list_attachments(session, user, row.id):
        attached.setdefault(a.item or "", []).append(a)
    return page(
        request,
        "review.html",
        status=status,
        user=user,
        title=f"审核 · {row.project_name or '未命名项目'}",
        blocks=blocks,
        v=v,
        errors=errors or {},
        message=message,
        attached=attached,
        **ctx,
    )


@router.get("/reports/{report_id}/review", response_class=HTMLResponse)
def review(request: Request, report_id: DbId, session: SessionDep, user: UserDep):
    row = reports.get_report(session, user, report_id)
    if not reviewer_stage(user.role, row.state):
        raise Conflict(f"报告处于「{STATES[row.state]}」状态，您现在不能审核", fix="回到评分表查看")
    return _review_page(request, session, user, row)


@router.post("/reports/{report_id}/review", dependencies=CSRF)
def review_save(request: Request, report_id: DbId, session: SessionDep, user: UserDep, v: FormDep):
    row = reports.get_report(session, user, report_id)
    if not reviewer_stage(user.role, row.state):
        raise Conflict(f"报告处于「{STATES[row.state]}」状态，您现在不能审核", fix="回到评分表查看")
    action = v.get("do", "save")
    comment = v.get("comment", "").strip() or None
    if v.get("version", "") != str(row.version):
        return _review_page(
            request,
            session,
            user,
            row,
            message=f"报告已被他人修改（当前版本 {row.version}），页面已载入最新内容，请重新核对后再操作",
            status=409,
        )
    ctx_system = api.system_for(reports.current_report(session, row), row.system)
    blocks = review_form.controls(ctx_system, reports.stored_evaluation(session, row, review=False))
    answers, errors = review_form.answers_from_form(v, blocks)
    if errors:
        return _review_page(request, session, user, row, v, errors, "有几处需要修改，见下方红字", 400)
    try:
        if answers != (reports.latest_answers(session, row) or {}):
            reports.set_answers(session, user, report_id, answers, comment)
        if action in ("approve", "return"):
            reports.transition(session, user, report_id, action, comment)
    except (AnswersError, StoreError) as exc:
        if getattr(exc, "status", 400) == 404:
            raise
        session.rollback()
        row = reports.get_report(session, user, report_id)
        text = exc.message + (f"（{exc.fix}）" if exc.fix else "")
        return _review_page(
            request, session, user, row, v, {}, text, 409 if isinstance(exc, Conflict) else 400
        )
    if action in ("approve", "return"):
        return redirect(f"/reports/{report_id}", DONE[action])
    total = reports.get_report(session, user, report_id).review_total
    shown = (
        f"，审核得分 {views.show_value(reports.summary(row, session)['review_total'])} 分"
        if total is not None
        else ""
    )
    return redirect(f"/reports/{report_id}/review", "已保存审核意见" + shown)
