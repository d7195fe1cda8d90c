"""What readers see of the evidence behind grades (model page, compare, index), comparing by
name, and filters that offer what the index holds and settle on clean addresses."""

from __future__ import annotations

import re
from html import unescape

import pytest

from curation import vocab
from curation.models import Assessment
from curation.review import services as review
from tests.review_fixtures import new_grade

pytestmark = pytest.mark.django_db

PAPER = "https://example.org/olmo-paper"
CHANGE_EVIDENCE = "https://example.org/weights-released"


@pytest.fixture
def site(make_ai_model, make_organisation, registry):
    lab = make_organisation("Allen Lab", country="US")
    uni = make_organisation("Uni Zurich", country="CH", sector=vocab.Sector.ACADEMIC)
    make_organisation("Empty Org", country="JP")  # holds no public model
    olmo = make_ai_model("OLMo Big", grades={"preprint": "open", "weights_endmodel": "partial"}, organisation=lab)
    Assessment.objects.filter(ai_model=olmo, dimension__ref="preprint").update(
        links=[PAPER], notes="Preprint on arXiv, describes the training data in full."
    )
    apertus = make_ai_model("Apertus Swiss", grades={"preprint": "partial"}, organisation=uni)
    Assessment.objects.filter(ai_model=apertus, dimension__ref="preprint").update(notes="Only a technical report.")
    hidden = make_ai_model("Hidden Draft", organisation=make_organisation("Secret Org", country="FR"), is_public=False)
    return {"olmo": olmo, "apertus": apertus, "hidden": hidden, "lab": lab, "uni": uni}


def text(response) -> str:
    return unescape(response.content.decode())


def test_model_page_shows_every_grades_notes_and_links(client, site):
    body = text(client.get(f"/models/{site['olmo'].slug}/"))
    assert f'href="{PAPER}"' in body
    assert "Preprint on arXiv, describes the training data in full." in body


def test_an_approved_changes_evidence_link_appears_on_the_grade(
    client, site, people, django_capture_on_commit_callbacks
):
    olmo = site["olmo"]
    request = review.propose(
        olmo,
        "assessment:weights_endmodel",
        new_grade("open", link=""),
        user=people.curator,
        rationale="Weights now downloadable",
        evidence_link=CHANGE_EVIDENCE,
    )
    with django_capture_on_commit_callbacks(execute=True):  # the new data version, as after a commit
        review.approve(request, people.reviewer)
    body = text(client.get(f"/models/{olmo.slug}/"))
    section = body[body.index('id="weights_endmodel"') :]
    section = section[: section.index("</article>")]
    assert f'href="{CHANGE_EVIDENCE}"' in section and "reviewed change of" in section
    compare = text(client.get(f"/compare/?models={olmo.slug},{site['apertus'].slug}"))
    assert f'href="{CHANGE_EVIDENCE}"' in compare
    index = text(client.get("/models/"))
    assert f'href="{CHANGE_EVIDENCE}"' in index
    # A later change's evidence replaces it: the old link no longer backs the grade.
    request = review.propose(
        olmo,
        "assessment:weights_endmodel",
        new_grade("partial", link=""),
        user=people.curator,
        rationale="Licence narrowed",
        evidence_link="https://example.org/narrowed",
    )
    with django_capture_on_commit_callbacks(execute=True):  # the new data version, as after a commit
        review.approve(request, people.reviewer)
    compare = text(client.get(f"/compare/?models={olmo.slug},{site['apertus'].slug}"))
    assert f'href="{CHANGE_EVIDENCE}"' not in compare and 'href="https://example.org/narrowed"' in compare


def test_compare_shows_notes_and_evidence_side_by_side(client, site):
    response = client.get(f"/compare/?models={site['olmo'].slug},{site['apertus'].slug}")
    assert response.status_code == 200
    body = text(response)
    row = re.search(r"<tr><th scope=\"row\">Preprint</th>(.*?)</tr>", body, re.S).group(1)
    cells = re.findall(r"<td.*?</td>", row, re.S)
    assert len(cells) == 2
    assert PAPER in cells[0] and "Preprint on arXiv" in cells[0]
    assert "Only a technical report." in cells[1]


def test_index_offers_each_grades_evidence_in_a_details_element(client, site):
    body = text(client.get("/models/"))
    details = [d for d in re.findall(r'<details class="evidence">.*?</details>', body, re.S) if PAPER in d]
    assert len(details) == 1
    assert "Preprint on arXiv" in details[0] and f"/models/{site['olmo'].slug}/#preprint" in details[0]


def test_compare_picks_models_by_name_from_a_list(client, site):
    page = text(client.get("/compare/"))
    options = re.findall(
        r'<option value="([^"]+)">', page.split('<datalist id="model-names">')[1].split("</datalist>")[0]
    )
    assert sorted(options) == ["Apertus Swiss", "OLMo Big"]  # public models only (first in the index first)
    assert page.count('list="model-names"') >= 4
    # A submitted form: names in any case, empty fields; one clean address to share.
    response = client.get("/compare/", {"models": ["apertus swiss", "OLMO BIG", "", ""]})
    assert response.status_code == 302
    assert response["Location"] == f"/compare/?models={site['apertus'].slug},{site['olmo'].slug}"
    result = text(client.get(response["Location"]))
    assert "2 models side by side" in result
    assert 'value="Apertus Swiss"' in result and 'value="OLMo Big"' in result


