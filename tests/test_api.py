"""The REST API on SQLite and PostgreSQL: contract routes, the workflow, conflicts, and access control."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jixiao.store import accounts
from jixiao.store.db import begin_write, make_engine, session_factory
from jixiao.web.app import create_app
from jixiao.web.settings import Settings

DATA = Path(__file__).parent / "data"
SEED = DATA / "seed-yueyang-2019.txt"
DOCX = DATA / "samples" / "yueyang-2-2-egov-cloud.docx"
PASSWORD = "secret-pass-1"
ROLES = {
    "unit1": "unit",
    "unit2": "unit",
    "dept1": "department",
    "dept2": "department",
    "bureau": "bureau",
    "admin": "admin",
}


@pytest.fixture
def server(db_url, tmp_path):
    engine = make_engine(db_url)
    factory = session_factory(engine)
    tokens = {}
    with factory() as s, s.begin():
        begin_write(s)
        accounts.add_org(s, None, "财政局", "bureau")
        accounts.add_org(s, None, "主管一", "department", "财政局")
        accounts.add_org(s, None, "主管二", "department", "财政局")
        accounts.add_org(s, None, "单位一", "unit", "主管一")
        accounts.add_org(s, None, "单位二", "unit", "主管二")
        orgs = {
            "unit1": "单位一",
            "unit2": "单位二",
            "dept1": "主管一",
            "dept2": "主管二",
            "bureau": "财政局",
            "admin": "财政局",
        }
        for login, role in ROLES.items():
            accounts.add_user(s, None, login, orgs[login], role, PASSWORD)
            tokens[login] = accounts.new_token(s, None, login)
    engine.dispose()
    app = create_app(Settings(database_url=db_url, files_dir=tmp_path / "files"))
    with TestClient(app) as client:
        yield client, tokens
    app.state.engine.dispose()


def auth(tokens, login):
    return {"Authorization": f"Bearer {tokens[login]}"}


def upload(client, tokens, login="unit1", path=SEED):
    with path.open("rb") as fh:
        return client.post(
            "/api/reports/import", files={"file": (path.name, fh)}, headers=auth(tokens, login)
        )


def test_import_read_evaluate(server):
    client, tokens = server
    r = upload(client, tokens, path=DOCX)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["evaluation"]["total"] == "68" and body["evaluation"]["grade"] == "中"
    rid = body["id"]
    doc = client.get(f"/api/reports/{rid}", headers=auth(tokens, "unit1")).json()
    assert doc["schema"] == "jixiao.report/1" and doc["project"]["name"] == "电子政务云平台租赁及维护项目"
    ev = client.get(f"/api/reports/{rid}/evaluation", headers=auth(tokens, "dept1")).json()
    assert ev["schema"] == "jixiao.evaluation/1" and ev["self_total"] == "98"
    listing = client.get(
        "/api/reports", params={"year": 2019, "has_errors": True}, headers=auth(tokens, "bureau")
    ).json()
    assert listing["total"] == 1 and listing["items"][0]["gap"] == "30"
    spec = client.get("/api/openapi.json").json()
    assert "/api/reports/import" in spec["paths"]
    assert "cdn" not in client.get("/api/docs").text.lower()


def test_bad_input_is_4xx_json(server):
    client, tokens = server
    r = client.post(
        "/api/reports/import", files={"file": ("x.docx", b"PK\x03\x04garbage")}, headers=auth(tokens, "unit1")
    )
    assert r.status_code == 400 and "处理" not in r.json()["error"]["code"] and r.json()["error"]["message"]
    r = client.post(
        "/api/reports",
        json={"funds": {"rows": [{"key": "total", "planned": 1.5}]}},
        headers=auth(tokens, "unit1"),
    )
    assert r.status_code == 400 and "浮点数" in r.json()["error"]["message"]
    r = client.get("/api/reports/abc", headers=auth(tokens, "unit1"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    assert client.get("/api/reports").status_code == 401
    assert client.get("/api/reports", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_workflow_over_http(server):
    client, tokens = server
    rid = upload(client, tokens).json()["id"]

    def act(login, action, comment=None):
        return client.post(
            f"/api/reports/{rid}/transitions",
            json={"action": action, "comment": comment},
            headers=auth(tokens, login),
        )

    assert act("unit1", "submit").json()["state"] == "submitted"
    assert act("dept1", "return", "请补充时效指标").json()["state"] == "returned"
    doc = client.get(f"/api/reports/{rid}", headers=auth(tokens, "unit1")).json()
    version = doc["meta"]["version"]
    timeliness = next(i for i in doc["indicators"] if i["level2"] == "时效指标")
    timeliness.update(name="按期完成率", empty=False, target="100%", actual="100%")
    r = client.put(
        f"/api/reports/{rid}", json=doc, headers=auth(tokens, "unit1") | {"If-Match": str(version)}
    )
    assert r.status_code == 200, r.text
    # a second client still holding the old version gets a conflict, nothing is overwritten
    stale = client.put(
        f"/api/reports/{rid}", json=doc, headers=auth(tokens, "unit1") | {"If-Match": str(version)}
    )
    assert stale.status_code == 409 and "他人修改" in stale.json()["error"]["message"]
    assert client.get(f"/api/reports/{rid}/evaluation", headers=auth(tokens, "unit1")).json()["total"] == "71"
    assert act("unit1", "submit").status_code == 200
    r = client.put(
        f"/api/reports/{rid}/answers",
        json={"answers": {"资金使用": {"deductions": {"③": 3}}}},
        headers=auth(tokens, "dept1"),
    )
    assert r.status_code == 200 and r.json()["total"] == "68"
    bad = client.put(
        f"/api/reports/{rid}/answers",
        json={"answers": {"资金使用": {"deductions": {"③": 30}}}},
        headers=auth(tokens, "dept1"),
    )
    assert bad.status_code == 400
    assert act("dept1", "approve").status_code == 200
    assert act("bureau", "approve").json()["locked"] is True
    locked = client.put(
        f"/api/reports/{rid}", json=doc, headers=auth(tokens, "unit1") | {"If-Match": str(version + 10)}
    )
    assert locked.status_code in (403, 409)
    history = client.get(f"/api/reports/{rid}/history", headers=auth(tokens, "unit1")).json()
    assert [h["action"] for h in history][-3:] == ["report.review", "report.approve", "report.approve"]
    diff = client.get(
        f"/api/reports/{rid}/diff", params={"a": 1, "b": 2}, headers=auth(tokens, "unit1")
    ).json()
    assert any(d["path"].endswith(".name") and d["new"] == "按期完成率" for d in diff)


def test_attachments_download_only(server):
    client, tokens = server
    rid = upload(client, tokens).json()["id"]
    r = client.post(
        f"/api/reports/{rid}/attachments",
        files={"file": ("计划.pdf", b"%PDF-1.4 x")},
        data={"item": "决策依据", "criterion": "③"},
        headers=auth(tokens, "unit1"),
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    got = client.get(f"/api/reports/{rid}/attachments/{aid}", headers=auth(tokens, "dept1"))
    assert got.status_code == 200 and got.content == b"%PDF-1.4 x"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["content-type"] == "application/octet-stream"
    html = client.post(
        f"/api/reports/{rid}/attachments",
        files={"file": ("x.html", b"<script>")},
        headers=auth(tokens, "unit1"),
    )
    assert html.status_code == 400


def test_browser_session_needs_csrf(server):
    client, _ = server
    r = client.post("/api/login", json={"login": "unit1", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")
    csrf = r.json()["csrf"]
    with SEED.open("rb") as fh:
        no_token = client.post("/api/reports/import", files={"file": ("s.txt", fh)})
    assert no_token.status_code == 403
    with SEED.open("rb") as fh:
        ok = client.post("/api/reports/import", files={"file": ("s.txt", fh)}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    assert client.post("/api/login", json={"login": "unit1", "password": "wrong"}).status_code == 400


def test_access_control_matrix(server):
    """Every route × every role × own and other unit: what a user may not see is 404, never 500, never data."""
    client, tokens = server
    own = upload(client, tokens, "unit1").json()["id"]
    aid = client.post(
        f"/api/reports/{own}/attachments",
        files={"file": ("a.pdf", b"%PDF-1.4 a")},
        headers=auth(tokens, "unit1"),
    ).json()["id"]
    other = upload(client, tokens, "unit2").json()["id"]
    may_see = {
        "unit1": {own},
        "unit2": {other},
        "dept1": {own},
        "dept2": {other},
        "bureau": {own, other},
        "admin": set(),
    }
    paths = client.get("/api/openapi.json").json()["paths"]
    routes = [
        (m.upper(), p) for p, ops in paths.items() if p.startswith("/api/reports/{report_id}") for m in ops
    ]
    assert len(routes) >= 12
    for login in ROLES:
        for rid in (own, other):
            for method, path in routes:
                url = path.replace("{report_id}", str(rid)).replace("{attachment_id}", str(aid))
                kwargs = {"headers": auth(tokens, login), "params": {"a": 1, "b": 1, "format": "json"}}
                if method in ("POST", "PUT"):
                    kwargs["json"] = {"action": "submit", "answers": {}, "doc": {}}
                r = client.request(method, url, **kwargs)
                assert r.status_code < 500, (login, method, url, r.text)
                if rid not in may_see[login]:
                    # indistinguishable from a report that does not exist: 404, or the same request error
                    ghost = client.request(method, url.replace(f"/{rid}", "/999999", 1), **kwargs)
                    assert r.status_code in (404, ghost.status_code), (
                        login,
                        method,
                        url,
                        r.status_code,
                        r.text,
                    )
                    if r.status_code != 404:
                        assert r.json()["error"]["code"] == ghost.json()["error"]["code"] == "invalid_request"
                    assert "电子政务" not in r.text
        listing = client.get("/api/reports", headers=auth(tokens, login)).json()
        assert {i["id"] for i in listing["items"]} == may_see[login]
        search = client.get("/api/reports", params={"q": "电子政务"}, headers=auth(tokens, login)).json()
        assert {i["id"] for i in search["items"]} <= may_see[login]
    assert client.get("/api/orgs", headers=auth(tokens, "unit1")).status_code == 403
    assert client.get("/api/orgs", headers=auth(tokens, "admin")).status_code == 200


def test_error_bodies_are_chinese_json(server):
    client, tokens = server
    r = client.get("/api/reports/999999", headers=auth(tokens, "bureau"))
    assert r.status_code == 404
    assert re.search(r"[\u4e00-\u9fff]", json.dumps(r.json(), ensure_ascii=False))


def test_numbers_and_text_no_database_column_can_hold_are_refused(server):
    """Found by schemathesis: ids beyond the INTEGER columns and text with a NUL character reached the
    database driver (OverflowError on SQLite, NumericValueOutOfRange / DataError on PostgreSQL: a 500)."""
    client, tokens = server
    headers = auth(tokens, "bureau")
    for path in (
        "/api/reports/2147483648",
        "/api/reports/99999999999999999999999",
        "/api/reports/2147483648/score",
        "/api/reports/1/attachments/53663928046305792753664",
        "/api/reports/1/diff?a=0&b=-10937532300509498440528429056",
        "/api/reports?year=-104784378278236880896",
        "/api/reports?offset=27049278864903852309610496&limit=268",
        "/reports?page=99999999999999999999",
    ):
        method = "POST" if path.endswith("/score") else "GET"
        r = client.request(method, path, headers=headers)
        assert r.status_code in (200, 404, 422), (path, r.status_code, r.text[:200])
        assert "internal" not in r.text, path
    r = client.post(
        "/api/reports/bulk-approve", json={"ids": [-362451512169179316224, 2**40]}, headers=headers
    )
    assert r.status_code == 200 and [f["id"] for f in r.json()["failed"]] == [-362451512169179316224, 2**40]
    r = client.get("/api/reports", params={"department": "主管一\x00"}, headers=headers)
    assert r.status_code == 400 and "NUL" in r.json()["error"]["message"], r.text
    r = client.post("/api/login", json={"login": "unit1\x00", "password": PASSWORD})
    assert r.status_code == 400, r.text
