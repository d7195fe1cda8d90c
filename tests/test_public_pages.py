"""Reader pages: what they show, what they hide, how they react to bad input."""

import csv
import datetime
import io
import json
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.test import override_settings

from curation import vocab
from curation.models import Assessment, Dimension, HistoryEntry


@pytest.fixture
def catalogue(make_ai_model, make_organisation, registry):
    uni = make_organisation(
        "Uni Amsterdam", sector=vocab.Sector.ACADEMIC, country="NL", contributor_kind=vocab.ContributorKind.UNIVERSITY
    )
    tiger = make_organisation("Tiger Lab", country="CN", big_tech_bloc=vocab.BigTechBloc.CHINESE_AI_TIGER)
    hidden_org = make_organisation("Hidden Org", is_public=False)
    active = [d.ref for d in registry if d.is_active]
    olmo = make_ai_model(
        "OLMo",
        grades=dict.fromkeys(active, "open"),
        organisation=uni,
        performance_class="full",
        base_model_name="OLMo base",
        link="https://example.org/olmo",
        release_date=datetime.date(2024, 2, 1),
        release_date_precision="month",
    )
    qwen = make_ai_model(
        "Qwen",
        grades={"weights_basemodel": "open", "licenses": "partial"},
        organisation=tiger,
        types="text,code",
        performance_class="latest",
        base_model_name="Qwen base",
        link="https://example.org/qwen",
    )
    qwen_chat = make_ai_model(
        "Qwen Chat",
        grades={"weights_basemodel": "open"},
        organisation=tiger,
        performance_class="latest",
        base_model_name="Qwen base",
    )
    draft = make_ai_model("Secret Draft", grades=dict.fromkeys(active, "open"), organisation=uni, is_public=False)
    hidden = make_ai_model("Hidden Org Model", organisation=hidden_org)
    # Qwen's base-model data is not assessed yet; OLMo's end-model weights carry evidence.
    Assessment.objects.filter(ai_model=qwen, dimension__ref="datasources_basemodel").update(
        grade=vocab.Grade.NOT_ASSESSED,
        links=["https://example.org/qwen-data"],
        notes="Data card promised.",
    )
    Assessment.objects.filter(ai_model=olmo, dimension__ref="weights_endmodel").update(
        links=["https://example.org/olmo-weights"],
        notes="All checkpoints on the hub.",
    )
    return {
        "olmo": olmo,
        "qwen": qwen,
        "qwen_chat": qwen_chat,
        "draft": draft,
        "hidden": hidden,
        "uni": uni,
        "tiger": tiger,
        "hidden_org": hidden_org,
    }


def text(response) -> str:
    return response.content.decode()


def row_names(response) -> list[str]:
    return re.findall(r'<th scope="row"><a class="model-name" href="[^"]+">([^<]+)</a>', text(response))


# --- the index -------------------------------------------------------------------------------


def test_index_lists_public_models_by_total_score(client, catalogue):
    response = client.get("/models/")
    assert response.status_code == 200
    assert row_names(response) == ["OLMo", "Qwen", "Qwen Chat"]
    body = text(response)
    assert "Secret Draft" not in body and "Hidden Org Model" not in body
    assert "<caption>" in body and 'scope="col"' in body


def test_index_cells_show_symbol_and_text_and_not_assessed(client, catalogue):
    body = text(client.get("/models/?q=qwen+chat"))
    # Qwen Chat: base weights open, everything else closed.
    assert re.search(
        r'class="grade grade-open" title="Base Model Weights: Open"><span aria-hidden="true">✔</span>'
        r'<span class="visually-hidden">Open</span>',
        body,
    )
    assert re.search(r'grade-closed" title="Licen[cs]es?[^"]*: Closed"><span aria-hidden="true">✘</span>', body)
    body = text(client.get("/models/?q=qwen&type=code"))
    assert 'title="Base Model Data: Not assessed"><span aria-hidden="true">–</span>' in body
    assert 'title="Base Model Data: Closed"' not in body


