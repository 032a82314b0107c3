"""Every input of the golden test: generated forms of each layout family in every format, the samples and
the seed. The files are written from the fixtures' data (no binary kept); .doc/.xls go through LibreOffice."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from fixtures.forms_mof import family_files
from fixtures.forms_provincial import (
    AGRICULTURE,
    PROVINCIAL_PROJECTS,
    ROAD,
    write_docx,
    write_pipe_text,
    write_xlsx,
)

DATA = Path(__file__).resolve().parent.parent / "data"


def golden_inputs(base: Path) -> dict[str, Path]:
    """{name: file}; the name is stable (it names the committed expected output)."""
    from jixiao.io.importers.legacy import convert_many

    out: dict[str, Path] = {}
    (base / "mof").mkdir(parents=True, exist_ok=True)
    for family, files in family_files(base / "mof").items():
        for fmt, path in files.items():
            out[f"{family}.{fmt}"] = path
    prov = base / "provincial"
    prov.mkdir(parents=True, exist_ok=True)
    made = {
        "provincial-2020.docx": write_docx(PROVINCIAL_PROJECTS, prov / "projects.docx"),
        "provincial-2020.xlsx": write_xlsx(PROVINCIAL_PROJECTS, prov / "projects.xlsx"),
        "provincial-2020.xlsx-one-sheet": write_xlsx(
            PROVINCIAL_PROJECTS, prov / "stacked.xlsx", one_sheet=True
        ),
        "provincial-2020.txt": write_pipe_text(PROVINCIAL_PROJECTS, prov / "projects.txt"),
        "fourblock-2020.docx": write_docx([AGRICULTURE], prov / "agriculture.docx"),
        "fourblock-2020.xlsx": write_xlsx([AGRICULTURE], prov / "agriculture.xlsx"),
        "fourblock-2020.txt": write_pipe_text([AGRICULTURE], prov / "agriculture.txt"),
        "fourblock-2020.mixed": write_pipe_text([AGRICULTURE, ROAD], prov / "mixed.txt"),
        "fourblock-2020.totals-in-table": write_pipe_text(
            [dataclasses.replace(AGRICULTURE, header_totals=False)], prov / "totals-in-table.txt"
        ),
    }
    legacy = convert_many([made["provincial-2020.docx"]], "doc", prov / "legacy")
    made["provincial-2020.doc"] = legacy[made["provincial-2020.docx"]]
    legacy = convert_many([made["fourblock-2020.xlsx"]], "xls", prov / "legacy")
    made["fourblock-2020.xls"] = legacy[made["fourblock-2020.xlsx"]]
    out.update(made)
    samples = base / "samples"
    samples.mkdir(parents=True, exist_ok=True)
    for path in sorted((DATA / "samples").iterdir()):
        out[f"sample.{path.name}"] = shutil.copy(path, samples / path.name)
    out["seed.txt"] = shutil.copy(DATA / "seed-yueyang-2019.txt", samples / "seed-yueyang-2019.txt")
    return {name: Path(path) for name, path in sorted(out.items())}
