"""Whole-page caching of anonymous reader pages, invalidated by the index's data version.

The cache key holds the URL (host, path and the query parameters the view reads, in a canonical
order), the reader's colour scheme and `curation.datachanges.current_data_version()`, so any
recorded data change makes every cached page stale at once, with nothing to purge; a stamp of the
code and templates does the same for a deploy. Parameters a view does not read are dropped from
the request before the view sees it, and the others are put in order (the view's order, each name's
values as given), so an unknown or reordered parameter can neither create a new cache entry nor
end up in the links of a cached page.

A stored page keeps a gzip copy of its body, made once when it is stored: readers whose browser
accepts gzip get that copy (`Content-Encoding: gzip`), and nothing is compressed per request. A
shared cache keeps only that copy of a compressed page (a process reading it makes the body again,
once). Logged-in users (curators checking their work) always get a fresh page. Only successful
GET/HEAD responses are stored.

With a shared cache (Redis), each process also keeps the pages it served last in memory, so a
hit costs one small round trip (data version and cache generation, fetched together) instead
of fetching the whole page. Clearing the shared cache starts a new generation, which retires
every process's copies too. That round trip is itself remembered for
`OSAI_PAGE_VERSION_MEMO_SECONDS` (default 1 s): a change committed by another process reaches
this one's readers within that time, a change committed by this process at once.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags, urlencode

from curation.conf import app_settings
from curation.datachanges import (
    DATA_VERSION_CACHE_KEY,
    GENERATION_KEY,
    cache_generation,
    current_data_version,
    local_change_count,
)
from curation.public.queries import dimension_refs_ever
from curation.public.theme import chosen_theme

log = logging.getLogger(__name__)

PAGE_CACHE_SECONDS = app_settings.OSAI_PAGE_CACHE_SECONDS
CACHE_STATUS_HEADER = "X-Page-Cache"
LOCAL_MAX_PAGES = 200
LOCAL_MAX_BYTES = 64 * 1024 * 1024


def _stored_size(stored: tuple) -> int:
    return len(stored[0]) + (len(stored[2]) if len(stored) > 2 and stored[2] else 0)


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
        size = _stored_size(stored)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._pages:
                return
            self._pages[key] = stored
            self._bytes += size
            while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
                _, evicted = self._pages.popitem(last=False)
                self._bytes -= _stored_size(evicted)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0


LocalPages = _LocalPages  # for other in-process caches of whole answers (chart files)
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
        seconds = app_settings.OSAI_PAGE_VERSION_MEMO_SECONDS
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
        generation = cache_generation()
    return version, generation


def cache_stamp() -> tuple[int, str]:
    """(data version, cache generation) as the page cache sees them now (briefly remembered):
    what a per-process memo of anything derived from the data can be keyed by."""
    return _version_and_generation()


def remembered_per_data_version(compute):
    """Decorator: `compute(*args)` worked out once per data version and cache generation in each
    process, for values derived from the data that every request would otherwise rebuild. Only
    the latest stamp's values are kept (one entry per distinct `args`)."""
    memo: dict[tuple, object] = {}

    @functools.wraps(compute)
    def remembered(*args):
        stamp = cache_stamp()
        key = (stamp, args)
        try:
            return memo[key]
        except KeyError:
            pass
        value = compute(*args)
        for old_key in [k for k in memo if k[0] != stamp]:
            memo.pop(old_key, None)
        memo[key] = value
        return value

    return remembered


