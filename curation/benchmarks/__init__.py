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


def forget_cache() -> None:
    """Empty what the running benchmark cached, so its next request is served uncached: the keys
    of its own cache prefix (see scratch_database) in a shared Redis — never the whole Redis
    database, which the broker and any site or test on the machine share — or the whole
    process-local cache; and each process-local layer of the page cache."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from curation.public.caching import front_pages, local_pages, version_memo

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(None, write=True)  # a redis.Redis
        for keys in _batches(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000), 1000):
            client.delete(*keys)
    else:
        cache.clear()
    local_pages.clear()
    front_pages.clear()
    version_memo.clear()


def _batches(items, size: int):
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class scratch_database:
    """Run a benchmark in a throw-away test database, media folder and cache key prefix, never
    the site's own data or cache.

    Uses Django's test-database machinery: `test_<name>` on PostgreSQL, in-memory on SQLite. The
    cache prefix (also handed to subprocesses through CACHE_KEY_PREFIX) is new for each scratch
    database, whose data versions start again from the first; its keys are deleted at the end.
    """

    def __enter__(self):
        import os
        import tempfile
        import uuid

        from django.conf import settings
        from django.db import connection
        from django.test.utils import override_settings, setup_databases

        # Files the benchmark stores (pictures, renditions, charts) go to a throw-away folder too.
        self._media = tempfile.TemporaryDirectory(prefix="osai-bench-media-")
        self.cache_prefix = f"osai-bench-{uuid.uuid4().hex[:10]}"
        own_caches = {name: {**conf, "KEY_PREFIX": self.cache_prefix} for name, conf in settings.CACHES.items()}
        self._settings = override_settings(MEDIA_ROOT=self._media.name, CACHES=own_caches)
        self._settings.enable()
        self._old_prefix = os.environ.get("CACHE_KEY_PREFIX")
        os.environ["CACHE_KEY_PREFIX"] = self.cache_prefix
        self._old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
        self.connection = connection
        return self

    def __exit__(self, *exc):
        import os

        from django.test.utils import teardown_databases

        teardown_databases(self._old_config, verbosity=0)
        forget_cache()
        if self._old_prefix is None:
            os.environ.pop("CACHE_KEY_PREFIX", None)
        else:
            os.environ["CACHE_KEY_PREFIX"] = self._old_prefix
        self._settings.disable()
        self._media.cleanup()
        return False
