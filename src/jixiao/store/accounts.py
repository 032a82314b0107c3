"""Organisations, users, passwords (argon2), API tokens, browser sessions and login rate limiting.

Repository functions take a Session and never commit: the caller's unit of work does.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from jixiao.errors import JixiaoError
from jixiao.store import audit
from jixiao.store.models import (
    ORG_KINDS,
    ROLES,
    ApiToken,
    LoginAttempt,
    Organization,
    User,
    WebSession,
    utcnow,
)

KIND_NAMES = {"bureau": "财政局", "department": "主管部门", "unit": "项目单位"}
SESSION_HOURS = 12
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5


class StoreError(JixiaoError):
    """A request the data does not allow; ``status`` is the HTTP status the API answers with."""

    status = 400
    exit_code = 2


class NotFound(StoreError):
    status = 404


class Forbidden(StoreError):
    status = 403


class Conflict(StoreError):
    status = 409


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise StoreError("密码至少 8 位", place="--password", fix="换一个更长的密码")
    return _hasher().hash(password)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def org_by_name(session: Session, name: str) -> Organization:
    org = session.execute(select(Organization).where(Organization.name == name)).scalar_one_or_none()
    if org is None:
        raise NotFound(f"没有名为「{name}」的组织", fix="先用 jixiao admin add-org 添加")
    return org


def add_org(
    session: Session, actor: User | None, name: str, kind: str, parent: str | None = None
) -> Organization:
    if kind not in ORG_KINDS:
        raise StoreError(f"未知的组织类型 {kind}", fix="用 bureau / department / unit")
    if session.execute(select(Organization.id).where(Organization.name == name)).first():
        raise Conflict(f"组织「{name}」已存在")
    parent_org = org_by_name(session, parent) if parent else None
    expected = {"bureau": None, "department": ("bureau",), "unit": ("department", "bureau")}[kind]
    if expected is None and parent_org is not None:
        raise StoreError("财政局是组织树的根，不能有上级")
    if expected and (parent_org is None or parent_org.kind not in expected):
        wanted = "或".join(KIND_NAMES[k] for k in expected)
        raise StoreError(f"{KIND_NAMES[kind]}「{name}」的上级应是{wanted}", fix="用 --parent 指定上级组织")
    org = Organization(name=name, kind=kind, parent_id=parent_org.id if parent_org else None)
    session.add(org)
    session.flush()
    audit.record(
        session,
        actor,
        "org.add",
        "organization",
        org.id,
        org_id=org.id,
        detail={"name": name, "kind": kind, "parent": parent},
    )
    return org


def load_orgs_xlsx(session: Session, actor: User | None, path: Path) -> list[Organization]:
    """An organisation list from Excel: columns 名称 / 类型 (财政局/主管部门/项目单位) / 上级; parents first."""
    from openpyxl import load_workbook

    kinds = {v: k for k, v in KIND_NAMES.items()} | {k: k for k in KIND_NAMES}
    ws = load_workbook(path, read_only=True, data_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise StoreError("组织清单是空的", file=str(path))
    header = [str(c or "").strip() for c in rows[0]]
    try:
        col = {name: header.index(name) for name in ("名称", "类型", "上级")}
    except ValueError:
        raise StoreError("组织清单第 1 行应是表头：名称、类型、上级", file=str(path), place="第1行") from None
    added = []
    for n, row in enumerate(rows[1:], 2):
        name = str(row[col["名称"]] or "").strip()
        if not name:
            continue
        kind = kinds.get(str(row[col["类型"]] or "").strip())
        if kind is None:
            raise StoreError(
                f"第 {n} 行的类型应为 财政局/主管部门/项目单位", file=str(path), place=f"第{n}行"
            )
        parent = str(row[col["上级"]] or "").strip() or None
        existing = session.execute(select(Organization).where(Organization.name == name)).scalar_one_or_none()
        if existing is None:
            added.append(add_org(session, actor, name, kind, parent))
    return added


def add_user(session: Session, actor: User | None, login: str, org: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise StoreError(f"未知的角色 {role}", fix="用 unit / department / bureau / admin")
    organization = org_by_name(session, org)
    fits = {"unit": ("unit",), "department": ("department",), "bureau": ("bureau",), "admin": ORG_KINDS}[role]
    if organization.kind not in fits:
        raise StoreError(
            f"角色 {role} 的用户应属于{'/'.join(KIND_NAMES[k] for k in fits)}，「{org}」是{KIND_NAMES[organization.kind]}"
        )
    if session.execute(select(User.id).where(User.login == login)).first():
        raise Conflict(f"用户名「{login}」已存在")
    user = User(login=login, password_hash=hash_password(password), role=role, org_id=organization.id)
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.add",
        "user",
        user.id,
        org_id=organization.id,
        detail={"login": login, "role": role, "org": org},
    )
    return user


def user_by_login(session: Session, login: str) -> User | None:
    return session.execute(
        select(User).where(User.login == login, User.active.is_(True))
    ).scalar_one_or_none()


def check_password(session: Session, login: str, password: str, client: str = "") -> User | None:
    """The user if the password is right; None otherwise. Raises StoreError when rate-limited."""
    key = f"{login}|{client}"
    since = utcnow() - LOGIN_WINDOW
    failures = session.execute(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.key == key, LoginAttempt.at >= since, LoginAttempt.ok.is_(False))
    ).scalar_one()
    if failures >= LOGIN_MAX_FAILURES:
        raise Forbidden("登录失败次数过多，请 15 分钟后再试", fix="忘记密码请联系系统管理员")
    user = user_by_login(session, login)
    ok = False
    if user is not None:
        from argon2.exceptions import VerificationError

        try:
            ok = _hasher().verify(user.password_hash, password)
        except VerificationError:
            ok = False
    else:
        _hasher().hash(password)  # spend the same time whether or not the login exists
    session.add(LoginAttempt(key=key, ok=ok))
    if ok:
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.ok.is_(False)))
        return user
    return None


def new_token(session: Session, actor: User | None, login: str) -> str:
    user = user_by_login(session, login)
    if user is None:
        raise NotFound(f"没有用户「{login}」")
    token = "jx_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=digest(token)))
    session.flush()
    audit.record(session, actor, "token.add", "user", user.id, org_id=user.org_id, detail={"login": login})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    return session.execute(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest(token), ApiToken.revoked.is_(False), User.active.is_(True))
    ).scalar_one_or_none()


def open_session(session: Session, user: User) -> tuple[str, str]:
    """A browser session: (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    session.add(
        WebSession(
            token_hash=digest(token),
            csrf=csrf,
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=SESSION_HOURS),
        )
    )
    return token, csrf


def session_user(session: Session, token: str) -> tuple[User, str] | None:
    row = session.execute(
        select(WebSession).where(WebSession.token_hash == digest(token))
    ).scalar_one_or_none()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=utcnow().tzinfo)
    if expires < utcnow() or not row.user.active:
        return None
    return row.user, row.csrf


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))
