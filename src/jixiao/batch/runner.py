"""jixiao batch: read and score every report in a folder, in parallel, resumable after an interruption.

The parent finds the files, converts the legacy ones with one LibreOffice run per target type, hands
the rest to worker processes in chunks and appends one state line per finished file, so a rerun skips
what is done. Workers return small picklable summaries, never Report objects: memory stays bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from jixiao import __version__, api
from jixiao.batch.workbook import write_workbook
from jixiao.checks.execution import execution_rate
from jixiao.domain import Evaluation, Report
from jixiao.errors import InputError, JixiaoError
from jixiao.io.importers import SUPPORTED_SUFFIXES, sniff
from jixiao.io.importers import load_reports as import_reports
from jixiao.io.importers.legacy import convert_many, ole_kind
from jixiao.io.layouts import LAYOUTS
from jixiao.systems import load_system

SCHEMA = "jixiao.batch/1"
STATE_SUFFIX = ".state.jsonl"
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})  # OS clutter that sniffs as OLE/text
WORKER_DIED = "内部错误: 处理此文件时工作进程意外退出（可能内存不足或程序崩溃）"
MAX_CHUNK = 16  # files per task: small enough for even load and fine progress, large enough to amortise IPC


# -- what a worker returns ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FindingRow:
    code: str
    severity: str  # error | warning | info
    message: str
    where: str


@dataclass(frozen=True, slots=True)
class ReportSummary:
    file: str  # path relative to the batch folder
    layout: str | None
    name: str | None
    unit: str | None
    department: str | None
    self_total: Decimal | None
    self_grade: str | None
    total: Decimal
    grade: str
    execution_rate: Decimal | None  # spent / (全年预算 or 计划安排 or 实际到位), a ratio
    findings: tuple[FindingRow, ...] = ()

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def gap(self) -> Decimal | None:
        """自评 − 复算: how far the claim runs ahead of what the data supports."""
        return None if self.self_total is None else self.self_total - self.total

    def to_json(self) -> dict[str, Any]:
        doc = {k: getattr(self, k) for k in self.__slots__ if k != "findings"}
        for k in ("self_total", "total", "execution_rate"):
            doc[k] = None if doc[k] is None else str(doc[k])
        doc["findings"] = [[f.code, f.severity, f.message, f.where] for f in self.findings]
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ReportSummary:
        values = {k: doc[k] for k in cls.__slots__ if k != "findings"}
        for k in ("self_total", "total", "execution_rate"):
            values[k] = None if values[k] is None else Decimal(values[k])
        return cls(**values, findings=tuple(FindingRow(*f) for f in doc["findings"]))


@dataclass(frozen=True, slots=True)
class FileOutcome:
    file: str  # path relative to the batch folder
    reports: tuple[ReportSummary, ...] = ()
    failure: str | None = None  # why the file could not be read; None when it was


def summarize(file: str, report: Report, evaluation: Evaluation) -> ReportSummary:
    rate = execution_rate(report)
    p = report.project
    return ReportSummary(
        file=file,
        layout=report.source.layout,
        name=p.name,
        unit=p.unit,
        department=p.department,
        self_total=evaluation.self_total,
        self_grade=evaluation.self_grade,
        total=evaluation.total,
        grade=evaluation.grade,
        execution_rate=None if rate is None else rate[0],
        # the 文件 column names the file: the place keeps only line and path inside it
        findings=tuple(
            FindingRow(f.code, f.severity, f.message, f.where.with_file(None).render())
            for f in evaluation.findings
        ),
    )


def failure_reason(exc: JixiaoError) -> str:
    exc.file = None  # the 文件 column already names it (and a converted copy's temp path means nothing)
    return exc.render()


def summarize_file(
    path: str, rel: str, converted: str | None, layout: str, system: str | None
) -> FileOutcome:
    """Import and score one file. Never raises: whatever goes wrong is this file's failure."""
    try:
        reports = import_reports(path, layout, converted=Path(converted) if converted else None)
        return FileOutcome(rel, tuple(summarize(rel, r, api.evaluate(r, system)) for r in reports))
    except JixiaoError as exc:
        return FileOutcome(rel, failure=failure_reason(exc))
    except Exception as exc:  # a jixiao bug on this file must not stop the other 1999
        return FileOutcome(rel, failure=f"内部错误: {type(exc).__name__}: {exc}")


