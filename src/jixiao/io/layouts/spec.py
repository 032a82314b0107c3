"""Layout specs: a form family as data (``specs/*.yaml``), over the shared words in ``vocabulary.yaml``.

A spec says how to recognise its form (evidence, each with points), which words its cells use (a role's
list replaces the shared one), which rules its rows follow and which indicator system scores it. Adding a
region's form is adding a spec file: the built-in ones, plus those in the folder ``JIXIAO_LAYOUTS`` names
(and the instance's own, written when a user assigns a form's leftover cells to fields in the web).
See docs/layouts.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from jixiao.errors import JixiaoError

HERE = Path(__file__).resolve().parent
BUILTIN = HERE / "specs"
VOCABULARY = HERE / "vocabulary.yaml"
ENV_DIR = "JIXIAO_LAYOUTS"

# vocabulary sections: those mapping role → words, and the plain word lists
ROLE_SECTIONS = (
    "facts",
    "totals",
    "narrative",
    "signoff",
    "fund_columns",
    "fund_sources",
    "goal_columns",
    "levels",
    "indicator_columns",
    "level1_of",
    "prose",
)
LIST_SECTIONS = (
    "fund_skipped",
    "goal_labels",
    "points",
    "total_rows",
    "block_labels",
    "placeholders",
    "form_titles",
    "ignored_blocks",
    "grades",
)
TEXT_SECTIONS = ("core_marks", "instructions")
EVIDENCE_KEYS = frozenset(
    {
        "title",
        "word",
        "cell",
        "cell_starts",
        "starts",
        "sequence",
        "cell_contains",
        "requires",
        "base",
        "points",
        "scan",
        "all",
        "unless_titled",
    }
)
SPEC_KEYS = frozenset(
    {
        "id",
        "order",
        "name",
        "version",
        "system",
        "reader",
        "detect",
        "scan",
        "title_excludes",
        "vocabulary",
        "rows",
        "hooks",
        "self_assessment",
        "execution_points",
        "total_from",
        "has_grade",
        "has_total",
        "required",
        "signoff_after_blocks",
        "columns",
        "extends",
    }
)
ROW_RULES = {"core_marks": True, "sub_rows": True, "template_rows": True, "heading_points": True}


class SpecError(JixiaoError):
    """A layout spec file that cannot be used: the message names the file, the key and the fix."""


@dataclass(frozen=True)
class Evidence:
    """One thing a document shows that speaks for (or, with negative points, against) a layout."""

    kind: str  # title | word | cell | cell_starts | starts | sequence | cell_contains | requires | base
    words: tuple[str, ...] = ()
    points: int = 0
    all: bool = False  # every word (else any one of them)
    scan: int | None = None  # cells looked at (None: the spec's scan; 0: all)
    unless_titled: bool = False

    def describe(self) -> str:
        joined = ("、" if self.all else " 或 ").join(self.words)
        return {
            "title": f"标题含「{joined}」",
            "word": f"有文字「{joined}」",
            "cell": f"有栏目「{joined}」",
            "cell_starts": f"有以「{joined}」开头的栏目",
            "starts": f"有以「{joined}」开头的单元格",
            "sequence": f"「{'」「'.join(self.words)}」相连",
            "cell_contains": f"一个单元格同时含「{'」「'.join(self.words)}」",
            "requires": f"必须有栏目「{joined}」",
            "base": "基础分",
        }[self.kind]


@dataclass(frozen=True)
class Vocabulary:
    roles: Mapping[str, Mapping[str, tuple[str, ...]]]  # section → role → words (label form)
    lists: Mapping[str, tuple[str, ...]]
    core_marks: str
    instructions: tuple[str, ...] = ()  # regular expressions: a cell still holding the form's instruction

    def section(self, name: str) -> Mapping[str, tuple[str, ...]]:
        return self.roles.get(name, {})

    def words(self, name: str) -> tuple[str, ...]:
        return self.lists.get(name, ())


@dataclass(frozen=True)
class LayoutSpec:
    id: str
    name: str
    system: str
    version: str = ""
    reader: str = "grid"  # grid | yueyang
    evidence: tuple[Evidence, ...] = ()
    scan: int = 600
    title_excludes: tuple[str, ...] = ()
    vocabulary: Vocabulary | None = None
    rows: Mapping[str, bool] = field(default_factory=lambda: dict(ROW_RULES))
    hooks: tuple[str, ...] = ()
    self_assessment: str = "rows"  # rows | score_table | auto
    execution_points: int | None = 10
    total_from: str = "table"  # table | labels: which total wins when a form states two
    has_grade: bool = False
    has_total: bool = True  # the form has a place for its self-score total (a 总分 row or label)
    required: tuple[tuple[str, str], ...] = ()  # project fields the form asks for: (field, 中文名)
    signoff_after_blocks: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)  # assigned columns: header text → role
    order: int = 100  # detection order: on equal evidence the lower wins
    file: str | None = None

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(w for e in self.evidence if e.kind == "title" for w in e.words)

    def rule(self, name: str) -> bool:
        return bool(self.rows.get(name, ROW_RULES.get(name, False)))


def _fail(file: str, place: str, message: str, fix: str) -> SpecError:
    return SpecError(message, file=file, place=place, fix=fix)


def _words(value: Any, file: str, place: str) -> tuple[str, ...]:
    from jixiao.quantity import compact

    if value is None:
        return ()
    if isinstance(value, (str, int)):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(w, (str, int)) for w in value):
        raise _fail(file, place, "应是一个词或词的列表", "写成 [词1, 词2]")
    return tuple(compact(str(w)) for w in value if str(w).strip())


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(str(path), "整个文件", f"无法读取版式文件：{exc.strerror}", "检查路径和权限") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else "整个文件"
        raise _fail(
            str(path), where, f"版式文件不是合法的 YAML：{exc}", "按 docs/layouts.md 的写法改正"
        ) from None
    if not isinstance(data, dict):
        raise _fail(str(path), "整个文件", "版式文件应是一个映射", "见 docs/layouts.md")
    return data


def _vocabulary(data: Mapping[str, Any], base: Vocabulary | None, file: str) -> Vocabulary:
    unknown = set(data) - set(ROLE_SECTIONS) - set(LIST_SECTIONS) - set(TEXT_SECTIONS)
    if unknown:
        raise _fail(
            file,
            "vocabulary",
            "未知的词表：" + "、".join(sorted(unknown)),
            "可用：" + "、".join((*ROLE_SECTIONS, *LIST_SECTIONS, *TEXT_SECTIONS)),
        )
    roles = {name: dict(base.section(name)) if base else {} for name in ROLE_SECTIONS}
    for name in ROLE_SECTIONS:
        given = data.get(name)
        if given is None:
            continue
        if not isinstance(given, dict):
            raise _fail(file, f"vocabulary.{name}", "应是 角色: [词…] 的映射", "见 docs/layouts.md")
        for role, words in given.items():
            own = _words(words, file, f"vocabulary.{name}.{role}")
            shared = roles[name].get(str(role), ())
            # a spec's words come first and the shared ones follow; an empty list removes the role
            roles[name][str(role)] = (*own, *(w for w in shared if w not in own)) if own else ()
    lists = {name: base.words(name) if base else () for name in LIST_SECTIONS}
    for name in LIST_SECTIONS:
        if name in data:
            lists[name] = _words(data[name], file, f"vocabulary.{name}")
    marks = str(data.get("core_marks", base.core_marks if base else ""))
    patterns = data.get("instructions")
    if patterns is None:
        instructions = base.instructions if base else ()
    else:
        if not isinstance(patterns, list):
            raise _fail(file, "vocabulary.instructions", "应是正则表达式的列表", "见 docs/layouts.md")
        for n, pattern in enumerate(patterns, 1):
            try:
                re.compile(str(pattern))
            except re.error as exc:
                raise _fail(
                    file, f"vocabulary.instructions 第 {n} 项", f"不是合法的正则表达式：{exc}", "改正写法"
                ) from None
        instructions = tuple(str(p) for p in patterns)
    return Vocabulary(roles=roles, lists=lists, core_marks=marks, instructions=instructions)


@lru_cache(maxsize=1)
def base_vocabulary() -> Vocabulary:
    return _vocabulary(_read_yaml(VOCABULARY), None, str(VOCABULARY))


def _evidence(items: Any, file: str) -> tuple[Evidence, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _fail(file, "detect", "应是证据的列表", "每项如 {word: 年初预算数, points: 15}")
    out = []
    for n, item in enumerate(items, 1):
        place = f"detect 第 {n} 项"
        if not isinstance(item, dict):
            raise _fail(file, place, "每项证据应是一个映射", "如 {word: 年初预算数, points: 15}")
        unknown = set(item) - EVIDENCE_KEYS
        if unknown:
            raise _fail(file, place, "未知的键：" + "、".join(sorted(unknown)), "见 docs/layouts.md")
        kinds = [
            k
            for k in (
                "title",
                "word",
                "cell",
                "cell_starts",
                "starts",
                "sequence",
                "cell_contains",
                "requires",
                "base",
            )
            if k in item
        ]
        if len(kinds) != 1:
            raise _fail(
                file,
                place,
                "每项证据只能有一种",
                "title、word、cell、cell_starts、starts、sequence、cell_contains、requires、base 选一",
            )
        kind = kinds[0]
        if kind == "base":
            out.append(Evidence("base", points=int(item["base"])))
            continue
        words = _words(item[kind], file, place)
        if not words:
            raise _fail(file, place, "证据没有写词", "写出表中的文字")
        points = item.get("points", 0)
        if kind != "requires" and not isinstance(points, int):
            raise _fail(file, place, "points 应是整数", "如 points: 15")
        all_words = bool(item.get("all", kind in ("sequence", "cell_contains")))
        scan = item.get("scan")
        scan_cells = 0 if scan == "all" else (int(scan) if scan is not None else None)
        out.append(Evidence(kind, words, int(points), all_words, scan_cells, bool(item.get("unless_titled"))))
    return tuple(out)


def load_spec(path: Path, base: Vocabulary | None = None, data: dict | None = None) -> LayoutSpec:
    """A spec from its file (``data``: its contents already read and its ``extends`` resolved)."""
    file = str(path)
    data = _read_yaml(path) if data is None else data
    unknown = set(data) - SPEC_KEYS
    if unknown:
        raise _fail(
            file, "顶层", "未知的键：" + "、".join(sorted(unknown)), "可用：" + "、".join(sorted(SPEC_KEYS))
        )
    for key in ("id", "name", "system"):
        if not data.get(key):
            raise _fail(file, key, f"缺少 {key}", "见 docs/layouts.md")
    if data["id"] != path.stem:
        raise _fail(file, "id", f"id「{data['id']}」与文件名不同", f"文件名应为 {data['id']}.yaml")
    reader = data.get("reader", "grid")
    if reader not in ("grid", "yueyang"):
        raise _fail(file, "reader", f"未知的读取器「{reader}」", "grid（默认）或 yueyang")
    rows = dict(ROW_RULES)
    for key, value in (data.get("rows") or {}).items():
        if key not in ROW_RULES:
            raise _fail(file, f"rows.{key}", "未知的行规则", "可用：" + "、".join(ROW_RULES))
        rows[key] = bool(value)
    from jixiao.io.layouts.hooks import HOOKS

    hooks = tuple(str(h) for h in data.get("hooks") or ())
    for hook in hooks:
        if hook not in HOOKS:
            raise _fail(file, "hooks", f"未知的钩子「{hook}」", "可用：" + "、".join(HOOKS))
    mode = data.get("self_assessment", "rows")
    if mode not in ("rows", "score_table", "auto"):
        raise _fail(file, "self_assessment", f"未知的自评方式「{mode}」", "rows、score_table 或 auto")
    total_from = data.get("total_from", "table")
    if total_from not in ("table", "labels"):
        raise _fail(file, "total_from", f"未知的取值「{total_from}」", "table 或 labels")
    required = data.get("required") or {}
    if not isinstance(required, dict):
        raise _fail(file, "required", "应是 字段: 中文名 的映射", "如 {manager: 项目负责人}")
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise _fail(file, "columns", "应是 表头文字: 角色 的映射", "如 {完成情况: actual}")
    from jixiao.quantity import compact

    return LayoutSpec(
        id=str(data["id"]),
        name=str(data["name"]),
        system=str(data["system"]),
        version=str(data.get("version", "")),
        reader=reader,
        evidence=_evidence(data.get("detect"), file),
        scan=int(data.get("scan", 600)),
        title_excludes=_words(data.get("title_excludes"), file, "title_excludes"),
        vocabulary=_vocabulary(data.get("vocabulary") or {}, base or base_vocabulary(), file),
        rows=rows,
        hooks=hooks,
        self_assessment=mode,
        execution_points=data.get("execution_points", 10),
        total_from=total_from,
        has_grade=bool(data.get("has_grade", False)),
        has_total=bool(data.get("has_total", True)),
        required=tuple((str(k), str(v)) for k, v in required.items()),
        signoff_after_blocks={
            compact(str(k)): str(v) for k, v in (data.get("signoff_after_blocks") or {}).items()
        },
        columns={compact(str(k)): str(v) for k, v in columns.items()},
        order=int(data.get("order", 100)),
        file=file,
    )


_LOCAL_DIRS: list[Path] = []


def use_local_dir(path: Path) -> None:
    """Also read the specs of this folder (an instance's own, written from the web): after the built-in ones
    and those ``JIXIAO_LAYOUTS`` names."""
    if path not in _LOCAL_DIRS:
        _LOCAL_DIRS.append(path)


def spec_dirs() -> list[Path]:
    dirs = [BUILTIN]
    extra = os.environ.get(ENV_DIR)
    if extra:
        dirs.extend(Path(p) for p in extra.split(os.pathsep) if p)
    dirs.extend(_LOCAL_DIRS)
    return dirs


def _stamp(dirs: tuple[Path, ...]) -> tuple:
    """What the folders hold now (names and change times): a new or edited spec file is read again."""
    out = []
    for folder in dirs:
        if folder.is_dir():
            out.extend((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yaml")))
    return tuple(out)


@lru_cache(maxsize=8)
def _load_all(dirs: tuple[Path, ...], _stamp: tuple) -> dict[str, LayoutSpec]:
    raw: dict[str, tuple[Path, dict]] = {}
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            data = _read_yaml(path)
            raw[str(data.get("id") or path.stem)] = (path, data)  # a later folder's same id replaces
    specs = {}
    for spec_id, (path, _data) in raw.items():
        key = (spec_id, _lineage(spec_id, raw))
        spec = _LOADED.get(key)
        if spec is None:  # the same file read again gives the same spec: a Layout built on it stays valid
            spec = _LOADED[key] = load_spec(path, data=_extended(spec_id, raw, ()))
        specs[spec.id] = spec
    return dict(sorted(specs.items(), key=lambda item: (item[1].order, item[0])))


_LOADED: dict[tuple, LayoutSpec] = {}


def _lineage(spec_id: str, raw: dict[str, tuple[Path, dict]]) -> tuple:
    """The files a spec is made of (itself and what it extends), with their change times."""
    out, seen = [], set()
    while spec_id in raw and spec_id not in seen:
        seen.add(spec_id)
        path, data = raw[spec_id]
        out.append((str(path), path.stat().st_mtime_ns))
        spec_id = str(data.get("extends") or "")
    return tuple(out)


def _extended(spec_id: str, raw: dict[str, tuple[Path, dict]], chain: tuple[str, ...]) -> dict:
    """A spec's data with the spec it ``extends``: its evidence added after the parent's, its words added to
    the parent's, every other key its own where given."""
    path, data = raw[spec_id]
    parent_id = data.get("extends")
    if not parent_id:
        return data
    if parent_id not in raw or parent_id in chain:
        raise _fail(
            str(path), "extends", f"找不到要扩展的版式「{parent_id}」（或形成了循环）", "写一个已有版式的 id"
        )
    parent = _extended(str(parent_id), raw, (*chain, spec_id))
    merged = {**parent, **{k: v for k, v in data.items() if k not in ("detect", "vocabulary", "columns")}}
    merged["detect"] = [*(parent.get("detect") or []), *(data.get("detect") or [])]
    merged["columns"] = {**(parent.get("columns") or {}), **(data.get("columns") or {})}
    vocabulary = {
        section: dict(v) if isinstance(v, dict) else v
        for section, v in (parent.get("vocabulary") or {}).items()
    }
    for section, given in (data.get("vocabulary") or {}).items():
        if isinstance(given, dict) and isinstance(vocabulary.get(section), dict):
            for role, words in given.items():
                before = vocabulary[section].get(role) or []
                before = [before] if isinstance(before, str) else list(before)
                add = [words] if isinstance(words, str) else list(words or [])
                vocabulary[section][role] = [*add, *(w for w in before if w not in add)]
        else:
            vocabulary[section] = given
    merged["vocabulary"] = vocabulary
    merged.pop("extends", None)
    return merged


def all_specs() -> dict[str, LayoutSpec]:
    """Every layout spec, in detection order (``order``, then id)."""
    dirs = tuple(spec_dirs())
    return _load_all(dirs, _stamp(dirs))


def generic_spec() -> LayoutSpec:
    """The reading for forms no spec fits: the shared words alone, scored by mof-2020."""
    return _generic()


@lru_cache(maxsize=1)
def _generic() -> LayoutSpec:
    return LayoutSpec(
        id="generic",
        name="通用读取（未识别出版式）",
        system="mof-2020",
        vocabulary=base_vocabulary(),
        self_assessment="auto",
        execution_points=None,
        has_grade=False,
    )
