"""Who may see which report is written twice: as Python (``reports.visible_units``, used by every ORM
route) and as SQL (``hot.visibility``, inside the hot read path's one statement). Both must give the same
set of reports for every user, on SQLite and PostgreSQL, in organisation trees less tidy than the demo's:
departments without units, units with no reports, units hung straight under the bureau, a unit that
moved department after filing, admins anywhere."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import literal, select

from jixiao.store import reports
from jixiao.store.db import make_engine, session_factory
from jixiao.store.hot import visibility
from jixiao.store.models import Organization, ReportRow, User


def _tree(session, rng: random.Random) -> list[User]:
    bureau = Organization(name="财政局", kind="bureau")
    session.add(bureau)
    session.flush()
    departments = [Organization(name=f"主管{i}", kind="department", parent_id=bureau.id) for i in range(4)]
    session.add_all(departments)
    session.flush()
    units = []
    for i in range(12):
        # most units sit under a department; some directly under the bureau (a unit the bureau funds itself)
        parent = bureau if i % 5 == 4 else rng.choice(departments[:3])  # 主管3 keeps no units
        units.append(Organization(name=f"单位{i}", kind="unit", parent_id=parent.id))
    session.add_all(units)
    session.flush()
    for unit in units[:-2]:  # the last two units have no reports
        for _ in range(rng.randint(1, 3)):
            session.add(ReportRow(unit_id=unit.id, department_id=unit.parent_id, year=2019))
    # a unit moved to another department after it filed: its reports keep the old department_id, but
    # they are now the new department's to see
    moved = units[1]
    moved.parent_id = next(d.id for d in departments[:3] if d.id != moved.parent_id)
    session.flush()
    users = []
    homes = {
        "bureau": [bureau],
        "department": departments,
        "unit": units,
        "admin": [bureau, *departments, *units],
    }
    for role, orgs in homes.items():
        for org in orgs if role != "admin" else rng.sample(orgs, 4):
            users.append(
                User(login=f"{role}-{org.id}", password_hash="-", role=role, org_id=org.id, active=True)
            )
    session.add_all(users)
    session.flush()
    return users


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_rule_matches_python_rule(db_url, seed):
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as s:
            users = _tree(s, random.Random(seed))
            everything = set(s.execute(select(ReportRow.id)).scalars())
            seen_by_role: dict[str, set[int]] = {}
            for user in users:
                by_python = set(s.execute(reports.visible(s, user).with_only_columns(ReportRow.id)).scalars())
                by_sql = set(
                    s.execute(
                        select(ReportRow.id).where(visibility(literal(user.role), literal(user.org_id)))
                    ).scalars()
                )
                assert by_sql == by_python, (user.login, sorted(by_sql ^ by_python))
                seen_by_role.setdefault(user.role, set()).update(by_python)
            # the tree is not degenerate: each role sees what it should, in kind
            assert seen_by_role["bureau"] == everything
            assert seen_by_role["admin"] == set()
            assert seen_by_role["unit"] == everything
            dept_seen = seen_by_role["department"]
            assert dept_seen and dept_seen < everything  # units under the bureau belong to no department
            s.rollback()  # nothing of this tree is kept
    finally:
        engine.dispose()
