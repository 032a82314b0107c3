"""The web pages people use (zh-CN, server-rendered, plain forms): login, 我的待办, 报告列表, 总览.

Report pages live in pages_report.py, upload and editing in pages_edit.py, 总览 in pages_overview.py. Every POST here carries the
session's csrf_token (``form_csrf``); everything a user may not see is the Chinese 404 page.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from jixiao.errors import JixiaoError
from jixiao.store import accounts, reports
from jixiao.store.accounts import StoreError
from jixiao.store.models import Organization, ReportRow, Transition, User
from jixiao.web.deps import SESSION_COOKIE, SessionDep, UserDep, db_int, form_csrf, optional_user
from jixiao.web.render import STATIC, page, redirect, safe_next
from jixiao.web.routes.auth import client_key, start_session
from jixiao.workflow import STATES

router = APIRouter(include_in_schema=False)
CSRF = [Depends(form_csrf)]
PAGE_SIZE = 50
GRADE_ORDER = ("优秀", "良好", "优", "良", "中", "差")


def install(app: FastAPI) -> None:
    """Add the pages, /static and HTML error pages (the API under /api keeps its JSON errors)."""
    from jixiao.web.routes import pages_edit, pages_overview, pages_report

    app.include_router(router)
    app.include_router(pages_report.router)
    app.include_router(pages_edit.router)
    app.include_router(pages_overview.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for kind in (StoreError, JixiaoError, RequestValidationError, StarletteHTTPException, Exception):
        original = app.exception_handlers.get(kind)
        if original is not None:
            app.add_exception_handler(kind, _html_or_json(original))


def _html_or_json(original):
    async def handler(request: Request, exc: Exception):
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
            return await original(request, exc)
        return error_page(request, exc)

    return handler


def error_page(request: Request, exc: Exception) -> HTMLResponse | RedirectResponse:
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None) or 500
    if isinstance(exc, RequestValidationError):  # /reports/abc is no page; a form missing a field is stale
        status = 404 if request.method == "GET" else 400
        exc = StoreError("提交的表单不完整或已过期", fix="返回上一页，刷新后重试") if status == 400 else exc
    elif isinstance(exc, JixiaoError) and not isinstance(exc, StoreError):
        status = 400
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = target if request.method == "GET" else "/"  # a form posted after the session ended
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
    titles = {
        404: "页面不存在",
        403: "没有权限",
        409: "操作未完成",
        405: "不支持的操作",
        500: "服务器内部错误",
    }
    if status == 404:
        message = "没有找到这个页面或报告：它不存在，或者您没有查看它的权限。"
    elif status == 500:
        message = f"服务器内部错误（{type(exc).__name__}），请联系系统管理员。"
    else:
        message = (
            getattr(exc, "message", None) or str(getattr(exc, "detail", "")) or titles.get(status, "请求有误")
        )
    return page(
        request,
        "error.html",
        status=status,
        title=titles.get(status, "请求有误"),
        message=message,
        fix=getattr(exc, "fix", None),
    )


async def form_values(request: Request) -> dict[str, str]:
    """The posted form as text fields (files are read by the routes that take them).

    An async dependency, so that the routes themselves can be plain functions: FastAPI runs those in
    the thread pool, and their database and scoring work never blocks the event loop."""
    form = await request.form()
    return {k: v for k, v in form.items() if not isinstance(v, UploadFile)}


async def posted_form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[dict[str, str], Depends(form_values)]


# --------------------------------------------------------------------------- login


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: Annotated[User | None, Depends(optional_user)], next: str = "/"):
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, "login.html", title="登录", next=safe_next(next), login="", error=None)


@router.post("/login", dependencies=CSRF)
def login(
    request: Request,
    session: SessionDep,
    login: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form()] = "/",
):
    try:
        user = accounts.check_password(session, login.strip(), password, client_key(request))
        error = None if user else "用户名或密码错误"
    except StoreError as exc:  # rate limited
        user, error = None, exc.message
    if user is None:
        session.commit()  # keep the failed attempt for the rate limit
        return page(
            request, "login.html", status=400, title="登录", next=safe_next(next), login=login, error=error
        )
    response = redirect(safe_next(next))
    start_session(request, response, session, user)
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request, user: UserDep):
    return page(request, "logout.html", user=user, title="退出登录")


@router.post("/logout", dependencies=CSRF)
def logout(request: Request, session: SessionDep):
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.close_session(session, cookie)
    response = redirect("/login", "已退出登录")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --------------------------------------------------------------------------- 我的待办


def _todo_sections(session, user: User) -> list[dict]:
    def listed(state: str, title: str, hint: str) -> dict:
        rows, total = reports.list_reports(session, user, state=state, sort="updated", limit=20)
        return {"title": title, "hint": hint, "rows": rows, "total": total, "more": f"/reports?state={state}"}

    if user.role == "unit":
        returned = listed("returned", "退回修改", "主管部门或财政局退回，请按意见修改后重新提交")
        returned["comments"] = {r.id: _last_comment(session, r.id) for r in returned["rows"]}
        return [returned, listed("draft", "草稿", "尚未提交，核对复算结果和问题后提交")]
    if user.role == "department":
        return [listed("submitted", "已提交", "所属单位已提交，等待主管部门审核")]
    if user.role == "bureau":
        approved = listed("department_approved", "主管部门已审核", "等待财政局审核")
        query = reports.visible(session, user).where(
            ReportRow.state == "submitted", ReportRow.department_id.is_(None)
        )
        rows = session.execute(query.order_by(ReportRow.updated_at.desc()).limit(20)).scalars().all()
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        direct = {
            "title": "已提交（无主管部门的单位）",
            "hint": "直属财政局的单位已提交，由财政局直接审核",
            "rows": rows,
            "total": total,
            "more": "/reports?state=submitted",
        }
        return [approved, direct]
    return []


def _last_comment(session, report_id: int) -> str | None:
    return session.execute(
        select(Transition.comment)
        .where(Transition.report_id == report_id, Transition.comment.is_not(None))
        .order_by(Transition.id.desc())
        .limit(1)
    ).scalar_one_or_none()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, user: UserDep):
    sections = _todo_sections(session, user)
    for s in sections:
        names = reports.org_names(session, s["rows"])
        s["items"] = [reports.summary(r, session, names) for r in s["rows"]]
    return page(request, "home.html", user=user, title="我的待办", sections=sections)


# --------------------------------------------------------------------------- 报告列表


def filter_orgs(session, user: User) -> tuple[list[str], list[str]]:
    """Department and unit names the user may filter by (only what they can see)."""
    units = reports.visible_units(session, user)
    query = select(Organization).order_by(Organization.id)
    orgs = session.execute(query).scalars().all()
    if units is None:
        return [o.name for o in orgs if o.kind == "department"], [o.name for o in orgs if o.kind == "unit"]
    departments = [o.name for o in orgs if o.kind == "department" and o.id == user.org_id]
    return departments, [o.name for o in orgs if o.id in units]


def as_int(value: str | None) -> int | None:
    return db_int(int(value)) if value and value.strip().isdigit() else None


@router.get("/reports", response_class=HTMLResponse)
def report_list(request: Request, session: SessionDep, user: UserDep):
    q = request.query_params
    page_no = max(1, as_int(q.get("page")) or 1)
    has_errors = {"1": True, "0": False}.get(q.get("has_errors", ""))
    filters: dict[str, Any] = {
        "year": as_int(q.get("year")),
        "department": q.get("department") or None,
        "unit": q.get("unit") or None,
        "state": q.get("state") if q.get("state") in STATES else None,
        "grade": q.get("grade") or None,
        "has_errors": has_errors,
        "q": (q.get("q") or "").strip()[:100] or None,
    }
    sort = q.get("sort") if q.get("sort") in ("gap", "updated", "total", "id") else "gap"
    rows, total = reports.list_reports(
        session, user, **filters, sort=sort, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE
    )
    departments, units = filter_orgs(session, user)
    years = sorted(
        {
            y
            for y in session.execute(
                reports.visible(session, user).with_only_columns(ReportRow.year)
            ).scalars()
            if y
        },
        reverse=True,
    )
    kept = {k: v for k, v in q.items() if k != "page" and v}
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    names = reports.org_names(session, rows)
    return page(
        request,
        "list.html",
        user=user,
        title="报告列表",
        items=[reports.summary(r, session, names) for r in rows],
        total=total,
        filters=q,
        sort=sort,
        years=years,
        departments=departments,
        units=units,
        grades=GRADE_ORDER,
        page_no=page_no,
        pages=pages,
        prev_url="/reports?" + urlencode(kept | {"page": page_no - 1}) if page_no > 1 else None,
        next_url="/reports?" + urlencode(kept | {"page": page_no + 1}) if page_no < pages else None,
        back=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    )


@router.post("/reports/bulk-approve", dependencies=CSRF)
def bulk_approve(
    request: Request, session: SessionDep, user: UserDep, form: Annotated[FormData, Depends(posted_form)]
):
    from jixiao.web.routes import api as api_routes

    ids = [int(x) for x in form.getlist("ids") if str(x).isdigit()]
    back = safe_next(str(form.get("back") or "/reports"))
    if not ids:
        return redirect(back, "没有选择报告", "error")
    result = api_routes.bulk_approve(session, user, ids)  # each approval checked and logged one by one
    text = f"已通过 {len(result['approved'])} 份"
    if result["failed"]:
        text += "；未通过 " + "；".join(f"编号 {f['id']}：{f['reason']}" for f in result["failed"][:10])
    return redirect(back, text, "error" if result["failed"] else "ok")
