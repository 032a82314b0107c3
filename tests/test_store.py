"""The store on SQLite and PostgreSQL: workflow, revisions, review answers, optimistic locking, audit chain."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from jixiao import api
from jixiao.quantity import parse_quantity
from jixiao.store import accounts, audit, files, reports
from jixiao.store.accounts import Conflict, Forbidden, NotFound
from jixiao.store.db import begin_write, make_engine, session_factory

SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def people(factory):
    with factory() as s, s.begin():
        begin_write(s)
        accounts.add_org(s, None, "岳阳市财政局", "bureau")
        accounts.add_org(s, None, "岳阳市政务服务中心（主管）", "department", "岳阳市财政局")
        accounts.add_org(s, None, "岳阳市教育局", "department", "岳阳市财政局")
        accounts.add_org(s, None, "岳阳市政务服务中心", "unit", "岳阳市政务服务中心（主管）")
        accounts.add_org(s, None, "岳阳市第一中学", "unit", "岳阳市教育局")
        for login, org, role in (
            ("unit1", "岳阳市政务服务中心", "unit"),
            ("unit2", "岳阳市第一中学", "unit"),
            ("dept1", "岳阳市政务服务中心（主管）", "department"),
            ("dept2", "岳阳市教育局", "department"),
            ("bureau", "岳阳市财政局", "bureau"),
            ("admin", "岳阳市财政局", "admin"),
        ):
            accounts.add_user(s, None, login, org, role, "secret-pass-1")
    return factory


def user(s, login):
    return accounts.user_by_login(s, login)


def with_timeliness_indicator(report):
    """The unit's fix after the return: a 时效指标 with target and actual."""
    rows = list(report.indicators)
    i = next(n for n, r in enumerate(rows) if r.level2 == "时效指标")
    rows[i] = replace(
        rows[i], name="按期完成率", target=parse_quantity("100%"), actual=parse_quantity("100%"), empty=False
    )
    return replace(report, indicators=tuple(rows))


def test_workflow_walk(people):
    seed = api.load_report(SEED)
    with people() as s, s.begin():
        begin_write(s)
        row = reports.create_report(s, user(s, "unit1"), seed, source_name="seed.txt")
        rid = row.id
        assert (row.state, row.self_total, row.total, row.grade) == ("draft", Decimal(98), Decimal(68), "中")
    with people() as s, s.begin():
        begin_write(s)
        reports.transition(s, user(s, "unit1"), rid, "submit")
    with people() as s, s.begin():
        begin_write(s)
        with pytest.raises(Conflict, match="需要填写意见"):
            reports.transition(s, user(s, "dept1"), rid, "return")
    with people() as s, s.begin():
        begin_write(s)
        reports.transition(s, user(s, "dept1"), rid, "return", "请补充时效指标")
    with people() as s, s.begin():
        begin_write(s)
        row = reports.get_report(s, user(s, "unit1"), rid)
        assert row.state == "returned"
        assert reports.transitions(s, user(s, "unit1"), rid)[-1].comment == "请补充时效指标"
        fixed = with_timeliness_indicator(reports.current_report(s, row))
        row = reports.save_revision(s, user(s, "unit1"), rid, fixed, row.version, note="补充时效指标")
        assert row.total == Decimal(71)  # 产出时效 now computed: 3 points back
        assert row.current_revision == 2
        reports.transition(s, user(s, "unit1"), rid, "submit")
    with people() as s, s.begin():
        begin_write(s)
        ev = reports.set_answers(s, user(s, "dept1"), rid, {"资金使用": {"deductions": {"③": 3}}}, "挪用扣分")
        assert ev.total == Decimal(68)
        reports.transition(s, user(s, "dept1"), rid, "approve")
    with people() as s, s.begin():
        begin_write(s)
        reports.transition(s, user(s, "bureau"), rid, "approve")
    with people() as s, s.begin():
        begin_write(s)
        row = reports.get_report(s, user(s, "unit1"), rid)
        assert row.state == "bureau_approved" and row.review_total == Decimal(68)
        with pytest.raises(Forbidden):
            reports.save_revision(s, user(s, "unit1"), rid, fixed, row.version)
        with pytest.raises(Conflict):
            reports.transition(s, user(s, "dept1"), rid, "reopen", "x")
        actions = [e.action for e in reports.history(s, user(s, "bureau"), rid)]
        assert actions == [
            "report.create",
            "report.submit",
            "report.return",
            "report.update",
            "report.submit",
            "report.review",
            "report.approve",
            "report.approve",
        ]
        diff = reports.diff(s, user(s, "unit1"), rid, 1, 2)
        assert any(d["path"] == "$.indicators[4].name" and d["new"] == "按期完成率" for d in diff)
        assert audit.verify(s).ok


def test_visibility_is_not_found_for_others(people):
    with people() as s, s.begin():
        begin_write(s)
        rid = reports.create_report(s, user(s, "unit1"), api.load_report(SEED)).id
    with people() as s, s.begin():
        for login in ("unit2", "dept2", "admin"):
            with pytest.raises(NotFound):
                reports.get_report(s, user(s, login), rid)
            assert reports.list_reports(s, user(s, login))[1] == 0
        for login in ("unit1", "dept1", "bureau"):
            assert reports.get_report(s, user(s, login), rid).id == rid
            rows, total = reports.list_reports(s, user(s, login), year=2019, has_errors=True)
            assert total == 1 and rows[0].id == rid


