"""Several server processes on one port, each with its own SO_REUSEPORT socket.

The kernel then spreads new connections evenly over the processes; with one shared socket (uvicorn's
own --workers) whichever process wakes first takes a burst of connections, and its clients wait
behind the others' (the benchmark's p95 doubled that way).
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from pathlib import Path


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def settle() -> None:
    """After start-up: move what lives as long as the process (modules, the app, SQLAlchemy's and
    the scoring rules' tables, ~100,000 objects) out of the garbage collector's reach. A full
    collection walked them all, ~50 ms on a slow machine: a latency spike for every request in
    flight."""
    import gc

    gc.collect()
    gc.freeze()


def _worker(host: str, port: int, database_url: str | None, files: str) -> None:
    import uvicorn

    from jixiao.web.app import create_app
    from jixiao.web.settings import Settings

    sock = _socket(host, port)
    app = create_app(Settings(database_url=database_url, files_dir=Path(files)))
    settle()
    # The socket object itself, not uvicorn's fd=: that wraps the descriptor as AF_UNIX, so the event
    # loop never sets TCP_NODELAY on accepted connections, and every response on a kept-alive
    # connection (headers and body written separately) waited ~40 ms for the client's delayed ACK.
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def run(host: str, port: int, workers: int, database_url: str | None, files: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_worker, args=(host, port, database_url, str(files)), daemon=True)
        for _ in range(workers)
    ]
    for p in procs:
        p.start()

    def stop(*_args) -> None:
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=10)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for p in procs:
        p.join()
