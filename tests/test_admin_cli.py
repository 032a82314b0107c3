"""The admin commands and `jixiao audit verify` from the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from jixiao.store.db import make_engine

CODE = "import sys; from jixiao.cli import main; sys.exit(main(sys.argv[1:]))"


def jx(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CODE, *args], capture_output=True, text=True, timeout=120)


def test_admin_commands_and_audit_verify(db_url, tmp_path):
    from openpyxl import Workbook

    orgs = tmp_path / "orgs.xlsx"
    wb = Workbook()
    ws = wb.active
    for row in (
        ("名称", "类型", "上级"),
        ("某市财政局", "财政局", None),
        ("某市教育局", "主管部门", "某市财政局"),
        ("某市第二中学", "项目单位", "某市教育局"),
    ):
        ws.append(row)
    wb.save(orgs)
    assert jx("admin", "init", "--db", db_url).returncode == 0
    run = jx("admin", "load-orgs", str(orgs), "--db", db_url)
    assert run.returncode == 0, run.stderr
    assert "3 个组织" in run.stderr
    assert (
        jx(
            "admin", "add-org", "另一个单位", "--kind", "unit", "--parent", "某市教育局", "--db", db_url
        ).returncode
        == 0
    )
    bad = jx("admin", "add-org", "孤儿单位", "--kind", "unit", "--db", db_url)
    assert bad.returncode == 2 and "上级" in bad.stderr and "Traceback" not in bad.stderr
    assert (
        jx(
            "admin",
            "add-user",
            "u1",
            "--org",
            "某市第二中学",
            "--role",
            "unit",
            "--password",
            "long-enough-1",
            "--db",
            db_url,
        ).returncode
        == 0
    )
    short = jx(
        "admin",
        "add-user",
        "u2",
        "--org",
        "某市第二中学",
        "--role",
        "unit",
        "--password",
        "short",
        "--db",
        db_url,
    )
    assert short.returncode == 2 and "8 位" in short.stderr
    token = jx("admin", "token", "u1", "--db", db_url)
    assert (
        token.returncode == 0
        and token.stdout.strip().startswith("jx_")
        and len(token.stdout.strip().splitlines()) == 1
    )

    ok = jx("audit", "verify", "--db", db_url)
    assert ok.returncode == 0, ok.stderr
    assert "完好" in ok.stdout

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = :d WHERE id = 3"), {"d": '{"name": "篡改"}'})
    engine.dispose()
    broken = jx("audit", "verify", "--db", db_url)
    assert broken.returncode == 1
    assert "第 3 条" in broken.stderr


def test_deleting_the_last_entries_is_detected(db_url):
    assert jx("admin", "add-org", "财政局甲", "--kind", "bureau", "--db", db_url).returncode == 0
    assert (
        jx(
            "admin", "add-org", "部门甲", "--kind", "department", "--parent", "财政局甲", "--db", db_url
        ).returncode
        == 0
    )
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 2"))
    engine.dispose()
    broken = jx("audit", "verify", "--db", db_url)
    assert broken.returncode == 1 and "第 2 条" in broken.stderr


def test_demo_builds_a_database(tmp_path):
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    run = jx("demo", "--db", db, "--no-serve")
    assert run.returncode == 0, run.stderr
    assert "caizheng" in run.stderr and "jixiao-demo" in run.stderr
    assert jx("audit", "verify", "--db", db).returncode == 0
    assert Path(tmp_path / "demo.db").exists()


def test_demo_ships_the_seed_report_unchanged():
    from jixiao.demo import SEED

    assert SEED.read_bytes() == (Path(__file__).parent / "data" / "seed-yueyang-2019.txt").read_bytes()


def test_serve_refuses_a_bad_cache_size_with_a_clear_message(tmp_path):
    import os

    env = {**os.environ, "JIXIAO_CACHE_MB": "lots"}
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    out = subprocess.run(
        [sys.executable, "-c", CODE, "serve", "--db", db, "--port", "8799"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 2
    assert "JIXIAO_CACHE_MB" in out.stderr and "不是非负整数" in out.stderr
    assert "Traceback" not in out.stderr
