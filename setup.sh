#!/usr/bin/env bash
# Everything cpc-forms needs on a fresh Debian machine: the real clients the tests drive (LibreOffice,
# Chromium, Java), a virtual environment with the package and its test extras, and the npm tools with the
# Enketo and ODK Web Forms bundles (tests/js/dist) that the XForm tests load into Chromium.
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive

need_apt=()
command -v soffice >/dev/null || need_apt+=(libreoffice-calc)
command -v pdftoppm >/dev/null || need_apt+=(poppler-utils)
command -v ssconvert >/dev/null || need_apt+=(gnumeric)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v npm >/dev/null || need_apt+=(nodejs npm)
[ -x /usr/sbin/nginx ] || need_apt+=(nginx)
# Arabic text in the PDF report and in screenshots: Noto Naskh/Sans Arabic (fontconfig finds them)
fc-list 2>/dev/null | grep -qi "Noto Naskh Arabic" || need_apt+=(fonts-noto-core)
# WeasyPrint (report.pdf) lays text out with Pango
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: not root, so not installing ${need_apt[*]}; tests needing them will be skipped" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e ".[test,pdf]"

if [ -f tests/js/package.json ] && command -v npm >/dev/null; then
  (cd tests/js && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null && node build.mjs)
fi
echo "setup: ready (.venv/bin/cpc-forms)"
