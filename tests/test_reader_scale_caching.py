"""Reader paths close to a static file: compressed answers, canonical cache keys, the API's answer
cache and the in-memory front layer of the page cache."""

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curation.public.caching import CACHE_STATUS_HEADER, front_pages


@pytest.fixture(autouse=True)
def fresh_caches(clean_api_cache):
    # The shared conftest starts each test with fresh caches (never flushing a shared Redis).
    front_pages.clear()
    yield
    front_pages.clear()


GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.mark.parametrize(
    "url, kind",
    [
        ("/models/", "text/html"),
        ("/models.csv", "text/csv"),
        ("/models.json", "application/json"),
        ("/api/v1/models/", "application/json"),
        ("/organisations/", "text/html"),
    ],
)
def test_html_json_and_csv_are_gzipped_for_clients_that_accept_it(client, make_ai_model, url, kind):
    for i in range(5):
        make_ai_model(f"Compressed Model {i}")
    plain = client.get(url)
    assert plain.status_code == 200 and plain["Content-Type"].startswith(kind)
    assert "Content-Encoding" not in plain
    for _ in range(2):  # made, then from the cache
        packed = client.get(url, **GZIP)
        assert packed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed["Vary"]
        body = gzip.decompress(packed.content)
        assert len(packed.content) < len(body)
        if kind == "application/json" and "api" in url:
            assert json.loads(body) == json.loads(plain.content)
        else:
            assert body == plain.content


@pytest.mark.parametrize("url", ["/models/", "/organisations/"])
def test_a_page_made_or_read_from_the_shared_cache_is_compressed_once(client, make_ai_model, monkeypatch, url):
    from curation.public import caching

    for i in range(5):
        make_ai_model(f"Once Compressed {i}")
    calls = []
    original = caching.gzip.compress
    monkeypatch.setattr(caching.gzip, "compress", lambda data, **kw: calls.append(len(data)) or original(data, **kw))
    made = client.get(url, **GZIP)
    assert made["Content-Encoding"] == "gzip"
    assert len(calls) == 1  # the page cache's copy, kept by the front layer too
    front_pages.clear()  # another process: the page from the shared cache, into its front layer
    again = client.get(url, **GZIP)
    assert again["Content-Encoding"] == "gzip" and again.content == made.content
    assert len(calls) == 1


def test_a_large_page_is_sent_in_a_fraction_of_its_size(client, make_ai_model):
    for i in range(60):
        make_ai_model(f"Sizable Model {i:02d}")
    plain = client.get("/models/").content
    packed = client.get("/models/", **GZIP).content
    assert len(packed) * 5 < len(plain)


def test_unknown_and_reordered_parameters_make_no_new_cache_entry(client, make_ai_model):
    make_ai_model("Text Model", types="text")
    make_ai_model("Image Model", types="image")
    first = client.get("/models/?type=text&ordering=name")
    assert first[CACHE_STATUS_HEADER] == "miss"
    for url in (
        "/models/?ordering=name&type=text",
        "/models/?type=text&ordering=name&utm_source=x",
        "/models/?junk=1&ordering=name&type=text&other=2",
    ):
        with CaptureQueriesContext(connection) as captured:
            again = client.get(url)
        assert again[CACHE_STATUS_HEADER] == "hit", url
        assert len(captured) == 0, url
        assert again.content == first.content
    assert b"Image Model" not in first.content
    # A parameter the page reads still makes a page of its own.
    assert client.get("/models/?type=image&ordering=name")[CACHE_STATUS_HEADER] == "miss"


def test_dropped_parameters_never_reach_the_page(client, make_ai_model):
    for i in range(30):
        make_ai_model(f"Paged Model {i:02d}")
    page = client.get("/models/?per_page=25&tracking=abc123").content.decode()
    assert "page=2" in page
    assert "abc123" not in page and "tracking" not in page


def test_grade_filters_of_known_dimensions_are_kept(client, make_ai_model):
    make_ai_model("Open Licence", grades={"licenses": "open"})
    make_ai_model("Closed Licence", grades={"licenses": "closed"})
    page = client.get("/models/?grade_licenses=open")
    assert b"Open Licence" in page.content and b"Closed Licence" not in page.content
    # A dimension the site never had is no parameter: the page is the whole index's.
    unknown = client.get("/models/?grade_no_such_dimension=open")
    assert b"Closed Licence" in unknown.content


def test_pages_are_kept_per_colour_scheme(client, make_ai_model):
    make_ai_model("Scheme Model")
    light = client.get("/models/")
    client.cookies["theme"] = "dark"
    dark = client.get("/models/")
    assert dark[CACHE_STATUS_HEADER] == "miss"
    assert dark.content != light.content


