#!/usr/bin/env bash
# Create .venv when missing and install a lock file into it, every package checked against the
# hash recorded in the lock (pip --require-hashes). Usage: scripts/setup-venv.sh LOCKFILE
# requirements.lock: what the site runs; requirements-dev.lock: that plus tests, lint and types.
# README ("Lock files") says how to update them.
set -euo pipefail
cd "$(dirname "$0")/.."

lock="${1:?usage: scripts/setup-venv.sh requirements.lock|requirements-dev.lock}"
requirements="${lock%.lock}.txt"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"

# A requirement pinned in the requirements file but not at that version in the lock means the
# lock was not regenerated: say so loudly, and install the requirements file as well so the code
# still gets what it needs (without hash checks for what the lock lacks).
if ! .venv/bin/python - "$requirements" "$lock" <<'PY'
import os
import re
import sys

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def pins(path: str) -> dict[str, str]:
    found: dict[str, str] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.split("#", 1)[0].strip()
            if line.startswith("-r "):
                found.update(pins(os.path.join(os.path.dirname(path) or ".", line[3:].strip())))
            elif match := PIN.match(line):
                found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


wanted, locked = pins(sys.argv[1]), pins(sys.argv[2])
stale = sorted(f"{name}=={version}" for name, version in wanted.items() if locked.get(name) != version)
if stale:
    print(f"{sys.argv[2]} lacks {', '.join(stale)} from {sys.argv[1]}", file=sys.stderr)
    sys.exit(1)
PY
then
  echo "WARNING: $lock is out of date; regenerate it (README, Lock files). Installing $requirements too." >&2
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
fi
