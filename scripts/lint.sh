#!/usr/bin/env bash
# Static checks, each failing the run on any finding: ruff (lint rules and formatting in
# pyproject.toml), mypy with the Django and DRF plugins, and the app's import-layer check when
# present. CI runs this before the test suites; .pre-commit-config.yaml runs the same tools on each commit.
# Uses the project's .venv (scripts/test.sh creates it from the lock file); PYTHON overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-.venv/bin/python}"
status=0

echo "--- ruff check"
"$python" -m ruff check . || status=1

echo "--- ruff format --check"
"$python" -m ruff format --check . || status=1

echo "--- mypy"
"$python" -m mypy || status=1

# The import-layer check (lower layers never import higher ones), once the app has it.
if [ -f scripts/check_layers.py ]; then
  echo "--- scripts/check_layers.py"
  "$python" scripts/check_layers.py || status=1
fi

if [ "$status" -ne 0 ]; then
  echo "lint: findings above" >&2
fi
exit "$status"
