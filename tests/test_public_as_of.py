"""`/models/?as_of=YYYY-MM-DD`: the index as it stood on a past date, rebuilt from history."""

import datetime
import re

import pytest
from django.utils import timezone

from curation import vocab
from curation.models import AIModel, HistoryEntry
from curation.public.as_of import rebuild_index
from curation.review.services import delete_entry, edit_directly

PAST = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
BEFORE_CHANGES = "2026-01-01"  # after the models were made (PAST), before today's changes


@pytest.fixture(autouse=True, params=["history", "periods"])
def past_source(request, monkeypatch):
    """Every test here runs twice: with past indexes rebuilt from history (the worker has not
    written the model periods of the current data yet), and read from the model periods, written
    for the data as the test left it when a past index is first asked for, as the worker would."""
    if request.param == "periods":
        from curation.models import ModelPeriodsWritten
        from curation.public import as_of, model_periods
        from curation.releases import latest_data_version

        def written_now() -> bool:
            if not ModelPeriodsWritten.objects.filter(data_version=latest_data_version()).exists():
                model_periods.write_model_periods()
            return True

        monkeypatch.setattr(as_of, "periods_hold_at", lambda _cutoff: written_now())
    return request.param


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "x")


@pytest.fixture
def history(make_ai_model, make_organisation, admin_user, registry):
    lab = make_organisation("Lab One", sector=vocab.Sector.NON_ACADEMIC)
    graded = make_ai_model("Graded", organisation=lab, performance_class="full")
    moved = make_ai_model("Moved Class", organisation=lab, performance_class="full")
    doomed = make_ai_model("Doomed", organisation=lab, grades={"licenses": "open"}, performance_class="full")
    AIModel.objects.filter(pk__in=[graded.pk, moved.pk, doomed.pk]).update(created_at=PAST)
    newcomer = make_ai_model("Newcomer", organisation=lab, performance_class="full")

    # Today's reviewed changes, through the review services.
    licence = {"grade": "open", "links": ["https://example.org/licence"], "notes": "Apache 2.0 now."}
    edit_directly(
        graded,
        "assessment:licenses",
        licence,
        user=admin_user,
        rationale="Relicensed",
        evidence_link="https://example.org/licence",
    )
    edit_directly(moved, "performance_class", "latest", user=admin_user, rationale="New benchmarks")
    edit_directly(
        lab,
        "contributor_type",
        {"sector": "academic", "kind": "university", "bloc": "none"},
        user=admin_user,
        rationale="Spun into a university",
    )
    delete_entry(AIModel.objects.get(pk=doomed.pk), user=admin_user, rationale="Withdrawn")
    return {"graded": graded, "moved": moved, "newcomer": newcomer, "lab": lab}


def names(response) -> list[str]:
    return re.findall(
        r'<th scope="row">(?:<a class="model-name" href="[^"]+">|<span class="model-name">)([^<]+)<',
        response.content.decode(),
    )


def test_today_reflects_the_changes(client, history):
    assert sorted(names(client.get("/models/"))) == ["Graded", "Moved Class", "Newcomer"]
    assert names(client.get("/models/?grade_licenses=open")) == ["Graded"]


