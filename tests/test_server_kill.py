"""Killing the server (SIGKILL) in the middle of an upload leaves the whole new revision or none."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jixiao.store import accounts, audit
from jixiao.store.db import begin_write, make_engine, session_factory
from jixiao.store.models import EvaluationRow, ReportRow, Revision

DOCX = Path(__file__).parent / "data" / "samples" / "yueyang-2-2-egov-cloud.docx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, port: int, files: Path) -> subprocess.Popen:
    code = "import sys; from jixiao.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--db", db_url, "--port", str(port), "--files", str(files)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):  # up to 30 s: a loaded CI machine starts Python slowly
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def multipart(token: str, port: int) -> tuple[bytes, bytes]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.docx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + DOCX.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    head = (
        f"POST /api/reports/import HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body


def consistent(db_url: str) -> int:
    """Every report has its current revision and an evaluation of it; the audit chain verifies."""
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        rows = s.execute(select(ReportRow)).scalars().all()
        for row in rows:
            assert s.execute(
                select(Revision).where(Revision.report_id == row.id, Revision.number == row.current_revision)
            ).scalar_one()
            assert (
                s.execute(
                    select(func.count())
                    .select_from(EvaluationRow)
                    .where(
                        EvaluationRow.report_id == row.id,
                        EvaluationRow.revision_number == row.current_revision,
                    )
                ).scalar_one()
                >= 1
            )
        assert audit.verify(s).ok
    engine.dispose()
    return len(rows)


@pytest.mark.parametrize("cut", ["mid-body", "after-body"])
def test_sigkill_during_upload(db_url, tmp_path, cut):
    engine = make_engine(db_url)
    with session_factory(engine)() as s, s.begin():
        begin_write(s)
        accounts.add_org(s, None, "财政局", "bureau")
        accounts.add_org(s, None, "主管", "department", "财政局")
        accounts.add_org(s, None, "单位", "unit", "主管")
        accounts.add_user(s, None, "u", "单位", "unit", "secret-pass-1")
        token = accounts.new_token(s, None, "u")
    engine.dispose()
    port = free_port()
    proc = start_server(db_url, port, tmp_path / "files")
    try:
        head, body = multipart(token, port)
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(head)
            if cut == "mid-body":
                conn.sendall(body[: len(body) // 2])
                time.sleep(0.3)
            else:
                conn.sendall(body)
                time.sleep(0.05)  # the server is reading, scoring or writing
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    count = consistent(db_url)
    if cut == "mid-body":
        assert count == 0
    assert count in (0, 1)
    # and the server comes back and works on the same database
    proc = start_server(db_url, port, tmp_path / "files")
    try:
        import httpx

        r = httpx.post(
            f"http://127.0.0.1:{port}/api/reports/import",
            files={"file": ("r.docx", DOCX.read_bytes())},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert r.status_code == 201
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert consistent(db_url) == count + 1