Item = tuple[str, str, str | None]  # (path, relative path, converted copy)


def process_chunk(chunk: Sequence[Item], layout: str, system: str | None) -> list[FileOutcome]:
    return [summarize_file(path, rel, conv, layout, system) for path, rel, conv in chunk]


# -- finding the files -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FoundFile:
    path: Path
    rel: str  # posix path relative to the folder: the key in the state and the workbook
    size: int
    mtime_ns: int

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.rel, self.size, self.mtime_ns)


def _head(path: Path, n: int) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def find_report_files(folder: Path, skip: Sequence[Path] = ()) -> list[FoundFile]:
    """Every file under ``folder`` that may be a report, sorted by relative path.

    Supported suffixes always count (a broken one becomes a failure with its reason); other files count
    when their first bytes look like zip/OLE/text. Hidden files, Office lock files (~$…), batch state
    files and ``skip`` (the batch's own output) are left out.
    """
    skipped = {os.path.normcase(os.path.abspath(p)) for p in skip}
    found: list[FoundFile] = []
    pending = [folder]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith((".", "~$")) or name.lower() in SYSTEM_FILES or name.endswith(STATE_SUFFIX):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                    continue
                info = entry.stat()
            except OSError:
                continue
            path = Path(entry.path)
            if not stat.S_ISREG(info.st_mode) or os.path.normcase(os.path.abspath(path)) in skipped:
                continue
            known = path.suffix.lower() in SUPPORTED_SUFFIXES
            if known or sniff(_head(path, 8)) in ("zip", "ole", "text"):
                rel = path.relative_to(folder).as_posix()
                found.append(FoundFile(path, rel, info.st_size, info.st_mtime_ns))
    return sorted(found, key=lambda f: f.rel)


# -- legacy formats: one LibreOffice run per target type ---------------------------------------------
def convert_legacy(
    files: Sequence[FoundFile], workdir: Path, meter: Progress
) -> tuple[dict[str, Path], dict[str, str]]:
    """Convert every OLE file (.doc/.xls/.wps/.et by its bytes) up front: (rel → converted, rel → failure)."""
    groups: dict[str, list[FoundFile]] = {"docx": [], "xlsx": []}
    for f in files:
        head = _head(f.path, 8)
        if sniff(head) != "ole":
            continue
        kind = ole_kind(_head(f.path, 1 << 20))
        if kind == "encrypted":
            continue  # the importer names the password problem; converting would only fail
        groups["xlsx" if kind == "xls" else "docx"].append(f)
    converted: dict[str, Path] = {}
    failures: dict[str, str] = {}
    total = sum(len(g) for g in groups.values())
    if not total:
        return converted, failures
    meter.note(f"转换旧格式文件…（{total} 个，LibreOffice）")
    started = time.monotonic()
    for target, group in groups.items():
        if not group:
            continue
        try:
            results = convert_many([f.path for f in group], target, workdir / target)
        except Exception as exc:  # LibreOffice missing or unstartable: the group fails, the batch goes on
            reason = (
                failure_reason(exc) if isinstance(exc, JixiaoError) else f"内部错误: 格式转换失败（{exc}）"
            )
            failures.update((f.rel, reason) for f in group)
            continue
        for f in group:
            if f.path in results:
                converted[f.rel] = results[f.path]
            else:
                failures[f.rel] = failure_reason(
                    InputError(
                        "LibreOffice 无法转换此文件（文件可能已损坏或设置了打开密码）",
                        place="格式转换",
                        fix="用 Word/Excel/WPS 打开确认；如有密码请取消后另存为 .docx/.xlsx 再导入",
                    )
                )
    meter.note(f"转换完成：{len(converted)}/{total} 个，用时 {time.monotonic() - started:.1f} 秒")
    return converted, failures


# -- running: in-process or a pool that survives a dying worker ----------------------------------------
def _in_process(
    items: Sequence[Item], layout: str, system: str | None
) -> Generator[list[FileOutcome], None, None]:
    for item in items:
        yield process_chunk([item], layout, system)


