#!/usr/bin/env bash
# Set up a virtualenv, install from the hashed lock file (requirements.lock), create the database
# with demo data and demo accounts, and start the site on http://127.0.0.1:8000 (SQLite and eager
# Celery unless the environment says otherwise). DEBUG is off, as readers would meet the site (scripts/demo-env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-venv.sh requirements.lock
exec bash scripts/serve-demo.sh
