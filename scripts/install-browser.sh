#!/usr/bin/env bash
# Installs what the browser tests of the HTML pages need (tests/test_html_report.py):
# Debian's chromium and its matching chromedriver, and selenium in the project's venv.
# Without them those tests skip; this script never fails a build for want of apt.
# Usage: scripts/install-browser.sh [PYTHON]   (default: .venv/bin/python)
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${1:-.venv/bin/python}"

have_browser() {
    command -v chromedriver >/dev/null 2>&1 &&
        { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }
}

if have_browser; then
    echo "install-browser: chromium and chromedriver are installed."
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: installing chromium and chromium-driver with apt-get..."
    if ! { apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }; then
        echo "install-browser: apt-get failed; the browser tests will be skipped." >&2
    fi
else
    cat >&2 <<'HOW'
install-browser: chromium and chromedriver are missing, and this script installs them only
as root with apt-get. Install them yourself, then rerun this script:
  Debian/Ubuntu:  sudo apt-get install chromium chromium-driver   (Ubuntu: chromium-browser)
  Fedora:         sudo dnf install chromium chromedriver
  macOS:          brew install --cask chromium && brew install chromedriver
The browser tests are skipped until then.
HOW
fi

if [ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null 2>&1; then
    constraints=()
    [ -f constraints.txt ] && constraints=(-c constraints.txt)
    "$PYTHON" -m pip install --quiet "${constraints[@]}" "selenium>=4" ||
        echo "install-browser: could not install selenium; the browser tests will be skipped." >&2
else
    echo "install-browser: no Python at $PYTHON; run 'make test' first, then this script." >&2
fi
exit 0
