"""Safe opening of Office Open XML packages (.docx/.xlsx): bounded zip, XML without entities or DTDs.

Every refusal is an InputError naming the file and the fix: corrupt archives, zip bombs (by total
uncompressed size and by compression ratio), entity tricks, and encrypted (password-protected) files.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from jixiao.errors import InputError

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a real form is a few MB at most
MAX_RATIO = 200  # XML compresses well, but not 200:1 in a real form
MAX_MEMBER = 100 * 1024 * 1024


def open_package(path: Path) -> zipfile.ZipFile:
    name = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(
            "文件已损坏：不是完整的 Word/Excel（zip）文件",
            file=name,
            place="文件结构",
            fix="重新从原系统导出或另存为 .docx/.xlsx 后再导入",
        ) from None
    total = 0
    for info in zf.infolist():
        if info.flag_bits & 0x1:
            raise InputError(
                "文件中的内容已加密", file=name, place=info.filename, fix="取消文档密码后重新保存再导入"
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            raise InputError(
                f"文件内容异常（{info.filename} 解压后 {info.file_size // 1024 // 1024} MB，压缩比 {ratio:.0f}:1），疑似压缩炸弹，已拒绝",
                file=name,
                place=info.filename,
                fix="确认文件来源；正常的自评报告解压后只有几 MB",
            )
    if total > MAX_UNCOMPRESSED:
        raise InputError(
            f"文件解压后共 {total // 1024 // 1024} MB，超过上限 {MAX_UNCOMPRESSED // 1024 // 1024} MB，已拒绝",
            file=name,
            place="整个文件",
            fix="确认文件来源；正常的自评报告解压后只有几 MB",
        )
    return zf


def read_member(zf: zipfile.ZipFile, member: str, file: str) -> bytes:
    try:
        return zf.read(member)
    except KeyError:
        raise InputError(
            f"文件缺少必要的部分 {member}",
            file=file,
            place=member,
            fix="文件可能已损坏；请用 Word/Excel/WPS 打开后另存为 .docx/.xlsx",
        ) from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise InputError(
            f"文件已损坏，无法读取 {member}（{exc}）",
            file=file,
            place=member,
            fix="重新从原系统导出或另存后再导入",
        ) from None


def parse_xml(data: bytes, file: str, member: str):
    """Parse package XML with no DTD, no entity expansion, no network: entity tricks cannot expand."""
    from lxml import etree

    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise InputError(
            "文件中含有 XML 实体声明（DOCTYPE/ENTITY），正常的 Office 文件不会有，已拒绝",
            file=file,
            place=member,
            fix="确认文件来源；用 Word/Excel/WPS 另存为新的文件后再导入",
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"文件内容已损坏（{member} 不是合法的 XML：{exc.msg}）",
            file=file,
            place=f"{member} 第 {exc.lineno} 行" if exc.lineno else member,
            fix="用 Word/Excel/WPS 打开后另存，再导入",
        ) from None


def package_kind(zf: zipfile.ZipFile) -> str | None:
    names = set(zf.namelist())
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None