def shared_per_data_version(name: str, seconds: int = 24 * 3600):
    """Decorator: `compute(*args)` worked out once per data version and cache generation for the
    whole site, for figures whose query reads every model (seconds at 100,000 models): kept in
    the shared cache under `name` and `args` (plain values, or tuples of them, whose `str`
    tells them apart; no spaces, as cache keys must not hold any) for
    `seconds` at most, and in each process (`remembered_per_data_version`). The worker calls it
    after a change, so that no reader waits. An unreachable cache is logged and worked around:
    the value is computed here."""

    def decorate(compute):
        @functools.wraps(compute)
        def shared(*args):
            version, generation = cache_stamp()
            parts = (",".join(map(str, a)) if isinstance(a, tuple | list) else str(a) for a in args)
            key = f"osai:{name}:{generation}:v{version}:{':'.join(parts)}"
            try:
                found = cache.get(key)
            except Exception:  # no cache: worked out below
                log.warning("%s not read from the cache", name, exc_info=True)
                found = None
            if found is not None:
                return found
            value = compute(*args)
            try:
                cache.set(key, value, seconds)
            except Exception:  # served without keeping it
                log.warning("%s not kept in the cache", name, exc_info=True)
            return value

        return remembered_per_data_version(shared)

    return decorate


class RowFragments:
    """Rendered rows of the index (HTML) kept in this process per data version, cache generation
    and code stamp, by model id and variant (which columns the row has): a page of the index
    that misses the page cache (a new filter, order or page) renders and reads evidence only
    for the rows no page showed since the data last changed. Bounded: least recent out first."""

    def __init__(self, max_rows: int = 4000, max_bytes: int = 48 * 1024 * 1024):
        self._rows = _LocalPages(max_rows, max_bytes)

    @staticmethod
    def prefix(variant: str) -> str:
        """What the keys of `variant`'s rows start with now (the data version read once)."""
        version, generation = cache_stamp()
        return f"{code_stamp()}:{generation}:{version}:{variant}:"

    def get_many(self, pks, prefix: str) -> dict[int, str]:
        """{model id: kept HTML} for those of `pks` kept under `prefix` (see `prefix`)."""
        found = {}
        for pk in pks:
            stored = self._rows.get(f"{prefix}{pk}")
            if stored is not None:
                found[pk] = stored[0]
        return found

    def keep(self, pk: int, prefix: str, html: str) -> str:
        self._rows.put(f"{prefix}{pk}", (html, ()))
        return html

    def clear(self) -> None:
        self._rows.clear()


row_fragments = RowFragments()


@remembered_per_data_version
def known_grade_parameters(prefix: str) -> tuple[str, ...]:
    """`<prefix><ref>` for every dimension the site knows (curation.public.queries.dimension_refs_ever),
    worked out once per data version in each process."""
    return tuple(f"{prefix}{ref}" for ref in dimension_refs_ever())


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

    Worked out once per process from the modification times of the app's files and of the host
    site's template folders (TEMPLATES' DIRS, where it overrides the app's templates).
    """
    site_dirs = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    roots = [*site_dirs, Path(__file__).resolve().parent.parent]
    newest = 0.0
    for root in roots:
        for pattern in ("*.py", "*.html"):
            for path in root.rglob(pattern):
                newest = max(newest, path.stat().st_mtime)
    return hashlib.sha256(repr(newest).encode()).hexdigest()[:8]


def canonical_query(request, known) -> str:
    """The query string of `request` with only the parameters in `known`, in the order `known`
    lists them (the order of the filter form's fields, so a submitted form is canonical already),
    each name's values in the order given (it can matter, e.g. the models to compare)."""
    query = request.GET
    return urlencode([(name, value) for name in known if name in query for value in query.getlist(name)])


def canonicalise_request(request, known) -> bool:
    """Rewrite the request's query string to `canonical_query(request, known)`, in place, so that
    the view (and every link it builds from the request) sees exactly what the cache key holds.
    True when the query string was canonical already."""
    canonical = canonical_query(request, known)
    if canonical != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = canonical
        request.GET = QueryDict(canonical)
        return False
    return True


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


# Bodies smaller than this are stored and sent uncompressed (as GZipMiddleware's own threshold).
GZIP_MIN_BYTES = 200
# The zlib level of the kept gzip copies, made while a reader waits for a page that missed the
# cache. On a page of the index (400 kB of HTML) level 3 takes a third of level 6's time (1 ms
# instead of 3) for a copy a fifth larger (25 kB instead of 21); above level 3 zlib switches to
# lazy matching, which is where the time goes.
GZIP_LEVEL = 3
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


# Where FrontPageCacheMiddleware keeps the Accept-Encoding it hides from the layers below it.
ORIGINAL_ACCEPT_ENCODING = "osai.original_accept_encoding"


def accepts_gzip(request) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def accepted_gzip(request) -> bool:
    """Whether the reader's browser accepts gzip, also below FrontPageCacheMiddleware (which
    hides the header so that what it keeps is made uncompressed): for answers compressed ahead
    of time, such as stored downloads, that no layer above would compress again."""
    original = request.META.get(ORIGINAL_ACCEPT_ENCODING, request.META.get("HTTP_ACCEPT_ENCODING", ""))
    return bool(_ACCEPTS_GZIP.search(original or ""))


# The attribute by which a response carries the gzip copy kept with its body (body, copy), so
# the front layer keeps the same copy instead of compressing the body a second time.
KEPT_GZIP_ATTRIBUTE = "osai_kept_gzip"


def stored_answer(content: bytes, headers, *, made_from=None) -> tuple:
    """What the page cache keeps of an answer: body, headers and (for a body worth it) its gzip
    copy, compressed once here. Stored answers never hold secrets (no cookies, no CSRF token:
    answers that set a cookie are not stored), so a fixed compression is no BREACH risk.

    `made_from`: a response the page cache answered or kept (see `remember_kept_gzip`); when
    its body is `content`, the gzip copy kept with it is used again."""
    known = getattr(made_from, KEPT_GZIP_ATTRIBUTE, None)
    if known is not None and known[0] == content:
        return content, headers, known[1]
    compressed = gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0) if len(content) >= GZIP_MIN_BYTES else None
    if compressed is not None and len(compressed) >= len(content):
        compressed = None
    return content, headers, compressed