def test_past_index_undoes_later_changes(client, history):
    response = client.get(f"/models/?as_of={BEFORE_CHANGES}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The index as it stood on 1 January 2026" in body
    past = names(response)
    # Newcomer did not exist yet; Doomed had not been deleted yet; Doomed led (licence open).
    assert "Newcomer" not in past
    assert past[0] == "Doomed" and sorted(past) == ["Doomed", "Graded", "Moved Class"]
    assert "(since removed)" in body


def _embedded_names(response) -> list[str]:
    return [
        name.strip()
        for name in re.findall(
            r'<th scope="row">(?:<a href="[^"]+" rel="noopener">)?([^<]+)<', response.content.decode()
        )
    ]


def test_the_embedded_index_is_pinned_like_the_index_page(client, history):
    pinned = client.get(f"/embed/index/?as_of={BEFORE_CHANGES}")
    assert pinned.status_code == 200
    body = pinned.content.decode()
    assert _embedded_names(pinned) == names(client.get(f"/models/?as_of={BEFORE_CHANGES}"))
    assert "3 models as of 1 January 2026, most open first" in body
    assert "(since removed)" in body  # Doomed, deleted since
    graded = history["graded"]
    assert f'href="http://testserver/models/{graded.slug}/?as_of={BEFORE_CHANGES}"' in body
    assert f'href="http://testserver/models/?as_of={BEFORE_CHANGES}"' in body
    filtered = client.get(f"/embed/index/?as_of={BEFORE_CHANGES}&grade_licenses=open")
    assert _embedded_names(filtered) == ["Doomed"]
    # Today's embed is not the pinned one (the pin is part of the page cache's key).
    assert sorted(_embedded_names(client.get("/embed/index/"))) == ["Graded", "Moved Class", "Newcomer"]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("as_of=last-year", 400, "as_of"),
        ("as_of=2026-01-01&release=x", 400, "release"),
        ("release=nope", 404, "release"),
    ],
)
def test_the_embedded_index_names_a_wrong_pin(client, history, query, status, field):
    response = client.get(f"/embed/index/?{query}")
    assert response.status_code == status
    body = response.content.decode()
    assert "This index cannot be shown" in body and f"<li>{field}: " in body
    assert "<table" not in body and 'class="site-header"' not in body


def test_the_embedded_index_asks_to_come_back_while_a_past_index_is_prepared(client, history, monkeypatch):
    from curation.public import reuse
    from curation.public.past_builds import PastIndexBeingPrepared

    def refuse(data, moment, columns):
        raise PastIndexBeingPrepared(moment, retry_after=7)

    monkeypatch.setattr(reuse, "filtered_index_as_of", refuse)
    response = client.get(f"/embed/index/?as_of={BEFORE_CHANGES}")
    assert response.status_code == 503 and response["Retry-After"] == "7"
    assert "This index cannot be shown" in response.content.decode()


def test_past_grades_scores_and_filters(client, history):
    assert names(client.get(f"/models/?as_of={BEFORE_CHANGES}&grade_licenses=open")) == ["Doomed"]
    assert names(client.get(f"/models/?as_of={BEFORE_CHANGES}&performance_class=latest")) == []
    assert "Moved Class" in names(client.get(f"/models/?as_of={BEFORE_CHANGES}&performance_class=full"))
    # The organisation became academic only today.
    assert names(client.get(f"/models/?as_of={BEFORE_CHANGES}&sector=academic")) == []
    assert names(client.get("/models/?sector=academic")) != []


def test_rebuilt_scores_match_the_past_grades(history):
    past = {p.model.name: p for p in rebuild_index(datetime.date(2026, 1, 1))}
    assert past["Graded"].grades["licenses"] == vocab.Grade.CLOSED
    assert past["Moved Class"].model.performance_class == "full"
    assert past["Doomed"].exists_today is False
    assert past["Graded"].model.organisation.sector == vocab.Sector.NON_ACADEMIC
    # The live rows were not touched by the rebuild.
    assert AIModel.objects.get(name="Moved Class").performance_class == "latest"


def test_as_of_today_equals_the_live_index(client, history):
    today = timezone.now().date().isoformat()
    assert names(client.get(f"/models/?as_of={today}")) == names(client.get("/models/"))


def test_as_of_hides_models_that_were_drafts_then(client, history, admin_user):
    newcomer = history["newcomer"]
    AIModel.objects.filter(pk=newcomer.pk).update(created_at=PAST, is_public=False)
    newcomer.refresh_from_db()
    edit_directly(newcomer, "is_public", True, user=admin_user, rationale="Approved for readers")
    assert "Newcomer" in names(client.get("/models/"))
    assert "Newcomer" not in names(client.get(f"/models/?as_of={BEFORE_CHANGES}"))


