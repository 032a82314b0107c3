"""The web app in a real browser (Debian's Chromium driven by Playwright) against `jixiao serve` in a
subprocess on a temporary SQLite database with the demo organisation. No request may leave 127.0.0.1.

Screenshots of the main screens at 1366×768 and 390×844 go to test-artifacts/screens/ (gitignored).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from jixiao.demo import DEMO_PASSWORD, build_demo
from jixiao.store.db import make_engine, session_factory
from jixiao.store.models import ReportRow

ROOT = Path(__file__).resolve().parents[1]
DOCX = ROOT / "tests" / "data" / "samples" / "yueyang-2-2-egov-cloud.docx"
SCREENS = ROOT / "test-artifacts" / "screens"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = ((1366, 768), (390, 844))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One server for the module: `jixiao serve` on the demo database."""
    tmp = tmp_path_factory.mktemp("web")
    db = f"sqlite:///{tmp / 'demo.db'}"
    build_demo(db)
    port = free_port()
    code = "import sys; from jixiao.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--db", db, "--port", str(port), "--files", str(tmp / "files")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, proc)
        yield {"base": f"http://127.0.0.1:{port}", "db": db}
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visits:
    """Pages opened by one test: every request URL is recorded (all must stay on 127.0.0.1)."""

    def __init__(self, browser, base: str):
        self.browser, self.base, self.urls, self.contexts = browser, base, [], []

    def as_user(self, login: str | None, size=(1366, 768)):
        context = self.browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
        context.on("request", lambda request: self.urls.append(request.url))
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        if login:
            page.goto(self.base + "/login")
            page.get_by_label("用户名").fill(login)
            page.get_by_label("密码").fill(DEMO_PASSWORD)
            follow(page, page.get_by_role("button", name="登录"))
            assert page.url == self.base + "/", (page.url, page.locator("main").inner_text()[:300])
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        hosts = {
            urlparse(u).hostname for u in self.urls if urlparse(u).scheme in ("http", "https", "ws", "wss")
        }
        assert self.urls and hosts == {"127.0.0.1"}, hosts


@pytest.fixture
def visits(browser, site):
    v = Visits(browser, site["base"])
    yield v
    v.close()


def check(page) -> None:
    """Every page has a Chinese <title> and a Chinese <h1>."""
    assert CHINESE.search(page.title()), page.url
    assert CHINESE.search(page.locator("h1").first.inner_text()), page.url


