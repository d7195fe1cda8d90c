"""The public, read-only API: models, organisations, the registry, posts and changelogs;
the shared filters, ordering, cursor pages and JSON errors."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from curation.scoring import as_percent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache(clean_api_cache):
    # Throttle counters and the cached data version live in the cache; tests start clean.
    return clean_api_cache


@pytest.fixture
def api():
    return APIClient()


def _names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_model_list_shows_only_public_models_with_grades_and_scores(api, make_ai_model, make_organisation):
    shown = make_ai_model("Open One", grades={"weights_basemodel": "open", "licenses": "partial"})
    make_ai_model("Draft Model", is_public=False)
    make_ai_model("Of Hidden Org", organisation=make_organisation("Hidden Org", is_public=False))

    response = api.get("/api/v1/models/")

    assert _names(response) == ["Open One"]
    item = response.json()["results"][0]
    assert item["total_score"] == pytest.approx(shown.total_score)
    assert item["openness_percent"] == as_percent(shown.total_score)
    assert shown.total_score == 0.125 and item["openness_percent"] == 13  # half up, as upstream
    grades = {a["dimension"]: a["grade"] for a in item["assessments"]}
    assert grades["weights_basemodel"] == "open"
    assert grades["licenses"] == "partial"
    assert grades["datasources_basemodel"] == "closed"
    assert item["organisation"]["slug"] == shown.organisation.slug
    assert set(item["category_scores"]) == {"availability", "documentation", "access"}
    assert item["category_scores"]["access"] == pytest.approx(0.5)
    assert item["types"] == ["text"]
    assert item["url"].endswith("/api/v1/models/open-one/")


def test_applicability_follows_the_model_types(api, registry, make_ai_model):
    model = make_ai_model("Image Model", types="image")
    by_ref = {d.ref: d for d in registry if d.is_active}

    item = api.get(f"/api/v1/models/{model.slug}/").json()

    for assessment in item["assessments"]:
        dimension = by_ref[assessment["dimension"]]
        assert assessment["applies"] == ("image" in dimension.applicable_type_list)


def test_drafts_are_not_found_by_slug(api, make_ai_model):
    draft = make_ai_model("Secret Draft", is_public=False)

    response = api.get(f"/api/v1/models/{draft.slug}/")

    assert response.status_code == 404
    assert response.json()["message"]
    assert api.get(f"/api/v1/models/{draft.slug}/changelog/").status_code == 404


def test_filters_are_the_public_index_filters(api, make_ai_model, make_organisation):
    academic = make_organisation("Uni", sector="academic", country="FR", region="europe")
    make_ai_model("Alpha Text", types="text", grades={"licenses": "open"}, organisation=academic)
    make_ai_model("Beta Image", types="image", performance_class="latest")
    make_ai_model("Gamma Code", types="code,text", grades={"licenses": "partial"})

    assert sorted(_names(api.get("/api/v1/models/?type=text"))) == ["Alpha Text", "Gamma Code"]
    assert _names(api.get("/api/v1/models/?performance_class=latest")) == ["Beta Image"]
    assert _names(api.get("/api/v1/models/?grade_licenses=open")) == ["Alpha Text"]
    assert sorted(_names(api.get("/api/v1/models/?grade_licenses=open&grade_licenses=partial"))) == [
        "Alpha Text",
        "Gamma Code",
    ]
    assert _names(api.get("/api/v1/models/?sector=academic")) == ["Alpha Text"]
    assert _names(api.get("/api/v1/models/?q=gamma")) == ["Gamma Code"]
    assert _names(api.get(f"/api/v1/models/?organisation={academic.slug}")) == ["Alpha Text"]


def test_the_api_and_the_filterset_agree_on_every_query(api, make_ai_model):
    from django.http import QueryDict

    from curation.filters import AIModelFilter
    from curation.models import AIModel

    for i in range(6):
        make_ai_model(
            f"Model {i}",
            types=["text", "image", "code"][i % 3],
            grades={"licenses": ["open", "partial", "closed"][i % 3]},
        )
    for query in [
        "type=image",
        "grade_licenses=partial",
        "ordering=-name",
        "ordering=category_access",
        "q=model 1",
        "ordering=released",
    ]:
        expected = list(AIModelFilter(QueryDict(query), AIModel.objects.public()).qs.values_list("name", flat=True))
        assert _names(api.get(f"/api/v1/models/?{query}&page_size=100")) == expected, query


def test_default_order_is_the_index_order_and_ordering_is_shared(api, make_ai_model):
    make_ai_model("b-low", grades={})
    make_ai_model("A-high", grades={"licenses": "open", "weights_basemodel": "open"})
    make_ai_model("a-mid", grades={"licenses": "open"})
    make_ai_model("C-mid", grades={"weights_basemodel": "open"})

    assert _names(api.get("/api/v1/models/")) == ["A-high", "a-mid", "C-mid", "b-low"]
    assert _names(api.get("/api/v1/models/?ordering=name")) == ["A-high", "a-mid", "b-low", "C-mid"]
    assert _names(api.get("/api/v1/models/?ordering=-name")) == ["C-mid", "b-low", "a-mid", "A-high"]


def test_invalid_filter_values_say_what_is_expected(api, registry):
    response = api.get("/api/v1/models/?type=hologram")

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "type"
    assert "hologram" in body["message"]
    assert "Expected one of: text, image, code, video, audio" in body["message"]

    response = api.get("/api/v1/models/?ordering=popularity")
    assert response.status_code == 400 and response.json()["field"] == "ordering"

    response = api.get("/api/v1/models/?released_from=last-year")
    assert response.status_code == 400
    assert response.json()["field"] == "released_from"
    assert "YYYY" in response.json()["message"]


def _walk(api, url):
    pages, items = 0, []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        items += [m["slug"] for m in response.json()["results"]]
        url = response.json()["next"]
        pages += 1
    return pages, items


@pytest.mark.parametrize("ordering", ["", "-total", "name", "-released", "category_availability", "dimension_licenses"])
def test_cursor_pages_cover_every_model_once_in_order(api, make_ai_model, ordering):
    import datetime

    for i in range(11):
        # Many equal scores and release dates, and some missing dates: ties and NULLs on every page.
        make_ai_model(
            f"Paged {i:02d}",
            grades={"licenses": "open"} if i % 3 == 0 else {},
            release_date=datetime.date(2024, 1 + i % 2, 1) if i % 4 else None,
        )
    query = f"ordering={ordering}&" if ordering else ""
    everything = [m["slug"] for m in api.get(f"/api/v1/models/?{query}page_size=100").json()["results"]]

    pages, walked = _walk(api, f"/api/v1/models/?{query}page_size=3")

    assert pages == 4
    assert walked == everything
    assert len(set(walked)) == 11


def test_previous_links_walk_back_the_same_pages(api, make_ai_model):
    for i in range(7):
        make_ai_model(f"Back {i}", grades={"licenses": "open"} if i % 2 else {})
    first = api.get("/api/v1/models/?page_size=3").json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    assert third["next"] is None and first["previous"] is None

    back_to_second = api.get(third["previous"]).json()
    back_to_first = api.get(back_to_second["previous"]).json()

    assert [m["slug"] for m in back_to_second["results"]] == [m["slug"] for m in second["results"]]
    assert [m["slug"] for m in back_to_first["results"]] == [m["slug"] for m in first["results"]]


def test_cursor_pages_are_stable_when_models_are_added(api, make_ai_model):
    for i in range(4):
        make_ai_model(f"Stable {i}", grades={"licenses": "open"} if i < 2 else {})
    first = api.get("/api/v1/models/?page_size=2").json()
    make_ai_model("Newcomer At The Top", grades={"licenses": "open", "weights_basemodel": "open"})

    second = api.get(first["next"]).json()

    assert [m["name"] for m in second["results"]] == ["Stable 2", "Stable 3"]


def test_page_size_is_bounded_and_checked(api, make_ai_model):
    make_ai_model("Only One")

    assert api.get("/api/v1/models/?page_size=1000").status_code == 200
    response = api.get("/api/v1/models/?page_size=0")
    assert response.status_code == 400
    assert response.json()["field"] == "page_size"
    assert "1 to 100" in response.json()["message"]


def test_forged_or_foreign_cursors_are_refused(api, make_ai_model):
    for i in range(3):
        make_ai_model(f"Cursor {i}")
    next_link = api.get("/api/v1/models/?page_size=1").json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]

    assert api.get("/api/v1/models/?cursor=not-a-cursor").status_code == 404
    assert api.get(f"/api/v1/models/?cursor={cursor[:-3]}abc").status_code == 404
    # A cursor made for one ordering is not valid for another.
    response = api.get(f"/api/v1/models/?cursor={cursor}&ordering=name")
    assert response.status_code == 404
    assert "next" in response.json()["message"]


def test_organisations_list_detail_and_filters(api, make_ai_model, make_organisation):
    academic = make_organisation("Academia", sector="academic", country="DE")
    company = make_organisation("Company", country="CN", big_tech_bloc="chinese_big_tech")
    make_organisation("Hidden", is_public=False)
    make_ai_model("A1", organisation=academic)
    make_ai_model("A2", organisation=academic)
    make_ai_model("Draft", organisation=academic, is_public=False)

    listing = api.get("/api/v1/organisations/").json()["results"]
    assert [o["name"] for o in listing] == ["Academia", "Company"]
    assert listing[0]["model_count"] == 2
    assert listing[0]["region"] == "europe"
    assert listing[0]["country"] == "DE"
    assert _names(api.get("/api/v1/organisations/?bloc=chinese_big_tech")) == ["Company"]
    assert _names(api.get("/api/v1/organisations/?ordering=-models")) == ["Academia", "Company"]

    detail = api.get(f"/api/v1/organisations/{academic.slug}/").json()
    assert sorted(m["name"] for m in detail["models"]) == ["A1", "A2"]
    assert api.get(f"/api/v1/organisations/{company.slug}/").json()["models"] == []
    assert api.get("/api/v1/organisations/hidden/").status_code == 404


def test_registry_endpoints_come_from_the_registry(api, registry):
    dimensions = api.get("/api/v1/dimensions/").json()
    assert [d["ref"] for d in dimensions] == [d.ref for d in registry]

    licences = api.get("/api/v1/dimensions/licenses/").json()
    assert licences["category"] == "access"
    assert set(licences["criteria"]) == {"open", "partial", "closed"}

    categories = api.get("/api/v1/categories/").json()
    assert [c["ref"] for c in categories] == ["availability", "documentation", "access"]
    assert sum(len(c["dimensions"]) for c in categories) == len(registry)


def test_changelog_is_public_without_private_comments(api, make_ai_model):
    from curation import roles
    from curation.review import services
    from tests.factories import UserFactory

    curator = UserFactory(username="cur", role=roles.CURATOR)
    reviewer = UserFactory(username="rev", role=roles.REVIEWER)
    model = make_ai_model("Logged")
    proposal = services.propose(model, "performance_class", "latest", user=curator, rationale="Benchmarks say so")
    services.approve(proposal, reviewer, comment="PRIVATE: double-checked with the lab by phone")

    response = api.get(f"/api/v1/models/{model.slug}/changelog/")

    assert response.status_code == 200
    [entry] = response.json()
    assert entry["field"] == "performance_class"
    assert entry["after"] == "Latest"
    assert entry["rationale"] == "Benchmarks say so"
    assert entry["source"] == "review"
    assert "PRIVATE" not in response.content.decode()
    assert "rev" not in entry.values() and "cur" not in entry.values()


def test_posts_are_published_only(api):
    from curation.models import Post, PostStatus

    Post.objects.create(kind="news", slug="out", title="Out now", body="Hello **world**", status=PostStatus.PUBLISHED)
    Post.objects.create(kind="news", slug="draft", title="Not yet", body="secret", status=PostStatus.DRAFT)
    Post.objects.create(kind="guide", slug="how", title="How to", body="Guide", status=PostStatus.SCHEDULED)

    listing = api.get("/api/v1/posts/").json()["results"]
    assert [p["title"] for p in listing] == ["Out now"]
    published = listing[0]
    detail = api.get(f"/api/v1/posts/{published['id']}/").json()
    assert "<strong>world</strong>" in detail["body_html"]
    draft = Post.objects.get(slug="draft")
    assert api.get(f"/api/v1/posts/{draft.pk}/").status_code == 404
    assert api.get("/api/v1/posts/?kind=guide").json()["results"] == []


def test_errors_are_json_with_message_and_field(api, registry):
    response = api.get("/api/v1/models/no-such-model/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) >= {"message", "field"}

    response = api.post("/api/v1/models/", {})
    assert response.status_code in (401, 403, 405)
    assert response.json()["message"]


def test_docs_page_is_plain_html_from_the_schema(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    docs = html[html.index('<article class="api-docs">') : html.index("</article>")]
    assert "GET /api/v1/models/" in docs
    assert "POST /api/v1/change-requests/{id}/approve/" in docs
    assert "grade_&lt;dimension ref&gt;" in docs  # registry-driven filters are documented too
    assert "<script" not in docs and "//cdn" not in html
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")


def test_model_representation_matches_its_declared_fields(api, make_ai_model):
    """The model serializer builds its dict directly for speed; it must say what the schema says."""
    from curation.api.serializers import AIModelSerializer, OrganisationSummarySerializer
    from curation.models import AIModel

    model = make_ai_model(
        "Declared", release_date=__import__("datetime").date(2024, 5, 1), release_date_precision="month"
    )
    item = api.get(f"/api/v1/models/{model.slug}/").json()

    assert list(item) == list(AIModelSerializer.Meta.fields)
    assert list(item["organisation"]) == list(OrganisationSummarySerializer.Meta.fields)
    assert item["release_date"] == "2024-05-01" and item["release"] == "2024-05"
    assert item["updated_at"].endswith("Z") or "+" in item["updated_at"]
    assert api.get(item["organisation"]["url"]).status_code == 200
    assert AIModel.objects.get(slug=model.slug).name == item["name"]


def test_unexpected_failures_answer_json_too(api, registry, monkeypatch, caplog):
    from curation.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "attach_grades_and_scores", broken)

    response = api.get("/api/v1/models/")

    assert response.status_code == 500
    assert response.json()["message"].startswith("The server failed")
    assert "disk on fire" not in response.content.decode()
    assert "disk on fire" in caplog.text
