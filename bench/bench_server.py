"""Server latency: 10,000 reports, 50 concurrent clients on loopback; listing over 100,000 on PostgreSQL.

Targets (issue: server): p95 of reading a report and of scoring it < 100 ms on SQLite and PostgreSQL
with 10,000 reports and 50 concurrent clients; listing with filters over 100,000 reports on PostgreSQL
< 200 ms. Run: .venv/bin/python bench/bench_server.py [--reports 10000] [--list-reports 100000]
[--seconds 20] [--workers 2] [--no-write]. Needs PostgreSQL on 127.0.0.1:5432 (./dev.sh test starts one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import update_section

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "data" / "seed-yueyang-2019.txt"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STATES = ("draft", "submitted", "returned", "department_approved", "bureau_approved")


def fill(url: str, reports: int, *, with_documents: bool = True) -> str:
    """A migrated database with org tree, a bureau token and ``reports`` reports (bulk insert)."""
    from sqlalchemy import insert

    from jixiao import api
    from jixiao.serialize import evaluation_json, report_json
    from jixiao.store import accounts
    from jixiao.store.db import begin_write, make_engine, session_factory
    from jixiao.store.migrate import upgrade
    from jixiao.store.models import EvaluationRow, ReportRow, Revision

    engine = make_engine(url)
    upgrade(engine)
    seed = api.load_report(SEED)
    evaluation = api.evaluate(seed)
    rdoc, edoc = report_json(seed), evaluation_json(evaluation)
    rng = random.Random(1)
    with session_factory(engine)() as s, s.begin():
        begin_write(s)
        accounts.add_org(s, None, "财政局", "bureau")
        units = []
        for d in range(20):
            department = accounts.add_org(s, None, f"主管部门{d}", "department", "财政局")
            for u in range(10):
                unit = accounts.add_org(s, None, f"单位{d}-{u}", "unit", f"主管部门{d}")
                units.append((unit.id, department.id))
        accounts.add_user(s, None, "bench", "财政局", "bureau", "bench-password")
        token = accounts.new_token(s, None, "bench")
    batch = 2000
    with engine.begin() as conn:
        for start in range(0, reports, batch):
            rows = []
            for i in range(start, min(reports, start + batch)):
                unit, dept = units[i % len(units)]
                total = rng.choice((68, 72, 85, 91, 58))
                rows.append(
                    {
                        "unit_id": unit,
                        "department_id": dept,
                        "year": rng.choice((2019, 2020, 2021, 2022)),
                        "project_name": f"项目{i}",
                        "state": rng.choice(STATES),
                        "self_total": 98,
                        "self_grade": "优秀",
                        "total": total,
                        "grade": "优秀"
                        if total >= 90
                        else "良好"
                        if total >= 80
                        else "中"
                        if total >= 60
                        else "差",
                        "gap": 98 - total,
                        "errors": rng.choice((0, 0, 3, 10)),
                        "warnings": 12,
                        "system": "yueyang-2020",
                        "current_revision": 1,
                        "version": 1,
                    }
                )
            ids = conn.execute(insert(ReportRow).returning(ReportRow.id), rows).scalars().all()
            if with_documents:
                conn.execute(insert(Revision), [{"report_id": rid, "number": 1, "data": rdoc} for rid in ids])
                conn.execute(
                    insert(EvaluationRow),
                    [{"report_id": rid, "revision_number": 1, "kind": "self", "data": edoc} for rid in ids],
                )
    if engine.dialect.name == "postgresql":
        # A live database's autovacuum has long done this; right after a bulk load it has not, and then
        # counts read every matching row from the table instead of from the index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return token


def pg_database() -> str:
    from sqlalchemy import create_engine, text

    name = f"jixiao_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def serve(url: str, workers: int) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = Path(sys.executable).with_name("jixiao")
    proc = subprocess.Popen(
        [str(exe), "serve", "--db", url, "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(1.0)  # let every worker finish starting
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


async def load(
    port: int, token: str, paths: list[str], clients: int, seconds: float, method: str = "GET"
) -> list[float]:
    import httpx

    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=30,
    ) as client:

        async def worker(n: int) -> None:
            rng = random.Random(n)
            while time.perf_counter() < stop:
                path = rng.choice(paths)
                t0 = time.perf_counter()
                r = await client.request(method, path)
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code >= 400:
                    raise RuntimeError(f"{path}: {r.status_code} {r.text[:200]}")

        await asyncio.gather(*(worker(n) for n in range(clients)))
    return latencies


WRK_SCRIPT = Path(__file__).with_name("wrk_random_report.lua")


def wrk_load(
    port: int, token: str, reports: int, clients: int, seconds: float, suffix: str = "", method: str = "GET"
) -> dict[str, float]:
    """Load from wrk (C, one thread): far less client CPU than Python on the same two cores."""
    env = dict(os.environ, JX_TOKEN=token, JX_PATH_SUFFIX=suffix, JX_METHOD=method, JX_REPORTS=str(reports))
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{int(seconds)}s",
            "-s",
            str(WRK_SCRIPT),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("JX "))
    stats = {k: float(v) for k, v in (part.split("=") for part in line[3:].split())}
    if stats["errors"]:
        raise RuntimeError(f"wrk saw {stats['errors']:.0f} errors: {out}")
    return stats


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--list-reports", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--warmup", type=float, default=10, help="seconds of the same load before each measured run"
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    rows = []
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"jixiao-bench-{uuid.uuid4().hex[:6]}.db"
    for backend in ("SQLite", "PostgreSQL"):
        url = f"sqlite:///{tmp}" if backend == "SQLite" else pg_database()
        try:
            token = fill(url, args.reports)
            proc, port = serve(url, args.workers)
            try:
                runs = [
                    ("读取报告", "", "GET"),
                    ("读取复算结果", "/evaluation", "GET"),
                    ("重新复算（POST score）", "/score", "POST"),
                ]
                for label, suffix, method in runs:
                    if shutil.which("wrk"):
                        # steady state: the server's per-process caches (store/hot.py) fill as a
                        # long-running server's do; the measured run follows at once
                        wrk_load(port, token, args.reports, args.clients, args.warmup, suffix, method)
                        got = wrk_load(port, token, args.reports, args.clients, args.seconds, suffix, method)
                        rate, p50, p95_ms = got["rps"], got["p50"], got["p95"]
                    else:
                        paths = [f"/api/reports/{i}{suffix}" for i in range(1, args.reports + 1)]
                        lat = asyncio.run(load(port, token, paths, args.clients, args.seconds, method))
                        rate, p50, p95_ms = len(lat) / args.seconds, statistics.median(lat), p95(lat)
                    rows.append(
                        f"| {backend} | {label} | {rate:.0f} 次/秒 | {p50:.1f} ms | {p95_ms:.1f} ms | < 100 ms |"
                    )
                    print(rows[-1], flush=True)
            finally:
                proc.terminate()
                proc.wait(timeout=20)
        finally:
            if backend == "SQLite":
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{tmp}{suffix}").unlink(missing_ok=True)
            else:
                drop_pg(url)
    # listing with filters over 100,000 reports on PostgreSQL
    url = pg_database()
    try:
        token = fill(url, args.list_reports, with_documents=False)
        proc, port = serve(url, args.workers)
        try:
            rng = random.Random(2)
            queries = [
                f"/api/reports?year={rng.choice((2019, 2020, 2021))}&department=主管部门{rng.randrange(20)}"
                f"&state={rng.choice(STATES)}&has_errors={rng.choice(('true', 'false'))}&sort=gap&limit=50"
                for _ in range(200)
            ] + [f"/api/reports?grade=中&sort=gap&offset={rng.randrange(0, 5000)}" for _ in range(100)]
            listing = asyncio.run(load(port, token, queries, 1, args.seconds))
            busy = asyncio.run(load(port, token, queries, 10, args.seconds))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        rows.append(
            f"| PostgreSQL | 按条件列表（{args.list_reports:,} 份，1 个客户端） | {len(listing) / args.seconds:.0f} 次/秒 | {statistics.median(listing):.1f} ms | {p95(listing):.1f} ms | < 200 ms |"
        )
        rows.append(
            f"| PostgreSQL | 按条件列表（{args.list_reports:,} 份，10 个客户端） | {len(busy) / args.seconds:.0f} 次/秒 | {statistics.median(busy):.1f} ms | {p95(busy):.1f} ms | < 200 ms |"
        )
        print("\n".join(rows[-2:]))
    finally:
        drop_pg(url)
    body = (
        f"`bench/bench_server.py`：{args.reports:,} 份报告，{args.clients} 个并发客户端（同机回环，wrk；没有 wrk 时用 httpx 异步），"
        f"`jixiao serve --workers {args.workers}`，每项先以同样的负载预热 {args.warmup:.0f} 秒（服务进程的缓存在预热中填入读到的报告），"
        f"再测 {args.seconds:.0f} 秒；客户端与服务端共用这台 2 核机器；机器开始时 1 分钟负载 {load_at_start:.2f}。\n\n"
        "| 数据库 | 请求 | 吞吐 | 中位数 | p95 | 目标 |\n|---|---|---|---|---|---|\n" + "\n".join(rows)
    )
    print(body)
    if not args.no_write:
        update_section("服务端：读取、复算与列表", body)


if __name__ == "__main__":
    main()
