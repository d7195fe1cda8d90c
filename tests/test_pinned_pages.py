"""A model's page, an organisation's page and a comparison pinned with `?as_of=` or `?release=`:
each as the index showed it then, evidence included, rebuilt from the history of changes."""

import datetime

import pytest
from django.utils import timezone

from curation import vocab
from curation.models import AIModel, DataRelease, HistoryEntry, Organisation
from curation.public.as_of import columns_on
from curation.public.pinned import model_as_of
from curation.review.services import edit_directly

PAST = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
BEFORE = "2026-01-01"  # after the models were made (PAST), before today's changes

OLD_LINK, NEW_LINK = "https://example.org/old-licence", "https://example.org/new-licence"
OLD_NOTE, NEW_NOTE = "Custom licence with use restrictions.", "Apache 2.0 since the relicensing."


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "x")


@pytest.fixture
def pinned(make_ai_model, make_organisation, admin_user, registry):
    """Two models of one lab made in the past with a licence graded closed (old link and note);
    today the first is relicensed (grade, link and note changed), the lab reclassified, and a
    third model added."""
    lab = make_organisation("Lab One", sector=vocab.Sector.NON_ACADEMIC)
    first = make_ai_model("First Model", organisation=lab, grades={"licenses": "closed"})
    second = make_ai_model("Second Model", organisation=lab, grades={"licenses": "closed"})
    first.assessments.filter(dimension__ref="licenses").update(links=[OLD_LINK], notes=OLD_NOTE)
    AIModel.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=PAST)
    Organisation.objects.filter(pk=lab.pk).update(created_at=PAST)
    newcomer = make_ai_model("Newcomer", organisation=lab)
    edit_directly(
        first,
        "assessment:licenses",
        {"grade": "open", "links": [NEW_LINK], "notes": NEW_NOTE},
        user=admin_user,
        rationale="Relicensed",
        evidence_link=NEW_LINK,
    )
    edit_directly(
        lab,
        "contributor_type",
        {"sector": "academic", "kind": "university", "bloc": "none"},
        user=admin_user,
        rationale="Spun into a university",
    )
    return {"first": first, "second": second, "newcomer": newcomer, "lab": lab}


def licences(page: str) -> str:
    """The licences dimension's block of a model page: its grade, notes and evidence."""
    return page.split('<article class="dimension" id="licenses">')[1].split("</article>")[0]


def test_pinned_model_page_shows_old_grade_evidence_and_scores(client, pinned):
    today = client.get(f"/models/{pinned['first'].slug}/")
    past = client.get(f"/models/{pinned['first'].slug}/?as_of={BEFORE}")
    assert today.status_code == 200 and past.status_code == 200
    now, then = today.content.decode(), past.content.decode()
    assert NEW_LINK in licences(now) and NEW_NOTE in licences(now) and OLD_LINK not in licences(now)
    assert OLD_LINK in licences(then) and OLD_NOTE in licences(then) and "Closed" in licences(then)
    assert NEW_LINK not in then and NEW_NOTE not in then  # nowhere: the later change is not shown
    assert "This is the index as of 1 January 2026" in then
    assert f'href="/models/{pinned["first"].slug}/">See this page today' in then
    # The organisation's classification then (non-academic), today academic.
    assert "Non-academic" in then.split('id="classification"')[1].split("</dl>")[0]
    assert "Academic" in now.split('id="classification"')[1].split("</dl>")[0]
    # Links to other pages that can be pinned carry the pin.
    assert f'href="/organisations/{pinned["lab"].slug}/?as_of={BEFORE}"' in then
    assert f'href="/models/?as_of={BEFORE}"' in then
    assert '<input type="hidden" name="as_of" value="2026-01-01">' in then
    # The changelog stops at the date; no suggestion to change a past state.
    assert "Relicensed" in now and "Relicensed" not in then
    assert "Suggest a correction" not in then


def test_pinned_model_scores_are_the_past_index_row(client, pinned):
    first = pinned["first"]
    columns = columns_on(datetime.date(2026, 1, 1))
    row = model_as_of(first.slug, datetime.date(2026, 1, 1), columns)
    assert row is not None
    licences = next(cell for cell in row.cells if cell.dimension.ref == "licenses")
    assert licences.grade == "closed" and licences.links == [OLD_LINK] and licences.notes == OLD_NOTE
    first.refresh_from_db()
    assert row.model.total_score < first.total_score  # closed then, open now
    second = model_as_of(pinned["second"].slug, datetime.date(2026, 1, 1), columns)
    assert second is not None and row.model.total_score == second.model.total_score
    page = client.get(f"/models/{first.slug}/?as_of={BEFORE}").content.decode()
    assert f"<strong>{row.total_percent}%</strong>" in page


