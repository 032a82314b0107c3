"""Engines and sessions. SQLite file by default; PostgreSQL (psycopg) by URL. Same code, same migrations."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from jixiao.errors import InputError

DEFAULT_SQLITE = Path("var") / "jixiao.db"


def database_url(url: str | None = None) -> str:
    """--db, else JIXIAO_DATABASE_URL, else a SQLite file under ./var."""
    url = url or os.environ.get("JIXIAO_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


def _dumps(value) -> str:
    import orjson

    return orjson.dumps(value).decode()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    import orjson

    url = database_url(url)
    # JSON columns (revisions, evaluations) are read on every request: orjson is several times faster
    kwargs.setdefault("json_serializer", _dumps)
    kwargs.setdefault("json_deserializer", orjson.loads)
    # A request holds its session's connection from its first query to its end, across the thread-pool
    # hops of its dependencies and route; the pool must outgrow the web server's 40 threads, or requests
    # holding connections wait for threads held by requests waiting for connections.
    if url.startswith("sqlite"):
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 100)  # SQLite connections are cheap: file handles
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _sqlite_setup(engine)
        _refuse_nul(engine)
        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 40)
    kwargs.setdefault(
        "pool_recycle", 1800
    )  # not pre_ping: a "SELECT 1" before every request costs a round trip
    engine = create_engine(url, **kwargs)
    _refuse_nul(engine)
    return engine


def _refuse_nul(engine: Engine) -> None:
    """Text with a NUL character (0x00), from a query string, a form, a report JSON or a text file,
    is refused before it reaches the database: PostgreSQL text cannot hold it (the driver failed, a
    500), and SQLite would keep it where nobody can see it. Same answer on both databases."""

    @event.listens_for(engine, "before_cursor_execute")
    def _check(_conn, _cursor, _statement, parameters, _context, _executemany):
        # one row (a tuple or a mapping) or several (a list of them); batched inserts pass one flat tuple
        for value in _values(parameters):
            for text in _values(value) if isinstance(value, (tuple, list, Mapping)) else (value,):
                if type(text) is str and "\x00" in text:
                    raise InputError(
                        f"文字中含有空字符（NUL，\\x00）：「{text.replace(chr(0), '␀')[:40]}」",
                        place="提交的文字",
                        fix="删去文字中的不可见字符（常见于从其他系统复制的内容）后再提交",
                    )


def _values(parameters) -> Iterable:
    if isinstance(parameters, Mapping):
        return parameters.values()
    return parameters if isinstance(parameters, (tuple, list)) else ()


def _sqlite_setup(engine: Engine) -> None:
    """WAL for concurrent readers, foreign keys on; a writing unit of work begins IMMEDIATE so writers
    queue for the lock instead of failing half-way (see ``begin_write``)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("jixiao_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (SQLite: BEGIN IMMEDIATE; PostgreSQL: no-op).

    Call first in a unit of work that will write: on SQLite, a reader that later writes can find its
    snapshot stale and fail; a writer that starts as one waits for the lock instead.
    """
    if not session.in_transaction():
        session.connection(execution_options={"jixiao_write": True})


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
