"""佐证材料 on disk, content-addressed (sha256), metadata in the database.

A file is written to a temporary name, fsynced and renamed into place before its row is added, so a
crash leaves at worst an unreferenced file, never a row without its bytes. Files are only ever served
back as downloads.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.store import audit
from jixiao.store.accounts import Forbidden, NotFound, StoreError
from jixiao.store.models import AttachmentRow, User
from jixiao.store.reports import get_report
from jixiao.workflow import LOCKED

MAX_BYTES = 20 * 1024 * 1024
# What a 佐证材料 may be, by content (magic bytes), not by name.
ALLOWED = {
    b"%PDF": "application/pdf",
    b"PK\x03\x04": "application/zip",  # docx / xlsx / ofd packages
    b"\xd0\xcf\x11\xe0": "application/x-ole-storage",  # doc / xls
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def storage_dir(base: str | Path | None = None) -> Path:
    path = Path(base or os.environ.get("JIXIAO_FILES", "var/files"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path_for(base: Path, sha: str) -> Path:
    return base / sha[:2] / sha


def add_attachment(
    session: Session,
    user: User,
    report_id: int,
    filename: str,
    data: bytes,
    *,
    item: str | None = None,
    criterion: str | None = None,
    base: Path | None = None,
) -> AttachmentRow:
    row = get_report(session, user, report_id)
    if user.role == "admin" or row.state == LOCKED:
        raise Forbidden("报告已锁定，不能再上传佐证材料" if row.state == LOCKED else "系统管理员不编辑报告")
    if not data:
        raise StoreError("上传的文件是空的", place=filename)
    if len(data) > MAX_BYTES:
        raise StoreError(
            f"文件 {len(data) // 1024 // 1024} MB，超过上限 {MAX_BYTES // 1024 // 1024} MB",
            place=filename,
            fix="压缩或拆分后上传",
        )
    content_type = next((t for magic, t in ALLOWED.items() if data.startswith(magic)), None)
    if content_type is None:
        raise StoreError(
            "只接受 PDF、Word/Excel、PNG/JPEG 格式的佐证材料", place=filename, fix="转换为 PDF 后上传"
        )
    sha = hashlib.sha256(data).hexdigest()
    base = storage_dir(base)
    target = _path_for(base, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    safe_name = Path(filename.replace("\\", "/")).name[:200] or "附件"
    att = AttachmentRow(
        report_id=row.id,
        item=item,
        criterion=criterion,
        filename=safe_name,
        sha256=sha,
        size=len(data),
        content_type=content_type,
        uploaded_by=user.id,
    )
    session.add(att)
    session.flush()
    audit.record(
        session,
        user,
        "attachment.add",
        "attachment",
        att.id,
        report_id=row.id,
        org_id=row.unit_id,
        detail={
            "filename": safe_name,
            "sha256": sha,
            "size": len(data),
            "item": item,
            "criterion": criterion,
        },
    )
    from jixiao.store.reports import rescore

    rescore(session, user, row)  # evidence changes JX601
    return att


def list_attachments(session: Session, user: User, report_id: int) -> list[AttachmentRow]:
    row = get_report(session, user, report_id)
    return list(
        session.execute(
            select(AttachmentRow)
            .where(AttachmentRow.report_id == row.id, AttachmentRow.deleted.is_(False))
            .order_by(AttachmentRow.id)
        ).scalars()
    )


def open_attachment(
    session: Session, user: User, report_id: int, attachment_id: int, base: Path | None = None
) -> tuple[AttachmentRow, bytes]:
    row = get_report(session, user, report_id)
    att = session.get(AttachmentRow, attachment_id)
    if att is None or att.report_id != row.id or att.deleted:
        raise NotFound(f"没有编号为 {attachment_id} 的佐证材料")
    path = _path_for(storage_dir(base), att.sha256)
    try:
        data = path.read_bytes()
    except OSError:
        raise NotFound("佐证材料的文件已丢失", fix="请重新上传") from None
    return att, data
