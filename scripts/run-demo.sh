#!/usr/bin/env bash
# Set up a virtualenv, install, create the database with demo data and demo accounts, and
# start the site on http://127.0.0.1:8000 (SQLite and eager Celery unless the environment
# says otherwise). DEBUG is off, as readers would meet the site (scripts/demo-env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
exec bash scripts/serve-demo.sh