def test_bad_as_of_is_explained(client, history):
    response = client.get("/models/?as_of=last-year")
    assert response.status_code == 400  # as the model, organisation and compare pages; today's index shown
    assert "as_of expects YYYY-MM-DD" in response.content.decode()
    assert sorted(names(response)) == ["Graded", "Moved Class", "Newcomer"]


def test_history_entries_stay_untouched(client, history):
    before = HistoryEntry.objects.count()
    client.get(f"/models/?as_of={BEFORE_CHANGES}")
    assert HistoryEntry.objects.count() == before


def test_past_scores_are_recomputed_only_where_grades_changed(history):
    from django.http import QueryDict

    from curation.public.as_of import filtered_index_as_of
    from curation.public.queries import registry_columns

    columns = registry_columns()
    _, rows = filtered_index_as_of(QueryDict(""), datetime.date(2026, 1, 1), columns)
    totals = {row.model.name: row.total_percent for row in rows}
    one_open = round(100 / len(columns.dimensions))
    # Graded was all closed then (its licence opened today); Doomed had an open licence.
    assert totals == {"Doomed": one_open, "Graded": 0, "Moved Class": 0}
    assert AIModel.objects.get(name="Graded").total_score > 0
    licence_category = next(
        i
        for i, c in enumerate(columns.categories)
        if any(d.ref == "licenses" and d.category_id == c.pk for d in columns.dimensions)
    )
    by_name = {row.model.name: row for row in rows}
    assert by_name["Graded"].category_scores[licence_category] == 0
    assert by_name["Doomed"].category_scores[licence_category] > 0


def test_downloads_follow_as_of(client, history):
    import csv
    import io
    import json

    rows = list(csv.reader(io.StringIO(client.get(f"/models.csv?as_of={BEFORE_CHANGES}").content.decode())))
    assert sorted(r[0] for r in rows[1:]) == ["Doomed", "Graded", "Moved Class"]
    data = json.loads(client.get(f"/models.json?as_of={BEFORE_CHANGES}&performance_class=latest").content)
    assert data["count"] == 0
    data = json.loads(client.get(f"/models.json?as_of={BEFORE_CHANGES}&grade_licenses=open").content)
    assert [m["name"] for m in data["models"]] == ["Doomed"] and data["models"][0]["page"] is None
    response = client.get("/models.csv?as_of=2026-13-01")
    assert response.status_code == 400 and b"as_of expects YYYY-MM-DD" in response.content


def test_a_date_before_the_records_says_where_they_begin(client, history):
    body = client.get("/models/?as_of=2020-06-01").content.decode()
    assert "no model was in the index on 1 June 2020" in body
    assert "records begin on 1 January 2025" in body


def test_no_past_view_shows_a_model_that_was_not_public_then(client, history, admin_user, make_ai_model):
    """A draft (never public) and a draft published today stay out of every past view: the page,
    the CSV and the JSON, for a date before the changes and for yesterday."""
    import csv
    import io
    import json

    secret = make_ai_model("Secret Draft", organisation=history["lab"], performance_class="full")
    AIModel.objects.filter(pk=secret.pk).update(created_at=PAST, is_public=False)
    newcomer = history["newcomer"]
    AIModel.objects.filter(pk=newcomer.pk).update(created_at=PAST, is_public=False)
    newcomer.refresh_from_db()
    edit_directly(newcomer, "is_public", True, user=admin_user, rationale="Approved for readers")
    yesterday = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    for day in (BEFORE_CHANGES, yesterday):
        page = client.get(f"/models/?as_of={day}")
        rows = list(csv.reader(io.StringIO(client.get(f"/models.csv?as_of={day}").content.decode())))
        data = json.loads(client.get(f"/models.json?as_of={day}").content)
        for shown in (names(page), [r[0] for r in rows[1:]], [m["name"] for m in data["models"]]):
            assert "Graded" in shown
            assert "Secret Draft" not in shown and "Newcomer" not in shown
        assert b"Secret Draft" not in page.content
    assert "Newcomer" in names(client.get("/models/")) and "Secret Draft" not in names(client.get("/models/"))


