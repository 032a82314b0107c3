"""Shared fixtures. Store tests run against SQLite and a real PostgreSQL (127.0.0.1:5432, see .ci/run)."""

from __future__ import annotations

import os
import uuid

import pytest

PG_ADMIN_URL = os.environ.get("JIXIAO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_database():
    """A throwaway PostgreSQL database for this test session (dropped at the end)."""
    from sqlalchemy import create_engine, text

    name = f"jixiao_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the suite needs the server: say how to get one, don't skip
        raise RuntimeError(
            f"PostgreSQL at {PG_ADMIN_URL} is required by the store tests (./dev.sh test starts one): {exc}"
        ) from exc
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, migrated database per test, on each backend."""
    from sqlalchemy import text

    from jixiao.store.db import make_engine
    from jixiao.store.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jixiao.db'}"
    else:
        url = request.getfixturevalue("pg_database")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url