def stored_etag(stored: tuple) -> str:
    """A strong ETag (quoted hex digest) for the body of a stored answer, hashed from its gzip
    copy when it has one: that copy is made deterministically from the body (no timestamp) and
    decompresses back to it, so it changes exactly when the body does, and at a page of the index
    (400 kB of HTML, 25 kB gzipped) hashing it costs a miss a fifteenth of hashing the body, as
    ConditionalGetMiddleware would. Not kept with the answer: the gzipped representation of a
    page carries it weak (W/), as GZipMiddleware makes it."""
    compressed = stored[2] if len(stored) > 2 else None
    return f'"{hashlib.md5(compressed if compressed is not None else stored[0], usedforsecurity=False).hexdigest()}"'


def _tag(response, stored: tuple) -> None:
    """Give a page the page cache answered or kept its ETag (`stored_etag`) before
    ConditionalGetMiddleware hashes the whole body for one: weak when the body sent is the gzip
    copy, as GZipMiddleware makes it on a miss; none for an answer that is not to be stored."""
    if response.has_header("ETag") or "no-store" in response.get("Cache-Control", ""):
        return
    gzipped = response.headers.get("Content-Encoding") == "gzip"
    response.headers["ETag"] = ("W/" if gzipped else "") + stored_etag(stored)


def remember_kept_gzip(response, stored: tuple) -> None:
    """Let the layers above reuse the gzip copy of `stored` (what `stored_answer` made) when they
    keep `response`'s body (see `stored_answer`'s `made_from`)."""
    setattr(response, KEPT_GZIP_ATTRIBUTE, (stored[0], stored[2] if len(stored) > 2 else None))


def fetch_stored(key: str):
    """A stored answer by cache key (this process's copy first, then the shared cache), or None."""
    local = _uses_local_layer()
    stored = local_pages.get(key) if local else None
    if stored is None:
        stored = _from_shared(cache.get(key))
        if stored is not None and local:
            local_pages.put(key, stored)
    return stored


def keep_stored(key: str, stored: tuple) -> None:
    if _uses_local_layer():
        cache.set(key, _shared_copy(stored), PAGE_CACHE_SECONDS)
        local_pages.put(key, stored)
    else:
        cache.set(key, stored, PAGE_CACHE_SECONDS)


