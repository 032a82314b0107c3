"""The REST API (JSON). Errors are JSON with a Chinese message; bad input is 4xx, never 500."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import Response

from jixiao import api
from jixiao.deserialize import report_from_json
from jixiao.serialize import evaluation_json, report_json
from jixiao.store import files, reports
from jixiao.store.accounts import Forbidden, StoreError
from jixiao.store.audit import now_iso
from jixiao.store.models import MAX_INT
from jixiao.web import hot
from jixiao.web.deps import (
    CSRF_HEADER,
    SESSION_COOKIE,
    DbId,
    DbIntQuery,
    SessionDep,
    UserDep,
    db_int,
)

router = APIRouter(prefix="/api", tags=["reports"])


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response written once, without FastAPI's per-field encoding and validation of large
    documents (a report is ~20 KB); the shapes are the contract's, published in docs/schema."""
    return Response(orjson.dumps(content), status_code=status, media_type="application/json", headers=headers)


def _version(if_match: str | None, body_version: Any = None) -> int | None:
    raw = if_match.strip().strip('"').removeprefix("W/").strip('"') if if_match else body_version
    if raw is None:
        return None
    try:
        version = db_int(int(raw))
    except (TypeError, ValueError):
        version = None
    if version is None:
        raise StoreError(f"版本号「{raw}」不是有效的版本号（应是报告当前的版本整数）", place="If-Match")
    return version


