"""Benchmarks printed by `manage.py benchmark`. Each module here registers functions with
`@benchmark`; a function returns a dict of figures (name -> number) and cleans up after itself.

Figures are measured, never asserted: machines are noisy, so targets are read by people.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

BENCHMARKS: list[Benchmark] = []


class BenchmarkUnavailable(RuntimeError):
    """A benchmark cannot run on this machine; the message says what is missing and how to get it."""


@dataclass
class Benchmark:
    name: str
    func: Callable[..., dict]
    description: str
    # Run only when asked for by name (long runs that need extra programs, e.g. the load run).
    on_request: bool = False


def benchmark(name: str, description: str = "", *, on_request: bool = False):
    def register(func):
        BENCHMARKS.append(Benchmark(name, func, description or (func.__doc__ or "").strip(), on_request))
        return func

    return register


class scratch_database:
    """Run a benchmark in a throw-away test database and media folder, never the site's own data.

    Uses Django's test-database machinery: `test_<name>` on PostgreSQL, in-memory on SQLite.
    """

    def __enter__(self):
        import tempfile

        from django.db import connection
        from django.test.utils import override_settings, setup_databases

        # Files the benchmark stores (pictures, renditions, charts) go to a throw-away folder too.
        self._media = tempfile.TemporaryDirectory(prefix="osai-bench-media-")
        self._media_settings = override_settings(MEDIA_ROOT=self._media.name)
        self._media_settings.enable()
        self._old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
        self.connection = connection
        return self

    def __exit__(self, *exc):
        from django.test.utils import teardown_databases

        teardown_databases(self._old_config, verbosity=0)
        self._media_settings.disable()
        self._media.cleanup()
        return False