def test_dimension_not_applying_to_a_type_is_shown_as_such(client, catalogue, registry):
    Dimension.objects.create(
        ref="image_safety",
        name="Image Safety Card",
        category=registry[0].category,
        position=50,
        applicable_types="image",
    )
    body = text(client.get("/models/?q=olmo"))
    assert 'title="Image Safety Card: Not applicable"' in body


def test_filters_live_in_the_url_and_work_without_javascript(client, catalogue):
    response = client.get("/models/?type=code&performance_class=latest")
    assert row_names(response) == ["Qwen"]
    body = text(response)
    assert 'value="code" id="id_type_2" checked' in body or re.search(r'value="code"[^>]*checked', body)
    assert row_names(client.get("/models/?performance_class=latest")) == ["Qwen", "Qwen Chat"]
    assert row_names(client.get("/models/?sector=academic")) == ["OLMo"]
    assert row_names(client.get("/models/?grade_licenses=partial")) == ["Qwen"]
    assert row_names(client.get(f"/models/?organisation={catalogue['tiger'].slug}")) == ["Qwen", "Qwen Chat"]


def test_bad_filter_value_names_the_field(client, catalogue):
    response = client.get("/models/?released_from=soon")
    assert response.status_code == 200
    assert "released_from" in text(response) and "YYYY-MM" in text(response)


def test_sort_links_and_aria_sort(client, catalogue):
    response = client.get("/models/?ordering=name")
    assert row_names(response) == ["OLMo", "Qwen", "Qwen Chat"]
    body = text(response)
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="\?ordering=-name">Model</a>', body)
    assert re.search(r'<th scope="col" aria-sort="none"><a href="\?ordering=-total">Openness</a>', body)
    assert row_names(client.get("/models/?ordering=-name")) == ["Qwen Chat", "Qwen", "OLMo"]


def test_registry_column_heads_link_and_mark_their_sort(client, catalogue):
    """Each category and dimension head links to its sort, marked as the page is sorted, with
    the dimension's description (escaped) as a title."""
    dimension = Dimension.objects.filter(is_active=True).order_by("position").first()
    Dimension.objects.filter(pk=dimension.pk).update(description='Weights "open" & <free>')
    key = f"dimension_{dimension.ref}"
    for asked, state, next_key in (
        (f"-{key}", "descending", key),
        (key, "ascending", f"-{key}"),
        ("name", "none", f"-{key}"),
    ):
        body = text(client.get(f"/models/?ordering={asked}"))
        assert (
            f'<th scope="col" aria-sort="{state}" class="dimension-cell"><a href="?ordering={next_key}" '
            f'class="dimension-head" title="Weights &quot;open&quot; &amp; &lt;free&gt;">{dimension.name}</a></th>'
        ) in body
        assert body.count('class="dimension-cell"><a href="?ordering=') >= 1
    body = text(client.get("/models/?q=Qwen"))
    assert re.search(r'<th scope="col" aria-sort="none"><a href="\?q=Qwen&amp;ordering=-category_[\w-]+">', body)


def test_pagination_keeps_filters(client, make_ai_model, registry):
    for i in range(30):
        make_ai_model(f"Paged {i:02d}", performance_class="full")
    first = client.get("/models/?performance_class=full&per_page=25")
    assert len(row_names(first)) == 25
    assert "page 1 of 2" in text(first)
    assert 'href="?performance_class=full&amp;per_page=25&amp;page=2"' in text(first)
    second = client.get("/models/?performance_class=full&per_page=25&page=2")
    assert len(row_names(second)) == 5
    assert not set(row_names(first)) & set(row_names(second))


def test_grid_view(client, catalogue):
    body = text(client.get("/models/?view=grid"))
    assert 'class="model-grid"' in body
    assert body.count('class="model-card"') == 3
    assert 'aria-label="Grades of OLMo"' in body


def test_compare_checkboxes_on_the_index(client, catalogue):
    body = text(client.get("/models/"))
    assert '<form id="compare-form" method="get" action="/compare/"' in body
    assert f'name="models" value="{catalogue["olmo"].slug}" form="compare-form"' in body


# --- model page ------------------------------------------------------------------------------


