"""create_app(settings): the FastAPI application. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from jixiao.errors import AnswersError, JixiaoError
from jixiao.store.accounts import StoreError
from jixiao.store.db import make_engine, session_factory
from jixiao.store.hot import HotReads
from jixiao.web import hot
from jixiao.web.errors import internal_error_response, json_error, store_error_response
from jixiao.web.settings import Settings


class JixiaoApp(FastAPI):
    """FastAPI, with the most repeated requests (reading and scoring a report) served before its
    routing and middleware: see web/hot.py."""

    async def __call__(self, scope, receive, send) -> None:
        if not await hot.dispatch(self, scope, receive, send, super().__call__):
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.hot.dispose()
        if app.state.hot_executor is not None:
            app.state.hot_executor.shutdown(wait=False)

    app = JixiaoApp(
        lifespan=lifespan,
        title="jixiao 绩效自评复核 API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the stock docs page loads scripts from a CDN; ours is served locally
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    from jixiao.io.layouts.spec import use_local_dir

    use_local_dir(settings.layouts_dir)  # the forms this instance's users taught it to read
    # a request that may write begins as a writer (SQLite: BEGIN IMMEDIATE, see store.db.begin_write):
    # one that read first and wrote later failed with "database is locked" when another request
    # committed in between, as concurrent failed logins did
    app.state.sessions = session_factory(engine.execution_options(jixiao_write=True))
    # reads run without a transaction: no BEGIN/ROLLBACK round trips (each statement sees committed data)
    app.state.read_sessions = session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
    # reading and scoring a report: one statement, cached immutable documents (store/hot.py)
    app.state.hot = HotReads(settings.database_url, cache_bytes=settings.cache_mb * 1024 * 1024)
    # SQLite reads run inline (local, never wait for a lock in WAL mode); PostgreSQL's in threads
    sqlite = engine.dialect.name == "sqlite"
    app.state.hot_executor = None if sqlite else ThreadPoolExecutor(8, thread_name_prefix="jixiao-hot")

    from jixiao.web.routes import admin, api, auth

    app.include_router(auth.router)
    app.include_router(api.router)
    app.include_router(admin.router)
    _error_handlers(app)
    from jixiao.web.routes import pages

    pages.install(app)  # the web pages, /static, and HTML error pages outside /api

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> str:
        return _docs_page(app)

    return app


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StoreError)
    async def store_error(_request: Request, exc: StoreError):
        return store_error_response(exc)

    @app.exception_handler(AnswersError)
    async def answers_error(_request: Request, exc: AnswersError):
        return json_error(400, "bad_answers", exc.message, exc.fix, exc.place)

    @app.exception_handler(JixiaoError)
    async def input_error(_request: Request, exc: JixiaoError):
        return json_error(
            400, "bad_input", exc.message, exc.fix, ":".join(p for p in (exc.file, exc.place) if p) or None
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        problems = "；".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()[:5]
        )
        return json_error(422, "invalid_request", f"请求内容不合要求：{problems}", "按 /api/docs 的说明填写")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        messages = {404: "没有这个地址", 405: "不支持这种请求方法"}
        return json_error(exc.status_code, "http", messages.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception):
        return internal_error_response(exc)


def _docs_page(app: FastAPI) -> str:
    from html import escape

    spec = app.openapi()
    rows = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{escape(path)}</code></td><td>{escape(op.get('summary', ''))}</td></tr>"
            )
    return (
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>jixiao API 说明</title>"
        "<style>body{font-family:sans-serif;margin:2em}td{padding:.3em .8em;border-bottom:1px solid #ddd}</style></head>"
        "<body><h1>jixiao API 说明</h1><p>机器可读的说明：<a href='/api/openapi.json'>/api/openapi.json</a>。"
        "脚本在请求头带 <code>Authorization: Bearer 令牌</code>（令牌由 <code>jixiao admin token 用户名</code> 生成）。</p>"
        "<table><tr><th>方法</th><th>地址</th><th>作用</th></tr>" + "".join(rows) + "</table></body></html>"
    )
