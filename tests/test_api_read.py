"""The public, read-only API: models, organisations, the registry; filters, ordering, cursors."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    # Throttle counters and the cached data version live in the cache; tests start clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def test_model_list_shows_public_models_with_grades_and_scores(api, make_ai_model, make_organisation):
    open_model = make_ai_model("Open One", grades={"weights_basemodel": "open", "licenses": "partial"})
    make_ai_model("Draft Model", is_public=False)
    hidden_org = make_organisation("Hidden Org", is_public=False)
    make_ai_model("Of Hidden Org", organisation=hidden_org)

    response = api.get("/api/v1/models/")

    assert response.status_code == 200, response.content
    names = [m["name"] for m in response.json()["results"]]
    assert names == ["Open One"]
    item = response.json()["results"][0]
    assert item["total_score"] == pytest.approx(open_model.total_score)
    grades = {a["dimension"]: a["grade"] for a in item["assessments"]}
    assert grades["weights_basemodel"] == "open"
    assert grades["licenses"] == "partial"
    assert item["organisation"]["slug"] == open_model.organisation.slug
    assert set(item["category_scores"]) == {"availability", "documentation", "access"}
