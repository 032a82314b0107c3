"""Write N report files of mixed formats for load tests: varied copies of the seed report.

    python bench/generate_reports.py N DIR [--seed S]

Most files are .docx copies of tests/data/samples/yueyang-2-2-egov-cloud.docx with the text of
word/document.xml rewritten (plain zipfile, no python-docx); the rest are text copies of the seed (some
in GB18030). Each copy changes the project name, unit, amounts spent, indicator actuals and three
self-scores, keeping a valid report (sums and grade consistent). About 1 in 200 files (at least 3 once
N ≥ 10) is broken on purpose: empty, a truncated .docx, random bytes. The same seed writes the same files.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "tests" / "data" / "seed-yueyang-2019.txt"
SEED_DOCX = ROOT / "tests" / "data" / "samples" / "yueyang-2-2-egov-cloud.docx"
DOCUMENT = "word/document.xml"
FILES_PER_FOLDER = 500

SEED_NAME = "电子政务云平台租赁及维护项目"
SEED_UNIT = "岳阳市政务服务中心"
PLACES = ("岳阳市", "岳阳楼区", "云溪区", "君山区", "华容县", "湘阴县", "平江县", "汨罗市", "临湘市")
SUBJECTS = ("电子政务云平台运维", "农村饮水安全巩固提升", "城区道路维修", "中小学校舍维修", "公共文化服务")
SUBJECTS += ("乡村振兴产业扶持", "河湖长制管理", "基层卫生服务能力建设", "就业创业补贴", "智慧城市数据中台")
UNITS = (
    "政务服务中心",
    "水利局",
    "住房和城乡建设局",
    "教育局",
    "文化旅游广电局",
    "农业农村局",
    "卫生健康委员会",
)
BROKEN_KINDS = ("empty", "truncated", "random")


class Template:
    """A seed file as a sequence of text tokens (non-blank lines, or <w:t> runs) found by their labels.

    The text seed and the docx seed hold the same tokens in the same order, so one set of anchors edits both.
    """

    def __init__(self, tokens: list[str]):
        self.tokens = [t.strip() for t in tokens]
        t = self.tokens

        def at(label: str, offset: int, nth: int = 0) -> int:
            hits = [i for i, text in enumerate(t) if text == label]
            return hits[nth] + offset

        self.slots = {
            "spent": at("实际支出", 2),
            "balance": at("结余（万元）", 1),
            "city_spent": at("市财政", 1, nth=2),
            "city_balance": at("市财政", 1, nth=3),
            "item_amount": at("云平台运行维护", 1),
            "item_total": at("支出合计", 1),
            "nodes": at("计算节点", 2),
            "storage": at("存储", 2),
            "systems": at("运行系统", 2),
            "data": at("政务数据", 2),
            "savings": at("节省财政资金", 2),
            "satisfaction": at("单位满意率", 2),
            "total": at("绩效自评综合得分", 1),
            "grade": at("评价等次", 1),
            "table_total": at("总分", 4),
            "social": at("社会", 5),
            "environment": at("环境", 5),
            "sustained": at("可持续", 5),
        }
        expected = {"spent": "42", "balance": "110", "item_amount": "42万元", "nodes": "60", "total": "98"}
        expected |= {"grade": "优秀", "table_total": "98", "social": "8", "sustained": "8"}
        for slot, value in expected.items():
            if t[self.slots[slot]] != value:
                raise SystemExit(f"种子报告的版式变了：{slot} 处是 {t[self.slots[slot]]!r}，应为 {value!r}")
        self.name_at = next(i for i, text in enumerate(t) if SEED_NAME in text)
        self.unit_at = [i for i, text in enumerate(t) if text.endswith(SEED_UNIT)][:2]

    def edits(self, rng: random.Random, number: int) -> dict[int, Callable[[str], str]]:
        """Token index → how to rewrite it, for one varied copy."""
        spent = rng.randint(20, 152)
        scores = {k: rng.choice((8, 8, 8, 6, 4, 0)) for k in ("social", "environment", "sustained")}
        total = 98 - sum(8 - s for s in scores.values())
        grade = "优秀" if total >= 90 else "良好" if total >= 80 else "中"
        place = rng.choice(PLACES)
        unit = place + rng.choice(UNITS)
        name = f"{place}{rng.choice(SUBJECTS)}项目（{number:05d}）"
        values = {
            "spent": str(spent),
            "balance": str(152 - spent),
            "city_spent": str(spent),
            "city_balance": str(152 - spent),
            "item_amount": f"{spent}万元",
            "item_total": f"{spent}万元",
            "nodes": str(rng.randint(25, 70)),
            "storage": f"{rng.choice((250, 300, 400, 500))}T",
            "systems": str(rng.randint(15, 60)),
            "data": rng.choice(("4500万", "5000万", "8000万", "1.35亿", "2亿")),
            "savings": f"{rng.randint(300, 1500)}万",
            "satisfaction": f"{rng.randint(85, 100)}%",
            "total": str(total),
            "grade": grade,
            "table_total": str(total),
            **{k: str(v) for k, v in scores.items()},
        }
        edits: dict[int, Callable[[str], str]] = {
            self.slots[k]: (lambda old, v=v: old.replace(old.strip(), v, 1)) for k, v in values.items()
        }
        edits[self.name_at] = lambda old: old.replace(SEED_NAME, name)
        for at in self.unit_at:  # 项目单位 and 主管部门 (the seed has the unit be its own department)
            edits[at] = lambda old: old.replace(SEED_UNIT, unit)
        return edits


class TextSeed:
    def __init__(self) -> None:
        self.lines = SEED_TEXT.read_text(encoding="utf-8").split("\n")
        self.where = [i for i, line in enumerate(self.lines) if line.strip()]
        self.template = Template([self.lines[i] for i in self.where])

    def render(self, rng: random.Random, number: int) -> str:
        lines = list(self.lines)
        for token, edit in self.template.edits(rng, number).items():
            lines[self.where[token]] = edit(lines[self.where[token]])
        return "\n".join(lines)


class DocxSeed:
    """The seed .docx without word/document.xml as a base zip; each copy appends its own document.xml, so
    the large style parts are never recompressed."""

    def __init__(self, workdir: Path):
        import re

        with zipfile.ZipFile(SEED_DOCX) as zf:
            self.xml = zf.read(DOCUMENT).decode("utf-8")
            self.base = workdir / "base.docx"
            with zipfile.ZipFile(self.base, "w", zipfile.ZIP_DEFLATED) as out:
                for info in zf.infolist():
                    if info.filename != DOCUMENT:
                        out.writestr(info, zf.read(info))
        runs = [m for m in re.finditer(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)", self.xml) if m.group(2).strip()]
        self.spans = [m.span(2) for m in runs]
        self.template = Template([m.group(2) for m in runs])

    def write(self, path: Path, rng: random.Random, number: int) -> None:
        parts, last = [], 0
        for token, edit in sorted(self.template.edits(rng, number).items()):
            start, end = self.spans[token]
            old = self.xml[start:end]
            parts += [self.xml[last:start], escape(edit(old))]
            last = end
        parts.append(self.xml[last:])
        shutil.copyfile(self.base, path)
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(DOCUMENT, "".join(parts))


def plan(n: int, rng: random.Random, families: bool = True) -> list[str]:
    """The kind of each file: Yueyang docx (~60%), Yueyang text (~25%), another layout family (~15%), or broken."""
    broken = 0 if n < 10 else max(3, n // 200)
    kinds = [BROKEN_KINDS[i % 3] for i in range(broken)]
    for _ in range(n - broken):
        roll = rng.random()
        if not families:  # Yueyang only: docx ~70%, text ~30%
            kinds.append("docx" if roll < 0.7 else "text")
        else:
            kinds.append("docx" if roll < 0.6 else "text" if roll < 0.85 else "family")
    rng.shuffle(kinds)
    return kinds


def family_templates(folder: Path) -> list[Path]:
    """One file per other layout family and format (财预 10号, transfer, department, provincial, four-block),
    written by the test fixtures' writers; generated files are copies of these."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures import forms_mof, forms_provincial

    out = []
    for name, forms in (
        ("mof", forms_mof.FORMS_MOF[:2]),
        ("transfer", forms_mof.FORMS_TRANSFER),
        ("department", forms_mof.FORMS_DEPARTMENT),
    ):
        out.append(forms_mof.write_docx(forms, folder / f"{name}.docx"))
        out.append(forms_mof.write_xlsx(forms, folder / f"{name}.xlsx"))
    provincial = forms_provincial.PROVINCIAL_PROJECTS[:2]
    out.append(forms_provincial.write_docx(provincial, folder / "provincial.docx"))
    out.append(forms_provincial.write_xlsx(provincial, folder / "provincial.xlsx", one_sheet=True))
    out.append(forms_provincial.write_xlsx((forms_provincial.AGRICULTURE,), folder / "fourblock.xlsx"))
    return out


