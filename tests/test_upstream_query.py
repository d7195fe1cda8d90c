"""The one table of the upstream site's index query names (curation.upstream_query)."""

from __future__ import annotations

import datetime
import re

import pytest
import yaml
from django.http import QueryDict

from curation.editorial.rendering import render_markdown
from curation.upstream_query import UPSTREAM_NAMES, translate

REFS = ["datasources_basemodel", "trainingcode", "preprint", "licenses"]


def test_every_upstream_name_translates_to_this_sites_filters():
    query = translate(
        {
            "type": "Text, image",
            "performanceclass": "latest,full",
            "basemodel": "Llama",
            "q": "olmo",
            "release_start": "2024-01",
            "release_end": "2025-06",
            "trainingcode": [0.5, 1],
            "preprint": "0",
            "models": "OLMo, deepseek-v3",
            "view": "bars",
            "version": "2025-06-09",
            "hideFilters": True,
            "size": "performanceclass",
        },
        dimension_refs=REFS,
    )
    assert query.filters == {
        "type": ["text", "image"],
        "performance_class": ["latest", "full"],
        "base_model": ["Llama"],
        "q": ["olmo"],
        "released_from": ["2024-01"],
        "released_to": ["2025-06"],
        "grade_trainingcode": ["partial", "open"],
        "grade_preprint": ["closed"],
    }
    assert query.model_terms == ["OLMo", "deepseek-v3"] and query.view == "table"
    assert query.as_of == datetime.date(2025, 6, 9)
    assert query.ignored == ["hideFilters", "size"] and query.ok
    # Every name of the table was exercised (the dimension placeholder by two real refs).
    assert {e.upstream for e in UPSTREAM_NAMES} - {"<dimension ref>"} <= {
        "type",
        "performanceclass",
        "basemodel",
        "q",
        "release_start",
        "release_end",
        "models",
        "view",
        "version",
        "hideFilters",
        "size",
    }


def test_a_page_address_query_translates_with_repeated_and_comma_values():
    address = QueryDict("type=text&preprint=1&trainingcode=1&trainingcode=0.5&view=grid")
    query = translate(address, dimension_refs=REFS)
    assert query.filters == {"type": ["text"], "grade_preprint": ["open"], "grade_trainingcode": ["open", "partial"]}
    assert query.query_dict().urlencode() == (
        "type=text&grade_preprint=open&grade_trainingcode=open&grade_trainingcode=partial&view=grid"
    )
    assert query.embed_options() == {
        "type": "text",
        "grade_preprint": "open",
        "grade_trainingcode": "open,partial",
        "view": "grid",
    }


def test_unknown_names_and_unreadable_values_are_reported_never_dropped():
    query = translate(
        {
            "colour": "red",
            "package": "1",
            "type": "hologram",
            "performanceclass": "fastest",
            "trainingcode": "maybe",
            "release_start": "spring",
            "view": "carousel",
            "version": "last week",
        },
        dimension_refs=REFS,
    )
    assert not query.ok and query.filters == {}
    assert query.unknown == ["colour=red", "package=1"]  # `package` is no dimension of this registry
    assert query.problems == [
        "type: 'hologram' is not one of text, image, code, video, audio",
        "performanceclass: 'fastest' is not one of latest, full, limited",
        "trainingcode: 'maybe' is not a grade value (0 closed, 0.5 partial, 1 open)",
        "release_start: 'spring' is not a month (YYYY-MM)",
        "view: 'carousel' is not one of bars, grid",
        "version: 'last week' is neither a date (YYYY-MM-DD) nor a commit id",
    ]
    assert query.messages()[0].startswith("unknown upstream filter colour=red (known: type, performanceclass")


def test_type_all_means_every_type_and_regular_expressions_are_noted():
    query = translate({"type": "all", "basemodel": "llama.*"}, dimension_refs=REFS)
    assert query.filters == {"base_model": ["llama.*"]} and query.ok
    assert query.notes == ["basemodel: 'llama.*' is read as plain text, not as a regular expression"]


@pytest.mark.django_db
def test_version_as_a_commit_id_pins_to_the_date_of_that_imported_release():
    from curation.models import ImportRun

    ImportRun.objects.create(
        source="main-database", summary={"commit": {"id": "5a388e8f00d1", "date": "2025-06-09T10:00:00+02:00"}}
    )
    assert translate({"version": "5a388e8"}, dimension_refs=REFS).as_of == datetime.date(2025, 6, 9)
    unknown = translate({"version": "deadbeef"}, dimension_refs=REFS)
    assert unknown.as_of is None and unknown.problems == [
        "version: no imported data release has the commit id 'deadbeef'; give the date instead (YYYY-MM-DD)"
    ]


