"""Whole-page caching of anonymous reader pages, invalidated by the index's data version.

The cache key holds the full URL (host, path and query string) and
`curation.datachanges.current_data_version()`, so any recorded data change makes every cached
page stale at once, with nothing to purge; a stamp of the code and templates does the same
for a deploy. Logged-in users (curators checking their work)
always get a fresh page. Only successful GET/HEAD responses are stored.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from curation.datachanges import current_data_version

PAGE_CACHE_SECONDS = getattr(settings, "OSAI_PAGE_CACHE_SECONDS", 60 * 60 * 24)
CACHE_STATUS_HEADER = "X-Page-Cache"


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


def page_cache_key(request, version: int) -> str:
    # The host is part of the key because pages carry absolute URLs (canonical, Open Graph).
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    return f"osai:page:{code_stamp()}:v{version}:{digest}"


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
        key = page_cache_key(request, current_data_version())
        stored = cache.get(key)
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
        response.headers[CACHE_STATUS_HEADER] = "miss"
        return response

    return cached_view