def _ignore_sigint() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: no worker tracebacks


def chunk_size(count: int, workers: int) -> int:
    return max(1, min(MAX_CHUNK, count // (workers * 4)))


def run_pool(
    items: Sequence[Item],
    workers: int,
    layout: str,
    system: str | None,
    make_pool: Callable[[int], Executor] | None = None,
) -> Generator[list[FileOutcome], None, None]:
    """Outcomes as chunks finish. A worker that dies (segfault, out of memory) breaks the pool: the files
    then in flight are rerun one at a time in a fresh pool, so only the file that kills a worker fails."""
    make_pool = make_pool or (lambda n: ProcessPoolExecutor(max_workers=n, initializer=_ignore_sigint))
    size = chunk_size(len(items), workers)
    todo = deque(list(items[i : i + size]) for i in range(0, len(items), size))
    suspects: deque[Item] = deque()  # files in flight when a worker died: rerun alone
    while todo or suspects:
        pool = make_pool(min(workers, len(todo) + len(suspects)))
        running: dict[Future[list[FileOutcome]], list[Item]] = {}
        broken = False
        try:
            while not broken and (todo or suspects or running):
                while len(running) < (1 if suspects else 2 * workers) and (suspects or todo):
                    chunk = [suspects.popleft()] if suspects else todo.popleft()
                    try:
                        running[pool.submit(process_chunk, chunk, layout, system)] = chunk
                    except BrokenProcessPool:
                        todo.appendleft(chunk)  # never ran: not a suspect
                        broken = True
                        break
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    exc = future.exception()
                    if isinstance(exc, BrokenProcessPool):
                        broken = True
                        continue
                    chunk = running.pop(future)
                    if exc is None:
                        yield future.result()
                    else:  # process_chunk never raises; if it did, its files fail, the batch goes on
                        yield [
                            FileOutcome(rel, failure=f"内部错误: {type(exc).__name__}: {exc}")
                            for _, rel, _ in chunk
                        ]
            if broken:
                # chunks that finished before the crash keep their results; the rest are suspects
                victims = []
                for future, chunk in running.items():
                    if future.done() and not future.cancelled() and future.exception() is None:
                        yield future.result()
                    else:
                        victims.append(chunk)
                if len(victims) == 1 and len(victims[0]) == 1:  # alone in the pool: this file kills workers
                    yield [FileOutcome(victims[0][0][1], failure=WORKER_DIED)]
                else:
                    suspects.extend(item for chunk in victims for item in chunk)
        finally:
            pool.shutdown(wait=broken, cancel_futures=True)


# -- the state file: what is done survives an interruption -----------------------------------------
def state_path_for(out: Path) -> Path:
    return out.with_name(out.name + STATE_SUFFIX)


class StateFile:
    """``<out>.state.jsonl``: one JSON line per finished file, with its size and mtime so a changed file is
    redone. Lines are only ever appended (and fsynced), so a crash leaves at most one torn last line."""

    def __init__(self, path: Path, options: dict[str, Any]):
        self.path = path
        self.options = options
        self._fh: Any = None

    def load(self) -> dict[tuple[str, int, int], FileOutcome]:
        """Finished files by (path, size, mtime_ns); the last line wins, torn or foreign lines are ignored.
        Failed files are not reused: they are retried (a missing LibreOffice may have been installed)."""
        try:
            text = self.path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return {}
        done: dict[tuple[str, int, int], FileOutcome] = {}
        for line in text.splitlines():
            try:
                doc = json.loads(line)
                if doc.get("options") != self.options or doc.get("failure") is not None:
                    continue
                key = (doc["file"], int(doc["size"]), int(doc["mtime_ns"]))
                reports = tuple(ReportSummary.from_json(r) for r in doc["reports"])
            except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation):
                continue
            done[key] = FileOutcome(doc["file"], reports)
        return done

    def _line(self, found: FoundFile, outcome: FileOutcome) -> bytes:
        doc = {
            "file": found.rel,
            "size": found.size,
            "mtime_ns": found.mtime_ns,
            "options": self.options,
            "failure": outcome.failure,
            "reports": [r.to_json() for r in outcome.reports],
        }
        return (json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8")

    def open(self, fresh: bool) -> None:
        try:
            self._fh = self.path.open("wb" if fresh else "ab")
            if not fresh and self._fh.tell() > 0:
                with self.path.open("rb") as fh:
                    fh.seek(-1, os.SEEK_END)
                    if fh.read(1) != b"\n":
                        self._fh.write(b"\n")  # end a torn line so the next record starts clean
        except OSError as exc:
            raise InputError(
                f"无法写入进度文件：{exc.strerror}", file=str(self.path), fix="确认输出文件夹可写"
            ) from None

    def append(self, entries: Sequence[tuple[FoundFile, FileOutcome]]) -> None:
        """Entries that finished together (one chunk): written, flushed and fsynced at once."""
        self._fh.write(b"".join(self._line(f, o) for f, o in entries))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def compact(self, entries: Sequence[tuple[FoundFile, FileOutcome]]) -> None:
        """Rewrite with exactly one line per current file (drops duplicates and files since removed)."""
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        with tmp.open("wb") as fh:
            fh.writelines(self._line(f, o) for f, o in entries)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)


# -- progress -----------------------------------------------------------------------------------------
def _duration(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分 {s % 60:02d} 秒"
    return f"{s // 3600} 时 {s % 3600 // 60:02d} 分"


class Progress:
    """A bar rewritten in place on a terminal; plain lines every ``interval`` seconds in a log."""

    WIDTH = 20

    def __init__(
        self,
        stream: TextIO,
        total: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float | None = None,
    ):
        isatty = getattr(stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.stream = stream
        self.total = total
        self.clock = clock
        self.interval = interval if interval is not None else (0.1 if self.tty else 2.0)
        self.done = self.failed = self.base = 0
        self.started = self.last = clock()
        self._open = 0  # characters of a bar line not yet ended by a newline
        self._last_line = ""

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def note(self, text: str) -> None:
        if self._open:
            self._write("\n")
            self._open = 0
        self._write(text + "\n")

    def start(self, done: int) -> None:
        """Counting begins; ``done`` files are already finished (reused) and do not count toward the rate."""
        self.done = self.base = done
        self.started = self.last = self.clock()

    def line(self) -> str:
        elapsed = self.clock() - self.started
        processed = self.done - self.base
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        pct = 100 * self.done // self.total if self.total else 100
        if processed and elapsed > 0:
            rate = processed / elapsed
            speed, eta = f"{rate:.1f} 个/秒", _duration((self.total - self.done) / rate)
        else:
            speed, eta = "-- 个/秒", "--"
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return f"[{bar}] {self.done}/{self.total} {pct}% {speed} 剩余 {eta} 失败 {self.failed}"

    def advance(self, files: int, failed: int) -> None:
        self.done += files
        self.failed += failed
        now = self.clock()
        if now - self.last >= self.interval or (self.tty and self.done >= self.total):
            self.last = now
            self.show()

    def show(self) -> None:
        text = self.line()
        if self.tty:
            self._write("\r" + text + " " * max(0, self._open - len(text)))
            self._open = len(text)
        elif text != self._last_line:  # the closing line repeats the last one when nothing moved since
            self._write(text + "\n")
        self._last_line = text


# -- the batch ------------------------------------------------------------------------------------------
@dataclass
class BatchResult:
    out: Path
    outcomes: list[FileOutcome]  # one per file found, in file order
    reused: int  # files taken from the state of an earlier run
    elapsed: float  # seconds

    @property
    def files(self) -> int:
        return len(self.outcomes)

    @property
    def reports(self) -> list[ReportSummary]:
        return [r for o in self.outcomes for r in o.reports]

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.failure is not None]

    def summary_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "files": self.files,
            "reports": len(self.reports),
            "failed": [{"file": o.file, "reason": o.failure} for o in self.failed],
            "reused": self.reused,
            "out": str(self.out),
            "elapsed_seconds": f"{self.elapsed:.1f}",
        }


def _check_arguments(folder: Path, out: Path, jobs: int | None, layout: str, system: str | None) -> None:
    """Mistakes in the command itself stop before any work (rather than failing every file alike)."""
    if not folder.is_dir():
        what = "不是文件夹" if folder.exists() else "不存在"
        raise InputError(f"文件夹{what}", file=str(folder), fix="jixiao batch 的第一个参数是存放报告的文件夹")
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            "复核汇总表应为 .xlsx 文件", file=str(out), place="--out", fix="例如 --out review.xlsx"
        )
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs {jobs} 无效", place="--jobs", fix="并行进程数应为正整数，例如 --jobs 4")
    if layout and layout not in ("auto", "generic") and layout not in LAYOUTS:
        raise InputError(
            f"未知的版式 {layout}", place="--layout", fix="可用的版式：auto、" + "、".join(LAYOUTS)
        )
    if system:
        load_system(system)


