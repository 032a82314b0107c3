"""Administration over the API: organisations and users (admin role only), and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from sqlalchemy import select

from jixiao.store import accounts
from jixiao.store.accounts import Forbidden
from jixiao.store.models import Organization, User
from jixiao.web.deps import SessionDep, UserDep
from jixiao.workflow import ROLE_NAMES

router = APIRouter(prefix="/api", tags=["admin"])


def _admin(user: User) -> None:
    if user.role != "admin":
        raise Forbidden("只有系统管理员可以管理组织和用户")


@router.get("/me", summary="当前用户")
def me(user: UserDep, session: SessionDep) -> dict:
    org = session.get(Organization, user.org_id)
    return {
        "login": user.login,
        "role": user.role,
        "role_label": ROLE_NAMES[user.role],
        "org": org.name if org else None,
    }


@router.get("/orgs", summary="组织树（系统管理员）")
def orgs(user: UserDep, session: SessionDep) -> list[dict]:
    _admin(user)
    rows = session.execute(select(Organization).order_by(Organization.id)).scalars()
    return [{"id": o.id, "name": o.name, "kind": o.kind, "parent_id": o.parent_id} for o in rows]


@router.post("/orgs", status_code=201, summary="添加组织（系统管理员）")
def add_org(
    user: UserDep,
    session: SessionDep,
    name: Annotated[str, Body(embed=True, max_length=200)],
    kind: Annotated[str, Body(embed=True)],
    parent: Annotated[str | None, Body(embed=True)] = None,
) -> dict:
    _admin(user)
    org = accounts.add_org(session, user, name, kind, parent)
    return {"id": org.id, "name": org.name, "kind": org.kind}


@router.get("/users", summary="用户（系统管理员）")
def users(user: UserDep, session: SessionDep) -> list[dict]:
    _admin(user)
    rows = session.execute(select(User).order_by(User.id)).scalars()
    return [
        {"id": u.id, "login": u.login, "role": u.role, "org_id": u.org_id, "active": u.active} for u in rows
    ]


@router.post("/users", status_code=201, summary="添加用户（系统管理员）")
def add_user(
    user: UserDep,
    session: SessionDep,
    login: Annotated[str, Body(embed=True, max_length=100)],
    org: Annotated[str, Body(embed=True)],
    role: Annotated[str, Body(embed=True)],
    password: Annotated[str, Body(embed=True, max_length=200)],
) -> dict:
    _admin(user)
    new = accounts.add_user(session, user, login, org, role, password)
    return {"id": new.id, "login": new.login, "role": new.role}
