"""The demo organisation: a bureau, two departments, three units, one user per role, the seed report
and a few variants of it in different workflow states."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from jixiao import api

DEMO_PASSWORD = "jixiao-demo"
DEFAULT_DB = Path("var") / "demo.db"
SEED = Path(__file__).with_name("demo_data") / "seed-yueyang-2019.txt"  # shipped in the package

ORGS = (
    ("岳阳市财政局", "bureau", None),
    ("岳阳市政务服务中心（主管部门）", "department", "岳阳市财政局"),
    ("岳阳市教育局", "department", "岳阳市财政局"),
    ("岳阳市政务服务中心", "unit", "岳阳市政务服务中心（主管部门）"),
    ("岳阳市大数据中心", "unit", "岳阳市政务服务中心（主管部门）"),
    ("岳阳市第一中学", "unit", "岳阳市教育局"),
)
USERS = (
    ("danwei", "岳阳市政务服务中心", "unit", "项目单位"),
    ("danwei2", "岳阳市第一中学", "unit", "项目单位（另一单位）"),
    ("zhuguan", "岳阳市政务服务中心（主管部门）", "department", "主管部门"),
    ("caizheng", "岳阳市财政局", "bureau", "财政局"),
    ("admin", "岳阳市财政局", "admin", "系统管理员"),
)


def build_demo(db: str | None = None) -> list[tuple[str, str]]:
    from jixiao.store import accounts, reports
    from jixiao.store.db import begin_write, make_engine, session_factory
    from jixiao.store.migrate import upgrade

    if db is None:
        DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEFAULT_DB}{suffix}").unlink(missing_ok=True)
        db = f"sqlite:///{DEFAULT_DB}"
    engine = make_engine(db)
    upgrade(engine)
    factory = session_factory(engine)
    seed = api.load_report(SEED)
    with factory() as s, s.begin():
        begin_write(s)
        for name, kind, parent in ORGS:
            accounts.add_org(s, None, name, kind, parent)
        for login, org, role, _label in USERS:
            accounts.add_user(s, None, login, org, role, DEMO_PASSWORD)
        unit = accounts.user_by_login(s, "danwei")
        other = accounts.user_by_login(s, "danwei2")
        dept = accounts.user_by_login(s, "zhuguan")
        bureau = accounts.user_by_login(s, "caizheng")
        reports.create_report(s, unit, seed, source_name=SEED.name)
        submitted = reports.create_report(
            s, unit, _variant(seed, "政务外网安全防护项目", Decimal(120), Decimal(110))
        )
        reports.transition(s, unit, submitted.id, "submit")
        approved = reports.create_report(
            s, unit, _variant(seed, "12345热线平台运维项目", Decimal(80), Decimal(78))
        )
        reports.transition(s, unit, approved.id, "submit")
        reports.transition(s, dept, approved.id, "approve")
        reports.transition(s, bureau, approved.id, "approve")
        returned = reports.create_report(
            s, unit, _variant(seed, "数字城管系统升级项目", Decimal(60), Decimal(21))
        )
        reports.transition(s, unit, returned.id, "submit")
        reports.transition(s, dept, returned.id, "return", "执行率过低，请说明原因并补充时效指标")
        reports.create_report(
            s, other, _variant(seed, "智慧校园建设项目", Decimal(300), Decimal(285)), unit_name=None
        )
        # a complete report waiting for the bureau, and one with more indicators filled in
        waiting = reports.create_report(
            s, unit, _variant(seed, "政务服务一体化平台运维项目", Decimal(200), Decimal(190), filled=FILLED)
        )
        reports.transition(s, unit, waiting.id, "submit")
        reports.transition(s, dept, waiting.id, "approve")
        fuller = reports.create_report(
            s, unit, _variant(seed, "网格化管理平台建设项目", Decimal(95), Decimal(93), filled=FILLED[:2])
        )
        reports.transition(s, unit, fuller.id, "submit")
    engine.dispose()
    return [(login, label) for login, _org, _role, label in USERS]


# Indicators a variant fills in where the seed has only 无: (二级指标, 三级指标, 年度指标值, 实际完成值).
FILLED = (
    ("时效指标", "按期完成率", "100%", "100%"),
    ("成本指标", "运维成本控制在预算内", "≤200万元", "190万元"),
    ("社会效益指标", "政务服务网上可办率", "≥90%", "92%"),
    ("生态效益指标", "减少纸质材料", "≥50%", "60%"),
)


def _variant(seed, name: str, planned: Decimal, spent: Decimal, filled=()):
    """The seed with another project name and amounts (and optionally indicators filled in where the
    seed has 无): different execution, different scores and findings."""
    from jixiao.quantity import parse_quantity

    fills = {level2: (n, t, a) for level2, n, t, a in filled}
    indicators = tuple(
        replace(
            i,
            name=fills[i.level2][0],
            target=parse_quantity(fills[i.level2][1]),
            actual=parse_quantity(fills[i.level2][2]),
            empty=False,
        )
        if i.empty and i.level2 in fills
        else i
        for i in seed.indicators
    )
    rows = tuple(
        replace(r, planned=planned, arrived=planned, spent=spent, balance=planned - spent)
        if r.planned is not None
        else r
        for r in seed.funds.rows
    )
    expenditures = tuple(replace(e, amount=spent) for e in seed.expenditures)
    return replace(
        seed,
        project=replace(seed.project, name=name),
        funds=replace(seed.funds, rows=rows),
        indicators=indicators,
        expenditures=expenditures,
        expenditure_total=spent,
    )