def test_the_api_lists_the_index_as_of_a_date_like_the_index_page(client, history):
    today = client.get("/api/v1/models/").json()["results"]
    assert sorted(m["name"] for m in today) == ["Graded", "Moved Class", "Newcomer"]
    response = client.get(f"/api/v1/models/?as_of={BEFORE_CHANGES}")
    assert response.status_code == 200
    past = response.json()["results"]
    assert [m["name"] for m in past] == names(client.get(f"/models/?as_of={BEFORE_CHANGES}"))
    by_name = {m["name"]: m for m in past}
    assert by_name["Moved Class"]["performance_class"] == "full"
    licence = next(a for a in by_name["Graded"]["assessments"] if a["dimension"] == "licenses")
    assert licence["grade"] == vocab.Grade.CLOSED and licence["links"] == []
    assert by_name["Doomed"]["openness_percent"] > 0 and by_name["Graded"]["openness_percent"] == 0
    assert by_name["Doomed"]["url"] is None  # deleted since: no address to follow
    # Filters and ordering are the index page's, on that day's values.
    filtered = client.get(f"/api/v1/models/?as_of={BEFORE_CHANGES}&grade_licenses=open").json()["results"]
    assert [m["name"] for m in filtered] == ["Doomed"]
    assert client.get(f"/api/v1/models/?as_of={BEFORE_CHANGES}&sector=academic").json()["results"] == []
    ordered = client.get(f"/api/v1/models/?as_of={BEFORE_CHANGES}&ordering=name").json()["results"]
    assert [m["name"] for m in ordered] == ["Doomed", "Graded", "Moved Class"]
    assert client.get("/api/v1/models/?as_of=2020-01-01").json()["results"] == []


def test_the_api_pages_through_a_past_index(client, history):
    first = client.get(f"/api/v1/models/?as_of={BEFORE_CHANGES}&ordering=name&page_size=2").json()
    assert [m["name"] for m in first["results"]] == ["Doomed", "Graded"] and first["previous"] is None
    second = client.get(first["next"]).json()
    assert [m["name"] for m in second["results"]] == ["Moved Class"] and second["next"] is None
    assert [m["name"] for m in client.get(second["previous"]).json()["results"]] == ["Doomed", "Graded"]
    # A cursor made for another date is refused, not silently reinterpreted.
    other = first["next"].replace(BEFORE_CHANGES, "2025-06-01")
    assert client.get(other).status_code == 404


@pytest.mark.parametrize("value, words", [("garbage", "as_of expects YYYY-MM-DD"), ("2999-01-01", "in the future")])
def test_the_api_refuses_a_bad_as_of_naming_it(client, history, value, words):
    response = client.get(f"/api/v1/models/?as_of={value}")
    assert response.status_code == 400
    body = response.json()
    assert "as_of" in str(body) and words in str(body)


def test_the_api_shows_one_model_as_of_a_date(client, history):
    today = client.get("/api/v1/models/graded/").json()
    past = client.get(f"/api/v1/models/graded/?as_of={BEFORE_CHANGES}")
    assert past.status_code == 200
    past = past.json()

    def licence(answer):
        return next(a for a in answer["assessments"] if a["dimension"] == "licenses")

    assert licence(today)["grade"] == vocab.Grade.OPEN and licence(today)["links"]
    assert licence(past)["grade"] == vocab.Grade.CLOSED and licence(past)["links"] == []
    # The same answer as the model's entry in the list of that day.
    listed = client.get(f"/api/v1/models/?as_of={BEFORE_CHANGES}").json()["results"]
    assert past == next(m for m in listed if m["name"] == "Graded")
    moved = client.get(f"/api/v1/models/moved-class/?as_of={BEFORE_CHANGES}").json()
    assert moved["performance_class"] == "full"
    assert client.get("/api/v1/models/moved-class/").json()["performance_class"] == "latest"


