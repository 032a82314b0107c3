"""The hot read path: reading a report, its stored evaluation, and scoring it afresh.

One statement per request answers who is asking (API token or browser session, checked on every
request: a revoked token, a deactivated user or an expired session stops working at once), whether
they may see the report (the same rule as ``reports.visible_units``; anything else is "not found"), the
report row, its unit and department names, its attachments and the id of the revision or evaluation
that answers. The statement is compiled once per dialect and run on a raw DBAPI cursor from a small
autocommit pool: no ORM objects, no per-request SQL compilation, no BEGIN/ROLLBACK round trips.

Revisions and evaluations are never changed once written, so what is derived from one (the response
bytes of a revision, its stored JSON, an evaluation's bytes) is cached in-process as bytes, keyed by
the row's id *and* its creation time (so a row id reused after a database restore never matches an
old entry). The cache never holds anything that changes: the report row (state, version, totals),
names, attachments and access are read fresh on every request.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Integer, Select, String, and_, bindparam, cast, null, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from jixiao.domain import Attachment, Report
from jixiao.store.accounts import NotFound, digest
from jixiao.store.db import make_engine
from jixiao.store.models import (
    ApiToken,
    AttachmentRow,
    EvaluationRow,
    Organization,
    ReportRow,
    Revision,
    User,
    WebSession,
)


class Unauthenticated(Exception):
    """No valid token or session: the caller answers 401."""


class DocumentCache:
    """A thread-safe LRU bounded by the total size (bytes, estimated for objects) of its values."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: tuple, value: Any, weight: int) -> None:
        if weight > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._items[key] = (value, weight)
            self.size += weight
            while self.size > self.max_bytes:
                _, (_, w) = self._items.popitem(last=False)
                self.size -= w

    def __len__(self) -> int:
        return len(self._items)


def visibility(role, org):
    """Reports a user of ``role`` in organisation ``org`` may see, as a SQL condition on ReportRow
    (``reports.visible_units`` in SQL): the bureau all; a department its units'; a unit its own; an
    admin none."""
    return or_(
        role == "bureau",
        and_(role == "unit", ReportRow.unit_id == org),
        and_(
            role == "department",
            ReportRow.unit_id.in_(select(Organization.id).where(Organization.parent_id == org)),
        ),
    )


def _principal(kind: str):
    if kind == "token":
        q = (
            select(
                User.id.label("uid"),
                User.role.label("role"),
                User.org_id.label("org"),
                cast(null(), String).label("csrf"),
                ApiToken.created_at.label("expires"),  # unused for tokens: the same columns as sessions
            )
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("h"), ApiToken.revoked.is_(False))
        )
    else:
        q = select(
            User.id.label("uid"),
            User.role.label("role"),
            User.org_id.label("org"),
            WebSession.csrf.label("csrf"),
            WebSession.expires_at.label("expires"),
        ).join(WebSession, WebSession.user_id == User.id)
        q = q.where(WebSession.token_hash == bindparam("h"))
    return q.where(User.active.is_(True)).subquery("p")


_UNIT, _DEPT = aliased(Organization, name="unit_org"), aliased(Organization, name="dept_org")
_ROW_COLUMNS = (
    ReportRow.id,
    ReportRow.project_name,
    ReportRow.unit_id,
    ReportRow.department_id,
    ReportRow.year,
    ReportRow.state,
    ReportRow.self_total,
    ReportRow.self_grade,
    ReportRow.total,
    ReportRow.grade,
    ReportRow.review_total,
    ReportRow.gap,
    ReportRow.errors,
    ReportRow.warnings,
    ReportRow.version,
    ReportRow.current_revision,
    ReportRow.updated_at,
)
_ROW_NAMES = tuple(c.key for c in _ROW_COLUMNS)
_P = 5  # principal columns: uid, role, org, csrf, expires
_R = _P + len(_ROW_COLUMNS)  # then unit name, department name, then the route's own columns