def run_batch(
    folder: Path,
    out: Path,
    *,
    jobs: int | None = None,
    layout: str = "auto",
    system: str | None = None,
    restart: bool = False,
    progress: TextIO = sys.stderr,
) -> BatchResult:
    """Import and score every report file under ``folder``; write the review workbook ``out``.

    Per-file problems become failures in the result (and the workbook), never exceptions. Finished files
    are recorded in ``<out>.state.jsonl``; a rerun skips those unchanged since (``restart`` redoes all).
    """
    started = time.monotonic()
    folder, out = Path(folder), Path(out)
    _check_arguments(folder, out, jobs, layout, system)
    state = StateFile(
        state_path_for(out),
        {"folder": str(folder.resolve()), "layout": layout, "system": system, "jixiao": __version__},
    )
    found = find_report_files(folder, skip=(out, state.path))
    finished = {} if restart else state.load()
    outcomes = {f.rel: finished[f.key] for f in found if f.key in finished}
    todo = [f for f in found if f.rel not in outcomes]
    by_rel = {f.rel: f for f in todo}
    meter = Progress(progress, len(found))
    meter.note(
        f"共 {len(found)} 个文件"
        + (f"，其中 {len(outcomes)} 个上次已完成、未改动，沿用其结果" if outcomes else "")
    )
    workers = jobs or os.cpu_count() or 1
    state.open(fresh=restart)

    def record(batch: list[FileOutcome]) -> None:
        state.append([(by_rel[o.file], o) for o in batch])
        outcomes.update((o.file, o) for o in batch)
        meter.advance(len(batch), sum(1 for o in batch if o.failure is not None))

    try:
        with tempfile.TemporaryDirectory(prefix="jixiao-batch-") as tmp:
            converted, failures = convert_legacy(todo, Path(tmp), meter)
            meter.start(len(outcomes))
            if failures:
                record([FileOutcome(rel, failure=reason) for rel, reason in failures.items()])
            items = [(str(f.path), f.rel, _str(converted.get(f.rel))) for f in todo if f.rel not in failures]
            if workers == 1 or len(items) <= 1:
                batches = _in_process(items, layout, system)
            else:
                batches = run_pool(items, workers, layout, system)
            try:
                for batch in batches:
                    record(batch)
            finally:
                batches.close()  # on Ctrl-C: cancel the queued chunks now, not at interpreter exit
    except KeyboardInterrupt:
        meter.note(
            f"已中断：已完成的 {len(outcomes)} 个文件记录在 {state.path}，重新运行同一命令即可接着处理"
        )
        raise
    finally:
        state.close()
    if todo and meter.done > meter.base:
        meter.show()
    ordered = [outcomes[f.rel] for f in found]
    write_workbook(out, ordered)
    with contextlib.suppress(OSError):  # compacting only tidies the state: its appended lines stay valid
        state.compact([(f, outcomes[f.rel]) for f in found])
    result = BatchResult(out, ordered, reused=len(found) - len(todo), elapsed=time.monotonic() - started)
    _finish(meter, result)
    return result


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _finish(meter: Progress, result: BatchResult) -> None:
    failed = result.failed
    for o in failed[:10]:
        meter.note(f"  读取失败 {o.file}：{next(iter((o.failure or '').splitlines()), '')}")
    if len(failed) > 10:
        meter.note(f"  …另有 {len(failed) - 10} 个，见汇总表“读取失败”页")
    meter.note(
        f"完成：{result.files} 个文件，{len(result.reports)} 份报告，读取失败 {len(failed)} 个，"
        f"用时 {result.elapsed:.1f} 秒 → {result.out}"
    )