def test_model_page_groups_dimensions_with_evidence_and_criteria(client, catalogue, registry):
    olmo = catalogue["olmo"]
    response = client.get(f"/models/{olmo.slug}/")
    assert response.status_code == 200
    body = text(response)
    categories = [c.name for c in {d.category.pk: d.category for d in registry if d.is_active}.values()]
    positions = [body.index(f'id="cat-{c.lower()}"') if f'id="cat-{c.lower()}"' in body else -1 for c in categories]
    assert -1 not in positions and positions == sorted(positions)
    assert "https://example.org/olmo-weights" in body and "All checkpoints on the hub." in body
    weights = Dimension.objects.get(ref="weights_endmodel")
    assert weights.criteria_open in body
    assert "Uni Amsterdam" in body and "Netherlands" in body and "Academic" in body
    assert "<title>OLMo: 100% open · European Open Source AI Index</title>" in body
    assert '<meta property="og:title" content="OLMo: 100% open">' in body
    assert '<meta name="description" content="How open is OLMo by Uni Amsterdam?' in body


def test_model_page_related_models(client, catalogue):
    body = text(client.get(f"/models/{catalogue['qwen'].slug}/"))
    assert "Same base model (Qwen base)" in body
    assert f'href="/models/{catalogue["qwen_chat"].slug}/"' in body
    assert "More from Tiger Lab" in body
    # each related model is one click from a side-by-side comparison, and the form suggests one
    assert f'href="/compare/?models={catalogue["qwen"].slug},{catalogue["qwen_chat"].slug}"' in body
    assert f'placeholder="e.g. {catalogue["qwen_chat"].name}"' in body


def test_model_page_same_base_model_ignores_case(client, catalogue, make_ai_model):
    shouting = make_ai_model("Qwen Shout", base_model_name="QWEN BASE")
    body = text(client.get(f"/models/{catalogue['qwen'].slug}/"))
    assert f'href="/models/{shouting.slug}/"' in body