def _upstream_blocks(root):
    """Every `::the-index` block's props and every `/database?...` link of the shared site pages."""
    found = []
    for path in sorted(root.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^::the-index[ \t]*\n---[ \t]*\n(.*?)\n---[ \t]*\n", text, re.S | re.M):
            props = yaml.safe_load(match.group(1)) or {}
            found.append(
                (path.name, {**(props.get("filters") or {}), **{k: v for k, v in props.items() if k != "filters"}})
            )
        for match in re.finditer(r"\(/database\?([^ )\"]+)", text):
            found.append((path.name, QueryDict(match.group(1))))
    return found


def test_every_upstream_query_of_the_shared_site_pages_translates_without_unknowns(shared_pages, registry):
    blocks = _upstream_blocks(shared_pages)
    assert len(blocks) > 25
    for name, query in blocks:
        translated = translate(query)
        assert translated.ok, (name, dict(query), translated.messages())


# --- the same models as the upstream site shows --------------------------------------------
def upstream_selects(model, grades: dict, query: dict) -> bool:
    """The upstream site's filter rule (components/content/the-index.vue), written out again for
    the test: types overlap, performance class among the chosen, base model matches, grades."""
    if "type" in query and not set(query["type"].split(",")) & set(model["type"].split(",")):
        return False
    if "performanceclass" in query and model["performanceclass"] not in query["performanceclass"].split(","):
        return False
    if "basemodel" in query and query["basemodel"].lower() not in model["basemodelname"].lower():
        return False
    points = {"closed": 0, "partial": 0.5, "open": 1}
    return all(not (ref in grades and points[grades[ref]] not in wanted) for ref, wanted in query.items())


@pytest.mark.django_db
def test_the_index_page_shows_the_models_the_upstream_site_selects(client, make_ai_model, registry):
    catalogue = {
        "Alpha": {
            "type": "text",
            "performanceclass": "latest",
            "basemodelname": "Llama 3",
            "grades": {"trainingcode": "open", "preprint": "open"},
        },
        "Beta": {
            "type": "text,code",
            "performanceclass": "full",
            "basemodelname": "Qwen",
            "grades": {"trainingcode": "partial", "preprint": "closed"},
        },
        "Gamma": {
            "type": "image",
            "performanceclass": "latest",
            "basemodelname": "SDXL",
            "grades": {"trainingcode": "closed", "preprint": "open"},
        },
        "Delta": {
            "type": "code",
            "performanceclass": "limited",
            "basemodelname": "llama-2",
            "grades": {"trainingcode": "open", "preprint": "partial"},
        },
    }
    for name, spec in catalogue.items():
        make_ai_model(
            name,
            types=spec["type"],
            performance_class=spec["performanceclass"],
            base_model_name=spec["basemodelname"],
            grades=spec["grades"],
        )
    queries = [
        {"type": "text"},
        {"type": "code,image"},
        {"performanceclass": "latest"},
        {"basemodel": "llama"},
        {"trainingcode": [1]},
        {"trainingcode": [0.5, 1], "preprint": [0, 1]},
        {"type": "text,code", "performanceclass": "full,limited", "trainingcode": [0.5]},
    ]
    for query in queries:
        expected = sorted(n for n, spec in catalogue.items() if upstream_selects(spec, spec["grades"], query))
        translated = translate(query)
        assert translated.ok, translated.messages()
        page = client.get("/models/?" + translated.query_dict().urlencode()).content.decode()
        shown = sorted(n for n in catalogue if f">{n}</a>" in page)
        assert shown == expected, (query, shown, expected)


@pytest.mark.django_db
def test_the_index_embed_reads_upstream_names_and_version(make_ai_model):
    make_ai_model("Latest text", types="text", performance_class="latest", upstream_filename="latest-text.yaml")
    make_ai_model("Full text", types="text", performance_class="full")
    html = render_markdown('{% index performanceclass="latest" view="bars" %}', preview=True)
    assert html.problems == [] and ">Latest text</a>" in html.html and "Full text" not in html.html
    assert 'class="embed embed-index embed-index-table"' in html.html
    # `version` pins the list to a date: before the models existed there were none.
    before = render_markdown('{% index models="latest-text" as_of="2020-01-01" %}', preview=True)
    assert before.problems == ["Line 1: index embed: no public model matches 'latest-text'"]
    today = render_markdown(f'{{% index models="latest-text" as_of="{datetime.date.today().isoformat()}" %}}')
    assert ">Latest text</a>" in today.html and "The index as it stood on" in today.html
    bad = render_markdown('{% index performanceclass="fastest" %}', preview=True)
    assert bad.problems == ["Line 1: index embed: performanceclass: 'fastest' is not one of latest, full, limited"]
