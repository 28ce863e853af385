#!/usr/bin/env bash
# Installs Debian's Chromium for the designer's end-to-end tests and benchmark when
# /usr/bin/chromium is missing (or TESSERA_CHROMIUM names no executable). Quiet when it is there.
# The tests never download a browser of their own: playwright-core drives this one.
set -euo pipefail

browser=${TESSERA_CHROMIUM:-/usr/bin/chromium}
if [ -x "$browser" ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[browser] $browser is missing; install Debian's chromium (apt-get install chromium) as root" >&2
  exit 1
fi
echo "[browser] installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  echo "[browser] apt-get installed chromium but /usr/bin/chromium is still missing" >&2
  exit 1
fi
echo "[browser] chromium is installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