def _shared_copy(stored: tuple) -> tuple:
    """What the shared cache keeps of a stored answer: its gzip copy without the body when it has
    one (a page of the index is 400 kB of HTML, 25 kB gzipped: sending the body to Redis cost a
    page that missed the cache more than a millisecond), the answer as it is otherwise. Another
    process makes the body again from the copy once (`_from_shared`) and keeps it in memory."""
    if len(stored) > 2 and stored[2] is not None:
        return (None, stored[1], stored[2])
    return stored


def _from_shared(stored):
    """A stored answer as `_shared_copy` kept it, with its body again."""
    if stored is not None and stored[0] is None:
        return (gzip.decompress(stored[2]), stored[1], stored[2])
    return stored


def answer_from_stored(request, stored: tuple, response_class=HttpResponse) -> HttpResponse:
    """The response for a stored answer: gzip copy to readers who accept it, the body otherwise."""
    content, headers = stored[0], stored[1]
    compressed = stored[2] if len(stored) > 2 else None
    use_gzip = compressed is not None and accepts_gzip(request)
    response = response_class(compressed if use_gzip else content)
    for name, value in headers:
        response.headers[name] = value
    if compressed is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(compressed))
    return response


def cache_public_page(view=None, *, params=()):
    """Serve anonymous GETs of `view` from the cache keyed by URL and data version.

    `params`: the query parameters the view reads, as names or a function of the request
    returning them; every other parameter is dropped before the view runs (see the module's
    docstring). Used bare (`@cache_public_page`), the view reads none.
    """
    if view is None:
        return lambda actual: cache_public_page(actual, params=params)

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        canonical = canonicalise_request(request, params(request) if callable(params) else params)
        if not _is_cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_cache_key(request, *_version_and_generation())
        stored = fetch_stored(key)
        if stored is not None:
            response = answer_from_stored(request, stored)
            _tag(response, stored)
            response.headers[CACHE_STATUS_HEADER] = "hit"
            response.front_cacheable = canonical
            remember_kept_gzip(response, stored)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not getattr(response, "cookies", None):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            kept = [(name, value) for name, value in response.headers.items() if name.lower() != "vary"]
            stored = stored_answer(response.content, kept)
            keep_stored(key, stored)
            _tag(response, stored)
            response.front_cacheable = canonical
            remember_kept_gzip(response, stored)
        response.headers[CACHE_STATUS_HEADER] = "miss"
        return response

    return cached_view


# ---------------------------------------------------------------------------------------------
# The front layer: whole answers served before the rest of the middleware runs
# ---------------------------------------------------------------------------------------------

front_pages = _LocalPages(LOCAL_MAX_PAGES, LOCAL_MAX_BYTES)
# How long a front proxy may keep an answer of this layer (nginx's own header).
PROXY_CACHE_HEADER = "X-Accel-Expires"
# Headers made per answer, never kept: the body's length and encoding, the cache status.
_FRONT_DROPPED = {"content-length", "content-encoding", CACHE_STATUS_HEADER.lower(), PROXY_CACHE_HEADER.lower()}


