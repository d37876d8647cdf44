#!/usr/bin/env bash
# Installs what gongkai's tests need on a fresh Debian machine that has only the Rust toolchain,
# and starts the services they use. Safe to run again: it only installs what is missing.
set -euo pipefail

need_apt=()
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
# psql and pg_dump: the tests' raw checks, and `gongkai db backup` / `db restore` on PostgreSQL.
{ command -v psql && command -v pg_dump; } >/dev/null 2>&1 || need_apt+=(postgresql-client)
# CJK fonts for the PDF exporter (typst embeds them) and for LibreOffice's rendering of DOCX/XLSX.
fc-list 2>/dev/null | grep "Noto Serif CJK" >/dev/null || need_apt+=(fonts-noto-cjk fontconfig)
# pdftotext/pdftoppm/pdffonts: the tests read exported PDFs back as a reader would.
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
# LibreOffice headless: the tests open every exported DOCX and XLSX in a real office suite.
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui libreoffice-calc-nogui)
# A real browser for the web application's end-to-end tests.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
# npm, to fetch axe-core for the accessibility scan (A5.2) from the npm registry.
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)

if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# axe-core, the WCAG 2.1 AA rules the browser tests run in Chromium (A5.2), pinned; only its
# axe.min.js is used (injected into each page by tests/e2e.rs; nothing is loaded at run time).
AXE_VERSION=4.14.1
AXE_DIR="${GONGKAI_AXE_DIR:-$HOME/.cache/gongkai-axe}"
axe_installed=$(node -p "require('$AXE_DIR/node_modules/axe-core/package.json').version" 2>/dev/null || true)
if [ "$axe_installed" != "$AXE_VERSION" ] || [ ! -s "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
  echo "setup: installing axe-core $AXE_VERSION from npm into $AXE_DIR"
  mkdir -p "$AXE_DIR"
  npm install --prefix "$AXE_DIR" --no-audit --no-fund --ignore-scripts --save-exact --loglevel=error "axe-core@$AXE_VERSION" >/dev/null
fi
[ -s "$AXE_DIR/node_modules/axe-core/axe.min.js" ] || { echo "setup: axe-core is missing at $AXE_DIR" >&2; exit 1; }

# PostgreSQL at 127.0.0.1:5432, user postgres with trust auth, database `test`.
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "setup: starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q "gongkai: trust local test connections" "$hba"; then
    sed -i '1i # gongkai: trust local test connections\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "setup: PostgreSQL is not reachable at 127.0.0.1:5432" >&2; exit 1; }
if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE test"
fi
echo "setup: PostgreSQL ready at 127.0.0.1:5432"
