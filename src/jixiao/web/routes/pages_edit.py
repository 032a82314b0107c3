"""上传 (read a Word/Excel/text file, show what was read, 确认保存) and 报告编辑 (the 附件2-2 form).

An upload is kept in a private temporary folder keyed by a random id between the two steps, so nothing
reaches the database until the unit confirms; a confirmed file is read again and saved in one transaction.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from jixiao import api
from jixiao.deserialize import report_from_json
from jixiao.errors import JixiaoError
from jixiao.serialize import evaluation_json, report_json
from jixiao.store import reports
from jixiao.store.accounts import Conflict, Forbidden, NotFound, StoreError
from jixiao.store.models import ReportRow, User
from jixiao.web.deps import DbId, SessionDep, UserDep
from jixiao.web.render import page, redirect
from jixiao.web.report_form import (
    FUND_COLUMNS,
    LEVEL2_SUGGESTIONS,
    PROJECT_FIELDS,
    add_blank_rows,
    doc_from_form,
    findings_by_anchor,
    fund_columns,
    values_from_doc,
)
from jixiao.web.routes.pages import CSRF, FormDep, filter_orgs
from jixiao.workflow import EDITABLE, STATES

router = APIRouter(include_in_schema=False)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KEEP_SECONDS = 24 * 3600


# --------------------------------------------------------------------------- 上传


def _uploads(request: Request) -> Path:
    path = Path(request.app.state.settings.files_dir) / ".uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(base: Path) -> None:
    """Forget uploads nobody confirmed within a day."""
    cutoff = time.time() - KEEP_SECONDS
    for entry in base.iterdir():
        if entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)


def _held(request: Request, user: User, token: str) -> tuple[Path, str]:
    """The held file of this user's upload ``token``; anything else is 404."""
    folder = _uploads(request) / token
    if not TOKEN.match(token) or not (folder / "meta.json").is_file():
        raise NotFound("这次上传已过期或不存在", fix="重新上传文件")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("user") != user.id:
        raise NotFound("这次上传已过期或不存在", fix="重新上传文件")
    return folder / meta["file"], meta["name"]


def _read(path: Path, name: str) -> list:
    return [replace(r, source=replace(r.source, file=name)) for r in api.load_reports(path)]


def _upload_page(request, session, user, **extra):
    _departments, units = filter_orgs(session, user)
    return page(request, "upload.html", user=user, title="上传报告", units=units, **extra)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, session: SessionDep, user: UserDep):
    return _upload_page(request, session, user, error=None)


@router.post("/upload", dependencies=CSRF)
def upload(request: Request, session: SessionDep, user: UserDep, file: Annotated[UploadFile, File()]):
    if user.role == "admin":
        raise Forbidden("系统管理员不编辑报告")
    limit = request.app.state.settings.max_upload_bytes
    data = file.file.read(limit + 1)
    name = Path((file.filename or "").replace("\\", "/")).name[:200] or "upload"
    error = None
    if not data:
        error = JixiaoError("没有选择文件，或文件是空的", fix="选择一个 Word、Excel 或文本格式的自评报告")
    elif len(data) > limit:
        error = JixiaoError(f"文件超过上限 {limit // 1024 // 1024} MB", file=name, fix="压缩图片或拆分后上传")
    if error:
        return _upload_page(request, session, user, error=error, status=400)
    import secrets

    base = _uploads(request)
    _sweep(base)
    token = secrets.token_urlsafe(18)
    folder = base / token
    folder.mkdir()
    held = folder / (
        "report" + Path(name).suffix.lower()[:8]
    )  # never the user's name: no clash with meta.json
    held.write_bytes(data)
    try:
        found = _read(held, name)
    except JixiaoError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _upload_page(request, session, user, error=exc, status=400)
    meta = {"user": user.id, "name": name, "file": held.name}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return _preview_page(request, session, user, token, name, found)


