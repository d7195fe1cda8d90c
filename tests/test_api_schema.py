"""Schemathesis against the API's own OpenAPI schema: no 5xx and no response outside the schema.

Runs every operation of the schema through the Django WSGI application, anonymously and with
a reviewer's token, on a small index with a pending change request, and applies schemathesis'
conformance checks to every response. Example counts stay small so the run takes seconds.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.django_db]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def wsgi_app(settings, clean_api_cache):
    # Like Django's test client: keep the test's connection (and transaction) across requests.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def index_with_queue(make_ai_model, django_user_model, settings, tmp_path, monkeypatch):
    from curation import roles
    from curation.charts import publish
    from curation.datachanges import record_data_change
    from curation.review import services

    roles.ensure_roles()
    curator = django_user_model.objects.create_user("curator-s", password="x")
    curator.groups.add(roles_group(roles.CURATOR))
    reviewer = django_user_model.objects.create_user("reviewer-s", password="x")
    reviewer.groups.add(roles_group(roles.REVIEWER))
    model = make_ai_model("Schema Model", grades={"licenses": "open"})
    make_ai_model("Second Model")
    proposal = services.propose(model, "performance_class", "latest", user=curator, rationale="Top of the charts")
    # One published chart, so chart responses are checked on a real rendering too.
    settings.MEDIA_ROOT = tmp_path / "media"
    full = publish.catalogue
    monkeypatch.setattr(publish, "catalogue", lambda: {k: v for k, v in full().items() if k == "academic-share"})
    record_data_change("schema test index")
    publish.regenerate(trigger="test")
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=reviewer).key, proposal.pk


def roles_group(name):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name)


# Path values that exist in the fixture index, so detail endpoints are checked on real objects
# and not only on generated (missing) ones.
KNOWN_PATH_VALUES = {"slug": "schema-model", "ref": "licenses", "key": "academic-share", "id": None}


def _run(schema, headers=None, methods=("GET", "POST"), known=None):
    """Check every operation; returns {(method, path): set of status codes seen}."""
    seen: dict[tuple[str, str], set[int]] = {}
    known = {**KNOWN_PATH_VALUES, **(known or {})}
    # The WSGI transport hands over the body as sent and does not undo gzip as an HTTP client
    # does: ask for the uncompressed body (compression has its own tests).
    headers = {**(headers or {}), "Accept-Encoding": "identity"}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in methods:
            continue
        statuses = seen.setdefault((operation.method.upper(), operation.path), set())
        names = [p.name for p in operation.path_parameters]
        if all(known.get(name) is not None for name in names) and operation.method.upper() == "GET":
            case = operation.Case(path_parameters={name: known[name] for name in names})
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            case.validate_response(response, checks=CHECKS, headers=headers)

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        def check(case):
            response = case.call(headers=headers)
            statuses.add(response.status_code)  # noqa: B023 - check() runs at once, in this iteration
            case.validate_response(response, checks=CHECKS, headers=headers)

        check()
    return seen


def test_public_endpoints_conform_to_the_schema(wsgi_app, index_with_queue):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)

    seen = _run(schema, methods=("GET",))

    assert len(seen) >= 14
    for path in (
        "/api/v1/models/",
        "/api/v1/models/{slug}/",
        "/api/v1/organisations/",
        "/api/v1/dimensions/{ref}/",
        "/api/v1/categories/",
        "/api/v1/posts/",
        "/api/v1/charts/",
        "/api/v1/charts/{key}/",
        "/api/v1/models/{slug}/changelog/",
    ):
        assert 200 in seen[("GET", path)], (path, seen[("GET", path)])
    assert seen[("GET", "/api/v1/change-requests/")] == {401}


def test_authenticated_endpoints_conform_to_the_schema(wsgi_app, index_with_queue):
    token, proposal_id = index_with_queue
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)

    seen = _run(schema, headers={"Authorization": f"Token {token}"}, known={"id": proposal_id})

    assert len(seen) >= 20
    assert 200 in seen[("GET", "/api/v1/change-requests/")]
    assert 200 in seen[("GET", "/api/v1/change-requests/{id}/")]
    # Generated proposals are almost all invalid; what matters is that none of them is a 5xx.
    assert seen[("POST", "/api/v1/change-requests/")] <= {201, 400, 403, 409}
