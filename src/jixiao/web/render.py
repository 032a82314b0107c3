"""Server-rendered pages: the Jinja2 environment, display formats (万元, %, 年月日) and flash messages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jixiao.checks.registry import CODES
from jixiao.numbers import fmt
from jixiao.workflow import ROLE_NAMES, STATES

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
FLASH_COOKIE = "jixiao_flash"
CHINA = timezone(timedelta(hours=8))  # the users' clocks: Beijing time, no daylight saving
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
BASIS_NAMES = {"computed": "计算", "judgement": "判断", "missing": "缺失"}
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


def decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def wan(value: Any, unit: str | None = "万元") -> str:
    """An amount in 万元 with two decimals; amounts kept in 元 are converted for display."""
    number = decimal(value)
    if number is None:
        return "—"
    if unit == "元":
        number = number / 10000
    return str(number.quantize(_CENT, rounding=ROUND_HALF_UP))


def percent(value: Any) -> str:
    """A percentage (already in percent) with one decimal."""
    number = decimal(value)
    if number is None:
        return "—"
    return f"{number.quantize(_TENTH, rounding=ROUND_HALF_UP)}%"


def score(value: Any) -> str:
    number = decimal(value)
    return "—" if number is None else fmt(number)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def cn_date(value: Any) -> str:
    """2020-06-08 → 2020年6月8日; 2019-06 → 2019年6月; a datetime in Beijing time with hours."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        at = value if value.tzinfo else value.replace(tzinfo=UTC)
        at = at.astimezone(CHINA)
        return f"{at.year}年{at.month}月{at.day}日 {at:%H:%M}"
    if isinstance(value, str) and "T" in value:
        try:
            return cn_date(datetime.fromisoformat(value))
        except ValueError:
            pass  # not a timestamp after all: read below as a date, or shown as written
    match = _ISO_DATE.match(str(value))
    if not match:
        return str(value)
    year, month, day = match.groups()
    text = f"{int(year)}年{int(month)}月"
    return text + (f"{int(day)}日" if day else "")


def fix_hint(code: str) -> str:
    doc = CODES.get(code)
    return doc.good if doc else ""


def code_title(code: str) -> str:
    doc = CODES.get(code)
    return doc.title if doc else code


_env: Environment | None = None


def environment() -> Environment:
    global _env
    if _env is None:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters.update(
            wan=wan, percent=percent, score=score, cn_date=cn_date, fix_hint=fix_hint, code_title=code_title
        )
        env.globals.update(
            STATES=STATES, ROLE_NAMES=ROLE_NAMES, SEVERITY_NAMES=SEVERITY_NAMES, BASIS_NAMES=BASIS_NAMES
        )
        _env = env
    return _env


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; every page gets the user, the CSRF token for its forms and the pending flash."""
    user = context.pop("user", None)
    flash = take_flash(request)
    body = (
        environment()
        .get_template(template)
        .render(
            request=request,
            user=user,
            org_name=user.org.name if user is not None and user.org is not None else "",
            csrf=getattr(request.state, "csrf", None) or "",
            flash=flash,
            site=request.app.state.settings.title,
            **context,
        )
    )
    response = HTMLResponse(body, status_code=status)
    response.headers["Cache-Control"] = "no-store"  # reports are not for shared caches or the back button
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(url: str, flash: str | None = None, kind: str = "ok") -> RedirectResponse:
    """POST → redirect → GET, with an optional one-time message shown on the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, quote(f"{kind}|{flash}"), httponly=True, samesite="lax", path="/")
    return response


def take_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    kind, _, text = unquote(raw).partition("|")
    return (kind if kind in ("ok", "error") else "ok", text[:500])


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no //host (open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
