"""Whole-page caching of anonymous reader pages, invalidated by the index's data version.

The cache key holds the full URL (host, path and query string) and
`curation.datachanges.current_data_version()`, so any recorded data change makes every cached
page stale at once, with nothing to purge; a stamp of the code and templates does the same
for a deploy. Logged-in users (curators checking their work) always get a fresh page. Only
successful GET/HEAD responses are stored.

With a shared cache (Redis), each process also keeps the pages it served last in memory, so a
hit costs one small round trip (data version and cache generation, fetched together) instead
of fetching the whole page. Clearing the shared cache starts a new generation, which retires
every process's copies too. That round trip is itself remembered for
`OSAI_PAGE_VERSION_MEMO_SECONDS` (default 1 s): a change committed by another process reaches
this one's readers within that time, a change committed by this process at once.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse

from curation.public.theme import chosen_theme
from curation.datachanges import DATA_VERSION_CACHE_KEY, current_data_version, local_change_count

log = logging.getLogger(__name__)

PAGE_CACHE_SECONDS = getattr(settings, "OSAI_PAGE_CACHE_SECONDS", 60 * 60 * 24)
CACHE_STATUS_HEADER = "X-Page-Cache"
GENERATION_KEY = "osai:page-generation"
LOCAL_MAX_PAGES = 200
LOCAL_MAX_BYTES = 64 * 1024 * 1024


class _LocalPages:
    """A small, bounded, thread-safe LRU of pages this process served (least recent out first)."""

    def __init__(self, max_pages: int, max_bytes: int):
        self.max_pages, self.max_bytes = max_pages, max_bytes
        self._pages: OrderedDict[str, tuple] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            stored = self._pages.get(key)
            if stored is not None:
                self._pages.move_to_end(key)
            return stored

    def put(self, key: str, stored: tuple) -> None:
        size = len(stored[0])
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._pages:
                return
            self._pages[key] = stored
            self._bytes += size
            while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
                _, (content, _) = self._pages.popitem(last=False)
                self._bytes -= len(content)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0


local_pages = _LocalPages(LOCAL_MAX_PAGES, LOCAL_MAX_BYTES)


def _uses_local_layer() -> bool:
    # An in-process cache already is local memory: a second copy would only cost memory.
    return not isinstance(caches["default"], LocMemCache)


class _VersionMemo:
    """The last (data version, generation) read from the shared cache, for a short while.

    One tuple is swapped atomically, so concurrent request threads never see a torn entry.
    """

    def __init__(self):
        self._entry: tuple[tuple[int, str], float, int] | None = None

    def get(self):
        entry = self._entry
        if entry is not None and time.monotonic() < entry[1] and entry[2] == local_change_count():
            return entry[0]
        return None

    def put(self, value: tuple[int, str], change_count: int) -> None:
        seconds = getattr(settings, "OSAI_PAGE_VERSION_MEMO_SECONDS", 1.0)
        self._entry = (value, time.monotonic() + seconds, change_count)

    def clear(self) -> None:
        self._entry = None


version_memo = _VersionMemo()


def _version_and_generation() -> tuple[int, str]:
    """The data version and cache generation; remembered briefly when the cache is shared."""
    if not _uses_local_layer():
        return _read_version_and_generation()
    remembered = version_memo.get()
    if remembered is not None:
        return remembered
    change_count = local_change_count()  # read first: a change committed meanwhile voids the memo
    value = _read_version_and_generation()
    version_memo.put(value, change_count)
    return value


def _read_version_and_generation() -> tuple[int, str]:
    """The data version and the cache generation, in one round trip when both are cached."""
    found = cache.get_many([DATA_VERSION_CACHE_KEY, GENERATION_KEY])
    version = found.get(DATA_VERSION_CACHE_KEY)
    if version is None:
        version = current_data_version()
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex[:12], None)
        generation = cache.get(GENERATION_KEY) or "none"
    return version, generation


def retire_cached_pages() -> None:
    """Start a new cache generation, so every process serves freshly rendered pages.

    Called when charts are published: pages embed a chart's versioned file URL, and a page
    cached between a data change and the chart run that follows it would keep the old chart.
    """
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex[:12], None)
    except Exception:  # Redis down: the published charts stand; pages follow the next change
        log.warning("could not retire cached pages after publishing charts", exc_info=True)


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """Changes when the site's code or templates change, so a deploy never serves old pages.

    Worked out once per process from the modification times of the app's and site's files.
    """
    roots = [Path(settings.BASE_DIR) / "templates", Path(__file__).resolve().parent.parent]
    newest = 0.0
    for root in roots:
        for pattern in ("*.py", "*.html"):
            for path in root.rglob(pattern):
                newest = max(newest, path.stat().st_mtime)
    return hashlib.sha256(repr(newest).encode()).hexdigest()[:8]


def page_cache_key(request, version: int, generation: str = "") -> str:
    # The host is part of the key because pages carry absolute URLs (canonical, Open Graph).
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    # A page is drawn in the reader's chosen colour scheme (curation.public.theme).
    url += f" theme={chosen_theme(request)}"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    return f"osai:page:{code_stamp()}:{generation}:v{version}:{digest}"


def _is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def cache_public_page(view):
    """Serve anonymous GETs of `view` from the cache keyed by URL and data version."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _is_cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_cache_key(request, *_version_and_generation())
        local = _uses_local_layer()
        stored = local_pages.get(key) if local else None
        if stored is None:
            stored = cache.get(key)
            if stored is not None and local:
                local_pages.put(key, stored)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            response.headers[CACHE_STATUS_HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not getattr(response, "cookies", None):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            kept = [(name, value) for name, value in response.headers.items() if name.lower() != "vary"]
            cache.set(key, (response.content, kept), PAGE_CACHE_SECONDS)
            if local:
                local_pages.put(key, (response.content, kept))
        response.headers[CACHE_STATUS_HEADER] = "miss"
        return response

    return cached_view
