"""Settings of one running server; nothing is built at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: JIXIAO_DATABASE_URL, else var/jixiao.db
    files_dir: Path = field(default_factory=lambda: Path("var/files"))
    secure_cookies: bool = False  # set True behind HTTPS
    max_upload_bytes: int = 30 * 1024 * 1024
    title: str = "jixiao 绩效自评复核"
    # per server process: revisions and evaluations once read (immutable), see store/hot.py
    cache_mb: int = field(default_factory=lambda: int(os.environ.get("JIXIAO_CACHE_MB", "512")))
