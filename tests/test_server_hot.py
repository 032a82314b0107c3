"""The hot read path (store/hot.py): reading a report, its stored evaluation and scoring it answer
exactly what the ORM path answers; cached documents never outlive a change; a revoked token, a
deactivated user or an expired session stops working at once; access is per request; the cache is
bounded."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from sqlalchemy import select, update

from jixiao import api
from jixiao.serialize import evaluation_json
from jixiao.store import reports
from jixiao.store.db import make_engine, session_factory
from jixiao.store.hot import DocumentCache
from jixiao.store.models import ApiToken, User, WebSession, utcnow
from test_api import (
    PASSWORD,
    auth,
    server,  # noqa: F401  (the fixture, used through app_db)
    upload,
)


def _sql(db_url, stmt) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(stmt)
    engine.dispose()


@pytest.fixture
def app_db(request, db_url):
    client, tokens = request.getfixturevalue("server")
    return client, tokens, db_url


def _orm_view(client, rid, login):
    """What the ORM path (reports.get_report, current_report_json, stored_evaluation) answers."""
    factory = client.app.state.read_sessions
    with factory() as s:
        user = s.execute(select(User).where(User.login == login)).scalar_one()
        row = reports.get_report(s, user, rid)
        doc = reports.current_report_json(s, row)
        doc["meta"] = reports.summary(row, s)
        evaluation = reports.stored_evaluation(s, row)
        scored = evaluation_json(api.evaluate(reports.current_report(s, row)))
        return doc, evaluation, scored, row.version


def test_same_answers_as_the_orm_path(app_db):
    client, tokens, _ = app_db
    rid = upload(client, tokens).json()["id"]
    client.post(
        f"/api/reports/{rid}/attachments",
        files={"file": ("证明.pdf", b"%PDF-1.4 x")},
        headers=auth(tokens, "unit1"),
    )
    for login in ("unit1", "dept1", "bureau"):
        doc, evaluation, scored, version = _orm_view(client, rid, login)
        for _ in range(2):  # cold, then from the cache
            r = client.get(f"/api/reports/{rid}", headers=auth(tokens, login))
            assert r.status_code == 200 and r.json() == orjson.loads(orjson.dumps(doc))
            assert r.headers["etag"] == f'"{version}"'
            assert r.json()["attachments"] == [{"name": "证明.pdf", "item": None, "criterion": None}]
            e = client.get(f"/api/reports/{rid}/evaluation", headers=auth(tokens, login))
            assert e.status_code == 200 and e.json() == orjson.loads(orjson.dumps(evaluation))
            s = client.post(f"/api/reports/{rid}/score", headers=auth(tokens, login))
            assert s.status_code == 200 and s.json() == orjson.loads(orjson.dumps(scored))
            # the same through FastAPI's routes (a query string or a body skips the direct dispatch)
            routed = client.get(f"/api/reports/{rid}", params={"x": 1}, headers=auth(tokens, login))
            assert routed.content == r.content and routed.headers["etag"] == r.headers["etag"]
            routed = client.get(
                f"/api/reports/{rid}/evaluation", params={"review": 1}, headers=auth(tokens, login)
            )
            assert routed.content == e.content
            json_null = auth(tokens, login) | {"content-type": "application/json"}
            routed = client.post(f"/api/reports/{rid}/score", content=b"null", headers=json_null)
            assert routed.content == s.content


def test_access_per_request(app_db):
    client, tokens, _ = app_db
    own = upload(client, tokens, "unit1").json()["id"]
    other = upload(client, tokens, "unit2").json()["id"]
    may_see = {"unit1": {own}, "unit2": {other}, "dept1": {own}, "dept2": {other}, "bureau": {own, other}}
    may_see["admin"] = set()
    for login, visible in may_see.items():
        for rid in (own, other, 999999):
            for method, path in (("GET", ""), ("GET", "/evaluation"), ("POST", "/score")):
                r = client.request(method, f"/api/reports/{rid}{path}", headers=auth(tokens, login))
                assert r.status_code == (200 if rid in visible else 404), (login, rid, path, r.text)
                if rid not in visible:
                    assert r.json()["error"]["code"] == "not_found" and "项目" not in r.text


def test_a_change_is_seen_at_once(app_db):
    client, tokens, _ = app_db
    rid = upload(client, tokens).json()["id"]
    h = auth(tokens, "unit1")
    first = client.get(f"/api/reports/{rid}", headers=h)
    ev1 = client.get(f"/api/reports/{rid}/evaluation", headers=h).json()
    score1 = client.post(f"/api/reports/{rid}/score", headers=h).json()
    doc = first.json()
    doc["project"]["name"] = "改过的项目名称"
    doc["self_assessment"]["total"] = "60"
    put = client.put(f"/api/reports/{rid}", json=doc, headers=h | {"If-Match": first.headers["etag"]})
    assert put.status_code == 200, put.text
    second = client.get(f"/api/reports/{rid}", headers=h)
    assert second.json()["project"]["name"] == "改过的项目名称"
    assert second.headers["etag"] != first.headers["etag"] == f'"{first.json()["meta"]["version"]}"'
    assert second.headers["etag"] == f'"{put.json()["version"]}"'
    assert second.json()["meta"]["revision"] == 2
    ev2 = client.get(f"/api/reports/{rid}/evaluation", headers=h).json()
    assert ev1["self_total"] == "98" and ev2["self_total"] == "60"
    assert (
        client.post(f"/api/reports/{rid}/score", headers=h).json()["self_total"]
        == "60"
        != score1["self_total"]
    )
    # a state change (no new revision) shows in meta and the ETag
    sub = client.post(f"/api/reports/{rid}/transitions", json={"action": "submit"}, headers=h)
    assert sub.status_code == 200, sub.text
    third = client.get(f"/api/reports/{rid}", headers=h)
    assert third.json()["meta"]["state"] == "submitted" and third.headers["etag"] != second.headers["etag"]
    # an attachment (no new revision) shows at once, and scoring sees it
    before = client.post(f"/api/reports/{rid}/score", headers=h).json()
    client.post(
        f"/api/reports/{rid}/attachments",
        files={"file": ("决策依据.pdf", b"%PDF-1.4 y")},
        data={"item": "决策依据"},
        headers=h,
    )
    assert client.get(f"/api/reports/{rid}", headers=h).json()["attachments"][0]["item"] == "决策依据"
    after = client.post(f"/api/reports/{rid}/score", headers=h).json()
    assert after["findings"] != before["findings"] or after["items"] != before["items"]


def test_review_answers_and_an_older_revision(app_db):
    client, tokens, _ = app_db
    rid = upload(client, tokens).json()["id"]
    h = auth(tokens, "unit1")
    assert (
        client.post(f"/api/reports/{rid}/transitions", json={"action": "submit"}, headers=h).status_code
        == 200
    )
    answers = {"资金使用": {"deductions": {"③": 3}}}
    r = client.put(f"/api/reports/{rid}/answers", json={"answers": answers}, headers=auth(tokens, "dept1"))
    assert r.status_code == 200, r.text
    reviewed = client.get(f"/api/reports/{rid}/evaluation", headers=h).json()
    plain = client.get(f"/api/reports/{rid}/evaluation", params={"review": "false"}, headers=h).json()
    assert reviewed["total"] == r.json()["total"] != plain["total"]
    scored = client.post(f"/api/reports/{rid}/score", json=answers, headers=h).json()
    assert scored["total"] == reviewed["total"]
    # returned and changed: the answers were given on revision 1, the evaluation is computed afresh
    back = client.post(
        f"/api/reports/{rid}/transitions",
        json={"action": "return", "comment": "请补充"},
        headers=auth(tokens, "dept1"),
    )
    assert back.status_code == 200, back.text
    cur = client.get(f"/api/reports/{rid}", headers=h)
    doc = cur.json()
    doc["project"]["name"] = "第二版"
    assert (
        client.put(f"/api/reports/{rid}", json=doc, headers=h | {"If-Match": cur.headers["etag"]}).status_code
        == 200
    )
    fresh = client.get(f"/api/reports/{rid}/evaluation", headers=h).json()
    _, expected, _, _ = _orm_view(client, rid, "unit1")
    assert fresh == orjson.loads(orjson.dumps(expected))


def test_revoked_token_and_inactive_user_stop_at_once(app_db):
    client, tokens, db_url = app_db
    rid = upload(client, tokens).json()["id"]
    for _ in range(2):
        assert client.get(f"/api/reports/{rid}", headers=auth(tokens, "bureau")).status_code == 200
    _sql(db_url, update(ApiToken).values(revoked=True))
    for method, path in (("GET", ""), ("GET", "/evaluation"), ("POST", "/score")):
        r = client.request(method, f"/api/reports/{rid}{path}", headers=auth(tokens, "bureau"))
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"]["code"] == "unauthenticated"
    _sql(db_url, update(ApiToken).values(revoked=False))
    assert client.get(f"/api/reports/{rid}", headers=auth(tokens, "bureau")).status_code == 200
    _sql(db_url, update(User).where(User.login == "bureau").values(active=False))
    assert client.get(f"/api/reports/{rid}", headers=auth(tokens, "bureau")).status_code == 401
    assert client.get(f"/api/reports/{rid}", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get(f"/api/reports/{rid}").status_code == 401


def test_browser_session_expiry_logout_and_csrf(app_db):
    client, tokens, db_url = app_db
    rid = upload(client, tokens).json()["id"]
    login = client.post("/api/login", json={"login": "unit1", "password": PASSWORD})
    csrf = login.json()["csrf"]
    assert client.get(f"/api/reports/{rid}").status_code == 200
    assert client.get(f"/api/reports/{rid}/evaluation").status_code == 200
    assert client.post(f"/api/reports/{rid}/score").status_code == 403  # no CSRF header
    assert client.post(f"/api/reports/{rid}/score", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.post(f"/api/reports/{rid}/score", headers={"X-CSRF-Token": csrf}).status_code == 200
    # a Bearer header wins over the cookie, as everywhere else
    assert client.get(f"/api/reports/{rid}", headers={"Authorization": "Bearer nope"}).status_code == 401
    _sql(db_url, update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(f"/api/reports/{rid}").status_code == 401
    _sql(db_url, update(WebSession).values(expires_at=utcnow() + timedelta(hours=1)))
    assert client.get(f"/api/reports/{rid}").status_code == 200
    _sql(db_url, update(User).where(User.login == "unit1").values(active=False))
    assert client.get(f"/api/reports/{rid}").status_code == 401
    _sql(db_url, update(User).where(User.login == "unit1").values(active=True))
    assert client.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get(f"/api/reports/{rid}").status_code == 401


def test_cache_is_bounded():
    cache = DocumentCache(max_bytes=1000)
    for i in range(50):
        cache.put(("k", i), b"x" * 100, 100)
        assert cache.size <= 1000
    assert len(cache) == 10 and cache.get(("k", 49)) is not None and cache.get(("k", 0)) is None
    cache.get(("k", 40))  # used: kept over the others
    cache.put(("k", 50), b"y", 100)
    assert cache.get(("k", 40)) is not None and cache.get(("k", 41)) is None
    cache.put(("big",), b"z" * 5000, 5000)  # larger than the whole cache: not kept, nothing evicted
    assert cache.get(("big",)) is None and len(cache) == 10


def test_tiny_cache_still_answers_right(db_url, tmp_path):
    from fastapi.testclient import TestClient

    from jixiao.web.app import create_app
    from jixiao.web.settings import Settings

    engine = make_engine(db_url)
    with session_factory(engine)() as s, s.begin():
        from jixiao.store import accounts

        accounts.add_org(s, None, "财政局", "bureau")
        accounts.add_org(s, None, "主管一", "department", "财政局")
        accounts.add_org(s, None, "单位一", "unit", "主管一")
        accounts.add_user(s, None, "u", "单位一", "unit", PASSWORD)
        token = accounts.new_token(s, None, "u")
    engine.dispose()
    app = create_app(Settings(database_url=db_url, files_dir=tmp_path / "f", cache_mb=0))
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        ids = [upload(client, {"u": token}, "u").json()["id"] for _ in range(2)]
        for rid in ids * 2:
            assert client.get(f"/api/reports/{rid}", headers=h).json()["meta"]["id"] == rid
            assert client.post(f"/api/reports/{rid}/score", headers=h).status_code == 200
        assert len(app.state.hot.cache) == 0
    app.state.engine.dispose()
