"""The append-only audit log with a hash chain; ``verify`` names the first broken entry."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.store.models import AuditEntry, AuditHead, User, utcnow

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    body = {
        "id": entry.id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "user_id": entry.user_id,
        "user_login": entry.user_login,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "report_id": entry.report_id,
        "org_id": entry.org_id,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def record(
    session: Session,
    user: User | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    report_id: int | None = None,
    org_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the change it records)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    entry = AuditEntry(
        id=head.last_id + 1,
        at=utcnow(),
        user_id=user.id if user else None,
        user_login=user.login if user else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        report_id=report_id,
        org_id=org_id,
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        prev_hash=head.last_hash,
        hash="",
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    head.last_id = entry.id
    head.last_hash = entry.hash
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    broken_id: int | None = None
    reason: str = ""


def verify(session: Session, batch: int = 5000) -> ChainCheck:
    """Walk the chain in id order: each entry's hash must match its content and link to the previous one."""
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).scalars()
        got = False
        for entry in rows:
            got = True
            count += 1
            if entry.id != last_id + 1:
                return ChainCheck(False, count, last_id + 1, f"缺少第 {last_id + 1} 条记录（被删除）")
            if entry.prev_hash != prev:
                return ChainCheck(False, count, entry.id, "与上一条记录的链接断开")
            if entry_hash(entry) != entry.hash:
                return ChainCheck(False, count, entry.id, "内容与哈希不符（记录被改动）")
            prev = entry.hash
            last_id = entry.id
        if not got:
            break
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != last_id or head.last_hash != prev):
        return ChainCheck(
            False,
            count,
            last_id + 1 if head.last_id > last_id else last_id,
            "链尾与记录不符（末尾记录被删除）",
        )
    return ChainCheck(True, count)


def now_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")
