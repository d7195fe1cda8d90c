"""Bad HTTP input is a clear 400/404/413 with a JSON or HTML message, never a 500; downloads
refuse invalid filters; conditional requests never turn an error into a 304."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from rest_framework.test import APIClient

from curation.api.parsers import MAX_DEPTH
from curation.datachanges import DATA_VERSION_CACHE_KEY, record_data_change
from curation.models import ChangeRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache(clean_api_cache):
    return clean_api_cache


# --- NUL characters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/models/%00/",
        "/models/a%00b/",
        "/organisations/%00/",
        "/news/%00/",
        "/api/v1/models/%00/",
        "/models/?q=%00",
        "/models/?q=a%00b",
        "/models/?%00=1",
        "/organisations/?q=%00",
        "/models.csv?organisation=%00",
        "/models.json?base_model=%00",
        "/api/v1/models/?q=%00",
        "/api/v1/organisations/?q=x%00",
        "/compare/?models=a%00,b",
        "/news/?tag=%00",
        "/charts/academic-share.json?v=%00",
    ],
)
def test_nul_characters_in_paths_and_parameters_are_a_400(client, graded_model, url):
    response = client.get(url)

    assert response.status_code == 400
    body = response.content.decode()
    assert "NUL character" in body
    if url.startswith("/api/"):
        assert response.json()["message"].startswith("The address contains a NUL character")
    else:
        assert "<h1>Bad request</h1>" in body


def test_nul_characters_in_json_bodies_are_refused(people, graded_model):
    api = APIClient()
    api.force_authenticate(people.curator)
    body = {
        "target_type": "model",
        "target": graded_model.slug,
        "field": "assessment:weights_endmodel",
        "after": {"grade": "open", "links": ["https://example.org/"], "notes": "a\x00b"},
        "rationale": "r",
        "evidence_link": "https://example.org/",
    }

    response = api.post("/api/v1/change-requests/", json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert "NUL" in response.json()["message"]
    assert not ChangeRequest.objects.exists()


# --- dates out of range, invalid filters on downloads --------------------------------------------


@pytest.mark.parametrize("as_of", ["9999-12-31", "9999-12-30", "2999-01-01"])
def test_dates_out_of_range_are_explained(client, graded_model, as_of):
    page = client.get(f"/models/?as_of={as_of}")
    assert page.status_code == 400  # today's index is shown with the reason, as a 400
    assert "in the future" in page.content.decode()

    csv_response = client.get(f"/models.csv?as_of={as_of}")
    assert csv_response.status_code == 400 and b"as_of" in csv_response.content

    json_response = client.get(f"/models.json?as_of={as_of}")
    assert json_response.status_code == 400 and json_response.json()["field"] == "as_of"


@pytest.mark.parametrize("query", ["released_from=9999-12-31", "released_to=0000-01-01", "released_from=99999"])
def test_release_periods_out_of_range_never_fail(client, graded_model, query):
    assert client.get(f"/models/?{query}").status_code == 200
    assert client.get(f"/api/v1/models/?{query}").status_code in (200, 400)


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("type=bogus", "type"),
        ("performance_class=nope", "performance_class"),
        ("released_from=soon", "released_from"),
        ("grade_licenses=maybe", "grade_licenses"),
        ("ordering=-nothing", "ordering"),
    ],
)
def test_downloads_refuse_invalid_filter_values_naming_the_parameter(client, graded_model, query, parameter):
    """Before: an invalid value was dropped and the whole index was served."""
    csv_response = client.get(f"/models.csv?{query}")
    assert csv_response.status_code == 400
    assert csv_response.content.decode().startswith(f"{parameter}:")

    json_response = client.get(f"/models.json?{query}")
    assert json_response.status_code == 400
    assert json_response.json()["field"] == parameter

    api_response = client.get(f"/api/v1/models/?{query}")
    assert api_response.status_code == 400 and api_response.json()["field"] == parameter


def test_valid_filters_still_download(client, graded_model):
    assert client.get("/models.csv?type=text").status_code == 200
    assert json.loads(client.get("/models.json?type=text").content)["count"] == 1


# --- JSON bodies: depth, types, size -------------------------------------------------------------


def _proposal(people):
    api = APIClient()
    api.force_authenticate(people.curator)
    return api


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000, 100_000])
def test_deeply_nested_json_is_a_400(people, graded_model, depth):
    body = '{"after": ' + "[" * depth + "]" * depth + "}"

    response = _proposal(people).post("/api/v1/change-requests/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["message"]


def test_an_oversized_body_is_a_413(people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"rationale": "x" * 20_000})

    response = _proposal(people).post("/api/v1/change-requests/", body, content_type="application/json")

    assert response.status_code == 413
    assert "at most 10000" in response.json()["message"]


def test_an_oversized_token_request_is_a_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = APIClient().post("/api/v1/auth/token/", {"username": "x" * 2000, "password": "y"}, format="json")
    assert response.status_code == 413


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
FIELDS = [
    "performance_class",
    "types",
    "organisation",
    "is_public",
    "assessment:weights_endmodel",
    "national_origin",
    "contributor_type",
    "nope",
]


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target_type=st.sampled_from(["model", "organisation"]) | JSON_VALUES,
    field=st.sampled_from(FIELDS) | JSON_VALUES,
    after=JSON_VALUES,
    rationale=st.sampled_from(["Because"]) | JSON_VALUES,
    evidence=st.sampled_from(["https://example.org/", ""]) | JSON_VALUES,
)
def test_wrong_json_types_are_a_400_never_a_500(people, graded_model, target_type, field, after, rationale, evidence):
    body = {
        "target_type": target_type,
        "target": graded_model.slug,
        "field": field,
        "after": after,
        "rationale": rationale,
        "evidence_link": evidence,
    }

    response = _proposal(people).post("/api/v1/change-requests/", body, format="json")

    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()["message"]


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON_VALUES)
def test_any_json_document_anywhere_is_never_a_500(people, graded_model, body):
    api = _proposal(people)
    for url in ("/api/v1/change-requests/", "/api/v1/auth/token/", "/api/v1/change-requests/1/approve/"):
        response = api.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (url, response.content)


# --- conditional requests ------------------------------------------------------------------------


def _data_changed():
    record_data_change("test")
    cache.delete(DATA_VERSION_CACHE_KEY)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/models/no-such-model/",
        "/api/v1/organisations/nothing/",
        "/api/v1/change-requests/999/",
        "/api/v1/models/?type=bogus",
        "/api/v1/charts/no-chart/",
        "/models/no-such-model/",
        "/charts/nothing.svg",
    ],
)
@pytest.mark.parametrize(
    "headers", [{"HTTP_IF_NONE_MATCH": "*"}, {"HTTP_IF_MODIFIED_SINCE": "Fri, 31 Dec 9999 23:59:59 GMT"}]
)
def test_an_error_is_never_answered_304(client, graded_model, url, headers):
    """Before: the API answered 304 to `If-None-Match: *` before finding out the model did not exist."""
    _data_changed()

    response = client.get(url, **headers)

    assert response.status_code in (400, 401, 403, 404)


def test_existing_resources_still_answer_304(client, graded_model):
    _data_changed()
    url = f"/api/v1/models/{graded_model.slug}/"
    first = client.get(url)
    assert first.status_code == 200

    assert client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_public_pages_revalidate_with_etags(client, graded_model):
    first = client.get(f"/models/{graded_model.slug}/")
    assert first.status_code == 200 and first.has_header("ETag")

    again = client.get(f"/models/{graded_model.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_unknown_api_addresses_answer_json(client):
    response = client.get("/api/v1/no-such-collection/")
    assert response.status_code == 404
    assert response.json()["message"].startswith("Not found")
