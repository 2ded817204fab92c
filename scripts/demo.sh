#!/usr/bin/env bash
# Set up and run the whole loop on the bundled example: generate forms, simulate filled and
# scanned forms, scan them, review summary, export and reports. Output goes to ./demo-workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/formkit demo --dir demo-workspace "$@"
