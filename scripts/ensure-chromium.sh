#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (test/ui), which drive it with
# playwright-core. No browser is downloaded by npm or Playwright: the distribution's package is used.
# Usage: scripts/ensure-chromium.sh   (root, or sudo available; prints what it does)
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

if [[ -x "$CHROMIUM" ]]; then
  echo "[ensure-chromium] found $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  echo "[ensure-chromium] $CHROMIUM is missing and this user cannot install packages; run as root: apt-get install chromium" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "[ensure-chromium] $CHROMIUM is missing: running apt-get update"
"${SUDO[@]}" apt-get update -qq
echo "[ensure-chromium] installing the chromium package (apt-get install --no-install-recommends chromium)"
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
if [[ ! -x "$CHROMIUM" ]]; then
  echo "[ensure-chromium] apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "[ensure-chromium] installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
