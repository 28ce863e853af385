#!/usr/bin/env bash
# Installs Debian's Django for examples/django-sidecar when /usr/bin/python3 cannot import it.
# Quiet when it is there. PyPI is not used: Debian's python3-django is the one the example needs.
set -euo pipefail

python=/usr/bin/python3
if [ -x "$python" ] && "$python" -c 'import django' >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[python] $python cannot import django; install Debian's python3-django (apt-get install python3-django) as root" >&2
  exit 1
fi
echo "[python] installing Debian's python3-django"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends python3 python3-django >/dev/null
if ! "$python" -c 'import django' >/dev/null 2>&1; then
  echo "[python] apt-get installed python3-django but $python still cannot import django" >&2
  exit 1
fi
echo "[python] Django is installed: $("$python" -c 'import django; print(django.get_version())')"