def test_the_api_keeps_anonymous_answers_per_address_and_representation(client, make_ai_model):
    make_ai_model("Api Model")
    first = client.get("/api/v1/models/", HTTP_ACCEPT="application/json")
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/api/v1/models/?unknown=1", HTTP_ACCEPT="application/json")
    assert again.status_code == 200
    assert [q["sql"] for q in captured] == []
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert "unknown" not in json.dumps(again.json())
    # Another representation (the browsable API) is not the JSON answer.
    html = client.get("/api/v1/models/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")


def test_the_api_answer_follows_the_data(client, make_ai_model, django_capture_on_commit_callbacks):
    from django.db import transaction

    from curation.datachanges import record_data_change
    from curation.models import AIModel

    model = make_ai_model("Before Rename")
    assert client.get("/api/v1/models/").json()["results"][0]["name"] == "Before Rename"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        AIModel.objects.filter(pk=model.pk).update(name="After Rename")
        record_data_change("rename for test")
    assert client.get("/api/v1/models/").json()["results"][0]["name"] == "After Rename"


def test_the_api_answer_cache_keeps_the_anonymous_limit(client, make_ai_model, settings, clean_api_cache):
    make_ai_model("Limited Model")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    codes = [client.get("/api/v1/models/").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_the_front_layer_answers_with_the_full_stacks_headers(client, make_ai_model):
    make_ai_model("Front Model")
    first = client.get("/models/")
    with CaptureQueriesContext(connection) as captured:
        second = client.get("/models/")
    assert len(captured) == 0
    assert second[CACHE_STATUS_HEADER] == "hit"
    assert second.content == first.content
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "ETag"):
        assert second[header] == first[header], header
    revalidated = client.get("/models/", HTTP_IF_NONE_MATCH=second["ETag"])
    assert revalidated.status_code == 304


def test_signed_in_users_never_get_a_kept_page(client, make_ai_model, django_user_model):
    make_ai_model("Curated Model")
    client.get("/models/")
    client.get("/models/")
    user = django_user_model.objects.create_user("curator", password="x")
    client.force_login(user)
    response = client.get("/models/")
    assert CACHE_STATUS_HEADER not in response


def _unthrottled(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}


