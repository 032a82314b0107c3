"""Old binary formats (.doc/.xls, WPS .wps/.et): converted to .docx/.xlsx by LibreOffice, headless.

One ``soffice`` run converts a whole list of files (``convert_many``), so a batch pays for one start,
not one per file. The kind of an OLE file comes from its stream names, not its extension.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from jixiao.errors import InputError

INSTALL_HINT = "安装 LibreOffice 后重试：sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"
TIMEOUT_BASE = 90  # seconds for soffice to start
TIMEOUT_PER_FILE = 20


def ole_kind(head: bytes) -> str:
    """'encrypted' | 'doc' | 'xls' | 'unknown' from the stream names in an OLE compound file."""

    def has(name: str) -> bool:
        return name.encode("utf-16-le") in head

    if has("EncryptionInfo") or has("EncryptedPackage"):
        return "encrypted"
    if has("WordDocument"):
        return "doc"
    if has("Workbook") or has("Book"):
        return "xls"
    return "unknown"


def soffice_path() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.path.exists(candidate):
            return candidate
    return None


def require_soffice(file: str | None = None) -> str:
    found = soffice_path()
    if not found:
        raise InputError(
            "读取旧版 Word/Excel/WPS 文件（.doc/.xls/.wps/.et）和导出 PDF 需要 LibreOffice，本机未安装",
            file=file,
            place="格式转换",
            fix=INSTALL_HINT,
        )
    return found


def convert_many(paths: list[Path], target: str, outdir: Path) -> dict[Path, Path]:
    """Convert files to ``target`` ('docx' | 'xlsx' | 'pdf' | 'doc' | 'xls') in one soffice run; returns source → result.

    Files that LibreOffice could not convert are missing from the result (the caller reports them).
    """
    if not paths:
        return {}
    soffice = require_soffice(str(paths[0]) if len(paths) == 1 else None)
    outdir.mkdir(parents=True, exist_ok=True)
    # soffice names outputs after the input's stem: give each input a unique stem in a staging folder
    staging = Path(tempfile.mkdtemp(prefix="jixiao-in-", dir=outdir))
    staged: dict[Path, Path] = {}
    for n, src in enumerate(paths):
        link = staging / f"f{n:06d}{src.suffix.lower() or '.bin'}"
        try:
            os.symlink(src.resolve(), link)
        except OSError:
            shutil.copyfile(src, link)
        staged[src] = link
    profile = Path(tempfile.mkdtemp(prefix="jixiao-lo-profile-"))
    filters = {
        "docx": "docx:MS Word 2007 XML",
        "xlsx": "xlsx:Calc MS Excel 2007 XML",
        "pdf": "pdf",
        "doc": "doc:MS Word 97",  # the other way round: test files in the old formats bureaus still send
        "xls": "xls:MS Excel 97",
    }
    cmd = [
        soffice,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        "--convert-to",
        filters[target],
        "--outdir",
        str(outdir),
        *[str(p) for p in staged.values()],
    ]
    try:
        subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TIMEOUT_BASE + TIMEOUT_PER_FILE * len(paths),
            check=False,
        )
    except subprocess.TimeoutExpired:
        pass  # whatever was converted before the limit is used; the rest is reported as failed
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
    out = {}
    for src, link in staged.items():
        result = outdir / f"{link.stem}.{target}"
        if result.exists() and result.stat().st_size > 0:
            out[src] = result
    return out


def convert_one(path: Path, target: str, outdir: Path) -> Path:
    result = convert_many([path], target, outdir).get(path)
    if result is None:
        raise InputError(
            "LibreOffice 无法转换此文件（文件可能已损坏或设置了打开密码）",
            file=str(path),
            place="格式转换",
            fix="用 Word/Excel/WPS 打开确认；如有密码请取消后另存为 .docx/.xlsx 再导入",
        )
    return result
