"""Reader pages stay cheap: queries do not grow with the index, and whole pages are cached."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from curation.datachanges import record_data_change
from curation.models import AIModel
from curation.public.caching import CACHE_STATUS_HEADER
from curation.synthetic import populate_synthetic
from tests.conftest import forget_cached_pages


def count_queries(client, url) -> int:
    # Measure the uncached page. On a shared Redis, values cached per data version (not per page
    # generation) may be left from an earlier run: one request first caches them in every case.
    client.get(url)
    forget_cached_pages()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES = [
    "/models/",
    "/models/?view=grid&per_page=100",
    "/models/?type=text&type=code&grade_licenses=open&grade_licenses=closed&ordering=-category_availability",
    "/",
    "/organisations/",
    "/models.csv?performance_class=full",
]


@pytest.mark.slow
def test_query_count_does_not_grow_with_the_index(client, registry):
    populate_synthetic(20, prefix="Small")
    small = {url: count_queries(client, url) for url in PAGES}
    populate_synthetic(1980, prefix="Large", seed=11)
    assert AIModel.objects.count() == 2000
    large = {url: count_queries(client, url) for url in PAGES}
    assert small == large
    # 15 for the richest page, plus the site's menu and footer (one query, then cached with the
    # data) and, on the home page, the look for an editors' home page.
    assert max(small.values()) <= 17


def test_index_and_model_page_queries_and_sizes_do_not_grow_with_the_index(client, registry):
    populate_synthetic(20, prefix="Few")
    slug = AIModel.objects.order_by("pk").values_list("slug", flat=True).first()
    pages = ["/models/", "/models/?q=model&released_from=2000&ordering=-category_availability", f"/models/{slug}/"]
    few = {url: count_queries(client, url) for url in pages}
    model_page = len(client.get(f"/models/{slug}/").content)
    populate_synthetic(40, prefix="More", seed=5)
    assert AIModel.objects.count() == 60
    assert {url: count_queries(client, url) for url in pages} == few
    # The model page lists a bounded number of other models (its compare suggestions, related
    # models), so it does not grow with the index either.
    assert len(client.get(f"/models/{slug}/").content) < model_page * 1.2


def test_detail_page_query_counts_are_fixed(client, registry, make_ai_model, make_organisation):
    organisation = make_organisation("Busy Org")
    first = make_ai_model("First", organisation=organisation, base_model_name="Shared base")
    few = count_queries(client, f"/models/{first.slug}/")
    org_few = count_queries(client, f"/organisations/{organisation.slug}/")
    for i in range(15):
        make_ai_model(f"Sibling {i}", organisation=organisation, base_model_name="Shared base")
    assert count_queries(client, f"/models/{first.slug}/") == few
    assert count_queries(client, f"/organisations/{organisation.slug}/") == org_few
    slugs = ",".join(AIModel.objects.values_list("slug", flat=True)[:2])
    two = count_queries(client, f"/compare/?models={slugs}")
    slugs = ",".join(AIModel.objects.values_list("slug", flat=True)[:6])
    assert count_queries(client, f"/compare/?models={slugs}") == two


def test_anonymous_pages_are_cached_until_the_data_changes(client, make_ai_model, django_capture_on_commit_callbacks):
    model = make_ai_model("Cached Model")
    first = client.get("/models/")
    assert first[CACHE_STATUS_HEADER] == "miss"
    with CaptureQueriesContext(connection) as captured:
        second = client.get("/models/")
    assert second[CACHE_STATUS_HEADER] == "hit"
    assert second.content == first.content
    assert len(captured) == 0
    # A change made through a service-like write (rename + outbox row) shows at once.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        AIModel.objects.filter(pk=model.pk).update(name="Renamed Model")
        record_data_change("rename for test")
    third = client.get("/models/")
    assert third[CACHE_STATUS_HEADER] == "miss"
    assert b"Renamed Model" in third.content and b"Cached Model" not in third.content


def test_query_string_is_part_of_the_cache_key(client, make_ai_model):
    make_ai_model("Text Model", types="text")
    make_ai_model("Image Model", types="image")
    assert b"Image Model" in client.get("/models/").content
    filtered = client.get("/models/?type=text")
    assert filtered[CACHE_STATUS_HEADER] == "miss"
    assert b"Image Model" not in filtered.content


def test_logged_in_users_bypass_the_cache(client, make_ai_model, django_user_model):
    make_ai_model("Some Model")
    client.get("/models/")
    user = django_user_model.objects.create_user("curator", password="x")
    client.force_login(user)
    response = client.get("/models/")
    assert CACHE_STATUS_HEADER not in response


def test_error_responses_are_not_cached(client, make_ai_model):
    slug = make_ai_model("Lonely").slug
    assert client.get(f"/compare/?models={slug}").status_code == 400
    assert client.get(f"/compare/?models={slug}")[CACHE_STATUS_HEADER] == "miss"


def test_csv_download_is_cached_with_its_headers(client, make_ai_model):
    make_ai_model("Csv Model")
    client.get("/models.csv")
    cached = client.get("/models.csv")
    assert cached[CACHE_STATUS_HEADER] == "hit"
    assert cached["Content-Type"].startswith("text/csv")
    assert "attachment" in cached["Content-Disposition"]


@pytest.mark.redis
def test_page_cache_on_redis(client, make_ai_model, require_redis, settings):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    make_ai_model("Redis Model")
    forget_cached_pages()
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "miss"
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "hit"


def test_local_page_layer_is_bounded_and_least_recent_goes_first():
    from curation.public.caching import _LocalPages

    pages = _LocalPages(max_pages=2, max_bytes=10)
    pages.put("a", (b"1234", []))
    pages.put("b", (b"1234", []))
    assert pages.get("a") is not None  # a is now the most recent
    pages.put("c", (b"12", []))  # three pages: b, the least recent, goes
    assert pages.get("b") is None and pages.get("a") and pages.get("c")
    pages.put("d", (b"123456", []))  # 4 + 2 + 6 bytes > 10: a then c go until it fits
    assert pages.get("d") and pages.get("a") is None
    pages.put("huge", (b"x" * 11, []))  # never kept: larger than the whole layer
    assert pages.get("huge") is None


@pytest.mark.redis
def test_clearing_the_shared_cache_retires_local_copies(client, make_ai_model, require_redis, settings):
    from curation.public.caching import _uses_local_layer, version_memo

    version_memo.clear()
    assert _uses_local_layer()
    model = make_ai_model("Layered Model")
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "miss"
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "hit"
    AIModel.objects.filter(pk=model.pk).update(name="Quietly Renamed")  # no data change recorded
    assert b"Layered Model" in client.get("/models/").content  # still the cached page
    forget_cached_pages()
    response = client.get("/models/")
    assert response[CACHE_STATUS_HEADER] == "miss" and b"Quietly Renamed" in response.content


@pytest.mark.redis
def test_version_memo_sees_own_changes_at_once_and_others_after_it_expires(
    client, make_ai_model, require_redis, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache
    from django.db import transaction

    from curation.datachanges import DATA_VERSION_CACHE_KEY, record_data_change
    from curation.public import caching

    settings.OSAI_PAGE_VERSION_MEMO_SECONDS = 30  # the production behaviour, with a long memo
    caching.version_memo.clear()
    make_ai_model("Memo Model")
    forget_cached_pages()
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "miss"
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "hit"

    # A change committed in this process: the next page is fresh at once.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record_data_change("test: own change")
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "miss"

    # A change committed elsewhere only moves the shared version: seen once the memo expires.
    record_data_change("test: another process")
    cache.delete(DATA_VERSION_CACHE_KEY)
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "hit"
    now = caching.time.monotonic()
    monkeypatch.setattr(caching.time, "monotonic", lambda: now + 31)
    assert client.get("/models/")[CACHE_STATUS_HEADER] == "miss"
    caching.version_memo.clear()
