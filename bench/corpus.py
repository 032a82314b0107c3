"""How well jixiao reads real forms: the corpus in tests/corpus/ (real published forms rebuilt from their
public pages, each with a reviewer's truth), built, imported, scored and checked, compared with the truth.

    python bench/corpus.py [--split dev|heldout|all] [--json] [--verbose] [ID ...]

Per document and overall, for the development part and the held-out part separately:
- fields: the share of the truth's report fields (facts, funds, goals, indicator cells, layout) jixiao
  reads the same;
- recall: the share of the reviewer's findings jixiao raises (same code, about the same thing);
- false alarms: the share of jixiao's findings the reviewer would not raise;
- scores: the share of the data-decided item scores, totals and grades jixiao recomputes the same.
A form jixiao refuses counts as nothing read and nothing found.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "corpus"))
sys.path.insert(0, str(ROOT / "src"))

import build  # noqa: E402  (tests/corpus/build.py)

from jixiao import api  # noqa: E402
from jixiao.errors import JixiaoError  # noqa: E402
from jixiao.quantity import compact, parse_quantity  # noqa: E402
from jixiao.serialize import evaluation_json, report_json  # noqa: E402


@dataclass
class Tally:
    fields: int = 0
    fields_ok: int = 0
    findings: int = 0
    found: int = 0
    raised: int = 0
    false_alarms: int = 0
    scores: int = 0
    scores_ok: int = 0
    refused: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in (
            "fields",
            "fields_ok",
            "findings",
            "found",
            "raised",
            "false_alarms",
            "scores",
            "scores_ok",
            "refused",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def rates(self) -> dict[str, float | None]:
        def share(a: int, b: int) -> float | None:
            return round(100 * a / b, 1) if b else None

        return {
            "fields": share(self.fields_ok, self.fields),
            "recall": share(self.found, self.findings),
            "false_alarms": share(self.false_alarms, self.raised),
            "scores": share(self.scores_ok, self.scores),
        }


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip().rstrip("分"))
    except (InvalidOperation, ValueError):
        return None


def same(expected: Any, got: Any) -> bool:
    """Equal as a reviewer would read them: numbers by value, texts without spacing or width differences."""
    if expected is None or expected == "":
        return got is None or got == "" or got == []
    if got is None:
        return False
    if isinstance(expected, bool):
        return expected == got
    a, b = _decimal(expected), _decimal(got)
    if a is not None and b is not None:
        return a == b
    return compact(str(expected)) == compact(str(got))


def same_quantity(expected: str | None, got: dict | None) -> bool:
    if not expected:
        return got is None or not got.get("raw")
    if got is None:
        return False
    if compact(expected) == compact(got.get("raw") or ""):
        return True
    want = parse_quantity(expected)
    if want is None or want.value is None:
        return False
    value = _decimal(got.get("value"))
    return (want.op or None, want.value, want.unit or None) == (got.get("op"), value, got.get("unit"))


def dotted(doc: dict, path: str) -> Any:
    head, _, rest = path.partition(".")
    if head == "funds" and rest and rest != "unit":
        key, _, name = rest.partition(".")
        row = next((r for r in doc["funds"]["rows"] if r["key"] == key), None)
        return None if row is None else row.get(name)
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def compare(truth: dict, report: dict | None, evaluation: dict | None, tally: Tally, label: str) -> None:
    def check(ok: bool, what: str) -> None:
        tally.fields += 1
        tally.fields_ok += ok
        if not ok:
            tally.misses.append(f"{label} {what}")

    r = report or {}
    check(
        report is not None and same(truth.get("layout"), r.get("source", {}).get("layout")),
        f"layout {truth.get('layout')} ≠ {r.get('source', {}).get('layout')}",
    )
    for path, want in (truth.get("fields") or {}).items():
        got = dotted(r, path) if report else None
        check(report is not None and same(want, got), f"{path}: {want!r} ≠ {got!r}")
    got_goals = r.get("goals") or []
    for n, goal in enumerate(truth.get("goals") or []):
        have = got_goals[n] if n < len(got_goals) else {}
        for key in ("expected", "actual"):
            if key in goal:
                check(
                    report is not None and same(goal[key], have.get(key)),
                    f"goals[{n}].{key}: {str(goal[key])[:30]!r} ≠ {str(have.get(key))[:30]!r}",
                )
    got_rows = r.get("indicators") or []
    for n, row in enumerate(truth.get("indicators") or []):
        have = got_rows[n] if n < len(got_rows) else None
        for key, want in row.items():
            if key in ("target", "actual"):
                ok = have is not None and same_quantity(want, have.get(key))
                got = (have or {}).get(key, {}) or {}
                shown = got.get("raw") if isinstance(got, dict) else got
            else:
                shown = (have or {}).get(key)
                ok = have is not None and same(want, shown)
            check(ok, f"indicators[{n}].{key}: {want!r} ≠ {shown!r}")
    if len(got_rows) > len(truth.get("indicators") or []) and truth.get("indicators") is not None:
        extra = len(got_rows) - len(truth["indicators"])
        tally.fields += extra  # rows read that are not indicators count against accuracy
        tally.misses.append(f"{label} {extra} indicator rows more than the form has")
    # findings; a generic reading says so with a JX503 (issue #10): expected wherever the truth says generic
    wanted = list(truth.get("findings") or [])
    if truth.get("layout") == "generic":
        wanted.append({"code": "JX503", "about": "通用方式", "why": "按通用方式读取"})
    truth = {**truth, "findings": wanted}
    raised = (evaluation or {}).get("findings") or []
    texts = [
        compact(
            " ".join(str(f.get(k) or "") for k in ("message", "where", "hint", "title"))
            + json.dumps(f.get("location"), ensure_ascii=False)
        )
        for f in raised
    ]

    def matches(want: dict, n: int) -> bool:
        return raised[n]["code"] == want["code"] and compact(want.get("about") or "") in texts[n]

    for want in truth.get("findings") or []:
        tally.findings += 1
        hit = any(matches(want, n) for n in range(len(raised)))
        tally.found += hit
        if not hit:
            tally.misses.append(
                f"{label} missed {want['code']} about {want.get('about')!r}: {want.get('why', '')[:60]}"
            )
    for n, f in enumerate(raised):
        tally.raised += 1
        if not any(matches(want, n) for want in truth.get("findings") or []):
            tally.false_alarms += 1
            tally.misses.append(f"{label} false alarm {f['code']}: {f['message'][:70]}")
    # scores
    scores = truth.get("scores") or {}
    items = (evaluation or {}).get("items") or []
    for want in scores.get("items") or []:
        tally.scores += 1
        got = next((i for i in items if i["path"] and i["path"][-1] == want["path_end"]), None)
        ok = got is not None and same(want["score"], got["score"])
        tally.scores_ok += ok
        if not ok:
            tally.misses.append(f"{label} score {want['path_end']}: {want['score']} ≠ {got and got['score']}")
    for key, got_key in (("total", "total"), ("grade", "grade")):
        if scores.get(key) is not None:
            tally.scores += 1
            got = (evaluation or {}).get(got_key)
            ok = same(scores[key], got)
            tally.scores_ok += ok
            if not ok:
                tally.misses.append(f"{label} {key}: {scores[key]} ≠ {got}")


def run(ids: list[str], split: str, verbose: bool) -> dict[str, Any]:
    truths = {}
    for path in sorted(build.TRUTH.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        if ids and path.stem not in ids:
            continue
        if split != "all" and truth.get("split", "dev") != split:
            continue
        truths[path.stem] = truth
    out: dict[str, Any] = {"documents": {}, "overall": {}}
    totals: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory(prefix="jixiao-corpus-") as tmp:
        files = build.build_all(Path(tmp), list(truths))
        for form_id, truth in truths.items():
            tally = Tally()
            try:
                reports = api.load_reports(files[form_id])
                pairs = [(report_json(r), evaluation_json(api.evaluate(r))) for r in reports]
            except JixiaoError as exc:
                pairs = []
                tally.refused = 1
                tally.misses.append(f"{form_id} refused: {exc.message}")
            for n, want in enumerate(truth["reports"]):
                report, evaluation = pairs[n] if n < len(pairs) else (None, None)
                compare(want, report, evaluation, tally, f"{form_id}#{n + 1}")
            for report, evaluation in pairs[len(truth["reports"]) :]:
                tally.raised += len(evaluation["findings"])
                tally.false_alarms += len(evaluation["findings"])
                tally.misses.append(f"{form_id} an extra form read ({report['project']['name']!r})")
            part = truth.get("split", "dev")
            totals.setdefault(part, Tally()).add(tally)
            out["documents"][form_id] = {
                "split": part,
                "province": truth.get("province"),
                **tally.rates(),
                "refused": bool(tally.refused),
                "misses": tally.misses,
            }
    for part, tally in totals.items():
        out["overall"][part] = {
            **tally.rates(),
            "documents": sum(1 for d in out["documents"].values() if d["split"] == part),
            "refused": tally.refused,
            "counts": {
                "fields": f"{tally.fields_ok}/{tally.fields}",
                "findings": f"{tally.found}/{tally.findings}",
                "false_alarms": f"{tally.false_alarms}/{tally.raised}",
                "scores": f"{tally.scores_ok}/{tally.scores}",
            },
        }
    return out


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    result = run(args.ids, args.split, args.verbose)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(f"{'document':40} {'split':8} {'fields':>7} {'recall':>7} {'false':>7} {'scores':>7}")
    for form_id, doc in result["documents"].items():
        flag = "  refused" if doc["refused"] else ""
        print(
            f"{form_id:40} {doc['split']:8} {_pct(doc['fields']):>7} {_pct(doc['recall']):>7} {_pct(doc['false_alarms']):>7} {_pct(doc['scores']):>7}{flag}"
        )
        if args.verbose:
            for miss in doc["misses"]:
                print(f"    {miss}")
    print()
    for part, overall in result["overall"].items():
        print(
            f"{part:8} {overall['documents']} documents, {overall['refused']} refused: fields {_pct(overall['fields'])} "
            f"({overall['counts']['fields']}), findings recall {_pct(overall['recall'])} ({overall['counts']['findings']}), "
            f"false alarms {_pct(overall['false_alarms'])} ({overall['counts']['false_alarms']}), "
            f"scores {_pct(overall['scores'])} ({overall['counts']['scores']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
