#!/usr/bin/env bash
# Set up formkit on a fresh Debian machine: system packages (as root, only when missing),
# a virtual environment in .venv, and formkit installed into it.
#   scripts/bootstrap.sh          runtime only
#   scripts/bootstrap.sh --test   plus test tools and the headless browser used by the web tests
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

pkgs=(libzbar0 poppler-utils fonts-dejavu-core)
[ "$want_test" = 1 ] && pkgs+=(chromium chromium-driver)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]} — run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "formkit needs Python >= 3.11" >&2; exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# editable either way: the demo, the tests and the benchmarks then all run this checkout's code (a plain
# install would leave a copy in .venv that `python bench/read.py` keeps measuring after the code has changed)
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