def test_the_api_says_a_model_was_not_in_the_index_then(client, history):
    response = client.get(f"/api/v1/models/newcomer/?as_of={BEFORE_CHANGES}")
    assert response.status_code == 404
    assert "“Newcomer” was not in the published index at 2026-01-01" in response.json()["message"]
    assert client.get("/api/v1/models/graded/?as_of=garbage").json()["field"] == "as_of"


def test_the_api_schema_documents_as_of(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    parameters = schema["paths"]["/api/v1/models/"]["get"]["parameters"]
    as_of = next(p for p in parameters if p["name"] == "as_of")
    assert as_of["schema"] == {"type": "string", "format": "date"} and "index page" in as_of["description"]


@pytest.fixture
def additions_only(make_ai_model, make_organisation):
    """Models made on PAST and more added later, with no change of any other kind since."""
    from curation.datachanges import record_data_change

    academic = make_organisation("Academy", sector=vocab.Sector.ACADEMIC)
    company = make_organisation("Company", sector=vocab.Sector.NON_ACADEMIC)
    early = []
    for i in range(9):
        grades = {"licenses": "open" if i % 3 == 0 else "partial", "weights_basemodel": "open" if i % 2 else "closed"}
        early.append(
            make_ai_model(
                f"Early {i}",
                grades=grades,
                organisation=academic if i % 2 else company,
                types="text" if i % 4 else "image",
                performance_class="full" if i % 2 else "latest",
            )
        )
    AIModel.objects.filter(pk__in=[m.pk for m in early]).update(created_at=PAST)
    for i in range(3):
        added = make_ai_model(f"Added {i}", grades={"licenses": "open"}, organisation=academic)
        HistoryEntry.objects.create(ai_model=added, target_label=added.name, field="created")
    record_data_change("models added")


def _past_rows(query: str, *, from_history: bool):
    """The rows of the past index at BEFORE_CHANGES for `query`, as plain values: through
    `filtered_index_as_of`, or (`from_history`) through the rebuild of every model in memory."""
    from django.http import QueryDict

    from curation.public import as_of as past

    day = datetime.date.fromisoformat(BEFORE_CHANGES)
    build = past._rebuilt_index_as_of if from_history else past.filtered_index_as_of
    filterset, rows = build(QueryDict(query), day, past.columns_on(day))
    assert filterset.is_valid(), filterset.form.errors
    return [_plain(row) for row in rows[0 : len(rows)]], rows


def _plain(row) -> tuple:
    return (
        row.model.name,
        row.model.total_score,
        [cell.grade for cell in row.cells],
        row.category_scores,
        row.model.hf_downloads,
        row.model.organisation.name if row.model.organisation else None,
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "ordering=name",
        "ordering=-category_availability",
        "grade_licenses=open",
        "type=image",
        "sector=academic&ordering=-dimension_weights_basemodel",
        "q=early 1",
        "performance_class=latest&ordering=total",
    ],
)
def test_a_past_index_with_only_additions_since_is_the_rebuilt_one_from_the_database(
    additions_only, query, past_source
):
    from curation.public.as_of import PastQueryRows, PastRows, PeriodRows

    by_database, rows = _past_rows(query, from_history=False)
    rebuilt, history_rows = _past_rows(query, from_history=True)
    assert isinstance(rows, PeriodRows if past_source == "periods" else PastQueryRows)
    assert isinstance(history_rows, PastRows)
    assert by_database == rebuilt
    assert not any(name.startswith("Added") for name, *_ in by_database)
    assert [row.model.name for row in rows] == [name for name, *_ in by_database]  # downloads iterate


