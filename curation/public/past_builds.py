"""Heavy rebuilds of a past index (curation.public.as_of), made once and kept, one at a time.

Only while the model periods of the current data version are not written yet (see
curation.public.model_periods): once they are, a past index is a query and nothing is rebuilt.

Rebuilding a whole past index from history reads every model, grade and later history entry:
at 100,000 models some 40 s and 300 MB. Any reader can ask for a new date, so such a build is
bounded twice over:

- its result is kept in the shared cache as compact plain rows (pickled, compressed), keyed by
  what it depends on: the moment, the data version and the cache generation
  (`curation.datachanges`), so the same moment costs a read the second time, and any recorded
  change of the data (a new version) or a cleared cache (a new generation) makes it stale at once;
- at most one exclusive build runs at a time on the whole site (a lock in the shared cache,
  taken with `cache.add`, freed when the build ends or, should its process die, after
  `BUILD_LOCK_SECONDS`). A reader who wants a moment not built yet while another build runs is
  refused with `PastIndexBeingPrepared` (views answer 503 with Retry-After); nobody is ever
  given a result before it is whole, since it is stored in one write once complete.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import io
import logging
import pickle
import uuid
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from django.core.cache import cache

from curation.datachanges import cache_generation, current_data_version

log = logging.getLogger(__name__)

# The layout of what is kept (as_of's compact rows); a new layout is a new key, never misread.
STORE_FORMAT = 1
# How long a kept build stays (seconds): a date read again soon costs a read, and old dates
# leave the cache on their own (each new data version makes them unreachable anyway).
KEEP_SECONDS = 6 * 3600
# The site-wide lock of exclusive builds, and how long it holds at most should the process that
# took it die mid-build (a whole rebuild of 100,000 models takes some 40 s).
BUILD_LOCK_KEY = "osai:past-build:running"
BUILD_LOCK_SECONDS = 300
# What a refused reader is told to wait (seconds) before asking again.
RETRY_AFTER_SECONDS = 30
# How many exclusive builds are kept at once (each a whole index: megabytes in the shared cache),
# newest first in KEPT_HEAVY_KEY: a reader asking for date after date cannot fill the cache.
MAX_KEPT_HEAVY = 4
KEPT_HEAVY_KEY = "osai:past-build:kept-heavy"


class PastIndexBeingPrepared(Exception):
    """Another reader's rebuild of a past index is running; this moment is not built yet.
    `retry_after` is the number of seconds to wait before asking again; the message says so
    in words a reader can act on."""

    def __init__(self, moment: datetime.date, retry_after: int = RETRY_AFTER_SECONDS, *, cache_down: bool = False):
        self.moment, self.retry_after = moment, retry_after
        day = moment.date() if isinstance(moment, datetime.datetime) else moment
        why = (
            "the site's cache, which keeps such rebuilds and lets only one run at a time, cannot be reached"
            if cache_down
            else "one is being rebuilt now"
        )
        super().__init__(
            f"The index as it stood on {day.day} {day:%B %Y} is being prepared: rebuilding a past index "
            f"from its history takes a while, and {why}. Please try again in {retry_after} seconds."
        )


def stored_key(kind: str, moment: datetime.date) -> str:
    """The cache key of the build `kind` of `moment` at the current data version and generation."""
    return f"osai:past-build:{STORE_FORMAT}:{cache_generation()}:v{current_data_version()}:{kind}:{moment.isoformat()}"


@contextlib.contextmanager
def paused_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block (when it was running): reading
    back a kept index makes millions of objects, none of them garbage, and each collection the
    allocations set off would walk them all again (some 0.9 s of 1.7 s at 100,000 models)."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _read(key: str) -> Any | None:
    try:
        blob = cache.get(key)
    except Exception:  # the shared cache unreachable: as if nothing were kept
        log.warning("could not read a kept past index", exc_info=True)
        return None
    if blob is None:
        return None
    with paused_collection():
        # Written only by `_keep` into the site's own cache, as Django's cache backends pickle too.
        return pickle.loads(zlib.decompress(blob))  # noqa: S301


def _keep(key: str, value: Any) -> None:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # No memo of every object written (a whole index is millions of values: the memo would
    # weigh more than they do). Kept values are plain trees that share next to nothing.
    pickler.fast = True
    pickler.dump(value)
    blob = zlib.compress(buffer.getbuffer(), 1)
    del pickler, buffer
    try:
        cache.set(key, blob, KEEP_SECONDS)
    except Exception:  # not kept: the next reader builds it again, nothing else is lost
        log.warning("could not keep a past index (%d bytes)", len(blob), exc_info=True)


def _forget_older_heavy(key: str) -> None:
    """Note `key` as the newest exclusive build kept and delete those beyond MAX_KEPT_HEAVY.
    Called under the build lock, so no two builds update the list at once."""
    try:
        kept = [k for k in cache.get(KEPT_HEAVY_KEY) or [] if k != key]
        kept.insert(0, key)
        cache.delete_many(kept[MAX_KEPT_HEAVY:])
        cache.set(KEPT_HEAVY_KEY, kept[:MAX_KEPT_HEAVY], KEEP_SECONDS)
    except Exception:  # the kept builds expire on their own after KEEP_SECONDS
        log.warning("could not bound the kept past indexes", exc_info=True)


def built_once(kind: str, moment: datetime.date, build: Callable[[], Any], *, exclusive: bool) -> Any:
    """The value `build()` makes for `moment` (plain, picklable rows), from the shared cache when
    kept for the current data version and cache generation, else built now and kept.

    `exclusive`: the build is heavy, so it runs only while no other exclusive build runs on the
    site. Raises PastIndexBeingPrepared when one does (or the lock cannot be taken: the shared
    cache unreachable), rather than starting a second one."""
    key = stored_key(kind, moment)
    found = _read(key)
    if found is not None:
        return found
    if not exclusive:
        value = build()
        _keep(key, value)
        return value
    token = uuid.uuid4().hex
    try:
        locked = cache.add(BUILD_LOCK_KEY, token, BUILD_LOCK_SECONDS)
    except Exception:
        log.warning("could not take the lock of past index builds", exc_info=True)
        locked = False
    if not locked:
        # A fail-open cache (curation.cache_backends) answers False while Redis is away: then no
        # build is running, the lock just cannot be had, and the reader is told so.
        available = getattr(cache, "is_available", lambda: True)()
        raise PastIndexBeingPrepared(moment, cache_down=not available)
    try:
        # The build just finished may have been this very moment's.
        found = _read(key)
        if found is None:
            found = build()
            _keep(key, found)
            _forget_older_heavy(key)
        return found
    finally:
        try:
            # Only our own lock: after BUILD_LOCK_SECONDS another build may hold it.
            if cache.get(BUILD_LOCK_KEY) == token:
                cache.delete(BUILD_LOCK_KEY)
        except Exception:  # it expires on its own
            log.warning("could not free the lock of past index builds", exc_info=True)
