"""Under more concurrent requests than the thread pool has threads, with clients that go away early,
the server neither deadlocks (pool vs threads) nor leaks connections: a request afterwards answers."""

from __future__ import annotations

import concurrent.futures
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from jixiao.store import accounts
from jixiao.store.db import begin_write, make_engine, session_factory

SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"


def _serve(tmp_path, *extra: str) -> tuple[subprocess.Popen, str, dict[str, str]]:
    """`jixiao serve` on a fresh SQLite database with one bureau token; waits until it answers."""
    url = f"sqlite:///{tmp_path / 'load.db'}"
    from jixiao.store.migrate import upgrade

    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as s, s.begin():
        begin_write(s)
        accounts.add_org(s, None, "财政局", "bureau")
        accounts.add_user(s, None, "b", "财政局", "bureau", "secret-pass-1")
        token = accounts.new_token(s, None, "b")
    engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = "import sys; from jixiao.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--db", url, "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(300):
        try:
            httpx.get(base + "/api/reports", headers=headers, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc, base, headers


def test_many_clients_and_dropped_connections(tmp_path):
    proc, base, headers = _serve(tmp_path)
    try:

        def hit(n: int) -> int:
            # every third client gives up almost at once, cancelling its request mid-way
            timeout = 0.005 if n % 3 == 0 else 30
            try:
                path = "/api/reports" if n % 2 else "/api/reports/1/evaluation"
                return httpx.request("GET", base + path, headers=headers, timeout=timeout).status_code
            except httpx.HTTPError:
                return 0

        with concurrent.futures.ThreadPoolExecutor(max_workers=120) as pool:
            codes = list(pool.map(hit, range(600)))
        patient = [c for n, c in enumerate(codes) if n % 3]
        assert all(c in (200, 404) for c in patient), sorted(set(patient))  # every patient client is answered
        assert all(c in (0, 200, 404) for c in codes)
        start = time.perf_counter()
        after = httpx.get(base + "/api/reports", headers=headers, timeout=20)
        assert after.status_code == 200
        assert time.perf_counter() - start < 5
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_kept_alive_connection_is_not_held_by_delayed_acks(tmp_path):
    """Several workers: each response on a kept-alive connection comes at once. Without TCP_NODELAY on
    the accepted sockets, the body (written after the headers) waited for the client's delayed ACK,
    at least 40 ms on Linux, for every request after a connection's first."""
    proc, base, headers = _serve(tmp_path, "--workers", "2")
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            waits = []
            for _ in range(15):
                start = time.perf_counter()
                assert client.get("/api/reports/999").status_code == 404
                waits.append(time.perf_counter() - start)
        # the quickest of fifteen: a busy machine slows some requests, but not all by 40 ms
        assert min(waits[1:]) < 0.030, [round(w * 1000, 1) for w in waits]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_concurrent_failed_logins_all_answer(tmp_path):
    """Found by schemathesis: a failed login reads the recent attempts, then records its own. On SQLite
    such a transaction began as a reader, and when another request committed in between, its write
    failed at once with "database is locked" (a 500). Requests that may write now begin as writers."""
    proc, base, _headers = _serve(tmp_path, "--workers", "2")
    try:

        def attempt(n: int) -> int:
            body = {"login": f"nobody{n % 5}", "password": "wrong-password"}
            return httpx.post(base + "/api/login", json=body, timeout=60).status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
            codes = list(pool.map(attempt, range(120)))
        assert set(codes) <= {400, 403}, sorted(set(codes))  # wrong password, then rate-limited
        assert 403 in codes
    finally:
        proc.terminate()
        proc.wait(timeout=20)
