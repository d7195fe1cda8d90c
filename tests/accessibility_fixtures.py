"""axe-core (from the npm registry, see package.json) for the accessibility tests: the script as a
fixture, and the violations it finds on a page."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PROJECT_ROOT, _missing

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_source():
    if not AXE.exists():
        _missing(f"{AXE} is missing (npm ci installs axe-core from package.json)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, axe_source) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:5])}" for v in json.loads(result)
    ]
