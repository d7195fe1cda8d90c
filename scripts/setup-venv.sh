#!/usr/bin/env bash
# Create .venv when missing and install a lock file into it, every package checked against the
# hash recorded in the lock (pip --require-hashes). Usage: scripts/setup-venv.sh LOCKFILE
# requirements.lock: what the site runs; requirements-dev.lock: that plus tests, lint and types.
# README ("Lock files") says how to update them.
set -euo pipefail
cd "$(dirname "$0")/.."

lock="${1:?usage: scripts/setup-venv.sh requirements.lock|requirements-dev.lock}"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