@pytest.mark.parametrize("query", ["", "grade_licenses=open&ordering=-category_availability", "type=image"])
def test_a_day_not_yet_ended_is_todays_index_counted_as_today(
    additions_only, history, query, django_assert_num_queries
):
    """Today (and tomorrow, a day ahead in some time zones) show the index now, changes of today
    included, with the count today's index has: remembered for the whole index."""
    from django.http import QueryDict

    from curation.public import queries
    from curation.public.as_of import PastQueryRows, columns_on, filtered_index_as_of
    from curation.public.pagination import index_paginator

    today_filterset, today_rows = queries.filtered_index(QueryDict(query))
    expected = [model.name for model in today_rows]
    today_count = index_paginator(today_filterset, today_rows, 100).count
    assert any(name.startswith("Added") for name in expected) or query
    for day in (timezone.now().date(), timezone.now().date() + datetime.timedelta(days=1)):
        _filterset, rows = filtered_index_as_of(QueryDict(query), day, columns_on(day))
        assert isinstance(rows, PastQueryRows)
        assert [row.model.name for row in rows[0 : len(rows)]] == expected
        assert len(rows) == today_count == len(expected)
        assert all(row.model.hf_downloads is None for row in rows[0 : len(rows)])
    if not query:  # the whole index's count is remembered: no query counts it again
        _filterset, rows = filtered_index_as_of(
            QueryDict(query), timezone.now().date(), columns_on(timezone.now().date())
        )
        with django_assert_num_queries(0):
            assert len(rows) == today_count


def test_a_past_index_after_other_changes_rebuilds_only_the_changed_models(history, past_source):
    from django.http import QueryDict

    from curation.public.as_of import PastOverlayRows, PeriodRows, columns_on, filtered_index_as_of

    day = datetime.date.fromisoformat(BEFORE_CHANGES)
    _filterset, rows = filtered_index_as_of(QueryDict(""), day, columns_on(day))
    assert isinstance(rows, PeriodRows if past_source == "periods" else PastOverlayRows)


@pytest.fixture
def tangled_history(make_ai_model, make_organisation, admin_user):
    """Twenty models made on PAST, then (after BEFORE_CHANGES) grade and type changes, an
    organisation reclassified and one hidden, a model moved to another organisation, a model
    hidden and one published, a deletion, a deletion followed by a re-creation of the same name,
    and models added."""
    from curation.datachanges import record_data_change

    orgs = [
        make_organisation("Alpha Lab", sector=vocab.Sector.ACADEMIC),
        make_organisation("Beta Corp", sector=vocab.Sector.NON_ACADEMIC),
        make_organisation("Gamma Institute", sector=vocab.Sector.ACADEMIC),
    ]
    models = []
    for i in range(20):
        grades = {
            "licenses": ("open", "partial", "closed")[i % 3],
            "weights_basemodel": "open" if i % 2 else "closed",
            "training_data": "partial" if i % 5 else "open",
        }
        models.append(
            make_ai_model(
                f"Model {i:02d}",
                grades=grades,
                organisation=orgs[i % 3],
                types="text" if i % 4 else "image",
                performance_class="full" if i % 2 else "latest",
            )
        )
    hidden_then = models[19]
    AIModel.objects.filter(pk__in=[m.pk for m in models]).update(created_at=PAST)
    AIModel.objects.filter(pk=hidden_then.pk).update(is_public=False)
    for model in models:
        model.refresh_from_db()

    def edit(obj, field, value):
        edit_directly(obj, field, value, user=admin_user, rationale="Checked")

    for i in (1, 4, 7, 10):
        edit(models[i], "assessment:licenses", {"grade": "open", "links": [], "notes": ""})
    edit(models[2], "assessment:weights_basemodel", {"grade": "open", "links": [], "notes": ""})
    edit(models[5], "types", ["text", "image"])
    edit(models[6], "performance_class", "full")
    edit(orgs[1], "contributor_type", {"sector": "academic", "kind": "university", "bloc": "none"})
    edit(orgs[2], "is_public", False)
    edit(models[8], "organisation", orgs[0].pk)
    edit(models[9], "is_public", False)
    edit(hidden_then, "is_public", True)
    delete_entry(AIModel.objects.get(pk=models[11].pk), user=admin_user, rationale="Withdrawn")
    delete_entry(AIModel.objects.get(pk=models[12].pk), user=admin_user, rationale="Duplicate")
    again = make_ai_model("Model 12", grades={"licenses": "open"}, organisation=orgs[0])
    HistoryEntry.objects.create(ai_model=again, target_label=again.name, field="created")
    for i in range(3):
        added = make_ai_model(f"Added {i}", grades={"licenses": "open"}, organisation=orgs[0])
        HistoryEntry.objects.create(ai_model=added, target_label=added.name, field="created")
    record_data_change("tangled changes")
    return models