def test_postgres_finds_a_models_same_base_models_from_an_index_of_the_upper_cased_name(require_postgres, catalogue):
    """`aimodel_base_model_upper` (migration 0023) answers the equality, not the trigram index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from curation.public.queries import related_models

    with CaptureQueriesContext(connection) as captured:
        related_models(catalogue["qwen"])
    same_base = next(q["sql"] for q in captured if "UPPER" in q["sql"] and "base_model_name" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: show which index answers
        cursor.execute(f"EXPLAIN {same_base}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "aimodel_base_model_upper" in plan, plan


def test_model_page_public_changelog_without_private_comment(client, catalogue):
    qwen = catalogue["qwen"]
    HistoryEntry.objects.create(
        ai_model=qwen,
        target_label=qwen.name,
        field="performance_class",
        before="full",
        after="latest",
        rationale="Benchmarks put it among the latest.",
        evidence_link="https://example.org/bench",
        review_comment="PRIVATE reviewer remark",
    )
    body = text(client.get(f"/models/{qwen.slug}/"))
    assert "Benchmarks put it among the latest." in body and "https://example.org/bench" in body
    assert "PRIVATE reviewer remark" not in body


def test_drafts_and_hidden_organisations_are_not_found(client, catalogue):
    assert client.get(f"/models/{catalogue['draft'].slug}/").status_code == 404
    assert client.get(f"/models/{catalogue['hidden'].slug}/").status_code == 404
    assert client.get(f"/organisations/{catalogue['hidden_org'].slug}/").status_code == 404


@override_settings(DEBUG=False)
def test_404_page_helps(client, catalogue):
    response = client.get("/models/no-such-model/")
    assert response.status_code == 404
    body = text(response)
    assert 'role="search"' in body and 'action="/models/"' in body and 'href="/organisations/"' in body


# --- organisations ---------------------------------------------------------------------------


def test_organisation_pages(client, catalogue):
    body = text(client.get("/organisations/"))
    assert "Tiger Lab" in body and "Uni Amsterdam" in body and "Hidden Org" not in body
    assert body.index(">Tiger Lab</a>") < body.index(">Uni Amsterdam</a>")  # by name
    assert re.search(r'aria-sort="ascending"><a href="\?ordering=-name">Organisation', body)
    body = text(client.get("/organisations/?ordering=-openness"))
    assert body.index(">Uni Amsterdam</a>") < body.index(">Tiger Lab</a>")
    assert re.search(r'aria-sort="descending"><a href="\?ordering=openness">Mean openness', body)
    body = text(client.get(f"/organisations/{catalogue['tiger'].slug}/"))
    assert "Chinese AI Tiger" in body and "China" in body
    assert "Qwen Chat" in body and "Secret Draft" not in body
    assert "Mean openness" in body
    body = text(client.get(f"/organisations/{catalogue['uni'].slug}/"))
    assert "Secret Draft" not in body and "100%" in body


# --- compare ---------------------------------------------------------------------------------


def test_compare_two_models(client, catalogue):
    olmo, qwen = catalogue["olmo"], catalogue["qwen"]
    response = client.get(f"/compare/?models={olmo.slug},{qwen.slug}")
    assert response.status_code == 200
    body = text(response)
    assert body.index(">OLMo</a>") < body.index(">Qwen</a>")
    assert "Not assessed" in body


def test_compare_accepts_checkbox_style_parameters(client, catalogue):
    # The index's checkboxes repeat the parameter; the page settles on one shareable address.
    olmo, qwen_chat = catalogue["olmo"].slug, catalogue["qwen_chat"].slug
    redirect = client.get(f"/compare/?models={olmo}&models={qwen_chat}&models=")
    assert redirect.status_code == 302 and redirect["Location"] == f"/compare/?models={olmo},{qwen_chat}"
    response = client.get(redirect["Location"])
    assert response.status_code == 200
    body = text(response)
    assert "2 models side by side" in body
    assert body.index(">OLMo</a>") < body.index(">Qwen Chat</a>")


@pytest.mark.parametrize("count,message", [(1, "Choose at least 2 models"), (13, "at most 12 models")])
def test_compare_needs_two_to_twelve(client, make_ai_model, count, message):
    slugs = [make_ai_model(f"Cmp {i}").slug for i in range(count)]
    response = client.get("/compare/?models=" + ",".join(slugs))
    assert response.status_code == 400
    assert message in text(response)


def test_compare_names_unknown_and_draft_models(client, catalogue):
    response = client.get(f"/compare/?models={catalogue['olmo'].slug},{catalogue['draft'].slug},nope")
    assert response.status_code == 400
    body = text(response)
    assert f"“{catalogue['draft'].slug}”" in body and "“nope”" in body
    assert "Secret Draft</a>" not in body


# --- downloads -------------------------------------------------------------------------------


def test_csv_honours_filters_and_has_upstream_columns(client, catalogue, registry):
    response = client.get("/models.csv?performance_class=latest")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    active = [d for d in registry if d.is_active]
    assert rows[0] == ["Model Name", "URL", "Total Score"] + [d.name for d in active]
    assert [r[0] for r in rows[1:]] == ["Qwen", "Qwen Chat"]
    qwen = rows[1]
    assert qwen[1].startswith("http://testserver/models/") and qwen[1].endswith("/")
    by_name = dict(zip(rows[0], qwen, strict=True))
    assert by_name["Base Model Weights"] == "1" and by_name["Base Model Data"] == "0"
    licence_column = next(d.name for d in active if d.ref == "licenses")
    assert by_name[licence_column] == "0.5"
    # 1.5 points over the applicable dimensions, as a fraction with 4 decimals (upstream's CSV).
    assert qwen[2] == str(
        Decimal(float(Fraction(3, 2 * len(active)))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    )


def test_the_details_csv_has_organisation_types_class_and_grades_in_words(client, catalogue, registry):
    response = client.get("/models-details.csv?performance_class=latest")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:11] == [
        "Model Name",
        "URL",
        "Link",
        "Organisation",
        "Types",
        "Performance class",
        "Release",
        "Base model",
        "End model",
        "End model licence",
        "Total score (%)",
    ]
    qwen = dict(zip(rows[0], rows[1], strict=True))
    assert qwen["Model Name"] == "Qwen" and qwen["Link"] == "https://example.org/qwen"
    assert qwen["Performance class"] == "latest"
    assert qwen["Base Model Weights"] == "Open" and qwen["Base Model Data"] == "Not assessed"


def test_json_download(client, catalogue):
    data = json.loads(client.get("/models.json?sector=academic").content)
    assert data["count"] == 1
    model = data["models"][0]
    assert model["name"] == "OLMo" and model["total_score"] == 100
    assert model["organisation"]["slug"] == catalogue["uni"].slug
    assert set(model["grades"].values()) == {"open"}


def test_export_zip_is_upstream_yaml_of_public_models(client, catalogue):
    response = client.get("/export.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert any(n.endswith((".yaml", ".yml")) for n in names)
    everything = "".join(archive.read(n).decode() for n in names)
    assert "OLMo" in everything and "Secret Draft" not in everything


def test_sitemap_lists_public_pages_only(client, catalogue):
    from curation.models import Post, PostStatus

    Post.objects.create(kind="news", title="Spring update", slug="spring-update", status=PostStatus.PUBLISHED)
    Post.objects.create(kind="news", title="Draft", slug="secret-draft-post", status=PostStatus.DRAFT)
    body = text(client.get("/sitemap.xml"))
    assert "/news/spring-update/" in body and "secret-draft-post" not in body
    assert "/charts/" in body and "/guides/" in body
    assert f"/models/{catalogue['olmo'].slug}/" in body
    assert f"/organisations/{catalogue['tiger'].slug}/" in body
    assert catalogue["draft"].slug not in body and catalogue["hidden_org"].slug not in body


# --- home ------------------------------------------------------------------------------------


def test_home_shows_headline_numbers_and_top_models(client, catalogue):
    body = text(client.get("/"))
    assert re.search(r"<strong>3</strong> models", body)
    assert re.search(r"<strong>2</strong> organisations", body)
    assert re.search(r"<strong>33%</strong> from academia", body)
    assert re.search(r"<strong>33%</strong> with open end-model weights", body)  # OLMo only
    assert body.index(">OLMo</a>") < body.index(">Qwen</a>")
    assert "Secret Draft" not in body
    assert 'href="/models/"' in body and 'href="/charts/"' in body and 'href="/news/"' in body


def test_home_shows_a_few_live_charts_with_their_numbers(client, catalogue, settings, tmp_path):
    """The page cached before the charts existed is not served once they are published."""
    from django.utils.html import escape

    from curation.charts.publish import regenerate
    from curation.charts.published import get_chart
    from curation.public.queries import home_chart_keys

    settings.MEDIA_ROOT = tmp_path / "media"
    keys = home_chart_keys()
    assert 2 <= len(keys) <= 4
    missing = text(client.get("/"))
    assert all(f"[Chart “{key}” is not available.]" in missing for key in keys)

    regenerate(trigger="test", render_all=True)
    body = text(client.get("/"))
    for key in keys:
        chart = get_chart(key)
        assert f'<img src="{chart.svg_url}" alt="{escape(chart.alt_text)}"' in body
        assert f'<a href="{chart.csv_url}">CSV</a>' in body
    assert "Academic 1 (33.3%)" in get_chart("academic-share").alt_text  # OLMo of the three public models


def test_home_lists_published_news_only(client, catalogue):
    from curation.models import Post, PostStatus

    Post.objects.create(kind="news", title="Index update for spring", slug="spring", status=PostStatus.PUBLISHED)
    Post.objects.create(kind="news", title="Unfinished draft post", slug="draft", status=PostStatus.DRAFT)
    body = text(client.get("/"))
    assert "Index update for spring" in body and "Unfinished draft post" not in body


def test_every_page_has_title_description_and_open_graph(client, catalogue):
    for url in [
        "/",
        "/models/",
        f"/models/{catalogue['olmo'].slug}/",
        "/organisations/",
        f"/organisations/{catalogue['uni'].slug}/",
        "/compare/",
    ]:
        body = text(client.get(url))
        assert re.search(r"<title>[^<]+</title>", body), url
        assert re.search(r'<meta name="description" content="[^"]{20,}">', body), url
        assert '<meta property="og:title"' in body and '<meta property="og:url"' in body, url
        assert 'aria-label="Main"' in body and 'href="#content"' in body, url
