"""A Redis cache that fails open: when Redis is down or stops answering, the site runs uncached.

Everything the site keeps in the cache can be worked out again (pages, the data version, chart
flags, throttle counters), so a cache error must never become a reader's 500. Each operation
waits at most the socket timeouts given in OPTIONS (`socket_connect_timeout`, `socket_timeout`,
seconds); an error answers like a miss (`get` -> default, `add`/`set` -> False, `incr` ->
ValueError as for a missing key) and opens a short breaker: for `OSAI_CACHE_RETRY_SECONDS`
(default 5) the backend does not try Redis at all, so a Redis that accepts connections but never
answers costs one timeout per process every few seconds, not one per cache call. Throttles
(DRF's, which count in this cache) therefore let requests through while Redis is away.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from curation.conf import app_settings

log = logging.getLogger(__name__)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    # --- the breaker ------------------------------------------------------------------------
    def retry_seconds(self) -> float:
        """Seconds this process runs uncached after a Redis error (OSAI_CACHE_RETRY_SECONDS)."""
        return float(app_settings.OSAI_CACHE_RETRY_SECONDS)

    def is_available(self) -> bool:
        """False while the breaker is open (Redis failed less than `retry_seconds` ago)."""
        return time.monotonic() >= self._down_until

    def _failed(self, operation: str, exc: Exception) -> None:
        with self._lock:
            first = self.is_available()
            self._down_until = time.monotonic() + self.retry_seconds()
        if first:  # once per outage window, not once per call
            log.warning(
                "cache %s failed (%s: %s); running uncached for %.0f s",
                operation,
                type(exc).__name__,
                exc,
                self.retry_seconds(),
            )

    def _call(self, operation: str, default, *args, **kwargs):
        if not self.is_available():
            return default
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - redis errors, timeouts, refused connections: all mean "no cache"
            self._failed(operation, exc)
            return default

    # --- operations -------------------------------------------------------------------------
    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        if not self.is_available():
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        try:
            return super().incr(key, delta, version)
        except ValueError:
            raise
        except Exception as exc:
            self._failed("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from exc

    def clear(self):
        return self._call("clear", False)
