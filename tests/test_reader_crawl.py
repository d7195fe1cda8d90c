"""Crawl the public site as an anonymous reader: every link from the home page and the sitemap,
and every link of the pages those lead to (imported articles included), answers without a 4xx
or 5xx. Runs on the real data: ../shared/data/main-database, then ../shared/data/site-pages."""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders

from curation.editorial.importer import import_pages
from curation.interchange import import_index
from curation.models import AIModel, Post

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

_LINK = re.compile(r"""<(?:a|link|img|source)\b[^>]*?\b(?:href|src)="([^"]+)\"""", re.I)
_LOC = re.compile(r"<loc>([^<]+)</loc>")
BASE = "http://testserver/"
# The admin is not public; static files are served by WhiteNoise from collectstatic's output,
# which tests do not build: they are checked to exist among the app's static files instead.
NOT_CRAWLED = ("/admin/", STATIC_PREFIX := "/static/")


def _internal(url: str, page: str) -> str | None:
    absolute, _ = urldefrag(urljoin(BASE + page.lstrip("/"), unescape(url)))
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _final(client, address: str):
    response = client.get(address)
    hops = 0
    while response.status_code in (301, 302, 303, 307, 308) and hops < 5:
        response = client.get(response["Location"])
        hops += 1
    return response


def test_every_public_link_answers(client, registry, shared_database, shared_pages):
    import_index(shared_database)
    import_pages(shared_pages)
    sitemap = client.get("/sitemap.xml").content.decode()
    start = ["/"] + [_internal(loc, "/") for loc in _LOC.findall(sitemap)]
    assert len(start) > AIModel.objects.public().count()

    seen: set[str] = set()
    failures: dict[str, tuple[int, str]] = {}
    queue = deque((address, "sitemap" if i else "start") for i, address in enumerate(start))
    crawled_articles = 0
    while queue:
        address, found_on = queue.popleft()
        if address in seen:
            continue
        seen.add(address)
        if address.startswith(STATIC_PREFIX):
            if not finders.find(urlsplit(address).path[len(STATIC_PREFIX) :]):
                failures[address] = (404, found_on)
            continue
        if address.startswith(NOT_CRAWLED):
            continue
        response = _final(client, address)
        if response.status_code >= 400:
            failures[address] = (response.status_code, found_on)
            continue
        content_type = response.get("Content-Type", "")
        # Follow the links of pages without a query: filtered and sorted variants of the index
        # are checked themselves, but their own links are the same pages again.
        if "?" in address or not content_type.startswith("text/html") or getattr(response, "streaming", False):
            continue
        if address.startswith(("/news/", "/guides/")) and address.count("/") == 3:
            crawled_articles += 1
        for url in _LINK.findall(response.content.decode()):
            target = _internal(url, address)
            if target and target not in seen:
                queue.append((target, address))

    assert failures == {}, repr(failures)
    published_articles = Post.objects.public().exclude(kind="page").count()
    assert crawled_articles == published_articles > 10
    print(f"crawled {len(seen)} addresses")
    assert len(seen) > 500