def follow(page, target) -> None:
    """Click a link or button that loads a new page; wait for it and check its title and heading."""
    with page.expect_navigation():
        target.click()
    check(page)


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def test_report_from_upload_to_lock(visits, site):
    base = site["base"]
    # 1. the unit uploads its Word file, sees the self-score against the recomputed one, saves, submits
    unit = visits.as_user("danwei")
    follow(unit, unit.get_by_role("link", name="上传", exact=True))
    unit.get_by_label("报告文件").set_input_files(str(DOCX))
    follow(unit, unit.get_by_role("button", name="读取"))
    assert unit.locator("h1").inner_text() == "核对读取结果"
    assert (
        unit.locator(".self-total").inner_text() == "98"
        and unit.locator(".scores .grade").first.inner_text() == "优秀"
    )
    assert (
        unit.locator(".total").inner_text() == "68"
        and unit.locator(".scores .grade").nth(1).inner_text() == "中"
    )
    for row, level2 in ((5, "时效指标"), (6, "成本指标"), (8, "社会效益指标"), (9, "生态效益指标")):
        assert unit.locator(f"#ind-{row} td").nth(1).inner_text() == level2
        assert "JX301" in unit.locator(f"#ind-{row} + tr.finding-row").inner_text(), level2
    follow(unit, unit.get_by_role("button", name="确认保存"))
    unit.wait_for_url(re.compile(r"/reports/\d+$"))
    report = unit.url.rsplit("/", 1)[1]
    assert "无法评价（缺少指标）" in unit.locator("table.scoresheet").inner_text()
    follow(unit, unit.get_by_role("button", name="提交", exact=True))
    assert "已提交" in flash(unit)

    # 2. the department returns it with a comment
    dept = visits.as_user("zhuguan")
    follow(dept, dept.locator(f"main a[href='/reports/{report}']").first)  # from 我的待办
    follow(dept, dept.get_by_role("link", name="审核").first)
    dept.get_by_label("审核意见").fill("请补充时效指标的目标值和完成值")
    follow(dept, dept.get_by_role("button", name="退回修改"))
    assert "已退回修改" in flash(dept)

    # the unit sees the comment, adds a 时效指标 with target and actual, and the recomputed score rises
    unit.goto(base + "/")
    assert "请补充时效指标的目标值和完成值" in unit.locator("main").inner_text()
    unit.goto(f"{base}/reports/{report}")
    assert "请补充时效指标的目标值和完成值" in unit.locator(".workflow").inner_text()
    follow(unit, unit.get_by_role("link", name="编辑报告"))
    blank = int(unit.locator("input[name=i_count]").input_value()) - 1
    n = blank + 1
    unit.get_by_label(f"第{n}行 一级指标", exact=True).fill("项目产出指标")
    unit.get_by_label(f"第{n}行 二级指标", exact=True).fill("时效指标")
    unit.get_by_label(f"第{n}行 三级指标", exact=True).fill("按期完成率")
    unit.get_by_label(f"第{n}行 年度指标值", exact=True).fill("100%")
    unit.get_by_label(f"第{n}行 实际完成值", exact=True).fill("100%")
    unit.get_by_label(f"第{n}行 实际完成值", exact=True).blur()
    # recomputed live as the fields change, before anything is saved
    unit.wait_for_function(
        "document.querySelector('dl.scores .total').textContent.trim() === '71'", timeout=10000
    )
    follow(unit, unit.get_by_role("button", name="保存", exact=True))
    assert "复算 71 分（中）" in flash(unit)
    assert unit.locator(".total").inner_text() == "71"
    follow(unit, unit.get_by_role("link", name="评分表", exact=True))
    follow(unit, unit.get_by_role("button", name="提交", exact=True))
    assert "已提交" in flash(unit)

    # 3. the department and the bureau approve; the report is locked
    dept.goto(f"{base}/reports/{report}/review")
    follow(dept, dept.get_by_role("button", name="通过", exact=True))
    assert "已通过" in flash(dept)
    bureau = visits.as_user("caizheng")
    follow(bureau, bureau.get_by_role("link", name="报告列表"))
    bureau.get_by_label("状态").select_option(label="主管部门已审核")
    follow(bureau, bureau.get_by_role("button", name="筛选"))
    bureau.locator(f"#pick-{report}").check()
    follow(bureau, bureau.get_by_role("button", name="批量通过"))
    assert "已通过 1 份" in flash(bureau)
    unit.goto(f"{base}/reports/{report}")
    assert "报告已锁定" in unit.locator(".workflow").inner_text()
    assert unit.get_by_role("link", name="编辑报告").count() == 0
    assert (
        unit.get_by_role("button", name="提交").count() == 0
        and unit.locator("form[action*=transition]").count() == 0
    )
    unit.goto(f"{base}/reports/{report}/attachments")
    assert unit.locator("input[type=file]").count() == 0
    unit.goto(f"{base}/reports/{report}/history")
    check(unit)
    steps = unit.locator("td.action").all_inner_texts()
    assert steps == ["新建报告", "提交", "退回修改", "修改报告", "提交", "通过", "通过"], steps
    history = unit.locator("table.history").inner_text()
    assert "按期完成率" in history and "请补充时效指标的目标值和完成值" in history


