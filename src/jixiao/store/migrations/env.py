"""Alembic environment: the URL comes from jixiao (--db / JIXIAO_DATABASE_URL), the tables from models."""

from __future__ import annotations

from alembic import context

from jixiao.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        from jixiao.store.db import make_engine

        connectable = make_engine(config.get_main_option("sqlalchemy.url")).connect()
    context.configure(connection=connectable, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
