"""Shared fixtures. Service-bound tests skip locally without the service, but fail in CI.

Set OSAI_REQUIRE_SERVICES=1 (CI does) to turn a missing PostgreSQL, Redis or worker into a
failure instead of a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
SHARED_DATABASE = SHARED_DATA / "main-database"
SHARED_PAGES = SHARED_DATA / "site-pages"
SHARED_CASES = PROJECT_ROOT.parent / "shared" / "cases"
UPSTREAM_CASES = SHARED_CASES / "upstream-fidelity"
HISTORY_BUNDLE = SHARED_DATA / "main-database-history.bundle"

REQUIRE_SERVICES = os.environ.get("OSAI_REQUIRE_SERVICES") == "1"

# Fixtures shared by several test modules, available to every test without importing them (an
# imported fixture is a name a test's argument shadows, which linters rightly flag).
pytest_plugins = [
    "tests.accessibility_fixtures",
    "tests.adoption_fixtures",
    "tests.editorial_fixtures",
    "tests.reader_fixtures",
    "tests.review_fixtures",
]


def pytest_ignore_collect(collection_path, config):
    """tests/host_site runs only in its own site (--ds=tests.host_site.settings), and only it
    runs there: it has its own Celery app, URLconf and templates."""
    in_host_site = os.environ.get("DJANGO_SETTINGS_MODULE") == "tests.host_site.settings"
    if collection_path.is_dir() and collection_path.name == "host_site":
        return not in_host_site
    if in_host_site and collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        return "host_site" not in collection_path.parts
    return None


def _missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_data_version_every_request(settings):
    """Tests change data inside one process and expect the next page to show it; the short-lived
    per-process memo of the data version (a production trade-off) is tested on its own."""
    settings.OSAI_PAGE_VERSION_MEMO_SECONDS = 0


def forget_cached_pages() -> None:
    """Make the next request render afresh: the data version is read again from the database and
    no page or API answer cached before is served. A process-local cache is emptied outright
    (SQLite reuses the ids that name versions after a rollback); a shared Redis cache is never
    flushed, since the broker and other processes share it: a new page-cache generation retires
    what it holds instead. Also empties each process's own layers (the page cache's local and
    front layers, the version memo)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from curation.datachanges import DATA_VERSION_CACHE_KEY
    from curation.public.caching import front_pages, local_pages, retire_cached_pages, version_memo
    from curation.public.leaderboards import PAST_SHARES_KEY, PAST_SHARES_LOCK_KEY
    from curation.public.past_builds import BUILD_LOCK_KEY

    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        cache.clear()
    else:
        cache.delete_many([DATA_VERSION_CACHE_KEY, PAST_SHARES_KEY, PAST_SHARES_LOCK_KEY, BUILD_LOCK_KEY])
        # Tests that record no data change all see data version 0: a new page-cache generation
        # keeps pages and API answers cached by an earlier test from being served to this one.
        retire_cached_pages()
    local_pages.clear()
    front_pages.clear()
    version_memo.clear()


@pytest.fixture(autouse=True)
def _no_cached_state_from_earlier_tests():
    """Each test starts from its own database, so nothing cached by an earlier test may be read
    (see forget_cached_pages)."""
    from django.core.cache import caches

    from curation import receivers

    cache = caches["default"]
    # A broker or cache failure staged by an earlier test does not keep this one uncached.
    receivers._broker_down_until = 0.0
    if hasattr(cache, "_down_until"):
        cache._down_until = 0.0
    forget_cached_pages()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Files a test stores (pictures, renditions, uploads) go to its own folder, never to the
    project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def require_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _missing("DATABASE_URL does not point at PostgreSQL")


@pytest.fixture
def require_redis():
    if not settings.REDIS_URL:
        _missing("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        _missing(f"Redis at {settings.REDIS_URL} does not answer: {exc}")


CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium, headless, with no background traffic (this machine has no internet).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture
def chromium():
    """A Playwright browser on Debian's chromium (never a downloaded browser)."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (install Debian's chromium: apt-get install chromium)")
    from playwright import sync_api as playwright_api  # a test dependency: missing it is an error, not a skip

    # Playwright runs an event loop in this thread; the ORM calls between page steps stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop ran opened connections of their own; close them
        # here, or the test database cannot be dropped at the end of the run.
        from django.db import connections

        connections.close_all()


def save_screenshot(page, name: str) -> None:
    """Keep a full-page screenshot as a test artefact (test-artifacts/NAME.png)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def shared_database():
    if not SHARED_DATABASE.is_dir():
        _missing(f"{SHARED_DATABASE} not found")
    return SHARED_DATABASE


@pytest.fixture
def upstream_cases():
    if not UPSTREAM_CASES.is_dir():
        _missing(f"{UPSTREAM_CASES} not found")
    return UPSTREAM_CASES


@pytest.fixture
def bad_input_cases():
    """../shared/cases/bad-input: inputs the site must refuse or neutralise, one folder each."""
    folder = SHARED_CASES / "bad-input"
    if not folder.is_dir():
        _missing(f"{folder} not found")
    return folder


@pytest.fixture
def shared_pages():
    if not SHARED_PAGES.is_dir():
        _missing(f"{SHARED_PAGES} not found")
    return SHARED_PAGES


@pytest.fixture
def registry(db):
    """The bundled dimension registry, loaded."""
    from curation.registry import load_registry

    load_registry()
    from curation.models import Dimension

    return list(Dimension.objects.select_related("category"))


@pytest.fixture
def make_organisation(db):
    """make(name=None, **fields): an organisation (tests/factories.py: a classified US company)."""
    from tests.factories import OrganisationFactory

    def make(name=None, **fields):
        if name:
            fields["name"] = name
        return OrganisationFactory(**fields)

    return make


@pytest.fixture
def make_ai_model(db, registry, make_organisation):
    """Create a model with grades {dimension_ref: grade}; other dimensions closed. Scores stored."""
    from tests.factories import AIModelFactory

    def make(name=None, grades=None, organisation=None, types="text", **fields):
        if name:
            fields["name"] = name
        return AIModelFactory(organisation=organisation or make_organisation(), grades=grades, types=types, **fields)

    return make


@pytest.fixture
def clean_api_cache():
    """Forget the API's cached state between tests (data version, throttle counters) without
    flushing a Redis database that the broker and other caches share."""
    from django.core.cache import cache

    from curation.datachanges import DATA_VERSION_CACHE_KEY

    def forget():
        cache.delete_many(
            [DATA_VERSION_CACHE_KEY]
            + [f"throttle_{scope}_{address}" for scope in ("anon", "token") for address in ("127.0.0.1", "testserver")]
        )

    forget()
    yield forget
    forget()