def test_without_a_rate_limit_the_front_layer_answers_repeated_api_reads(
    client, make_ai_model, settings, clean_api_cache
):
    make_ai_model("Front Api Model")
    _unthrottled(settings)
    first = client.get("/api/v1/models/", HTTP_ACCEPT="application/json")
    assert first.status_code == 200 and len(front_pages._pages) == 1
    with CaptureQueriesContext(connection) as captured:
        second = client.get("/api/v1/models/", HTTP_ACCEPT="application/json")
    assert [q["sql"] for q in captured] == []
    assert second[CACHE_STATUS_HEADER] == "hit"
    assert second.json() == first.json()
    for header in ("ETag", "Access-Control-Allow-Origin", "Cache-Control", "Content-Type"):
        assert second[header] == first[header], header
    assert (
        client.get("/api/v1/models/", HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
        == 304
    )


def test_while_a_rate_limit_counts_api_reads_the_front_layer_keeps_none(
    client, make_ai_model, settings, clean_api_cache
):
    make_ai_model("Counted Api Model")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100/minute"}}
    for _ in range(3):
        assert client.get("/api/v1/models/", HTTP_ACCEPT="application/json").status_code == 200
    assert len(front_pages._pages) == 0


def test_a_front_proxy_is_told_which_answers_it_may_keep(client, make_ai_model, settings, django_user_model):
    from curation.public.caching import PROXY_CACHE_HEADER

    make_ai_model("Proxy Model")
    assert PROXY_CACHE_HEADER not in client.get("/models/")  # no proxy configured: no header
    settings.OSAI_PROXY_CACHE_SECONDS = 1
    for _ in range(2):  # made, then kept
        assert client.get("/models/")[PROXY_CACHE_HEADER] == "1"
    assert PROXY_CACHE_HEADER not in client.get("/models/?unknown=1")  # not its canonical address
    _unthrottled(settings)
    for _ in range(2):
        api = client.get("/api/v1/models/", HTTP_ACCEPT="application/json")
        # nginx obeys the header only when it comes before the Cache-Control (max-age=0).
        names = [name.lower() for name in api.headers]
        assert names.index(PROXY_CACHE_HEADER.lower()) < names.index("cache-control")
    client.force_login(django_user_model.objects.create_user("proxy-curator", password="x"))
    assert PROXY_CACHE_HEADER not in client.get("/models/")


def test_a_shared_cache_keeps_only_the_gzip_copy_of_a_compressed_page(monkeypatch):
    """With a shared cache, a page's body is not sent to it beside its gzip copy: another process
    makes the body again from the copy, and keeps both in memory."""
    from django.core.cache import cache

    from curation.public import caching

    monkeypatch.setattr(caching, "_uses_local_layer", lambda: True)
    body = ("<p>" + "a row of the index " * 2000 + "</p>").encode()
    stored = caching.stored_answer(body, [("Content-Type", "text/html; charset=utf-8")])
    assert stored[2] is not None and gzip.decompress(stored[2]) == body
    caching.keep_stored("osai:test:shared-copy", stored)
    shared = cache.get("osai:test:shared-copy")
    assert shared[0] is None and shared[2] == stored[2]
    caching.local_pages.clear()  # as another process: nothing in its memory yet
    fetched = caching.fetch_stored("osai:test:shared-copy")
    assert fetched == stored
    assert caching.local_pages.get("osai:test:shared-copy") == stored
    # A body too small to compress is kept as it is.
    small = caching.stored_answer(b"tiny", [])
    caching.keep_stored("osai:test:small", small)
    assert cache.get("osai:test:small") == small
    cache.delete_many(["osai:test:shared-copy", "osai:test:small"])


def test_the_front_layer_answers_a_repeated_read_with_the_headers_of_the_first(client, make_ai_model, settings):
    """The front layer works out the headers of a kept page once per encoding and proxy setting,
    and answers every later read with exactly those (in the same order)."""
    make_ai_model("Headed")

    def headers(response) -> list[tuple[str, str]]:
        return [(name, value) for name, value in response.headers.items() if name != CACHE_STATUS_HEADER]

    for proxy_seconds in (0, 1):
        settings.OSAI_PROXY_CACHE_SECONDS = proxy_seconds
        for encoding in ("gzip", ""):
            first = client.get("/models/", HTTP_ACCEPT_ENCODING=encoding)
            again = client.get("/models/", HTTP_ACCEPT_ENCODING=encoding)
            assert again[CACHE_STATUS_HEADER] == "hit"
            assert headers(again) == headers(first)
            body = gzip.decompress(again.content) if encoding else again.content
            assert b"Headed" in body and again["Content-Length"] == str(len(again.content))
            assert again["ETag"].startswith("W/") == bool(encoding) and "Accept-Encoding" in again["Vary"]
            assert (headers(again)[0][0] == "X-Accel-Expires") == bool(proxy_seconds)


def test_a_kept_page_is_tagged_from_its_gzip_copy_with_one_tag_per_representation(client, make_ai_model, monkeypatch):
    """A page the page cache keeps gets its ETag from the (much smaller) gzip copy, not from a
    hash of the whole body; the same tag on a miss and on a read from the shared cache, weak for
    the gzipped representation; a changed page gets another tag."""
    from curation.public import caching

    for i in range(5):
        make_ai_model(f"Tagged Model {i}")
    hashed = []
    original_md5 = caching.hashlib.md5
    monkeypatch.setattr(
        caching.hashlib, "md5", lambda data=b"", **kw: hashed.append(len(data)) or original_md5(data, **kw)
    )
    made = client.get("/models/?type=text", **GZIP)
    assert made[CACHE_STATUS_HEADER] == "miss"
    stored = caching.stored_answer(gzip.decompress(made.content), [])
    assert made["ETag"] == "W/" + caching.stored_etag(stored)
    assert hashed and max(hashed) == len(stored[2]) < len(stored[0])
    front_pages.clear()  # another process: the page read from the shared cache
    for headers, weak in ((GZIP, True), ({}, False)):
        again = client.get("/models/?type=text", **headers)
        assert again[CACHE_STATUS_HEADER] == "hit"
        assert again["ETag"] == ("W/" if weak else "") + caching.stored_etag(stored)
        front_pages.clear()
        assert client.get("/models/?type=text", HTTP_IF_NONE_MATCH=again["ETag"], **headers).status_code == 304
        front_pages.clear()
    plain = client.get("/models/?type=text&ordering=name")
    assert plain[CACHE_STATUS_HEADER] == "miss" and not plain["ETag"].startswith("W/")
    assert plain["ETag"] != caching.stored_etag(stored)
    assert plain["ETag"] == caching.stored_etag(caching.stored_answer(plain.content, []))
