"""Per-address limits on what readers may send (public suggestions), counted in the cache.

A fixed window per address: the first attempt in a window starts its counter, which expires
with the window, so the counter works the same on the local-memory cache and on Redis. The
address is the real client's (curation.client_address), so a forged X-Forwarded-For changes
nothing. When the cache is unreachable the limit is not enforced (readers are not turned away
for an outage); the form's other defences (CSRF, honeypot, review) still hold.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

from curation.client_address import client_address
from curation.conf import app_settings

log = logging.getLogger(__name__)

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "5/hour" as (5, 3600): the number of attempts and the window's length in seconds.

    Raises ValueError naming the rate when it is not `<count>/<second|minute|hour|day>`."""
    count, _, period = (rate or "").partition("/")
    try:
        return int(count), _PERIODS[period.strip().lower().rstrip("s")]
    except (ValueError, KeyError):
        raise ValueError(f"rate {rate!r}: expected <count>/<second|minute|hour|day>, e.g. 5/hour") from None


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    period_seconds: int
    retry_after_seconds: int  # 0 when allowed

    @property
    def retry_at(self) -> datetime.datetime:
        """When the next attempt is allowed again (UTC)."""
        return datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=self.retry_after_seconds)


def _counter_key(request, scope: str, period: int, now: float) -> tuple[str, int]:
    window = int(now // period)
    # Hashed: the address itself is personal data and need not sit in the cache.
    who = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"osai:limit:{scope}:{period}:{window}:{who}", window


def _verdict(used: int, limit: int, period: int, window: int, now: float) -> Verdict:
    if used <= limit:
        return Verdict(True, limit, period, 0)
    return Verdict(False, limit, period, max(1, math.ceil((window + 1) * period - now)))


def check_allowance(request, scope: str, rate: str) -> Verdict:
    """Whether one more counted attempt of `request`'s client in `scope` is within `rate`,
    without counting anything (see `count_attempt`). `allowed=False` carries the seconds until
    the window ends."""
    limit, period = parse_rate(rate)
    now = time.time()
    key, window = _counter_key(request, scope, period, now)
    try:
        used = cache.get(key) or 0
    except Exception:  # no cache: count nothing rather than refuse everyone
        log.warning("rate limit %s not enforced: the cache is unreachable", scope, exc_info=True)
        return Verdict(True, limit, period, 0)
    return _verdict(used + 1, limit, period, window, now)


def count_attempt(request, scope: str, rate: str) -> Verdict:
    """Count one attempt of `request`'s client in `scope` against `rate` ("5/hour").

    The attempt that exceeds the limit, and every one after it in the same window, gets
    `allowed=False` with the seconds until the window ends."""
    limit, period = parse_rate(rate)
    now = time.time()
    key, window = _counter_key(request, scope, period, now)
    try:
        if cache.add(key, 1, timeout=period + 1):
            used = 1
        else:
            try:
                used = cache.incr(key)
            except ValueError:  # expired between the two calls: a new window's first attempt
                cache.set(key, 1, timeout=period + 1)
                used = 1
    except Exception:  # no cache: count nothing rather than refuse everyone
        log.warning("rate limit %s not enforced: the cache is unreachable", scope, exc_info=True)
        return Verdict(True, limit, period, 0)
    return _verdict(used, limit, period, window, now)


def suggestion_rate() -> str:
    """How many suggestions one address may send, as a rate such as "5/hour" (OSAI_SUGGESTION_RATE)."""
    return app_settings.OSAI_SUGGESTION_RATE