@pytest.mark.parametrize(
    "query",
    [
        "",
        "ordering=name",
        "ordering=-name",
        "ordering=organisation",
        "ordering=-category_availability",
        "ordering=dimension_licenses",
        "ordering=-released,type",
        "grade_licenses=open",
        "type=image",
        "sector=academic&ordering=-dimension_weights_basemodel",
        "q=model 1",
        "performance_class=latest&ordering=total",
        "organisation=beta-corp",
        "organisation=GAMMA institute",
    ],
)
def test_a_past_index_merged_from_the_database_is_the_rebuilt_one(tangled_history, query, past_source):
    """The changed models rebuilt from their history and merged with the others read from the
    database (or the model periods, once written) give the same rows, in the same order, on
    every page, as rebuilding every model."""
    from curation.public.as_of import PastOverlayRows, PeriodRows

    merged, rows = _past_rows(query, from_history=False)
    rebuilt, history_rows = _past_rows(query, from_history=True)
    assert isinstance(rows, PeriodRows if past_source == "periods" else PastOverlayRows)
    assert merged == rebuilt
    assert len(rows) == len(history_rows)
    for size in (1, 2, 3, 7):
        paged = [_plain(row) for start in range(0, len(rows), size) for row in rows[start : start + size]]
        assert paged == rebuilt, size
    assert [_plain(row) for row in rows] == rebuilt  # downloads iterate
    if rebuilt:
        assert _plain(rows[-1]) == rebuilt[-1] and _plain(rows[len(rows) // 2]) == rebuilt[len(rebuilt) // 2]


def test_the_merged_past_index_undoes_each_kind_of_change(tangled_history):
    shown = {name: organisation for name, *_, organisation in _past_rows("", from_history=False)[0]}
    assert "Model 11" in shown  # deleted since
    # Deleted, then a model of that name added again since: the rule of `rebuild_index` (a
    # deletion undone only when no model of its name was added after it) holds in the merge too.
    assert "Model 12" not in shown
    assert "Model 09" in shown and "Model 19" not in shown  # hidden since; published since
    assert shown["Model 08"] == "Gamma Institute"  # moved since; its organisation was public then
    assert not any(name.startswith("Added") for name in shown)
    assert len(shown) == 18


def test_a_past_index_with_too_many_changes_to_merge_is_rebuilt_whole(tangled_history, monkeypatch, past_source):
    from curation.public import as_of as past

    merged, _rows = _past_rows("ordering=name", from_history=False)
    monkeypatch.setattr(past, "MERGE_MAX_CHANGED", 3)
    rebuilt, rows = _past_rows("ordering=name", from_history=False)
    assert isinstance(rows, past.PeriodRows if past_source == "periods" else past.PastRows)
    assert rebuilt == merged and len(rebuilt) == 18