def test_pinned_model_page_answers_404_and_400(client, pinned):
    late = client.get(f"/models/{pinned['newcomer'].slug}/?as_of={BEFORE}")
    assert late.status_code == 404
    assert "was not in the published index as of 1 January 2026" in late.content.decode()
    assert client.get(f"/models/{pinned['first'].slug}/?as_of=2026-13-01").status_code == 400
    both = client.get(f"/models/{pinned['first'].slug}/?as_of={BEFORE}&release=x")
    assert both.status_code == 400 and "either release or as_of" in both.content.decode()
    assert client.get(f"/models/{pinned['first'].slug}/?release=nope").status_code == 404


def test_model_page_pinned_to_a_release(client, pinned):
    DataRelease.objects.create(
        name="2025-06", slug="2025-06", released_at=PAST + datetime.timedelta(days=1), data_version=1
    )
    page = client.get(f"/models/{pinned['first'].slug}/?release=2025-06")
    assert page.status_code == 200
    body = page.content.decode()
    assert "This is the index at release" in body and OLD_LINK in body and NEW_LINK not in body
    # Cite this cites the pinned permanent address and the release.
    assert f"http://testserver/models/{pinned['first'].slug}/?release=2025-06" in body
    bib = client.get(f"/models/{pinned['first'].slug}/citation.bib?release=2025-06").content.decode()
    assert "release 2025-06" in bib and f"/models/{pinned['first'].slug}/?release=2025-06" in bib
    assert client.get(f"/models/{pinned['newcomer'].slug}/?release=2025-06").status_code == 404


def test_a_release_pin_is_the_release_instant(client, pinned):
    """A release made in the middle of a day shows the state at that instant, not the day's end."""
    entry = HistoryEntry.objects.get(ai_model=pinned["first"], field="assessment:licenses")
    moment = entry.applied_at - datetime.timedelta(seconds=1)
    DataRelease.objects.create(name="just-before", slug="just-before", released_at=moment, data_version=1)
    body = client.get(f"/models/{pinned['first'].slug}/?release=just-before").content.decode()
    assert OLD_LINK in body and NEW_LINK not in body
    today = timezone.now().date().isoformat()
    assert NEW_LINK in client.get(f"/models/{pinned['first'].slug}/?as_of={today}").content.decode()


def test_pinned_pages_are_distinct_cache_entries(client, pinned):
    slug = pinned["first"].slug
    client.get(f"/models/{slug}/")  # today's page cached first
    old = client.get(f"/models/{slug}/?as_of={BEFORE}").content.decode()
    new = client.get(f"/models/{slug}/?as_of={timezone.now().date().isoformat()}").content.decode()
    assert OLD_LINK in old and NEW_LINK in new
    again = client.get(f"/models/{slug}/?as_of={BEFORE}")
    assert again["X-Page-Cache"] == "hit" and OLD_LINK in again.content.decode()
    # Unknown parameters are dropped: the address is today's, served from today's entry.
    other = client.get(f"/models/{slug}/?utm=1&page=2")
    assert other["X-Page-Cache"] == "hit" and NEW_LINK in licences(other.content.decode())


def _licences(answer: dict) -> dict:
    return next(a for a in answer["assessments"] if a["dimension"] == "licenses")


def test_pinned_api_detail_has_the_old_links_and_notes(client, pinned):
    slug = pinned["first"].slug
    today = client.get(f"/api/v1/models/{slug}/").json()
    past = client.get(f"/api/v1/models/{slug}/?as_of={BEFORE}")
    assert past.status_code == 200
    assert _licences(today)["links"] == [NEW_LINK]
    assert _licences(past.json())["grade"] == "closed"
    assert _licences(past.json())["links"] == [OLD_LINK] and _licences(past.json())["notes"] == OLD_NOTE
    # Values and scores are those of the list of that day; only the list leaves evidence out.
    listed = next(m for m in client.get(f"/api/v1/models/?as_of={BEFORE}").json()["results"] if m["slug"] == slug)
    assert listed["total_score"] == past.json()["total_score"] and _licences(listed)["grade"] == "closed"
    assert client.get(f"/api/v1/models/{pinned['newcomer'].slug}/?as_of={BEFORE}").status_code == 404
    assert client.get(f"/api/v1/models/nobody/?as_of={BEFORE}").status_code == 404