def _preview_page(request, session, user, token: str, name: str, found: list, message: str | None = None):
    previews = []
    for report in found:
        evaluation = evaluation_json(api.evaluate(report))
        doc = report_json(report)
        previews.append(
            {
                "doc": doc,
                "evaluation": evaluation,
                "anchors": findings_by_anchor(evaluation["findings"]),
                "fund_columns": fund_columns(doc),
            }
        )
    _departments, units = filter_orgs(session, user)
    return page(
        request,
        "upload_preview.html",
        user=user,
        title="核对读取结果",
        token=token,
        filename=name,
        previews=previews,
        units=units,
        project_fields=PROJECT_FIELDS,
        fund_labels=FUND_COLUMNS,
        assignable=api.ASSIGNABLE,
        message=message,
    )


@router.get("/upload/{token}", response_class=HTMLResponse)
def upload_preview(request: Request, session: SessionDep, user: UserDep, token: str):
    path, name = _held(request, user, token)
    try:
        found = _read(path, name)
    except JixiaoError as exc:
        return _upload_page(request, session, user, error=exc, status=400)
    return _preview_page(request, session, user, token, name, found)


@router.post("/upload/assign", dependencies=CSRF)
async def upload_assign(request: Request, session: SessionDep, user: UserDep):
    """Keep what the user said of the leftover cells as a layout spec, then read the file again with it."""
    form = await request.form()
    token = str(form.get("token", ""))[:64]
    path, name = _held(request, user, token)
    assignments = [
        (str(form.get(f"text-{n}", ""))[:100], str(value))
        for key, value in form.multi_items()
        if key.startswith("assign-") and (n := key.removeprefix("assign-")).isdigit() and value
    ]
    try:
        spec_id = api.assign_layout(path, assignments, request.app.state.settings.layouts_dir, by=user.login)
        found = _read(path, name)
    except JixiaoError as exc:
        found = _read(path, name)
        return _preview_page(request, session, user, token, name, found, message=f"没有保存：{exc.message}")
    return _preview_page(
        request,
        session,
        user,
        token,
        name,
        found,
        message=f"已保存为版式「{spec_id}」：同样的表以后会自动按这些栏目读取。下面是重新读取的结果。",
    )


@router.post("/upload/confirm", dependencies=CSRF)
def upload_confirm(
    request: Request,
    session: SessionDep,
    user: UserDep,
    token: Annotated[str, Form(max_length=64)],
    unit: Annotated[str, Form(max_length=200)] = "",
):
    path, name = _held(request, user, token)
    try:
        found = _read(path, name)
        rows = [
            reports.create_report(session, user, r, source_name=name, unit_name=unit or None) for r in found
        ]
    except StoreError as exc:
        if exc.status == 404 and "项目单位" not in exc.message:
            raise
        session.rollback()
        return redirect("/upload", exc.message, "error")
    session.flush()
    shutil.rmtree(path.parent, ignore_errors=True)
    first = rows[0]
    text = f"已保存 {len(rows)} 份报告" if len(rows) > 1 else "已保存"
    score = reports.summary(first, session)["total"]
    return redirect(f"/reports/{first.id}", f"{text}：复算 {score} 分（{first.grade}），可以修改或提交")


@router.post("/upload/discard", dependencies=CSRF)
def upload_discard(request: Request, user: UserDep, token: Annotated[str, Form(max_length=64)]):
    path, _name = _held(request, user, token)
    shutil.rmtree(path.parent, ignore_errors=True)
    return redirect("/upload", "已放弃这次上传，没有保存任何内容")


# --------------------------------------------------------------------------- 报告编辑


def _editable(session, user: User, report_id: int) -> ReportRow:
    row = reports.get_report(session, user, report_id)
    if user.role != "unit" or row.state not in EDITABLE:
        raise Forbidden(
            f"报告处于「{STATES[row.state]}」状态，"
            + ("只有项目单位可以修改报告内容" if row.state in EDITABLE else "现在不能修改"),
            fix="回到评分表查看",
        )
    return row


def _leaves(system) -> list:
    return [(leaf.path, leaf.points) for leaf in system.leaves() if leaf.rule and leaf.rule.kind != "rows"]


