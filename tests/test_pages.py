"""The web pages over HTTP (no browser) on SQLite and PostgreSQL: CSRF on every form, login, visibility,
the edit form, review answers, bulk approval, the two-step upload, and the display formats."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jixiao import api
from jixiao.demo import DEMO_PASSWORD, build_demo
from jixiao.serialize import report_json
from jixiao.store.db import make_engine, session_factory
from jixiao.store.models import AuditEntry, ReportRow, Revision
from jixiao.web.app import create_app
from jixiao.web.deps import SESSION_COOKIE, form_csrf
from jixiao.web.render import cn_date, percent, wan
from jixiao.web.report_form import anchor, doc_from_form, values_from_doc
from jixiao.web.settings import Settings

DOCX = Path(__file__).parent / "data" / "samples" / "yueyang-2-2-egov-cloud.docx"


@pytest.fixture
def site(db_url, tmp_path):
    build_demo(db_url)
    app = create_app(Settings(database_url=db_url, files_dir=tmp_path / "files"))
    with TestClient(app) as client:
        yield client, db_url
    app.state.engine.dispose()


def login(client, who: str) -> None:
    client.cookies.clear()
    r = client.post("/login", data={"login": who, "password": DEMO_PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text


def csrf(client) -> str:
    html = client.get("/").text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def count(db_url, model) -> int:
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        n = s.execute(select(func.count()).select_from(model)).scalar_one()
    engine.dispose()
    return n


def report_id(db_url, project: str) -> int:
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        rid = s.execute(  # the demo's own report of that name (uploads may repeat it)
            select(ReportRow.id).where(ReportRow.project_name == project).order_by(ReportRow.id).limit(1)
        ).scalar_one()
    engine.dispose()
    return rid


def title_and_h1(html: str) -> tuple[str, str]:
    title = re.search(r"<title>(.+?)</title>", html, re.S)
    h1 = re.search(r"<h1[^>]*>(.+?)</h1>", html, re.S)
    assert title and h1, html[:500]
    return title.group(1), re.sub(r"<[^>]+>", "", h1.group(1))


def upload_and_confirm(client, token: str) -> int:
    with DOCX.open("rb") as fh:
        r = client.post("/upload", files={"file": (DOCX.name, fh)}, data={"csrf_token": token})
    assert r.status_code == 200, r.text
    held = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    r = client.post("/upload/confirm", data={"csrf_token": token, "token": held}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def all_routes(routes) -> list[APIRoute]:
    """Every APIRoute of the app, also those of included routers (newer FastAPI keeps them nested)."""
    out = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out.extend(all_routes(route.original_router.routes))
    return out


def _uses(dependant, call) -> bool:
    return any(d.call is call or _uses(d, call) for d in dependant.dependencies)


def test_every_form_post_needs_the_csrf_token(site):
    client, db_url = site
    login(client, "caizheng")
    rid = report_id(db_url, "政务服务一体化平台运维项目")
    posts = [
        r for r in all_routes(client.app.routes) if "POST" in r.methods and not r.path.startswith("/api")
    ]
    assert {"/login", "/logout", "/upload", "/reports/{report_id}/edit", "/reports/{report_id}/review"} <= {
        r.path for r in posts
    }
    before = count(db_url, AuditEntry)
    for route in posts:
        assert _uses(route.dependant, form_csrf), route.path
        url = route.path.replace("{report_id}", str(rid))
        data = {"action": "approve", "ids": str(rid), "do": "approve", "token": "x" * 20, "login": "caizheng"}
        r = client.post(url, data=data, files={"file": ("a.pdf", b"%PDF-1.4")}, follow_redirects=False)
        assert r.status_code == 403, (url, r.status_code, r.text[:300])
        assert "CSRF" in r.text and "<title>" in r.text
    assert count(db_url, AuditEntry) == before  # nothing happened
    assert client.get(f"/reports/{rid}").status_code == 200  # and the session still works


def test_login_page_and_session_cookie(site):
    client, _ = site
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    page = client.get("/login").text
    assert re.search(r'<label for="login">用户名</label>', page) and re.search(
        r'<label for="password">密码</label>', page
    )
    assert re.search(r"<button[^>]*>登录</button>", page)
    bad = client.post("/login", data={"login": "danwei", "password": "wrong-password"})
    assert bad.status_code == 400 and "用户名或密码错误" in bad.text
    r = client.post(
        "/login",
        data={"login": "danwei", "password": DEMO_PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie
    assert client.get("/api/me").json()["login"] == "danwei"  # the same session as /api/login
    r = client.post("/logout", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == 303 and client.get("/api/me").status_code == 401


def test_other_units_reports_are_404(site):
    client, db_url = site
    rid = report_id(db_url, "电子政务云平台租赁及维护项目")
    login(client, "danwei2")
    for path in ("", "/edit", "/history", "/attachments", "/review"):
        r = client.get(f"/reports/{rid}{path}")
        assert r.status_code == 404, path
        assert "页面不存在" in r.text and "电子政务" not in r.text
    assert client.get(f"/api/reports/{rid}/export", params={"format": "json"}).status_code == 404
    assert "电子政务" not in client.get("/reports").text
    search = client.get("/reports", params={"q": "电子政务"}).text
    assert "电子政务云平台" not in search and "没有符合条件的报告" in search
    assert client.get("/overview").status_code == 404  # units have no overview
    login(client, "danwei")
    assert "电子政务云平台租赁及维护项目" in client.get("/reports", params={"q": "电子政务"}).text


def test_pages_have_titles_chinese_headings_and_labelled_inputs(site):
    client, db_url = site
    rid = report_id(db_url, "电子政务云平台租赁及维护项目")
    submitted = report_id(db_url, "政务外网安全防护项目")
    pages = {
        "danwei": [
            "/",
            "/reports",
            "/upload",
            f"/reports/{rid}",
            f"/reports/{rid}/edit",
            f"/reports/{rid}/history",
            f"/reports/{rid}/attachments",
        ],
        "zhuguan": ["/", f"/reports/{submitted}/review", "/overview"],
        "caizheng": ["/", "/reports?sort=total&has_errors=1", "/overview?year=2019", "/reports/99999"],
    }
    for who, urls in pages.items():
        login(client, who)
        for url in urls:
            html = client.get(url).text
            title, h1 = title_and_h1(html)
            assert re.search(r"[\u4e00-\u9fff]", title) and re.search(r"[\u4e00-\u9fff]", h1), url
            unlabelled = LabelCheck.unlabelled(html)
            assert not unlabelled, (url, unlabelled)


class LabelCheck(HTMLParser):
    """Every visible input, select and textarea has a <label for> or sits inside a <label>."""

    def __init__(self):
        super().__init__()
        self.fields, self.targets, self.depth = [], set(), 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self.depth += 1
            if a.get("for"):
                self.targets.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.fields.append((a.get("id"), a.get("name"), self.depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.depth -= 1

    @classmethod
    def unlabelled(cls, html: str) -> list:
        parser = cls()
        parser.feed(html)
        return [(i, n) for i, n, wrapped in parser.fields if not wrapped and i not in parser.targets]


def test_edit_form_saves_revision_and_refuses_stale_version(site):
    client, db_url = site
    login(client, "danwei")
    token = csrf(client)
    rid = upload_and_confirm(client, token)
    fields = FormFields.of(client.get(f"/reports/{rid}/edit").text, f"/reports/{rid}/edit")
    version = fields["version"]
    assert fields["funds.unit"] == "万元" and fields["i4.level2"] == "时效指标"
    blank = int(fields["i_count"]) - 1
    fields |= {
        f"i{blank}.level1": "项目产出指标",
        f"i{blank}.level2": "时效指标",
        f"i{blank}.name": "按期完成率",
        f"i{blank}.target": "100%",
        f"i{blank}.actual": "100%",
        "csrf_token": token,
        "version": version,
    }
    revisions = count(db_url, Revision)
    preview = client.post(f"/reports/{rid}/edit/preview", data=fields)
    assert preview.status_code == 200 and "复算 71 分" in preview.text and "尚未保存" in preview.text
    assert count(db_url, Revision) == revisions  # 重新计算 saves nothing
    saved = client.post(f"/reports/{rid}/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]
    page = client.get(saved.headers["location"]).text
    assert "已保存为第 2 版：复算 71 分（中）" in page
    assert 'id="x-i10-name" name="i10.name" type="text" size="12" value="按期完成率"' in page
    stale = client.post(f"/reports/{rid}/edit", data=fields | {f"i{blank}.name": "另一个名称"})
    assert stale.status_code == 409 and "已被他人修改" in stale.text and "页面已载入最新内容" in stale.text
    assert 'value="按期完成率"' in stale.text and "另一个名称" not in stale.text
    bad = client.post(
        f"/reports/{rid}/edit", data=fields | {"version": str(int(version) + 1), "f0.spent": "四十二"}
    )
    assert bad.status_code == 400 and "不是金额" in bad.text
    assert count(db_url, Revision) == revisions + 1


class FormFields(HTMLParser):
    """What a browser would post from one form: text fields, checked boxes, selected options."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.values = action, False, {}
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.values[name] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea, self.values[name] = name, ""
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and (self.select not in self.values or "selected" in a):
            self.values[self.select] = a.get("value", "")

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data
        elif self.select and self.values.get(self.select) == "":
            self.values[self.select] = data.strip()

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    @classmethod
    def of(cls, html: str, action: str) -> dict[str, str]:
        parser = cls(action)
        parser.feed(html)
        return parser.values


