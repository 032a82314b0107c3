"""Layout families: each module has ``LAYOUT``, ``detect(cells) -> 0..100`` and
``parse_all(cells, file, source) -> list[Report]`` (every form in the file, in file order)."""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType

from jixiao.errors import InputError
from jixiao.io.cells import Cell
from jixiao.io.layouts import department, fourblock, mof, provincial, transfer, yueyang

LAYOUTS: dict[str, ModuleType] = {
    yueyang.LAYOUT: yueyang,
    mof.LAYOUT: mof,
    transfer.LAYOUT: transfer,
    department.LAYOUT: department,
    provincial.LAYOUT: provincial,
    fourblock.LAYOUT: fourblock,
}
MIN_CONFIDENCE = 40


def choose_layout(cells: Sequence[Cell], requested: str | None, file: str | None) -> ModuleType:
    if requested and requested != "auto":
        if requested not in LAYOUTS:
            raise InputError(
                f"未知的版式 {requested}",
                file=file,
                place="--layout",
                fix="可用的版式：auto、" + "、".join(LAYOUTS),
            )
        return LAYOUTS[requested]
    # the first layout (registry order) with the highest confidence; a certain one ends the search
    best, name = -1, ""
    for candidate, module in LAYOUTS.items():
        score = module.detect(cells)
        if score > best:
            best, name = score, candidate
            if score >= 100:
                break
    if best < MIN_CONFIDENCE:
        raise InputError(
            "未识别出绩效自评报告的内容（找不到“项目名称”“资金”“绩效指标”等栏目）",
            file=file,
            place="整个文件",
            fix="确认这是项目支出绩效自评报告/自评表；若版式特殊，可用 --layout 指定：" + "、".join(LAYOUTS),
        )
    return LAYOUTS[name]