def _statement(kind: str, doc: str) -> Select:
    p = _principal(kind)
    q = (
        select(p, *_ROW_COLUMNS, _UNIT.name, _DEPT.name)
        .select_from(p)
        .outerjoin(
            ReportRow, and_(ReportRow.id == bindparam("rid", type_=Integer), visibility(p.c.role, p.c.org))
        )
        .outerjoin(_UNIT, _UNIT.id == ReportRow.unit_id)
        .outerjoin(_DEPT, _DEPT.id == ReportRow.department_id)
    )
    if doc == "revision":  # the current revision and the attachments (one row each, or one row)
        q = (
            q.add_columns(Revision.id, Revision.created_at, AttachmentRow.filename, AttachmentRow.item)
            .add_columns(AttachmentRow.criterion)
            .outerjoin(
                Revision,
                and_(Revision.report_id == ReportRow.id, Revision.number == ReportRow.current_revision),
            )
            .outerjoin(
                AttachmentRow, and_(AttachmentRow.report_id == ReportRow.id, AttachmentRow.deleted.is_(False))
            )
            .order_by(AttachmentRow.id)
        )
    else:  # the stored evaluation: reports.stored_evaluation's choice, in SQL
        kinds = ("review", "self") if doc == "review" else ("self",)
        e = aliased(EvaluationRow, name="e")
        newest = (
            select(e.id)
            .where(
                e.report_id == ReportRow.id,
                or_(*(e.kind == k for k in kinds)),  # no IN: compiled once, no expanding
                or_(e.revision_number == ReportRow.current_revision, e.kind == "review"),
            )
            .order_by(e.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        q = q.add_columns(
            EvaluationRow.id, EvaluationRow.created_at, EvaluationRow.revision_number
        ).outerjoin(EvaluationRow, EvaluationRow.id == newest)
    return q


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # positional parameter order (qmark), or None for named
    fixed: dict[str, Any]


class _RowView:
    """The report row's summary fields, shaped like ReportRow for ``reports.summary``."""

    __slots__ = _ROW_NAMES

    def __init__(self, values) -> None:
        for name, value in zip(_ROW_NAMES, values, strict=True):
            setattr(self, name, value)


@dataclass(frozen=True, slots=True)
class Found:
    """What the statement found: the user, the report row (a ReportRow look-alike), org names, and
    the rest of its row(s)."""

    user_id: int
    role: str
    org_id: int
    csrf: str | None
    row: _RowView | None
    names: dict[int, str]
    rest: list[tuple]


class HotReads:
    """Per server process: the compiled statements, a small autocommit connection pool, the cache."""

    def __init__(self, url: str | None, *, cache_bytes: int, connections: int = 8) -> None:
        self.engine: Engine = make_engine(
            url,
            isolation_level="AUTOCOMMIT",
            pool_reset_on_return=None,
            pool_size=connections,
            max_overflow=4,
        )
        self.cache = DocumentCache(cache_bytes)
        dialect = self.engine.dialect
        self._statements: dict[tuple[str, str], _Compiled] = {}
        for kind in ("token", "session"):
            for doc in ("revision", "review", "self"):
                compiled = _statement(kind, doc).compile(dialect=dialect)
                fixed = compiled.construct_params(_check=False)
                names = tuple(compiled.positiontup) if compiled.positiontup else None
                self._statements[kind, doc] = _Compiled(str(compiled), names, fixed)
        self._datetime = ReportRow.__table__.c.updated_at.type.dialect_impl(dialect).result_processor(
            dialect, None
        )
        self._scale = {
            c.key: c.type.scale
            for c in ReportRow.__table__.c
            if c.key in ("self_total", "total", "review_total", "gap")
        }
        self._data_sql = {}
        for table in (Revision, EvaluationRow):
            c = table.__table__.c
            compiled = select(cast(c.data, String)).where(c.id == bindparam("id")).compile(dialect=dialect)
            names = tuple(compiled.positiontup) if compiled.positiontup else None
            self._data_sql[table] = (str(compiled), names)
        marker = secrets.token_hex(16)
        self._att_marker, self._meta_marker = f"att-{marker}", f"meta-{marker}"

    def dispose(self) -> None:
        self.engine.dispose()

    # --- the database ---------------------------------------------------------------------------

    def _run(self, sql: str, names: tuple[str, ...] | None, params: dict[str, Any]) -> list[tuple]:
        conn = self.engine.raw_connection()
        try:
            cur = conn.cursor()
            try:
                cur.execute(sql, [params[n] for n in names] if names is not None else params)
                return cur.fetchall()
            finally:
                cur.close()
        finally:
            conn.close()

    def find(self, auth: tuple[str, str], report_id: int, doc: str) -> Found:
        """Who asks (``auth`` is ("token", secret) or ("session", cookie)) and the report they may see.

        Raises Unauthenticated for no valid token or session; ``row`` is None for a report they may
        not see (the caller checks CSRF first, then answers 404)."""
        kind, secret = auth
        stmt = self._statements[kind, doc]
        params = dict(stmt.fixed)
        params["h"] = digest(secret)
        params["rid"] = report_id
        rows = self._run(stmt.sql, stmt.names, params)
        if not rows:
            raise Unauthenticated
        first = rows[0]
        if kind == "session":
            expires = first[4]
            if self._datetime is not None and expires is not None and not isinstance(expires, datetime):
                expires = self._datetime(expires)
            if expires is None:
                raise Unauthenticated
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            if expires < datetime.now(UTC):
                raise Unauthenticated
        if first[_P] is None:
            return Found(first[0], first[1], first[2], first[3], None, {}, [])
        values = list(first[_P:_R])
        for i, name in enumerate(_ROW_NAMES):
            value = values[i]
            if value is None:
                continue
            if name in self._scale and not isinstance(value, Decimal):
                values[i] = Decimal(f"%.{self._scale[name]}f" % value)
            elif name == "updated_at" and not isinstance(value, datetime) and self._datetime is not None:
                values[i] = self._datetime(value)
        row = _RowView(values)
        names = {row.unit_id: first[_R]}
        if row.department_id is not None:
            names[row.department_id] = first[_R + 1]
        return Found(first[0], first[1], first[2], first[3], row, names, [r[_R + 2 :] for r in rows])

    def _data(self, table, row_id: int) -> bytes:
        sql, names = self._data_sql[table]
        rows = self._run(sql, names, {"id": row_id})
        if not rows:
            raise NotFound(f"找不到记录 {table.__tablename__} {row_id}")
        text = rows[0][0]
        return text.encode() if isinstance(text, str) else bytes(text)

    # --- documents --------------------------------------------------------------------------------

    @staticmethod
    def attachments(found: Found) -> list[tuple[str, str | None, str | None]]:
        return [(r[2], r[3], r[4]) for r in found.rest if r[2] is not None]

    @staticmethod
    def _current_revision(found: Found) -> tuple[int, Any]:
        """(id, created_at) of the report's current revision row."""
        rev_id, created = found.rest[0][0], found.rest[0][1]
        if rev_id is None:
            raise NotFound(f"报告 {found.row.id} 没有第 {found.row.current_revision} 版")
        return rev_id, created

    def report_response(self, found: Found, meta: dict[str, Any]) -> bytes:
        """The report JSON of the current revision with the current attachments and ``meta``: the
        revision's part is cached as bytes, the rest is written per request."""
        rev_id, created = self._current_revision(found)
        key = ("report-json", rev_id, created)
        parts = self.cache.get(key)
        if parts is None:
            doc = orjson.loads(self._data(Revision, rev_id))
            doc["attachments"] = self._att_marker
            doc["meta"] = self._meta_marker
            whole = orjson.dumps(doc)
            head, _, tail = whole.partition(orjson.dumps(self._att_marker))
            middle, _, end = tail.partition(orjson.dumps(self._meta_marker))
            parts = (head, middle, end)
            self.cache.put(key, parts, len(whole) + 200)
        attached = [{"name": n, "item": i, "criterion": c} for n, i, c in self.attachments(found)]
        head, middle, end = parts
        return b"".join((head, orjson.dumps(attached), middle, orjson.dumps(meta), end))

    def revision_data(self, found: Found) -> bytes:
        """The current revision's stored JSON.

        Cached as bytes and deserialized per request (``current_report``): a cache of ``Report``
        objects (~130 tracked objects each) would make every full garbage collection walk them all,
        pauses of hundreds of milliseconds with 10,000 reports cached."""
        rev_id, created = self._current_revision(found)
        key = ("revision", rev_id, created)
        data = self.cache.get(key)
        if data is None:
            data = self._data(Revision, rev_id)
            self.cache.put(key, data, len(data) + 100)
        return data

    def current_report(self, found: Found, data: bytes) -> Report:
        """The report of the current revision (``data``) with its current attachments (so JX601
        sees evidence)."""
        from jixiao.deserialize import report_from_json

        report = report_from_json(orjson.loads(data))
        attached = tuple(Attachment(name=n, item=i, criterion=c) for n, i, c in self.attachments(found))
        return replace(report, attachments=attached)

    def evaluation_response(self, found: Found) -> bytes | None:
        """The stored evaluation's bytes, or None when it must be computed afresh (no evaluation of
        the current revision, or review answers given on an older one)."""
        ev_id, created, number = found.rest[0]
        if ev_id is None or number != found.row.current_revision:
            return None
        key = ("evaluation", ev_id, created)
        body = self.cache.get(key)
        if body is None:
            body = orjson.dumps(orjson.loads(self._data(EvaluationRow, ev_id)))
            self.cache.put(key, body, len(body) + 100)
        return body