def test_review_answers_return_and_bulk_approve(site):
    client, db_url = site
    login(client, "danwei")
    rid = upload_and_confirm(client, csrf(client))
    page = client.get(f"/reports/{rid}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    client.post(
        f"/reports/{rid}/transition",
        data={"action": "submit", "version": version, "csrf_token": csrf(client)},
    )
    login(client, "zhuguan")
    token = csrf(client)
    form = client.get(f"/reports/{rid}/review").text
    item = re.search(r"资金管理 / 资金使用.*?name=\"r(\d+)\.on\"", form, re.S).group(1)
    assert f'name="r{item}.d2"' in form  # ③截留、挤占、挪用 扣 3–6 分
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    base = {"csrf_token": token, "version": version, f"r{item}.on": "1"}
    too_much = client.post(f"/reports/{rid}/review", data=base | {f"r{item}.d2": "30", "do": "save"})
    assert too_much.status_code == 400 and "应扣 3–6 分" in too_much.text
    no_reason = client.post(f"/reports/{rid}/review", data=base | {f"r{item}.d2": "3", "do": "return"})
    assert no_reason.status_code == 409 and "需要填写意见" in no_reason.text
    ok = client.post(
        f"/reports/{rid}/review", data=base | {f"r{item}.d2": "3", "do": "save"}, follow_redirects=False
    )
    assert ok.status_code == 303
    assert "审核得分 65 分" in client.get(ok.headers["location"]).text  # 68 − 3 for 截留、挤占、挪用
    form = client.get(f"/reports/{rid}/review").text
    assert re.search(rf'name="r{item}\.d2"[^>]*value="3"', form)  # prefilled from the saved answers
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    approved = client.post(
        f"/reports/{rid}/review",
        data=base | {"version": version, f"r{item}.d2": "3", "do": "approve"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    login(client, "caizheng")
    draft = report_id(db_url, "电子政务云平台租赁及维护项目")
    r = client.post(
        "/reports/bulk-approve",
        data={"csrf_token": csrf(client), "ids": [str(rid), str(draft)]},
        follow_redirects=False,
    )
    shown = client.get(r.headers["location"]).text
    assert "已通过 1 份" in shown and f"编号 {draft}" in shown
    sheet = client.get(f"/reports/{rid}").text
    assert "报告已锁定" in sheet and "重新打开的理由" in sheet and "编辑报告" not in sheet
    login(client, "danwei")
    sheet = client.get(f"/reports/{rid}").text
    assert (
        "编辑报告" not in sheet
        and "/transition" not in sheet
        and 'type="file"' not in client.get(f"/reports/{rid}/attachments").text
    )
    assert client.get(f"/reports/{rid}/edit").status_code == 403
    history = client.get(f"/reports/{rid}/history").text
    steps = re.findall(r'<td class="action">(.+?)</td>', history)
    assert steps == ["新建报告", "提交", "填写审核意见", "通过", "通过"]


def test_upload_holds_the_file_until_confirmed(site):
    client, db_url = site
    login(client, "danwei")
    token = csrf(client)
    reports_before = count(db_url, ReportRow)
    with DOCX.open("rb") as fh:
        r = client.post("/upload", files={"file": (DOCX.name, fh)}, data={"csrf_token": token})
    assert "核对读取结果" in r.text and "尚未保存" in r.text and "JX301" in r.text
    assert re.search(r'<b class="self-total">98</b> 分 <span class="grade">优秀</span>', r.text)
    assert re.search(r'<b class="total">68</b> 分 <span class="grade">中</span>', r.text)
    assert count(db_url, ReportRow) == reports_before
    held = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    login(client, "danwei2")  # someone else cannot confirm it
    assert client.post("/upload/confirm", data={"csrf_token": csrf(client), "token": held}).status_code == 404
    login(client, "danwei")
    r = client.post(
        "/upload/discard", data={"csrf_token": csrf(client), "token": held}, follow_redirects=False
    )
    assert r.status_code == 303 and count(db_url, ReportRow) == reports_before
    assert client.post("/upload/confirm", data={"csrf_token": csrf(client), "token": held}).status_code == 404
    bad = client.post(
        "/upload", files={"file": ("x.docx", b"PK\x03\x04garbage")}, data={"csrf_token": csrf(client)}
    )
    assert bad.status_code == 400 and "无法读取" in bad.text and "Traceback" not in bad.text


def test_evidence_per_criterion_clears_its_finding(site):
    client, _ = site
    login(client, "danwei")
    rid = upload_and_confirm(client, csrf(client))
    assert "「决策依据」评价标准要求提供佐证材料" in client.get(f"/reports/{rid}").text
    page = client.get(f"/reports/{rid}/attachments").text
    assert "③部门年度工作计划" in page and "尚未上传" in page
    r = client.post(
        f"/reports/{rid}/attachments",
        data={"csrf_token": csrf(client), "item": "决策依据", "criterion": "③"},
        files={"file": ("2019年度工作计划.pdf", b"%PDF-1.4 plan")},
        follow_redirects=False,
    )
    page = client.get(r.headers["location"]).text
    assert "已上传「2019年度工作计划.pdf」" in page
    link = re.search(rf'href="(/api/reports/{rid}/attachments/\d+)">2019年度工作计划.pdf', page).group(1)
    assert client.get(link).content == b"%PDF-1.4 plan"
    assert "「决策依据」评价标准要求提供佐证材料" not in client.get(f"/reports/{rid}").text
    refused = client.post(
        f"/reports/{rid}/attachments",
        data={"csrf_token": csrf(client), "item": "决策依据"},
        files={"file": ("x.html", b"<script>")},
        follow_redirects=False,
    )
    assert "只接受 PDF" in client.get(refused.headers["location"]).text


def test_overview_counts(site):
    client, _ = site
    login(client, "caizheng")
    page = client.get("/overview").text
    assert "共 <b>7</b> 份报告" in page and "<svg" in page and "JX301" in page
    login(client, "zhuguan")
    assert "共 <b>6</b> 份报告" in client.get("/overview").text  # only its own units


def test_display_formats_and_form_round_trip():
    assert wan("1234567", "元") == "123.46" and wan("152", "万元") == "152.00" and wan(None) == "—"
    assert (
        percent("27.63") == "27.6%"
        and cn_date("2020-06-08") == "2020年6月8日"
        and cn_date("2019-06") == "2019年6月"
    )
    assert anchor("indicators[5].actual") == "ind:5" and anchor("funds[合计].spent") == "fund:合计"
    assert anchor("items[项目绩效/项目产出/产出时效]") == "item:项目绩效/项目产出/产出时效"
    assert (
        anchor("self_assessment.items[a/b/c].score") == "item:a/b/c" and anchor("project.phone") == "p.phone"
    )
    doc = report_json(api.load_report(DOCX))
    again, errors = doc_from_form(values_from_doc(doc), doc)
    assert not errors and again == doc  # an untouched form changes nothing
    values = values_from_doc(doc) | {"f0.spent": "42万元", "f0.balance": "110元"}
    changed, errors = doc_from_form(values, doc)
    assert changed["funds"]["rows"][0]["spent"] == "42" and "f0.balance" in errors
    assert Decimal(changed["funds"]["rows"][0]["planned"]) == Decimal(152)


def test_edit_form_covers_evaluators_opinions_and_narrative(site):
    client, _db_url = site
    login(client, "danwei")
    token = csrf(client)
    rid = upload_and_confirm(client, token)
    fields = FormFields.of(client.get(f"/reports/{rid}/edit").text, f"/reports/{rid}/edit")
    assert fields["r0.name"] == "谢芳茂" and fields["n0.heading"] == "项目基本概况"
    blank = int(fields["r_count"]) - 1
    conclusion = next(
        k for k, val in fields.items() if k.endswith(".heading") and val == "综合评价情况及评价结论"
    )
    fields |= {
        f"r{blank}.name": "王五",
        f"r{blank}.title": "会计",
        f"r{blank}.unit": "市政务服务中心",
        "r1.del": "1",
        "o1.text": "同意报送。",
        conclusion.replace(".heading", ".text"): "执行率偏低，已说明原因。",
        "csrf_token": token,
    }
    saved = client.post(f"/reports/{rid}/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]
    doc = client.get(f"/api/reports/{rid}").json()
    assert [e["name"] for e in doc["evaluators"]] == ["谢芳茂", "黎朝阳", "王五"]
    assert next(o for o in doc["opinions"] if o["role"] == "unit")["text"] == "同意报送。"
    section = next(n for n in doc["narrative"] if n["heading"] == "综合评价情况及评价结论")
    assert section["text"] == "执行率偏低，已说明原因。"
    assert len(doc["narrative"]) == 7
