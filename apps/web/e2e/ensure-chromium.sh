#!/usr/bin/env bash
# Playwright drives Debian's Chromium: browser downloads do not work here, and CI machines start without it.
# A CJK font too, so that the Chinese screens (and their screenshots) show characters instead of boxes.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
updated=""
install() {
  echo "Installing $* with apt (needed by npm run test:web)..."
  [ -n "$updated" ] || { $SUDO apt-get update -qq; updated=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
[ -x "$CHROMIUM" ] || install chromium
test -x "$CHROMIUM"
if [ -z "$(fc-list :lang=zh 2>/dev/null || true)" ]; then install fonts-wqy-zenhei; fi