def test_the_api_schema_says_one_pinned_model_has_its_evidence(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    detail = schema["paths"]["/api/v1/models/{slug}/"]["get"]
    assert "links and notes of that moment" in detail["description"]
    as_of = next(p for p in detail["parameters"] if p["name"] == "as_of")
    assert "carries each grade's links and notes" in as_of["description"]


def test_pinned_organisation_page(client, pinned):
    lab = pinned["lab"]
    today = client.get(f"/organisations/{lab.slug}/").content.decode()
    past = client.get(f"/organisations/{lab.slug}/?as_of={BEFORE}")
    assert past.status_code == 200
    then = past.content.decode()
    assert "This is the index as of 1 January 2026" in then
    # Its classification then, and its models then (not the newcomer), linked with the pin.
    assert "Non-academic" in then and "Academic" in today
    assert "Newcomer" in today and "Newcomer" not in then
    assert f'href="/models/{pinned["first"].slug}/?as_of={BEFORE}"' in then
    assert f"organisation={lab.slug}&amp;as_of={BEFORE}" in then
    assert client.get(f"/organisations/{lab.slug}/?as_of=garbage").status_code == 400
    assert client.get(f"/organisations/{lab.slug}/?release=nope").status_code == 404


def test_organisation_added_later_is_404_when_pinned(client, pinned, make_organisation):
    later = make_organisation("Later Lab")
    response = client.get(f"/organisations/{later.slug}/?as_of={BEFORE}")
    assert response.status_code == 404 and "was not in the published index" in response.content.decode()


def test_pinned_comparison(client, pinned):
    first, second = pinned["first"].slug, pinned["second"].slug
    url = f"/compare/?models={first},{second}&as_of={BEFORE}"
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This is the index as of 1 January 2026" in body
    assert OLD_LINK in body and OLD_NOTE in body and NEW_LINK not in body
    assert f'href="/models/{first}/?as_of={BEFORE}"' in body
    assert f'<a href="/compare/?models={first},{second}">See this page today' in body
    assert NEW_LINK in client.get(f"/compare/?models={first},{second}").content.decode()
    # A model added since: the comparison says it was not in the index then.
    late = client.get(f"/compare/?models={first},{pinned['newcomer'].slug}&as_of={BEFORE}")
    assert late.status_code == 400 and "No model in the published index as of 1 January 2026" in late.content.decode()
    assert client.get(f"/compare/?models={first},{second}&as_of=2026-02-30").status_code == 400
    # Names become slugs, the pin is kept.
    redirected = client.get(f"/compare/?models=First+Model&models=Second+Model&as_of={BEFORE}")
    assert (
        redirected.status_code == 302 and redirected["Location"] == f"/compare/?models={first},{second}&as_of={BEFORE}"
    )


def test_pinned_index_links_to_pinned_model_pages(client, pinned):
    body = client.get(f"/models/?as_of={BEFORE}").content.decode()
    assert f'href="/models/{pinned["first"].slug}/?as_of={BEFORE}"' in body
    assert f'href="/organisations/{pinned["lab"].slug}/?as_of={BEFORE}"' in body
    assert '<input type="hidden" name="as_of" value="2026-01-01">' in body
    grid = client.get(f"/models/?as_of={BEFORE}&view=grid").content.decode()
    assert f'href="/models/{pinned["first"].slug}/?as_of={BEFORE}"' in grid
    today = client.get("/models/").content.decode()
    assert f'href="/models/{pinned["first"].slug}/"' in today


def test_pinned_citation_files_cite_the_pinned_address(client, pinned):
    slug = pinned["first"].slug
    page = client.get(f"/models/{slug}/?as_of={BEFORE}").content.decode()
    assert f'href="/models/{slug}/citation.bib?as_of={BEFORE}"' in page
    bib = client.get(f"/models/{slug}/citation.bib?as_of={BEFORE}")
    assert bib.status_code == 200
    text = bib.content.decode()
    assert f"http://testserver/models/{slug}/?as_of={BEFORE}" in text and "as of 2026-01-01" in text
    assert client.get(f"/models/{pinned['newcomer'].slug}/citation.bib?as_of={BEFORE}").status_code == 404
    assert client.get(f"/models/{slug}/citation.bib?as_of=nonsense").status_code == 400


def test_a_refused_pin_is_a_page_of_the_site_linking_to_today(client, pinned):
    slug = pinned["first"].slug
    late = client.get(f"/models/{pinned['newcomer'].slug}/?as_of={BEFORE}")
    body = late.content.decode()
    assert late.status_code == 404 and 'aria-label="Breadcrumb"' not in body
    assert '<nav class="site-nav"' in body or "<header" in body  # the site's own layout
    assert f'href="/models/{pinned["newcomer"].slug}/">See this page today</a>' in body
    bad = client.get(f"/models/{slug}/?as_of=2026-13-01")
    assert bad.status_code == 400 and f'href="/models/{slug}/">See this page today</a>' in bad.content.decode()
    as_json = client.get(f"/models/{slug}/?as_of=2026-13-01", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 400 and as_json.json()["field"] == "as_of"


def test_the_index_with_a_malformed_pin_says_why_with_a_400(client, pinned):
    response = client.get("/models/?as_of=2026-13-01")
    assert response.status_code == 400
    assert "as_of expects YYYY-MM-DD" in response.content.decode()
    dated = client.get(f"/models/?as_of={BEFORE}").content.decode()
    assert "as it stood at the end of 1 January 2026" in dated


def test_a_pinned_organisation_page_leads_back_to_the_pinned_index(client, pinned):
    body = client.get(f"/organisations/{pinned['lab'].slug}/?as_of={BEFORE}").content.decode()
    assert f'<a href="/models/?as_of={BEFORE}">The index</a>' in body