def test_two_writers_one_conflict(people):
    with people() as s, s.begin():
        begin_write(s)
        row = reports.create_report(s, user(s, "unit1"), api.load_report(SEED))
        rid, version = row.id, row.version
    seed = api.load_report(SEED)
    with people() as s, s.begin():
        begin_write(s)
        reports.save_revision(s, user(s, "unit1"), rid, replace(seed, title="第一个客户"), version)
    with people() as s, s.begin():
        begin_write(s)
        with pytest.raises(Conflict, match="已被他人修改"):
            reports.save_revision(s, user(s, "unit1"), rid, replace(seed, title="第二个客户"), version)
    with people() as s:
        row = reports.get_report(s, user(s, "unit1"), rid)
        assert reports.current_report(s, row).title == "第一个客户"
        assert row.current_revision == 2


def test_attachment_clears_jx601(people, tmp_path):
    with people() as s, s.begin():
        begin_write(s)
        rid = reports.create_report(s, user(s, "unit1"), api.load_report(SEED)).id
    with people() as s, s.begin():
        begin_write(s)
        before = reports.evaluation_for(s, reports.get_report(s, user(s, "unit1"), rid))
        files.add_attachment(
            s,
            user(s, "unit1"),
            rid,
            "年度工作计划.pdf",
            b"%PDF-1.4 plan",
            item="决策依据",
            criterion="③",
            base=tmp_path,
        )
        after = reports.evaluation_for(s, reports.get_report(s, user(s, "unit1"), rid))
        count = lambda ev: sum(1 for f in ev.findings if f.code == "JX601")  # noqa: E731
        assert count(after) == count(before) - 1
        with pytest.raises(accounts.StoreError, match="只接受"):
            files.add_attachment(s, user(s, "unit1"), rid, "x.html", b"<html>", base=tmp_path)
    with people() as s:
        att = files.list_attachments(s, user(s, "dept1"), rid)[0]
        got, data = files.open_attachment(s, user(s, "dept1"), rid, att.id, base=tmp_path)
        assert got.filename == "年度工作计划.pdf"
        assert data == b"%PDF-1.4 plan"
        with pytest.raises(NotFound):
            files.open_attachment(s, user(s, "unit2"), rid, att.id, base=tmp_path)


def test_tampering_is_found_at_the_entry(people, db_url):
    with people() as s, s.begin():
        begin_write(s)
        rid = reports.create_report(s, user(s, "unit1"), api.load_report(SEED)).id
        reports.transition(s, user(s, "unit1"), rid, "submit")
    with people() as s:
        check = audit.verify(s)
        assert check.ok and check.entries >= 8
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET user_login = 'mallory' WHERE id = 4"))
    engine.dispose()
    with people() as s:
        check = audit.verify(s)
        assert not check.ok and check.broken_id == 4


def test_passwords_are_hashed_and_logins_rate_limited(people):
    with people() as s, s.begin():
        begin_write(s)
        u = user(s, "unit1")
        assert u.password_hash.startswith("$argon2")
        assert accounts.check_password(s, "unit1", "secret-pass-1", "1.2.3.4").login == "unit1"
        for _ in range(accounts.LOGIN_MAX_FAILURES):
            assert accounts.check_password(s, "unit1", "wrong", "1.2.3.4") is None
        with pytest.raises(Forbidden, match="次数过多"):
            accounts.check_password(s, "unit1", "secret-pass-1", "1.2.3.4")
        token = accounts.new_token(s, None, "dept1")
        assert accounts.user_for_token(s, token).login == "dept1"
        assert accounts.user_for_token(s, token + "x") is None


def test_migrations_build_exactly_the_models_schema(db_url):
    """A model change without its Alembic migration (or the reverse) shows here, on both databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from jixiao.store.db import make_engine
    from jixiao.store.models import Base

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_list_orders_with_ties_and_blanks(people):
    """Each sort key of the list, paged: gap high to low, total low to high, newest first, by id; reports
    without a gap or total come last, ties go by id. The sort-order indexes must not change any of it."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, select

    from jixiao.store.models import Organization, ReportRow

    values = [None, Decimal(30), Decimal(5), Decimal(30), None, Decimal("-2"), Decimal(0), Decimal(5)]
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with people() as s, s.begin():
        begin_write(s)
        unit = s.execute(select(Organization).where(Organization.name == "岳阳市第一中学")).scalar_one()
        for n in range(40):
            value = values[n % len(values)]
            s.add(
                ReportRow(
                    unit_id=unit.id,
                    department_id=unit.parent_id,
                    year=2019,
                    gap=value,
                    total=None if value is None else 70 - value,
                    updated_at=base + timedelta(hours=n % 7),
                )
            )
    with people() as s, s.begin():
        rows = s.execute(select(ReportRow)).scalars().all()
        assert s.execute(select(func.count()).select_from(ReportRow)).scalar_one() == 40

        def blank_last(value, reverse=False):
            return (value is None, 0 if value is None else (-value if reverse else value))

        expected = {
            "gap": sorted(rows, key=lambda r: (blank_last(r.gap, reverse=True), r.id)),
            "total": sorted(rows, key=lambda r: (blank_last(r.total), r.id)),
            "updated": sorted(rows, key=lambda r: (-r.updated_at.timestamp(), r.id)),
            "id": sorted(rows, key=lambda r: r.id),
        }
        bureau = user(s, "bureau")
        for sort, want in expected.items():
            got = []
            for offset in range(0, 40, 15):  # pages meet without gaps or repeats
                page, total = reports.list_reports(s, bureau, sort=sort, limit=15, offset=offset)
                assert total == 40
                got += [r.id for r in page]
            assert got == [r.id for r in want], sort
