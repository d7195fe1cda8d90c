"""Validators on every read (ETag, Last-Modified), 304 answers, and the anonymous throttle."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils.http import http_date
from rest_framework.test import APIClient

from curation.datachanges import DATA_VERSION_CACHE_KEY, record_data_change

pytestmark = pytest.mark.django_db

READ_URLS = [
    "/api/v1/models/",
    "/api/v1/models/etag-model/",
    "/api/v1/models/etag-model/changelog/",
    "/api/v1/organisations/",
    "/api/v1/dimensions/",
    "/api/v1/dimensions/licenses/",
    "/api/v1/categories/",
    "/api/v1/posts/",
    "/api/v1/charts/",
    "/api/v1/schema/",
    "/api/v1/",
]


@pytest.fixture(autouse=True)
def fresh_cache(clean_api_cache):
    return clean_api_cache


@pytest.fixture
def api():
    return APIClient()


def _change_data(reason="edited"):
    record_data_change(reason)
    # The test's transaction never commits: forget the cached version as the commit hook would
    # (without also regenerating every chart, which the commit hook requests too).
    cache.delete(DATA_VERSION_CACHE_KEY)


@pytest.fixture
def index(make_ai_model):
    model = make_ai_model("ETag Model")
    _change_data("test index loaded")
    return model


@pytest.mark.parametrize("url", READ_URLS)
def test_every_read_has_validators_and_answers_304(api, index, url):
    first = api.get(url)
    assert first.status_code == 200, first.content
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]

    again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_data_change_changes_the_etag(api, index):
    first = api.get("/api/v1/models/")

    _change_data()
    after = api.get("/api/v1/models/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]


def test_etags_differ_by_path_representation_and_user(api, index, django_user_model):
    plain = api.get("/api/v1/models/")["ETag"]
    assert api.get("/api/v1/models/?type=text")["ETag"] != plain
    assert api.get("/api/v1/models/", HTTP_ACCEPT="text/html")["ETag"] != plain
    api.force_authenticate(django_user_model.objects.create_user("reader"))
    response = api.get("/api/v1/models/")
    assert response["ETag"] != plain
    assert response["Cache-Control"].startswith("private")


def test_if_modified_since(api, index):
    first = api.get("/api/v1/organisations/")
    last_modified = first["Last-Modified"]

    assert api.get("/api/v1/organisations/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert api.get("/api/v1/organisations/", HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200
    # If-None-Match wins over If-Modified-Since.
    assert (
        api.get(
            "/api/v1/organisations/", HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=last_modified
        ).status_code
        == 200
    )


def test_review_queue_etag_moves_with_the_queue(api, index):
    from curation import roles
    from curation.review import services
    from tests.factories import UserFactory

    curator = UserFactory(username="queue-curator", role=roles.CURATOR)
    api.force_authenticate(curator)
    first = api.get("/api/v1/change-requests/")

    services.propose(index, "performance_class", "full", user=curator, rationale="Measured")
    after = api.get("/api/v1/change-requests/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert len(after.json()["results"]) == 1


def test_anonymous_clients_are_throttled_with_a_clear_message(api, index, settings, django_user_model):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}

    statuses = [api.get("/api/v1/dimensions/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = api.get("/api/v1/dimensions/")
    assert refused.status_code == 429
    body = refused.json()
    assert "3 requests per minute" in body["message"]
    assert "token" in body["message"]
    assert 0 < body["retry_after"] <= 60
    assert int(refused["Retry-After"]) == body["retry_after"]

    api.force_authenticate(django_user_model.objects.create_user("scripted"))
    assert api.get("/api/v1/dimensions/").status_code == 200


def test_public_reads_may_be_used_by_other_sites_but_not_the_queue(api, index, django_user_model):
    public = api.get("/api/v1/models/", HTTP_ORIGIN="https://newsroom.example")
    assert public["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in public["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in public

    api.force_authenticate(django_user_model.objects.create_user("queue-reader", is_superuser=True))
    queue = api.get("/api/v1/change-requests/", HTTP_ORIGIN="https://newsroom.example")
    assert queue.status_code == 200
    assert "Access-Control-Allow-Origin" not in queue
