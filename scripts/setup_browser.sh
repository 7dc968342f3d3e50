#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/test_site.py). Playwright drives
# this system browser; it never downloads one of its own (`playwright install`).
set -euo pipefail

# Fonts for what the pages show: DejaVu (Latin, Greek, maths symbols), WenQuanYi (the
# Chinese terms of the glossary), Noto Color Emoji (✅/❌ marks); without them the
# screenshots show empty boxes.
if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -q "Noto Color Emoji"; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    echo "Chromium is missing and this user cannot install it: run 'sudo apt-get install chromium'" >&2
    exit 1
fi
echo "Installing Debian's chromium"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-wqy-microhei \
    fonts-noto-color-emoji >/dev/null