def test_compare_takes_up_to_twelve_models(client, make_ai_model, site):
    names = [make_ai_model(f"Model {i:02d}").name for i in range(10)]
    response = client.get("/compare/", {"models": names})
    response = client.get(response["Location"])
    assert response.status_code == 200 and "10 models side by side" in text(response)


def test_compare_names_a_model_it_cannot_find(client, site):
    response = client.get("/compare/", {"models": ["OLMo Big", "No Such Model", "Hidden Draft"]})
    assert response.status_code == 400
    body = text(response)
    assert "“No Such Model”" in body and "“Hidden Draft”" in body


def test_filters_offer_the_organisations_and_countries_the_index_holds(client, site):
    body = text(client.get("/models/"))
    # The organisation is typed (any organisation's name or slug), with the largest suggested.
    assert re.search(
        r'<input type="text" name="organisation" id="id_organisation" value="" list="organisation-names"', body
    )
    suggested = body.split('<datalist id="organisation-names">')[1].split("</datalist>")[0]
    assert sorted(re.findall(r'<option value="([^"]*)">([^<]*)<', suggested)) == sorted(
        [(site["lab"].slug, "Allen Lab"), (site["uni"].slug, "Uni Zurich")]
    )
    country_select = body.split('name="country"')[1].split("</select>")[0]
    assert re.findall(r"<option value=\"([^\"]*)\"[^>]*>([^<]*)<", country_select) == [
        ("", "Any"),
        ("CH", "Switzerland"),
        ("US", "United States of America"),
    ]
    chosen = text(client.get("/models/", {"organisation": site["uni"].slug}))
    assert f'name="organisation" id="id_organisation" value="{site["uni"].slug}"' in chosen
    assert "Apertus Swiss" in chosen and "OLMo Big</a>" not in chosen
    by_name = text(client.get("/models/", {"organisation": "uni zurich"}))
    assert "<strong>1</strong> model" in by_name and "Apertus Swiss" in by_name and "OLMo Big</a>" not in by_name


def test_submitted_filters_settle_on_an_address_without_empty_parameters(client, site):
    response = client.get("/models/", {"q": "", "type": ["text", ""], "country": "", "per_page": "50"})
    assert response.status_code == 302 and response["Location"] == "/models/?type=text&per_page=50"
    response = client.get("/models/", {"q": "", "country": ""})
    assert response["Location"] == "/models/"
    organisations = client.get("/organisations/", {"q": "", "country": "CH"})
    assert organisations.status_code == 302 and organisations["Location"] == "/organisations/?country=CH"


def test_the_site_header_has_a_search_box(client, site):
    body = text(client.get("/news/"))
    header = body.split("</header>")[0]
    assert '<form class="site-search" method="get" action="/models/" role="search">' in header
    assert 'name="q"' in header
    found = text(client.get("/models/", {"q": "apertus"}))
    assert "Apertus Swiss" in found and "OLMo Big</a>" not in found


def test_compare_by_a_typed_part_of_a_name_lists_the_models_it_may_be(client, site):
    # No script needed: the form sends what was typed; a name that names no model lists the
    # public models whose name contains it, each a link to the comparison with it.
    response = client.get("/compare/", {"models": ["OLMo Big", "apertus"]})
    assert response.status_code == 400
    body = text(response)
    assert "No model of the index is called “apertus”" in body
    assert "Models whose name contains “apertus”:" in body
    link = f'<a href="/compare/?models={site["olmo"].slug},{site["apertus"].slug}">Apertus Swiss</a>'
    assert link in body
    assert "Hidden Draft" not in body  # drafts are never offered
    picked = client.get(f"/compare/?models={site['olmo'].slug},{site['apertus'].slug}")
    assert picked.status_code == 200 and "2 models side by side" in text(picked)


def test_the_model_pages_compare_field_suggests_related_models_and_not_the_whole_index(
    client, make_ai_model, make_organisation, registry
):
    from curation.public import queries

    lab = make_organisation("Big Lab")
    subject = make_ai_model("Subject Model", organisation=lab, base_model_name="Base X")
    sibling = make_ai_model("Sibling Model", organisation=lab)
    cousin = make_ai_model("Cousin Model", base_model_name="Base X")
    for i in range(queries.COMPARE_SUGGESTIONS + 10):
        make_ai_model(f"Other {i:02d}")
    body = text(client.get(f"/models/{subject.slug}/"))
    suggested = re.findall(
        r'<option value="([^"]+)">', body.split('<datalist id="model-names">')[1].split("</datalist>")[0]
    )
    assert len(suggested) == queries.COMPARE_SUGGESTIONS
    assert suggested[:2] == [cousin.name, sibling.name]  # same base model, then same organisation
    assert subject.name not in suggested
    compare = text(client.get("/compare/"))
    listed = re.findall(
        r'<option value="([^"]+)">', compare.split('<datalist id="model-names">')[1].split("</datalist>")[0]
    )
    assert len(listed) == queries.COMPARE_SUGGESTIONS
