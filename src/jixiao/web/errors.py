"""Error responses of the API: JSON with a Chinese message, the same from every route."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from jixiao.store.accounts import StoreError


def json_error(
    status: int, code: str, message: str, fix: str | None = None, place: str | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "fix": fix, "place": place}}, status_code=status
    )


def store_error_response(exc: StoreError) -> JSONResponse:
    code = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict"}.get(
        exc.status, "bad_request"
    )
    response = json_error(exc.status, code, exc.message, exc.fix, exc.place)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def internal_error_response(exc: Exception) -> JSONResponse:
    """A bug: say so plainly, never a traceback."""
    return json_error(500, "internal", f"服务器内部错误（{type(exc).__name__}），请联系系统管理员")
