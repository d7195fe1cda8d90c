"""`manage.py benchmark`: every figure group of the issues is registered, and --json prints one object.

The figures themselves are measured, not asserted (machines are noisy); running them all takes
minutes, so here the command runs a stand-in benchmark.
"""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import curation.benchmarks as benchmarks_pkg


def test_list_names_every_benchmark(capsys):
    call_command("benchmark", "--list")
    names = [line.split(":", 1)[0] for line in capsys.readouterr().out.splitlines()]
    assert {"interchange", "git-history", "charts", "public", "api", "adoption"} <= set(names)
    assert len(names) == len(set(names))


def test_unknown_benchmark_is_a_clear_error():
    with pytest.raises(CommandError, match=r"unknown benchmark\(s\): nope \(see --list\)"):
        call_command("benchmark", "--only", "nope")


def test_json_prints_one_object_of_the_selected_figures(capsys, monkeypatch):
    calls = []

    def stand_in(quick=False):
        calls.append(quick)
        return {"stand_in_seconds": 1.5, "stand_in_queries": 3}

    for module in pkgutil.iter_modules(benchmarks_pkg.__path__):  # register the real ones first
        importlib.import_module(f"{benchmarks_pkg.__name__}.{module.name}")
    monkeypatch.setattr(benchmarks_pkg, "BENCHMARKS", [benchmarks_pkg.Benchmark("stand-in", stand_in, "a test")])
    call_command("benchmark", "--json", "--only", "stand-in", "--quick")
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"stand_in_queries": 3, "stand_in_seconds": 1.5}
    assert calls == [True]
    assert "running stand-in..." in captured.err


def test_every_patch_a_benchmark_makes_names_an_existing_attribute():
    """Benchmarks stub out side effects by dotted name (mock.patch("module.attribute")); a name
    left behind when the attribute moves fails only when that benchmark runs, so check them all."""
    import ast
    import importlib
    from pathlib import Path

    import curation.benchmarks

    targets = []
    for path in Path(curation.benchmarks.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "patch"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                targets.append((path.name, node.args[0].value))
    assert targets, "the benchmarks patch nothing by name: this check has nothing to look at"
    missing = []
    for file_name, target in targets:
        module_name, _, attribute = target.rpartition(".")
        if not hasattr(importlib.import_module(module_name), attribute):
            missing.append(f"{file_name}: {target}")
    assert not missing, missing


@pytest.mark.redis
def test_forgetting_the_benchmark_cache_deletes_only_its_own_keys(require_redis, settings):
    """A benchmark empties its cache between runs without flushing the Redis database that the
    broker, the site and other tests share."""
    import redis
    from django.core.cache import caches
    from django.test.utils import override_settings

    from curation.benchmarks import forget_cache

    shared = redis.Redis.from_url(settings.REDIS_URL)
    shared.set("someone-else:1:page", b"kept", ex=60)
    own = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "osai-bench-test"}}
    with override_settings(CACHES=own):
        caches["default"].set("page", "rendered", 60)
        assert caches["default"].get("page") == "rendered"
        forget_cache()
        assert caches["default"].get("page") is None
    assert shared.get("someone-else:1:page") == b"kept"
    shared.delete("someone-else:1:page")
