"""Layout families: each module has ``LAYOUT``, ``detect(cells) -> 0..100`` and
``parse_all(cells, file, source) -> list[Report]`` (every form in the file, in file order).

Modules are imported when first needed: detection tries them in registry order and stops at a certain
match, so reading a Yueyang report (the first family) never loads the other five.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from types import ModuleType

from jixiao.errors import InputError
from jixiao.io.cells import Cell

# layout id → module, in detection order
LAYOUT_MODULES: dict[str, str] = {
    "yueyang-2-2": "jixiao.io.layouts.yueyang",
    "mof-2020": "jixiao.io.layouts.mof",
    "transfer-2020": "jixiao.io.layouts.transfer",
    "department-2020": "jixiao.io.layouts.department",
    "provincial-2020": "jixiao.io.layouts.provincial",
    "fourblock-2020": "jixiao.io.layouts.fourblock",
}
MIN_CONFIDENCE = 40


_loaded: dict[str, ModuleType] = {}


def layout_module(layout: str) -> ModuleType:
    module = _loaded.get(layout)
    if module is None:
        module = _loaded[layout] = importlib.import_module(LAYOUT_MODULES[layout])
    return module


class _Layouts(Mapping[str, ModuleType]):
    """LAYOUTS: the registry as a read-only mapping id → module (modules imported on access)."""

    def __getitem__(self, layout: str) -> ModuleType:
        if layout not in LAYOUT_MODULES:
            raise KeyError(layout)
        return layout_module(layout)

    def __iter__(self) -> Iterator[str]:
        return iter(LAYOUT_MODULES)

    def __len__(self) -> int:
        return len(LAYOUT_MODULES)

    def __contains__(self, layout: object) -> bool:
        return layout in LAYOUT_MODULES


LAYOUTS: Mapping[str, ModuleType] = _Layouts()


def choose_layout(cells: Sequence[Cell], requested: str | None, file: str | None) -> ModuleType:
    if requested and requested != "auto":
        if requested not in LAYOUT_MODULES:
            raise InputError(
                f"未知的版式 {requested}",
                file=file,
                place="--layout",
                fix="可用的版式：auto、" + "、".join(LAYOUT_MODULES),
            )
        return layout_module(requested)
    # the first layout (registry order) with the highest confidence; a certain one ends the search
    best, name = -1, ""
    for candidate in LAYOUT_MODULES:
        score = layout_module(candidate).detect(cells)
        if score > best:
            best, name = score, candidate
            if score >= 100:
                break
    if best < MIN_CONFIDENCE:
        raise InputError(
            "未识别出绩效自评报告的内容（找不到“项目名称”“资金”“绩效指标”等栏目）",
            file=file,
            place="整个文件",
            fix="确认这是项目支出绩效自评报告/自评表；若版式特殊，可用 --layout 指定："
            + "、".join(LAYOUT_MODULES),
        )
    return layout_module(name)
