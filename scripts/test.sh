#!/usr/bin/env bash
# Set up a virtualenv, install everything the tests need from the hashed lock file, and run the
# whole suite.
# Extra arguments go to pytest (without them, the suite runs a second time in tests/host_site, a
# site of its own that installs the app under /index/). Uses SQLite and eager Celery unless DATABASE_URL / REDIS_URL
# are set; with OSAI_REQUIRE_SERVICES=1 a missing PostgreSQL, Redis or worker fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-venv.sh requirements-dev.lock

# Browser tests drive Debian's chromium; install it when missing (never a downloaded browser).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "could not install chromium; browser tests will report it" >&2
  fi
fi

# The load benchmark (and its test) runs nginx and wrk from Debian; install them when missing.
if ! command -v wrk >/dev/null 2>&1 || { ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's nginx-light and wrk for the load benchmark..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null) \
      || echo "could not install nginx and wrk; the load benchmark test will report it" >&2
  fi
fi

# The accessibility tests run axe-core from the npm registry (package.json, package-lock.json).
if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --silent || echo "could not install axe-core; accessibility tests will report it" >&2
fi

if [ "$#" -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
.venv/bin/python -m pytest
# The app installed in a site of its own, mounted under /index/ (tests/host_site).
exec .venv/bin/python -m pytest -m host_site --ds=tests.host_site.settings tests/host_site
