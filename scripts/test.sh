#!/usr/bin/env bash
# Set up (Debian packages, .venv, formkit with test extras) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test
.venv/bin/ruff check formkit scanner outputs layouts tests bench scripts
.venv/bin/python -m pytest -n 2 --dist loadgroup tests "$@"