class FrontPageCacheMiddleware:
    """Answers a repeated anonymous read of a cached page from this process's memory before
    sessions, authentication, CSRF and the security-header middleware run again.

    It keeps, in a bounded in-process LRU only (never the shared cache), the complete answer as
    the middleware below it finished it (security and policy headers included) of any page that
    `cache_public_page` served to an anonymous reader at its canonical address. The key is the
    code stamp, cache generation and data version (as the page cache's own), the address exactly
    as asked, the colour-scheme cookie and the Accept header. Requests that carry a session
    cookie or credentials, and anything else, pass through untouched; a page whose answer sets a
    cookie is never kept. An `If-None-Match` naming the kept ETag is answered 304. Anonymous API
    answers kept by the API's answer cache are kept here too while no rate limit counts them.

    With `OSAI_PROXY_CACHE_SECONDS` set, the answers of this layer carry `X-Accel-Expires` with
    that many seconds, so a front nginx (deploy/nginx/osai-index.conf) micro-caches exactly them.
    Place it below GZipMiddleware (it serves its own gzip copy) and above everything else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        stored = front_pages.get(key)
        if stored is not None:
            return self._answer(request, stored)
        # Below, the answer is made uncompressed (so that it can be kept); GZipMiddleware above
        # sees the header again.
        encoding = request.META.pop("HTTP_ACCEPT_ENCODING", None)
        request.META[ORIGINAL_ACCEPT_ENCODING] = encoding or ""
        try:
            response = self.get_response(request)
        finally:
            del request.META[ORIGINAL_ACCEPT_ENCODING]
            if encoding is not None:
                request.META["HTTP_ACCEPT_ENCODING"] = encoding
        if (
            getattr(response, "front_cacheable", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Content-Encoding")
        ):
            kept = [(name, value) for name, value in response.headers.items() if name.lower() not in _FRONT_DROPPED]
            # With a dict for the headers of its answers, worked out once (`_front_headers`).
            stored = (*stored_answer(response.content, kept, made_from=response), {})
            front_pages.put(key, stored)
            return self._answer(request, stored, status=response.get(CACHE_STATUS_HEADER, "miss"))
        return response

    @staticmethod
    def _key(request) -> str | None:
        if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None  # maybe a signed-in curator: the full stack decides
        try:
            version, generation = _version_and_generation()
            host = request.get_host()
        except Exception:  # noqa: BLE001 - a disallowed host, or no cache: the full stack answers it
            return None
        raw = "\n".join(
            (
                code_stamp(),
                generation,
                str(version),
                request.scheme,
                host,
                request.get_full_path(),
                chosen_theme(request),
                request.META.get("HTTP_ACCEPT", ""),
            )
        )
        return "front:" + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()

    @staticmethod
    def _answer(request, stored, status: str = "hit") -> HttpResponse:
        etag = _front_etag(stored)
        asked = request.META.get("HTTP_IF_NONE_MATCH", "")
        if etag and asked and etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in parse_etags(asked)}:
            response = HttpResponseNotModified()
            for name, value in stored[1]:
                if name.lower() in ("etag", "cache-control", "vary", "last-modified", "expires"):
                    response.headers[name] = value
        else:
            compressed = stored[2]
            use_gzip = compressed is not None and accepts_gzip(request)
            response = HttpResponse(compressed if use_gzip else stored[0])
            del response.headers["Content-Type"]
            for name, value in _front_headers(stored, use_gzip):
                response.headers[name] = value
        response.headers[CACHE_STATUS_HEADER] = status
        return response


def _front_etag(stored: tuple) -> str:
    return next((value for name, value in stored[1] if name.lower() == "etag"), "")


def _front_headers(stored: tuple, use_gzip: bool) -> list[tuple[str, str]]:
    """The headers, in order, of the front layer's answer from `stored` (as kept by
    FrontPageCacheMiddleware: body, headers, gzip copy and a dict of these lists), gzipped or
    not: worked out on the first answer and kept with the page, so a repeated read sets them
    without working them out again."""
    proxy_seconds = app_settings.OSAI_PROXY_CACHE_SECONDS
    prepared = stored[3]
    found = prepared.get((use_gzip, proxy_seconds))
    if found is not None:
        return found
    compressed = stored[2]
    response = HttpResponse(compressed if use_gzip else stored[0])
    for name, value in stored[1]:
        response.headers[name] = value
    if compressed is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
        etag = _front_etag(stored)
        if etag and not etag.startswith("W/"):
            response.headers["ETag"] = f"W/{etag}"  # another representation of the same page
    response.headers["Content-Length"] = str(len(response.content))
    headers = list(response.headers.items())
    if proxy_seconds:
        # A front proxy (deploy/nginx/osai-index.conf) may keep exactly this answer for that
        # long; nginx reads the header and does not pass it on. It goes first: nginx obeys it
        # only when it comes before a Cache-Control (max-age=0 on API answers, which ask
        # browsers to revalidate).
        headers = [(PROXY_CACHE_HEADER, str(proxy_seconds)), *headers]
    prepared[(use_gzip, proxy_seconds)] = headers
    return headers
