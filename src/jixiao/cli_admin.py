"""Server-side commands: admin (database, organisations, users, tokens), audit verify, serve, demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parsers(sub) -> None:
    admin = sub.add_parser(
        "admin", help="管理数据库、组织、用户和令牌", description="管理数据库、组织、用户和令牌"
    )
    asub = admin.add_subparsers(dest="admin_command", required=True, metavar="子命令")
    p = asub.add_parser("init", help="创建或升级数据库")
    p.add_argument("--db", help="数据库地址（默认 var/jixiao.db；PostgreSQL：postgresql+psycopg://…）")
    p = asub.add_parser("add-org", help="添加组织")
    p.add_argument("name")
    p.add_argument("--kind", required=True, choices=("bureau", "department", "unit"))
    p.add_argument("--parent")
    p.add_argument("--db")
    p = asub.add_parser("load-orgs", help="从 Excel 组织清单（名称/类型/上级）导入组织")
    p.add_argument("file")
    p.add_argument("--db")
    p = asub.add_parser("add-user", help="添加用户")
    p.add_argument("login")
    p.add_argument("--org", required=True)
    p.add_argument("--role", required=True, choices=("unit", "department", "bureau", "admin"))
    p.add_argument("--password", required=True)
    p.add_argument("--db")
    p = asub.add_parser("token", help="为用户生成 API 令牌（只输出令牌）")
    p.add_argument("login")
    p.add_argument("--db")

    audit = sub.add_parser("audit", help="审计日志", description="审计日志")
    bsub = audit.add_subparsers(dest="audit_command", required=True, metavar="子命令")
    p = bsub.add_parser("verify", help="逐条核对审计日志的哈希链")
    p.add_argument("--db")

    p = sub.add_parser("serve", help="启动网页和 API 服务", description="启动网页和 API 服务")
    p.add_argument("--db")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--files", help="佐证材料保存目录（默认 var/files）")
    p.add_argument("--workers", type=int, default=1)

    p = sub.add_parser(
        "demo",
        help="建立演示数据库并启动服务",
        description="建立演示数据库（组织、每种角色一个用户、种子报告）并启动服务",
    )
    p.add_argument("--db")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="只建数据库，不启动服务")


def _unit_of_work(db: str | None):
    from jixiao.store.db import begin_write, make_engine, session_factory
    from jixiao.store.migrate import upgrade

    engine = make_engine(db)
    upgrade(engine)
    factory = session_factory(engine)

    class _Work:
        def __enter__(self):
            self.session = factory()
            self.session.begin()
            begin_write(self.session)
            return self.session

        def __exit__(self, kind, exc, tb):
            if exc is None:
                self.session.commit()
            else:
                self.session.rollback()
            self.session.close()
            engine.dispose()

    return _Work()


def cmd_admin(args: argparse.Namespace) -> int:
    from jixiao.store import accounts

    with _unit_of_work(args.db) as s:
        if args.admin_command == "init":
            print("数据库已就绪", file=sys.stderr)
        elif args.admin_command == "add-org":
            org = accounts.add_org(s, None, args.name, args.kind, args.parent)
            print(f"已添加 {org.name}（{accounts.KIND_NAMES[org.kind]}）", file=sys.stderr)
        elif args.admin_command == "load-orgs":
            added = accounts.load_orgs_xlsx(s, None, Path(args.file))
            print(f"已添加 {len(added)} 个组织", file=sys.stderr)
        elif args.admin_command == "add-user":
            user = accounts.add_user(s, None, args.login, args.org, args.role, args.password)
            print(f"已添加用户 {user.login}（{user.role}）", file=sys.stderr)
        elif args.admin_command == "token":
            print(accounts.new_token(s, None, args.login))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from jixiao.store import audit

    with _unit_of_work(args.db) as s:
        check = audit.verify(s)
    if check.ok:
        print(f"审计日志完好：{check.entries} 条记录，哈希链连续")
        return 0
    print(f"审计日志第 {check.broken_id} 条记录异常：{check.reason}", file=sys.stderr)
    return 1


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jixiao.store.db import make_engine
    from jixiao.store.migrate import upgrade
    from jixiao.web import workers
    from jixiao.web.app import create_app
    from jixiao.web.settings import Settings, cache_mb_from_env

    cache_mb_from_env()  # a bad value is reported here, not in each worker
    engine = make_engine(args.db)
    upgrade(engine)
    engine.dispose()
    files = Path(args.files or "var/files")
    print(f"jixiao 已启动：http://{args.host}:{args.port}/", file=sys.stderr)
    if args.workers > 1:
        from jixiao.store.db import database_url

        workers.run(args.host, args.port, args.workers, database_url(args.db), files)
        return 0
    settings = Settings(database_url=args.db, files_dir=files)
    app = create_app(settings)
    workers.settle()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from jixiao.demo import DEFAULT_DB, build_demo

    logins = build_demo(args.db)
    args.db = args.db or f"sqlite:///{DEFAULT_DB}"  # serve the database just built, not the default one
    print("演示账号（密码均为 jixiao-demo）：", file=sys.stderr)
    for login, role in logins:
        print(f"  {login:<12} {role}", file=sys.stderr)
    if args.no_serve:
        return 0
    args.files = None
    args.workers = 1
    return cmd_serve(args)


COMMANDS = {"admin": cmd_admin, "audit": cmd_audit, "serve": cmd_serve, "demo": cmd_demo}