@router.get("/reports", summary="我能看到的报告（可按条件筛选）")
def list_reports(
    session: SessionDep,
    user: UserDep,
    year: Annotated[int | None, Query(ge=-MAX_INT, le=MAX_INT)] = None,
    department: str | None = None,
    unit: str | None = None,
    state: str | None = None,
    grade: str | None = None,
    has_errors: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: str = "gap",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> Response:
    rows, total = reports.list_reports(
        session,
        user,
        year=year,
        department=department,
        unit=unit,
        state=state,
        grade=grade,
        has_errors=has_errors,
        q=q,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    names = reports.org_names(session, rows)
    return json_response({"total": total, "items": [reports.summary(r, session, names) for r in rows]})


@router.post("/reports", status_code=201, summary="用报告 JSON（jixiao.report/1）新建报告")
def create_report(
    session: SessionDep, user: UserDep, doc: Annotated[dict, Body()], unit: str | None = None
) -> dict:
    report = report_from_json(doc)
    row = reports.create_report(session, user, report, unit_name=unit)
    return {
        "id": row.id,
        "version": row.version,
        "evaluation": evaluation_json(reports.evaluation_for(session, row)),
    }


@router.post(
    "/reports/import", status_code=201, summary="上传 Word/Excel/文本报告并新建（或用 report_id 更新）"
)
def import_report(
    request: Request,
    session: SessionDep,
    user: UserDep,
    file: Annotated[UploadFile, File(description="报告文件")],
    unit: Annotated[str | None, Form()] = None,
    report_id: Annotated[int | None, Form(ge=1, le=MAX_INT)] = None,
    version: Annotated[int | None, Form(ge=-MAX_INT, le=MAX_INT)] = None,
) -> dict:
    limit = request.app.state.settings.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise StoreError(f"文件超过上限 {limit // 1024 // 1024} MB", place=file.filename)
    name = Path(file.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="jixiao-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        found = api.load_reports(path)
    found = [_with_file(r, name) for r in found]
    if report_id is not None:
        row = reports.save_revision(
            session, user, report_id, found[0], version, note="上传更新", source_name=name
        )
        rows = [row]
    else:
        rows = [reports.create_report(session, user, r, source_name=name, unit_name=unit) for r in found]
    first = rows[0]
    return {
        "id": first.id,
        "ids": [r.id for r in rows],
        "version": first.version,
        "report": report_json(reports.current_report(session, first)),
        "evaluation": evaluation_json(reports.evaluation_for(session, first, review=False)),
    }


def _with_file(report, name: str):
    from dataclasses import replace

    return replace(report, source=replace(report.source, file=name))


@router.get("/reports/{report_id}", summary="报告（jixiao.report/1）")
async def get_report(report_id: DbId, request: Request) -> Response:
    body, version = await hot.run(request.app.state, *_who(request), hot.read_report, report_id)
    return Response(body, media_type="application/json", headers={"ETag": f'"{version}"'})


def _who(request: Request) -> tuple[tuple[str, str], str]:
    auth = hot.credentials(
        request.headers.get("authorization", ""), lambda: request.cookies.get(SESSION_COOKIE)
    )
    return auth, request.headers.get(CSRF_HEADER, "")


@router.put("/reports/{report_id}", summary="保存新版本（需带 If-Match 版本号，防止覆盖他人的修改）")
def update_report(
    report_id: DbId,
    session: SessionDep,
    user: UserDep,
    doc: Annotated[dict, Body()],
    if_match: Annotated[str | None, Header()] = None,
) -> dict:
    reports.get_report(session, user, report_id)  # 404 before anything else: no leak through validation
    version = _version(if_match, (doc.get("meta") or {}).get("version"))
    if version is None:
        raise StoreError(
            "保存需要版本号", place="If-Match", fix="在请求头 If-Match 或 meta.version 中带上读取时的版本号"
        )
    row = reports.save_revision(
        session, user, report_id, report_from_json(doc), version, note=doc.get("note")
    )
    return {"id": row.id, "version": row.version, "revision": row.current_revision}


@router.get(
    "/reports/{report_id}/evaluation", summary="复算结果（jixiao.evaluation/1）；有审核答案时含审核得分"
)
async def get_evaluation(report_id: DbId, request: Request, review: bool = True) -> Response:
    state = request.app.state
    doc = "review" if review else "self"
    body = await hot.run(
        state, *_who(request), hot.stored_evaluation, report_id, state.read_sessions, review, doc=doc
    )
    return Response(body, media_type="application/json")


@router.post("/reports/{report_id}/score", summary="按给定的复核答案试算（不保存）")
async def score(
    report_id: DbId, request: Request, answers: Annotated[dict | None, Body()] = None
) -> Response:
    state = request.app.state
    body = await hot.run(state, *_who(request), hot.score, report_id, answers or None, unsafe=True)
    return Response(body, media_type="application/json")


@router.get("/reports/{report_id}/revisions", summary="历次版本")
def list_revisions(report_id: DbId, session: SessionDep, user: UserDep) -> list[dict]:
    return [
        {
            "number": r.number,
            "created_at": now_iso(r.created_at),
            "author_id": r.author_id,
            "note": r.note,
            "source": r.source_name,
        }
        for r in reports.revisions(session, user, report_id)
    ]


@router.get("/reports/{report_id}/diff", summary="两个版本的差异")
def diff(report_id: DbId, a: DbIntQuery, b: DbIntQuery, session: SessionDep, user: UserDep) -> list[dict]:
    return reports.diff(session, user, report_id, a, b)


@router.post("/reports/{report_id}/transitions", summary="提交 / 退回修改 / 通过 / 重新打开")
def transition(
    report_id: DbId,
    session: SessionDep,
    user: UserDep,
    action: Annotated[str, Body(embed=True)],
    comment: Annotated[str | None, Body(embed=True)] = None,
    version: Annotated[int | None, Body(embed=True, ge=-MAX_INT, le=MAX_INT)] = None,
) -> dict:
    row = reports.transition(session, user, report_id, action, comment, version)
    return reports.summary(row, session)


@router.post("/reports/bulk-approve", summary="财政局批量通过（逐份检查并记录）")
def bulk_approve(session: SessionDep, user: UserDep, ids: Annotated[list[int], Body(embed=True)]) -> dict:
    if user.role != "bureau":
        raise Forbidden("只有财政局可以批量通过")
    done, failed = [], []
    for rid in ids:
        try:
            with session.begin_nested():
                reports.transition(session, user, rid, "approve")
            done.append(rid)
        except StoreError as exc:
            failed.append({"id": rid, "reason": exc.message})
    return {"approved": done, "failed": failed}


@router.put("/reports/{report_id}/answers", summary="审核答案（评判项的复核）")
def put_answers(
    report_id: DbId,
    session: SessionDep,
    user: UserDep,
    answers: Annotated[dict, Body(embed=True)],
    comment: Annotated[str | None, Body(embed=True)] = None,
) -> dict:
    evaluation = reports.set_answers(session, user, report_id, answers, comment)
    return evaluation_json(evaluation)


@router.get("/reports/{report_id}/attachments", summary="佐证材料清单")
def list_attachments(report_id: DbId, session: SessionDep, user: UserDep) -> list[dict]:
    return [
        {
            "id": a.id,
            "filename": a.filename,
            "item": a.item,
            "criterion": a.criterion,
            "size": a.size,
            "sha256": a.sha256,
        }
        for a in files.list_attachments(session, user, report_id)
    ]


@router.post("/reports/{report_id}/attachments", status_code=201, summary="上传佐证材料")
def upload_attachment(
    request: Request,
    report_id: DbId,
    session: SessionDep,
    user: UserDep,
    file: Annotated[UploadFile, File()],
    item: Annotated[str | None, Form()] = None,
    criterion: Annotated[str | None, Form()] = None,
) -> dict:
    data = file.file.read(files.MAX_BYTES + 1)
    att = files.add_attachment(
        session,
        user,
        report_id,
        file.filename or "附件",
        data,
        item=item,
        criterion=criterion,
        base=request.app.state.settings.files_dir,
    )
    return {"id": att.id, "filename": att.filename, "sha256": att.sha256}


@router.get("/reports/{report_id}/attachments/{attachment_id}", summary="下载佐证材料（只作为附件下载）")
def download_attachment(
    request: Request, report_id: DbId, attachment_id: DbId, session: SessionDep, user: UserDep
) -> Response:
    att, data = files.open_attachment(
        session, user, report_id, attachment_id, base=request.app.state.settings.files_dir
    )
    return _download(data, att.filename, "application/octet-stream")


@router.get("/reports/{report_id}/export", summary="导出 docx / xlsx / pdf / json")
def export(report_id: DbId, session: SessionDep, user: UserDep, format: str = "json") -> Response:
    row = reports.get_report(session, user, report_id)
    report = reports.current_report(session, row)
    evaluation = reports.evaluation_for(session, row)
    if format not in ("json", "docx", "xlsx", "pdf"):
        raise StoreError(f"不支持的导出格式 {format}", fix="用 json / docx / xlsx / pdf")
    from jixiao.io.exporters import export_reports

    with tempfile.TemporaryDirectory(prefix="jixiao-export-") as tmp:
        out = Path(tmp) / f"report-{row.id}.{format}"
        export_reports([(report, evaluation)], out)
        data = out.read_bytes()
    media = {
        "json": "application/json",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }[format]
    return _download(data, f"{row.project_name or '报告'}-{row.id}.{format}", media)


@router.get("/reports/{report_id}/history", summary="修改记录（审计日志）")
def report_history(report_id: DbId, session: SessionDep, user: UserDep) -> list[dict]:
    return [
        {"id": e.id, "at": now_iso(e.at), "user": e.user_login, "action": e.action, "detail": e.detail}
        for e in reports.history(session, user, report_id)
    ]


def _download(data: bytes, filename: str, media: str) -> Response:
    from urllib.parse import quote

    ascii_name = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in filename)
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )
