"""The API's documentation speaks to API users: no description taken from a base class's or a
mixin's docstring (those describe the code), and its Markdown is rendered."""

from __future__ import annotations

import inspect

import pytest
from rest_framework import views as drf_views

from curation.api import base, conditional, serializers
from curation.api.docs import openapi_schema, operations

pytestmark = pytest.mark.django_db

# Docstrings of the code every API view and serializer is built from.
CODE_DOCSTRINGS = [
    inspect.getdoc(klass)
    for klass in (
        base.ApiViewMixin,
        base.ApiView,
        conditional.ConditionalReadMixin,
        serializers.SiteLinksMixin,
        drf_views.APIView,
    )
]


def test_no_description_is_a_docstring_of_shared_code(registry):
    schema = openapi_schema()
    descriptions = [op["description"] for group in operations(schema) for op in group["operations"]]
    descriptions += [node.get("description", "") for node in schema["components"]["schemas"].values()]
    descriptions += [
        op.get("description", "") for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)
    ]
    leaked = [d for d in descriptions if any(doc and doc.split("\n")[0][:40] in d for doc in CODE_DOCSTRINGS)]
    assert leaked == []
    assert "Mixed into every API view" not in str(schema)


def test_markdown_in_descriptions_renders(client, registry):
    page = client.get("/api/v1/docs/").content.decode()
    assert "<code>ordering</code>" in page
    assert "`ordering`" not in page


def test_the_docs_page_lists_as_of_among_the_models_parameters(client, registry):
    page = client.get("/api/v1/docs/").content.decode()
    section = page[page.index('<section id="models_list"') :]
    assert "<code>as_of</code>" in section[: section.index("</section>")]


def test_the_bare_api_address_leads_to_the_documentation(client):
    response = client.get("/api/")
    assert response.status_code == 302 and response["Location"] == "/api/v1/docs/"
    assert client.get(response["Location"]).status_code == 200


def test_the_browsable_api_carries_the_sites_name_and_fits_a_phone(client, db):
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<a class="navbar-brand" href="/">European Open Source AI Index</a>' in page
    assert 'href="/api/v1/docs/">API documentation</a>' in page
    assert "· API · European Open Source AI Index</title>" in page