def generate(n: int, folder: Path, seed: int = 2019, families: bool = True) -> dict[str, int]:
    """Write ``n`` files under ``folder`` (in sub-folders of 500); returns how many of each kind."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    text_seed = TextSeed()
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="jixiao-gen-") as tmp:
        docx_seed = DocxSeed(Path(tmp))
        templates: list[Path] = []
        for i, kind in enumerate(plan(n, rng, families), start=1):
            sub = folder / f"part-{(i - 1) // FILES_PER_FOLDER + 1:02d}"
            sub.mkdir(exist_ok=True)
            stem = f"report-{i:05d}"
            if kind == "docx":
                docx_seed.write(sub / f"{stem}.docx", rng, i)
            elif kind == "text":
                encoding = "gb18030" if rng.random() < 0.25 else "utf-8"
                (sub / f"{stem}.txt").write_bytes(text_seed.render(rng, i).encode(encoding))
            elif kind == "family":
                if not templates:
                    templates = family_templates(Path(tmp))
                template = rng.choice(templates)
                shutil.copyfile(template, sub / f"{stem}-{template.stem}{template.suffix}")
            elif kind == "empty":
                (sub / f"broken-{i:05d}.txt").write_bytes(b"")
            elif kind == "truncated":
                docx_seed.write(sub / f"broken-{i:05d}.docx", rng, i)
                data = (sub / f"broken-{i:05d}.docx").read_bytes()
                (sub / f"broken-{i:05d}.docx").write_bytes(data[: len(data) // 2])
            else:
                (sub / f"broken-{i:05d}.docx").write_bytes(rng.randbytes(4096))
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="生成 N 份用于压力测试的自评报告（docx / 文本 / 少量损坏文件）"
    )
    parser.add_argument("n", type=int, help="文件数")
    parser.add_argument("folder", type=Path, help="输出文件夹")
    parser.add_argument("--seed", type=int, default=2019, help="随机种子（同一种子生成同样的文件）")
    args = parser.parse_args(argv)
    counts = generate(args.n, args.folder, args.seed)
    print(f"已生成 {args.n} 个文件到 {args.folder}：{counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
