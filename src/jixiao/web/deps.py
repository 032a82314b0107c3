"""Request-scoped dependencies: the session belongs to the request; who is asking; CSRF for browsers."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from jixiao.store import accounts
from jixiao.store.accounts import StoreError
from jixiao.store.models import MAX_INT, User

SESSION_COOKIE = "jixiao_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Ids, revision numbers, versions and years are INTEGER columns: a larger number names nothing, and
# passed on it made the database driver fail (a 500). Refused as a bad request.
DbId = Annotated[int, Path(ge=1, le=MAX_INT)]
DbIntQuery = Annotated[int, Query(ge=-MAX_INT, le=MAX_INT)]


def db_int(value: int | None) -> int | None:
    """A number from a form or header, or None when no INTEGER column could hold it."""
    return value if value is None or -MAX_INT <= value <= MAX_INT else None


class NotAuthenticated(StoreError):
    status = 401


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's session. Async so that opening it costs no worker-thread hop (it does no I/O);
    the commit, which does, runs in the thread pool. The route's own work runs there too."""
    reading = request.method in SAFE_METHODS
    session = (request.app.state.read_sessions if reading else request.app.state.sessions)()
    try:
        yield session
    except BaseException:
        # also when the client went away and the request was cancelled: the connection must go back
        # to the pool (an await here would be cancelled at once, so this runs inline)
        _finish(session, False)
        raise
    if reading:
        _finish(session, False)  # a read: end the transaction here, no thread hop for a no-op commit
    else:
        with anyio.CancelScope(shield=True):  # a commit is not abandoned half-way by a disconnect
            await run_in_threadpool(_finish, session, True)


def _finish(session: Session, ok: bool) -> None:
    try:
        if ok:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


# scope="function": the commit happens before the response leaves, so a client that reads right after a
# write sees it, and a failed commit is answered as an error instead of a 200 already sent.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def _authenticate(request: Request, session: Session) -> tuple[User, str | None] | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = accounts.user_for_token(session, header[7:].strip())
        return (user, None) if user else None
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = accounts.session_user(session, cookie)
        if found:
            return found
    return None


def optional_user(request: Request, session: SessionDep) -> User | None:
    """Who is asking: a Bearer token (scripts) or a session cookie (browsers).

    A browser's unsafe API request must carry the session's CSRF token in X-CSRF-Token; HTML form
    posts carry it as the field csrf_token and are checked by ``form_csrf`` (every form route uses it).
    """
    found = _authenticate(request, session)
    if found is None:
        return None
    user, csrf = found
    request.state.csrf = csrf
    if csrf is not None and request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
        check_csrf(request.headers.get(CSRF_HEADER, ""), csrf)
    return user


def check_csrf(sent: str, expected: str) -> None:
    if not sent or not hmac.compare_digest(sent, expected):
        raise accounts.Forbidden("缺少或错误的 CSRF 令牌（页面已过期）", fix="刷新页面后重试")


async def form_csrf(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> None:
    """For HTML form posts: the csrf_token field must match the session's token."""
    expected = getattr(request.state, "csrf", None) if user is not None else None
    if expected is None:
        return  # not a cookie session: nothing a forged form could ride on
    form = await request.form()
    check_csrf(str(form.get("csrf_token", "")), expected)


def not_authenticated() -> NotAuthenticated:
    return NotAuthenticated("需要登录", fix="浏览器请先登录；脚本请在请求头加 Authorization: Bearer <令牌>")


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise not_authenticated()
    return user


UserDep = Annotated[User, Depends(current_user)]
