#!/usr/bin/env bash
# The demo once installed: its settings (scripts/demo-env.sh), the demo data and accounts
# (bootstrap_demo), then the site on 127.0.0.1. run-demo.sh calls it after installing; the
# demo test runs it as is. OSAI_DEMO_PORT (default 8000) and PYTHON (default .venv/bin/python)
# may be set; extra arguments go to runserver.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/demo-env.sh
python="${PYTHON:-.venv/bin/python}"
# WhiteNoise looks for collected static files at start; the demo serves them from the apps.
mkdir -p staticfiles
# The demo accounts' passwords are printed for anyone to read; that is safe only because this
# site listens on the loopback address alone, so bootstrap_demo is told DEBUG being off is meant.
address="127.0.0.1:${OSAI_DEMO_PORT:-8000}"
"$python" manage.py bootstrap_demo --allow-without-debug --serving-at "http://$address/"
exec "$python" manage.py runserver "$address" "$@"
