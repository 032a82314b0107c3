"""Reading a report, its stored evaluation, and scoring it: the requests clients repeat most.

``run`` is the one implementation behind the three routes (``routes/api.py``): it authenticates
exactly as ``deps.optional_user`` does (a Bearer token, else the session cookie; an unsafe request on
a cookie session needs the CSRF header), then ``store.hot`` checks token, visibility and reads the
report in one statement. On SQLite that work runs inline (a local read that never waits for a lock in
WAL mode; scoring is CPU work a thread would not speed up under the GIL); on PostgreSQL in a small
dedicated thread pool, so the event loop never waits for the network.

``dispatch`` serves the plain forms of these requests (no query string, no body) before FastAPI's
routing, dependency solving and middleware: they cost more than the work itself. Anything else —
``?review=false``, a score with answers — goes through the FastAPI routes, which call ``run`` too.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from starlette.requests import cookie_parser

from jixiao import api
from jixiao.serialize import evaluation_json
from jixiao.store import reports
from jixiao.store.accounts import NotFound, StoreError
from jixiao.store.hot import Found, HotReads, Unauthenticated
from jixiao.store.models import MAX_INT, ReportRow
from jixiao.web.deps import CSRF_HEADER, SESSION_COOKIE, check_csrf, not_authenticated
from jixiao.web.errors import internal_error_response, store_error_response

T = TypeVar("T")
JSON_HEADERS = ((b"content-type", b"application/json"),)


def read_report(hot: HotReads, found: Found) -> tuple[bytes, int]:
    """The report JSON (jixiao.report/1) with attachments and meta, and the version for the ETag."""
    meta = reports.summary(found.row, None, found.names)
    return hot.report_response(found, meta), found.row.version


def stored_evaluation(hot: HotReads, found: Found, sessions, review: bool) -> bytes:
    body = hot.evaluation_response(found)
    if body is not None:
        return body
    # none stored for the current revision, or review answers given on an older one: score afresh
    with sessions() as session:
        row = session.get(ReportRow, found.row.id)
        return orjson.dumps(reports.stored_evaluation(session, row, review=review))


def score(hot: HotReads, found: Found, answers: dict | None) -> Callable[[], bytes]:
    data = hot.revision_data(found)  # the database part, in the pool on PostgreSQL

    def compute() -> bytes:  # the CPU part, on the event loop: pool threads would only fight for the GIL
        return orjson.dumps(evaluation_json(api.evaluate(hot.current_report(found, data), answers=answers)))

    return compute


def credentials(authorization: str, cookie: Callable[[], str | None]) -> tuple[str, str]:
    """("token", secret) for a Bearer header, else ("session", cookie); 401 without either."""
    if authorization.lower().startswith("bearer "):
        return ("token", authorization[7:].strip())
    session = cookie()
    if not session:
        raise not_authenticated()
    return ("session", session)


async def run(
    state,
    auth: tuple[str, str],
    sent_csrf: str,
    fn: Callable[..., T],
    report_id: int,
    *args: Any,
    doc: str = "revision",
    unsafe: bool = False,
) -> T:
    """``fn(hot, found, *args)`` once the caller is known and may see the report (else 401 / 404);
    when that returns a function (the CPU part of its work), its result, computed on the loop."""
    hot: HotReads = state.hot

    def work() -> T:
        try:
            found = hot.find(auth, report_id, doc)
        except Unauthenticated:
            raise not_authenticated() from None
        if unsafe and found.csrf is not None:
            check_csrf(sent_csrf, found.csrf)
        if found.row is None:
            raise NotFound(f"没有编号为 {report_id} 的报告", place=f"报告 {report_id}")
        return fn(hot, found, *args)

    if state.hot_executor is None:
        result = work()
    else:
        result = await asyncio.get_running_loop().run_in_executor(state.hot_executor, work)
    return result() if callable(result) else result


_PATH = re.compile(r"/api/reports/([1-9][0-9]{0,9})(/evaluation|/score)?")


def _cookie(headers: list[tuple[bytes, bytes]]) -> Callable[[], str | None]:
    def get() -> str | None:  # as Starlette's Request.cookies reads them
        for name, value in headers:
            if name == b"cookie":
                return cookie_parser(value.decode("latin-1")).get(SESSION_COOKIE)
        return None

    return get


async def dispatch(app, scope, receive, send, fallback) -> bool:
    """Serve a plain read / evaluation / score request here; False: let FastAPI (``fallback``) have it."""
    if scope["type"] != "http" or scope.get("query_string") or scope.get("root_path"):
        return False
    match = _PATH.fullmatch(scope["path"])
    if match is None:
        return False
    report_id = int(match.group(1))
    if report_id > MAX_INT:  # FastAPI's validation refuses it
        return False
    tail, method = match.group(2), scope["method"]
    if method != ("POST" if tail == "/score" else "GET"):
        return False
    headers = scope["headers"]
    authorization = sent_csrf = ""
    for name, value in headers:
        if name == b"authorization" and not authorization:  # the first, as Headers.get
            authorization = value.decode("latin-1")
        elif name == CSRF_HEADER.encode() and not sent_csrf:
            sent_csrf = value.decode("latin-1")
    if tail == "/score":  # only without a body: answers go through FastAPI's validation
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return True  # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if body.strip():
            replayed = False

            async def replay():
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await fallback(scope, replay, send)
            return True
    state = app.state
    extra: list[tuple[bytes, bytes]] = []
    try:
        auth = credentials(authorization, _cookie(headers))
        if tail is None:
            body, version = await run(state, auth, sent_csrf, read_report, report_id)
            extra.append((b"etag", f'"{version}"'.encode()))
        elif tail == "/evaluation":
            body = await run(
                state, auth, sent_csrf, stored_evaluation, report_id, state.read_sessions, True, doc="review"
            )
        else:
            body = await run(state, auth, sent_csrf, score, report_id, None, unsafe=True)
    except StoreError as exc:
        await store_error_response(exc)(scope, receive, send)
        return True
    except Exception as exc:
        await internal_error_response(exc)(scope, receive, send)
        raise  # logged by the server, as FastAPI's error middleware does
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(body)).encode()), *JSON_HEADERS, *extra],
        }
    )
    await send({"type": "http.response.body", "body": body})
    return True
