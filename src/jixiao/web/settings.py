"""Settings of one running server; nothing is built at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from jixiao.errors import JixiaoError


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # None: JIXIAO_DATABASE_URL, else var/jixiao.db
    files_dir: Path = field(default_factory=lambda: Path("var/files"))
    secure_cookies: bool = False  # set True behind HTTPS
    max_upload_bytes: int = 30 * 1024 * 1024
    title: str = "jixiao 绩效自评复核"
    # per server process: revisions and evaluations once read (immutable), see store/hot.py
    cache_mb: int = field(default_factory=lambda: cache_mb_from_env())

    @property
    def layouts_dir(self) -> Path:
        """The instance's own layout specs (written when users assign a form's leftover cells)."""
        return Path(self.files_dir).parent / "layouts"


def cache_mb_from_env() -> int:
    """JIXIAO_CACHE_MB (default 512): a whole number of megabytes, 0 turns the cache off."""
    raw = os.environ.get("JIXIAO_CACHE_MB", "512").strip()
    if not raw.isdigit():
        raise JixiaoError(
            f"环境变量 JIXIAO_CACHE_MB 的值「{raw}」不是非负整数",
            place="JIXIAO_CACHE_MB",
            fix="写成兆字节数，例如 JIXIAO_CACHE_MB=512；0 表示不缓存",
        )
    return int(raw)
