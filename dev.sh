#!/usr/bin/env bash
# One entry point for people and CI:  ./dev.sh run  |  ./dev.sh test
# Each command sets up what it needs on a fresh machine (a .venv with jixiao and its dependencies).
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.13 python3.12 python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then PY=$c; break; fi
  done
fi
[ -n "$PY" ] || { echo "需要 Python 3.11 或更新版本 (python3.11+)" >&2; exit 2; }

setup() {
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  # reinstall only when the dependency list changed
  stamp=.venv/.jixiao-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
    touch "$stamp"
  fi
}

# System packages the tests need: LibreOffice (legacy .doc/.xls and PDF export), CJK fonts, and Debian's
# Chromium for the browser tests (Playwright drives it; no browser is downloaded).
system_packages() {
  local need=()
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
  [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ ${#need[@]} = 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "安装 ${need[*]}（读取 .doc/.xls、导出 PDF、中文字体、浏览器测试需要）…" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "需要系统软件包：sudo apt-get install ${need[*]}" >&2
    exit 2
  fi
}

# PostgreSQL for the store tests: use the server on 127.0.0.1:5432 when one answers, else install and
# start Debian's (trust auth for local connections, as the tests connect as postgres without a password).
postgres() {
  if .venv/bin/python -c 'import socket,sys; s=socket.socket(); s.settimeout(2); sys.exit(s.connect_ex(("127.0.0.1",5432)))'; then
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "需要 PostgreSQL（127.0.0.1:5432，postgres 用户免密码），或以 root 运行本脚本自动安装" >&2
    exit 2
  fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "安装 PostgreSQL…" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  conf=/etc/postgresql/$ver/main
  if ! grep -q "jixiao-test" "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust # jixiao-test\nlocal all all trust # jixiao-test' "$conf/pg_hba.conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main restart
  for _ in $(seq 30); do
    .venv/bin/python -c 'import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(("127.0.0.1",5432)))' && return 0
    sleep 1
  done
  echo "PostgreSQL 没有启动" >&2
  exit 2
}

case "${1:-run}" in
  run)
    setup
    shift || true
    # the demo organisation (var/demo.db, rebuilt each time) served at http://127.0.0.1:8000; prints the logins
    exec .venv/bin/jixiao demo "$@"
    ;;
  test)
    setup
    system_packages
    postgres
    shift || true
    .venv/bin/ruff check src tests bench
    .venv/bin/ruff format --check src tests bench
    exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "用法: ./dev.sh run | ./dev.sh test [pytest 参数]" >&2
    exit 2
    ;;
esac
