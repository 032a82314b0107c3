"""Login and logout: a JSON endpoint for scripts and pages, with HttpOnly SameSite session cookies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from jixiao.store import accounts
from jixiao.store.accounts import StoreError
from jixiao.web.deps import SESSION_COOKIE, SessionDep

router = APIRouter(tags=["auth"])


def client_key(request: Request) -> str:
    return request.client.host if request.client else ""


def start_session(request: Request, response: Response, session, user) -> str:
    token, csrf = accounts.open_session(session, user)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        max_age=accounts.SESSION_HOURS * 3600,
        path="/",
    )
    return csrf


@router.post("/api/login", summary="登录（浏览器会话）；返回 CSRF 令牌")
def api_login(
    request: Request,
    response: Response,
    session: SessionDep,
    login: Annotated[str, Body(embed=True, max_length=100)],
    password: Annotated[str, Body(embed=True, max_length=200)],
) -> dict:
    user = accounts.check_password(session, login, password, client_key(request))
    if user is None:
        session.commit()  # keep the failed attempt for the rate limit
        raise StoreError("用户名或密码错误", place="登录")
    csrf = start_session(request, response, session, user)
    return {"login": user.login, "role": user.role, "csrf": csrf}


@router.post("/api/logout", summary="退出登录")
def api_logout(request: Request, response: Response, session: SessionDep) -> dict:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.close_session(session, cookie)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}
