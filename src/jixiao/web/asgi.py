"""ASGI entry point for running several worker processes (uvicorn jixiao.web.asgi:app --workers N).

Configured by the environment: JIXIAO_DATABASE_URL and JIXIAO_FILES. This is the one module that
builds an app at import time, because a multi-process server imports it by name in each worker.
"""

from __future__ import annotations

import os
from pathlib import Path

from jixiao.web.app import create_app
from jixiao.web.settings import Settings

app = create_app(
    Settings(
        database_url=os.environ.get("JIXIAO_DATABASE_URL"),
        files_dir=Path(os.environ.get("JIXIAO_FILES", "var/files")),
    )
)