def _edit_page(
    request,
    session,
    user,
    row,
    *,
    v=None,
    evaluation=None,
    version=None,
    errors=None,
    message=None,
    kind="ok",
    status=200,
    add=None,
):
    report = reports.current_report(session, row)
    doc = report_json(report)
    system = api.system_for(report, row.system)
    if v is None:
        v = add_blank_rows(values_from_doc(doc, _leaves(system)), add)
    if evaluation is None:
        evaluation = reports.stored_evaluation(session, row, review=False)
    return page(
        request,
        "edit.html",
        status=status,
        user=user,
        title=f"报告编辑 · {row.project_name or '未命名项目'}",
        meta=reports.summary(row, session),
        doc=doc,
        v=v,
        version=version if version is not None else row.version,
        evaluation=evaluation,
        anchors=findings_by_anchor(evaluation.get("findings") or []),
        errors=errors or {},
        message=message,
        message_kind=kind,
        project_fields=PROJECT_FIELDS,
        fund_columns=fund_columns(doc),
        fund_labels=FUND_COLUMNS,
        level2_suggestions=LEVEL2_SUGGESTIONS,
        count=lambda prefix: int(v.get(f"{prefix}_count") or 0),
    )


@router.get("/reports/{report_id}/edit", response_class=HTMLResponse)
def edit(request: Request, report_id: DbId, session: SessionDep, user: UserDep):
    row = _editable(session, user, report_id)
    return _edit_page(request, session, user, row)


def _from_form(session, row: ReportRow, v: dict):
    """(doc, report, errors): what the form says, over the current revision."""
    base = report_json(reports.current_report(session, row))
    doc, errors = doc_from_form(v, base)
    if errors:
        return doc, None, errors
    try:
        return doc, report_from_json(doc), errors
    except JixiaoError as exc:
        errors["form"] = exc.message
        return doc, None, errors


def _form_errors(request: Request, session, user, row, v: dict, errors: dict, message: str):
    """The form again, as posted, with each error at its field (400)."""
    return _edit_page(
        request,
        session,
        user,
        row,
        v=v,
        version=v.get("version", ""),
        errors=errors,
        message=message,
        kind="error",
        status=400,
    )


@router.post("/reports/{report_id}/edit/preview", dependencies=CSRF)
def edit_preview(request: Request, report_id: DbId, session: SessionDep, user: UserDep, v: FormDep):
    """重新计算 / 增加一行: score what the form says, show it again — nothing is saved."""
    row = _editable(session, user, report_id)
    version = v.get("version", "")
    doc, report, errors = _from_form(session, row, v)
    if report is None:
        return _form_errors(request, session, user, row, v, errors, "有几处需要修改，见下方红字")
    system = api.system_for(report, row.system)
    evaluation = evaluation_json(api.evaluate(report, system))
    fresh = add_blank_rows(values_from_doc(doc, _leaves(system)), (v.get("add") or "")[:1] or None)
    text = f"重新计算（尚未保存）：自评 {evaluation['self_total'] or '—'} 分，复算 {evaluation['total']} 分（{evaluation['grade']}）"
    return _edit_page(
        request, session, user, row, v=fresh, evaluation=evaluation, version=version, message=text
    )


@router.post("/reports/{report_id}/edit", dependencies=CSRF)
def edit_save(request: Request, report_id: DbId, session: SessionDep, user: UserDep, v: FormDep):
    row = _editable(session, user, report_id)
    version = v.get("version", "")
    _doc, report, errors = _from_form(session, row, v)
    if report is None:
        return _form_errors(
            request, session, user, row, v, errors, "有几处需要修改，见下方红字，本次没有保存"
        )
    try:
        saved = reports.save_revision(
            session, user, report_id, report, int(version) if version.isdigit() else -1, note="网页修改"
        )
    except Conflict as exc:
        session.rollback()
        row = _editable(session, user, report_id)
        text = f"{exc.message}。页面已载入最新内容，您的修改没有保存，请在此基础上重新修改。"
        return _edit_page(request, session, user, row, message=text, kind="error", status=409)
    return redirect(
        f"/reports/{report_id}/edit",
        f"已保存为第 {saved.current_revision} 版：复算 {reports.summary(saved, session)['total']} 分（{saved.grade}）",
    )