def test_other_unit_cannot_reach_the_report(visits, site):
    base = site["base"]
    engine = make_engine(site["db"])
    with session_factory(engine)() as s:
        report = s.execute(
            select(ReportRow.id).where(ReportRow.project_name == "电子政务云平台租赁及维护项目").limit(1)
        ).scalar_one()
    engine.dispose()
    other = visits.as_user("danwei2")
    for path in ("", "/edit", "/history", "/attachments", "/review"):
        response = other.goto(f"{base}/reports/{report}{path}")
        assert response.status == 404, path
        check(other)
        assert other.locator("h1").inner_text() == "页面不存在"
        assert "电子政务" not in other.locator("main").inner_text()
    other.goto(base + "/reports")
    assert "电子政务" not in other.locator("main").inner_text()
    other.get_by_label("项目名称").fill("电子政务")
    follow(other, other.get_by_role("button", name="筛选"))
    assert "没有符合条件的报告" in other.locator("main").inner_text()
    for fmt in ("json", "docx"):
        assert other.request.get(f"{base}/api/reports/{report}/export?format={fmt}").status == 404
    own = visits.as_user("danwei")  # its own unit does reach it, export included
    assert own.request.get(f"{base}/api/reports/{report}/export?format=json").status == 200


SCREENS_BY_USER = {
    None: [("login", "/login")],
    "danwei": [
        ("todo-unit", "/"),
        ("upload", "/upload"),
        ("scoresheet", "/reports/1"),
        ("edit", "/reports/1/edit"),
        ("attachments", "/reports/1/attachments"),
        ("history", "/reports/4/history"),
    ],
    "zhuguan": [("todo-department", "/"), ("review", "/reports/2/review")],
    "caizheng": [("list", "/reports"), ("overview", "/overview"), ("not-found", "/reports/99999")],
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_screenshots_of_the_main_screens(visits, site, size):
    SCREENS.mkdir(parents=True, exist_ok=True)
    width, height = size
    for login, screens in SCREENS_BY_USER.items():
        page = visits.as_user(login, size)
        for name, path in screens:
            page.goto(site["base"] + path)
            check(page)
            # usable at this width: the page itself never scrolls sideways (wide tables scroll in their box)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            shot = SCREENS / f"{name}-{width}x{height}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5000
        if login == "danwei":  # the upload's check page, then discard it: nothing is saved
            page.goto(site["base"] + "/upload")
            page.get_by_label("报告文件").set_input_files(str(DOCX))
            follow(page, page.get_by_role("button", name="读取"))
            page.screenshot(path=str(SCREENS / f"upload-check-{width}x{height}.png"), full_page=True)
            follow(page, page.get_by_role("button", name="放弃，重新上传"))
            assert "没有保存" in flash(page)


def test_dev_sh_run_serves_the_demo(browser, tmp_path):
    """`./dev.sh run` execs `jixiao demo`: start exactly that (on a free port) and log in with a browser."""
    run_branch = (ROOT / "dev.sh").read_text(encoding="utf-8").split("  run)", 1)[1].split(";;", 1)[0]
    assert 'exec .venv/bin/jixiao demo "$@"' in run_branch
    port = free_port()
    jixiao = Path(sys.executable).with_name("jixiao")
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(jixiao), "demo", "--port", str(port)],
            cwd=tmp_path,  # var/demo.db and var/files are made here, not in the checkout
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | {"JIXIAO_DATABASE_URL": ""},
        )
        try:
            wait_for(port, proc)
            visits = Visits(browser, f"http://127.0.0.1:{port}")
            page = visits.as_user("caizheng")
            assert page.locator("h1").inner_text() == "我的待办"
            follow(page, page.get_by_role("link", name="总览"))
            visits.close()
        finally:
            stop(proc)
    printed = log.read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{port}/" in printed
    for login in ("danwei", "danwei2", "zhuguan", "caizheng", "admin"):
        assert login in printed
    assert (tmp_path / "var" / "demo.db").exists()
