"""The index's models over time (curation.public.model_periods): for every moment, the periods
valid then give the past index that rebuilding every model from history gives, row for row."""

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import HealthCheck, given, settings, strategies as st

from curation import vocab
from curation.datachanges import record_data_change
from curation.models import AIModel, HistoryEntry, ModelPeriod, ModelPeriodsWritten, Organisation, RegistryVersion
from curation.public import as_of as past
from curation.public.model_periods import write_current_periods, write_model_periods
from curation.registry import registry_version_data
from curation.review.services import ValidationFailed, create_entry, delete_entry, edit_directly
from tests.test_public_as_of import PAST, admin_user, tangled_history  # noqa: F401  (fixtures)

QUERIES = [
    "",
    "ordering=name",
    "ordering=-name",
    "ordering=organisation",
    "ordering=-organisation",
    "ordering=-category_availability",
    "ordering=category_availability",
    "ordering=dimension_licenses",
    "ordering=-dimension_weights_basemodel",
    "ordering=-released,type",
    "ordering=performance_class,-total",
    "grade_licenses=open",
    "grade_licenses=open&grade_licenses=partial&ordering=total",
    "type=image",
    "type=text&type=image",
    "sector=academic&ordering=-dimension_weights_basemodel",
    "q=model 1",
    "q=ALPHA",
    "performance_class=latest&ordering=total",
    "organisation=beta-corp",
    "organisation=GAMMA institute",
    "base_model=base",
    "released_from=2024&ordering=released",
    "released_to=2024-06",
]


@pytest.fixture(autouse=True)
def _no_kept_builds(monkeypatch):
    """Every rebuild made afresh (the kept ones are keyed by data version, which a rolled-back
    example of a property test may give again)."""
    monkeypatch.setattr(past, "built_once", lambda kind, moment, build, exclusive: build())


def _plain(row) -> tuple:
    model, org = row.model, row.model.organisation
    return (
        model.name,
        model.pk,
        model.slug,
        model.types,
        model.performance_class,
        model.release_date,
        model.base_model_name,
        model.total_score,
        [cell.grade for cell in row.cells],
        [cell.points for cell in row.cells],
        row.category_scores,
        model.hf_downloads,
        (org.pk, org.name, org.slug, org.sector, str(org.country), org.is_public) if org else None,
        _classification(model),
    )


def _classification(model) -> tuple:
    effective = model.classification()
    names = ("origin_scope", "country", "region", "sector", "contributor_kind", "big_tech_bloc", "own_origin")
    return tuple(getattr(effective, name) for name in names)


def _tie_order(rows: list[tuple]) -> list[tuple]:
    """`rows` (`_plain`) with each run of adjacent deleted models of the same name in one fixed
    order: they tie on every key of the index's order (no id, no file name), so either way may
    list them in any order; everything else stays where it is."""
    ordered: list[tuple] = []
    start = 0
    while start < len(rows):
        stop = start + 1
        if rows[start][1] is None:
            while stop < len(rows) and rows[stop][1] is None and rows[stop][0] == rows[start][0]:
                stop += 1
        ordered.extend(sorted(rows[start:stop], key=repr))
        start = stop
    return ordered


def _compare(moment, queries=QUERIES, *, pages: bool = True) -> int:
    """Assert that the periods give, at `moment`, what the rebuild gives for every query; returns
    how many rows the unfiltered index had."""
    columns = past.columns_on(moment)
    shown = 0
    for query in queries:
        filterset, rebuilt = past._rebuilt_index_as_of(QueryDict(query), moment, columns)
        assert filterset.is_valid(), (query, filterset.form.errors)
        _filterset, periods = past._periods_index_as_of(QueryDict(query), moment, columns)
        expected = _tie_order([_plain(row) for row in rebuilt[0 : len(rebuilt)]])
        assert len(periods) == len(rebuilt), (moment, query)
        assert _tie_order([_plain(row) for row in periods[0 : len(periods)]]) == expected, (moment, query)
        assert _tie_order([_plain(row) for row in periods]) == expected, (moment, query)  # downloads iterate
        for size in (1, 3) if pages else ():
            paged = [_plain(row) for start in range(0, len(periods), size) for row in periods[start : start + size]]
            assert _tie_order(paged) == expected, (moment, query, size)
        if not query:
            shown = len(expected)
    return shown


def _moments() -> list:
    """Days around the records, and every moment at which something was recorded, at and just
    after it (a release pins a moment, not a day)."""
    tick = datetime.timedelta(microseconds=1)
    moments: set = set()
    times = set(HistoryEntry.objects.values_list("applied_at", flat=True))
    times |= set(AIModel.objects.values_list("created_at", flat=True))
    times |= set(RegistryVersion.objects.values_list("valid_from", flat=True))
    for moment in times:
        moments |= {moment, moment + tick}
        moments |= {moment.date() - datetime.timedelta(days=1), moment.date()}
    return sorted(moments, key=lambda m: past.end_of_day(m))


def test_the_periods_give_the_rebuilt_index_at_every_moment(tangled_history):  # noqa: F811
    write_model_periods()
    counts = {}
    for moment in _moments():
        if isinstance(moment, datetime.datetime):
            counts[moment] = _compare(moment, QUERIES[:3], pages=False)
        else:
            counts[moment] = _compare(moment)
    assert 0 in counts.values() and 18 in counts.values()  # before the records, and on BEFORE_CHANGES


@pytest.fixture
def long_history(tangled_history, make_organisation, make_ai_model, admin_user):  # noqa: F811
    """The tangled history, and before it: a registry in force until mid-2025 with one dimension
    less and another applying to other types, then today's; changes spread over past days (grades,
    types, organisation names and classifications, a move, visibility both ways, a deletion with
    its snapshot, a model's own classification), some in the same instant."""
    models = {m.name: m for m in AIModel.objects.all()}
    orgs = {o.name: o for o in Organisation.objects.all()}
    today = registry_version_data()
    older = [dict(d, types=["image"]) if d["ref"] == "licenses" else d for d in today if d["ref"] != "training_data"]
    RegistryVersion.objects.create(valid_from=PAST - datetime.timedelta(days=30), dimensions=older)
    RegistryVersion.objects.create(valid_from=datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC), dimensions=today)

    def entry(day, target, field, before, *, hour=9):
        at = datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=datetime.UTC)
        if isinstance(target, Organisation):
            return HistoryEntry.objects.create(
                applied_at=at, organisation=target, target_label=target.name, field=field, before=before
            )
        if isinstance(target, str):
            return HistoryEntry.objects.create(applied_at=at, target_label=target, field=field, before=before)
        return HistoryEntry.objects.create(
            applied_at=at, ai_model=target, target_label=target.name, field=field, before=before
        )

    entry("2025-03-01", models["Model 03"], "assessment:licenses", {"grade": "closed"})
    entry("2025-03-01", models["Model 04"], "assessment:licenses", {"grade": "partial"})
    entry("2025-03-01", models["Model 05"], "types", ["image"])
    entry("2025-04-10", orgs["Alpha Lab"], "details", {"name": "Alpha Laboratory", "link": ""})
    entry("2025-04-10", orgs["Beta Corp"], "national_origin", {"scope": "country", "country": "DE"})
    entry("2025-05-05", models["Model 06"], "organisation", {"id": orgs["Beta Corp"].pk})
    entry("2025-05-05", models["Model 07"], "is_public", False, hour=10)
    entry("2025-05-20", models["Model 10"], "contributor_type", {"sector": "academic", "kind": "", "bloc": "none"})
    entry("2025-05-20", models["Model 13"], "details", {"name": "Model Thirteen", "release_date": "2024-05-01"})
    entry("2025-07-01", models["Model 14"], "performance_class", "latest")
    entry("2025-07-01", orgs["Gamma Institute"], "is_public", False)
    entry("2025-07-02", orgs["Gamma Institute"], "contributor_type", {"sector": "academic", "kind": "", "bloc": ""})
    entry("2025-08-01", models["Model 15"], "assessment:weights_basemodel", None)
    # A model made on the site, withdrawn in the autumn; its snapshot names Beta Corp.
    snapshot = {
        "types": ["text", "image"],
        "performance_class": "full",
        "is_public": True,
        "organisation": {"id": orgs["Beta Corp"].pk, "name": "Beta Corp"},
        "assessment:licenses": {"grade": "open"},
        "assessment:weights_basemodel": {"grade": "partial"},
    }
    entry("2025-09-09", "Withdrawn Model", "deleted", snapshot)
    entry("2025-02-02", "Never Public", "deleted", dict(snapshot, is_public=False))
    AIModel.objects.filter(name="Model 16").update(base_model_name="Base Llama", release_date="2024-03-01")
    record_data_change("a longer history")
    return models


def test_the_periods_follow_registries_organisations_and_deletions(long_history):
    write_model_periods()
    days = [datetime.date(2024, 12, 31), datetime.date(2025, 1, 1), datetime.date(2025, 3, 1)]
    days += [datetime.date(2025, 4, 9), datetime.date(2025, 5, 31), datetime.date(2025, 6, 1)]
    days += [datetime.date(2025, 7, 1), datetime.date(2025, 9, 8), datetime.date(2026, 1, 1)]
    shown = {day: _compare(day) for day in days}
    assert past.columns_on(datetime.date(2025, 3, 1)).historical  # scored under the older registry
    assert not past.columns_on(datetime.date(2025, 7, 1)).historical
    assert shown[datetime.date(2024, 12, 31)] == 0 and shown[datetime.date(2025, 9, 8)] == 19
    for moment in _moments():
        _compare(moment, ["", "ordering=-category_availability"], pages=False)


def test_a_model_with_nothing_changed_keeps_one_period(tangled_history):  # noqa: F811
    write_model_periods()
    quiet = AIModel.objects.get(name="Model 00")
    (period,) = ModelPeriod.objects.filter(model_id=quiet.pk)
    assert period.valid_from == quiet.created_at and period.valid_to is None
    assert period.grades["licenses"] == "open" and period.organisation_values["name"] == "Alpha Lab"
    # Regraded, and its organisation reclassified a moment later: three periods.
    regraded = AIModel.objects.get(name="Model 01")
    periods = list(ModelPeriod.objects.filter(model_id=regraded.pk).order_by("valid_from"))
    assert [p.grades["licenses"] for p in periods] == ["partial", "open", "open"]
    assert [p.effective_sector for p in periods] == ["non_academic", "non_academic", "academic"]
    assert periods[0].valid_to == periods[1].valid_from and periods[2].valid_to is None


def test_the_index_reads_the_periods_once_written_for_the_current_data(client, tangled_history, admin_user):  # noqa: F811
    day = datetime.date(2026, 1, 1)
    _filterset, rows = past.filtered_index_as_of(QueryDict(""), day, past.columns_on(day))
    assert isinstance(rows, past.PastOverlayRows)  # not written yet: from history
    assert write_current_periods() is True and write_current_periods() is False
    _filterset, rows = past.filtered_index_as_of(QueryDict(""), day, past.columns_on(day))
    assert isinstance(rows, past.PeriodRows)
    # An index shown with other columns than the day's registry is answered from history.
    columns = past.columns_on(day)
    other = past.Columns(dimensions=columns.dimensions[1:], categories=columns.categories, historical=True)
    assert not isinstance(past.filtered_index_as_of(QueryDict(""), day, other)[1], past.PeriodRows)
    response = client.get("/models/?as_of=2026-01-01&ordering=name")
    assert response.status_code == 200 and "Model 11" in response.content.decode()
    # A change since: the periods are stale until written again. Days before it are still read
    # from them; the day of the change is rebuilt from history.
    edit_directly(
        AIModel.objects.get(name="Model 00"), "performance_class", "full", user=admin_user, rationale="Newer benchmarks"
    )
    assert not past.periods_current()
    _filterset, rows = past.filtered_index_as_of(QueryDict(""), day, past.columns_on(day))
    assert isinstance(rows, past.PeriodRows)
    today = timezone.now().date()
    _filterset, rows = past.filtered_index_as_of(QueryDict(""), today, past.columns_on(today))
    assert not isinstance(rows, past.PeriodRows)
    assert ModelPeriodsWritten.objects.count() == 1


def test_the_worker_writes_the_periods_after_a_data_change(tangled_history, monkeypatch):  # noqa: F811
    from curation import tasks

    monkeypatch.setattr(tasks, "run_when_quiet", lambda _again: {"status": "done"})
    tasks.run_chart_regeneration.apply()
    assert past.periods_current()
    assert ModelPeriod.objects.filter(valid_to__isnull=True).count() == AIModel.objects.public().count()


_FIELDS = st.sampled_from(
    [
        "assessment:licenses",
        "assessment:weights_basemodel",
        "types",
        "performance_class",
        "organisation",
        "is_public",
        "national_origin",
        "contributor_type",
        "details",
        "created",
        "org:is_public",
        "org:contributor_type",
        "org:details",
        "deleted",
    ]
)


def _before(field: str, draw, org_ids: list[int]):
    if field.startswith("assessment:"):
        return draw(st.sampled_from([None, {"grade": "open"}, {"grade": "partial"}, {"grade": "closed"}]))
    return {
        "types": draw(st.sampled_from([["text"], ["image"], ["text", "image"], []])),
        "performance_class": draw(st.sampled_from(["full", "latest", ""])),
        "organisation": {"id": draw(st.sampled_from(org_ids))},
        "is_public": draw(st.booleans()),
        "national_origin": draw(st.sampled_from([None, {"scope": "country", "country": "FR"}])),
        "contributor_type": draw(st.sampled_from([None, {"sector": "academic", "kind": "", "bloc": "none"}])),
        "details": {"name": draw(st.sampled_from(["Renamed", "Zeta", "alpha"])), "release_date": None},
        "created": None,
        "org:is_public": draw(st.booleans()),
        "org:contributor_type": {"sector": draw(st.sampled_from(["academic", "non_academic"])), "kind": ""},
        "org:details": {"name": draw(st.sampled_from(["Omega", "beta corp", "Alpha Lab"]))},
        "deleted": {
            "types": ["text"],
            "is_public": draw(st.booleans()),
            "organisation": {"id": draw(st.sampled_from(org_ids))},
            "assessment:licenses": {"grade": "open"},
        },
    }[field]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_histories_give_the_same_past_index_either_way(tangled_history, data):  # noqa: F811
    """Any history (entries of every kind, on models and organisations, at a few instants, some
    shared) read either way gives the same past index at every moment recorded."""
    from django.db import transaction

    from curation.public.caching import retire_cached_pages

    # Each example rolls its data change back, so the next one's data version repeats: a new
    # cache generation per example, as each test gets, keeps memos of one example from another.
    retire_cached_pages()

    models = list(AIModel.objects.order_by("pk"))
    orgs = list(Organisation.objects.order_by("pk"))
    org_ids = [o.pk for o in orgs]
    instants = [datetime.datetime(2025, 2, day, 12, tzinfo=datetime.UTC) for day in (1, 1, 2, 3, 5)]

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for _ in range(data.draw(st.integers(1, 12))):
                field = data.draw(_FIELDS)
                at = data.draw(st.sampled_from(instants))
                before = _before(field, data.draw, org_ids)
                if field.startswith("org:"):
                    org = data.draw(st.sampled_from(orgs))
                    HistoryEntry.objects.create(
                        applied_at=at, organisation=org, target_label=org.name, field=field[4:], before=before
                    )
                elif field == "deleted":
                    label = data.draw(st.sampled_from(["Gone A", "Gone B", "Model 03"]))
                    HistoryEntry.objects.create(applied_at=at, target_label=label, field="deleted", before=before)
                else:
                    model = data.draw(st.sampled_from(models))
                    HistoryEntry.objects.create(
                        applied_at=at, ai_model=model, target_label=model.name, field=field, before=before
                    )
            if data.draw(st.booleans()):
                RegistryVersion.objects.create(
                    valid_from=instants[2], dimensions=[d for d in registry_version_data() if d["ref"] != "licenses"]
                )
            record_data_change("random history")
            write_model_periods()
            for moment in [*instants, datetime.date(2025, 2, 1), datetime.date(2025, 2, 4), datetime.date(2026, 1, 1)]:
                _compare(moment, ["", "ordering=name", "ordering=-dimension_weights_basemodel", "q=a"], pages=False)
            raise Rollback
    except Rollback:
        pass


def test_deleted_models_have_periods_from_their_snapshots(tangled_history):  # noqa: F811
    write_model_periods()
    gone = ModelPeriod.objects.filter(model_id__isnull=True)
    assert list(gone.values_list("name", flat=True)) == ["Model 11"]
    (period,) = gone
    assert period.valid_to is not None and period.organisation_values["name"] == "Gamma Institute"


def test_periods_of_an_empty_index(db):
    assert write_model_periods() == 0 and ModelPeriodsWritten.objects.get().period_count == 0


def test_a_deleted_organisations_models_show_no_organisation(make_ai_model, make_organisation, admin_user):  # noqa: F811
    lab = make_organisation("Short Lived", sector=vocab.Sector.ACADEMIC)
    model = make_ai_model("Orphan", organisation=lab)
    AIModel.objects.filter(pk=model.pk).update(created_at=PAST)
    model.refresh_from_db()
    edit_directly(model, "organisation", make_organisation("Keeper").pk, user=admin_user, rationale="Moved")
    delete_entry(Organisation.objects.get(pk=lab.pk), user=admin_user, rationale="Gone")
    record_data_change("organisation deleted")
    write_model_periods()
    _compare(datetime.date(2026, 1, 1), ["", "q=short", "ordering=organisation", "sector=academic"])
    (period,) = ModelPeriod.objects.filter(model_id=model.pk, valid_to__isnull=False)
    assert period.organisation_values is None and period.effective_sector == ""  # as no organisation


def _yesterday() -> datetime.datetime:
    return past.end_of_day(timezone.now().date() - datetime.timedelta(days=1))


def test_a_past_index_of_the_periods_counts_the_whole_index_once_per_data_version(tangled_history):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    write_current_periods()
    day = datetime.date(2026, 1, 1)
    whole = past.periods_valid_at(past.end_of_day(day)).count()

    def count(query: str) -> tuple[int, int]:
        _filterset, rows = past.filtered_index_as_of(QueryDict(query), day, past.columns_on(day))
        assert isinstance(rows, past.PeriodRows)
        with CaptureQueriesContext(connection) as captured:
            counted = len(rows)
        return counted, sum("COUNT(" in q["sql"].upper() for q in captured)

    assert count("") == (whole, 1)
    assert count("ordering=name") == (whole, 0)  # another order of the same day: remembered
    filtered = past.periods_valid_at(past.end_of_day(day)).filter(types__contains="image").count()
    assert 0 < filtered < whole and count("type=image") == (filtered, 1)  # a filter: counted by the database
    record_data_change("bulk load", kept_in_history=False)
    write_current_periods()
    assert count("") == (whole, 1)  # a new data version: counted again


def test_changes_kept_in_history_leave_the_periods_for_the_days_before_them(tangled_history, admin_user):  # noqa: F811
    write_model_periods()
    written = ModelPeriodsWritten.objects.get()
    assert written.history_through == HistoryEntry.objects.latest("pk").pk and written.read_at is not None
    model = AIModel.objects.get(name="Model 03")
    edit_directly(
        model,
        "assessment:licenses",
        {"grade": "closed", "links": [], "notes": ""},
        user=admin_user,
        rationale="Withdrawn licence",
    )
    edit_directly(Organisation.objects.get(name="Alpha Lab"), "is_public", False, user=admin_user, rationale="Asked to")
    create_entry(AIModel(name="Fresh Model", organisation=Organisation.objects.get(name="Beta Corp")), user=admin_user)
    record_data_change("post edited: news/x", kept_in_history=True)
    assert not past.periods_current()
    held = [m for m in _moments() if past.periods_hold_at(past.end_of_day(m))]
    for moment in held:
        _compare(moment, QUERIES[:3], pages=False)
    latest = HistoryEntry.objects.latest("pk").applied_at
    assert PAST.date() in held and latest not in held
    assert past.periods_hold_at(_yesterday()) and not past.periods_hold_at(past.end_of_day(timezone.now().date()))


@pytest.mark.parametrize("change", ["unkept", "backdated", "deletion", "a deleted model's name", "registry"])
def test_changes_the_past_may_not_hold_leave_the_periods_for_their_own_data_only(tangled_history, admin_user, change):  # noqa: F811
    write_model_periods()
    if change == "unkept":  # rows written without entries, as a bulk load does
        AIModel.objects.filter(name="Model 03").update(performance_class="latest")
        record_data_change("bulk load")
    elif change == "backdated":  # an entry applied before the periods were read
        model = AIModel.objects.get(name="Model 03")
        HistoryEntry.objects.create(
            applied_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
            ai_model=model,
            target_label=model.name,
            field="performance_class",
            before="latest",
        )
        record_data_change("entry", kept_in_history=True)
    elif change == "deletion":
        delete_entry(AIModel.objects.get(name="Model 03"), user=admin_user, rationale="Withdrawn")
    elif change == "a deleted model's name":
        create_entry(AIModel(name="Model 11", organisation=Organisation.objects.get(name="Beta Corp")), user=admin_user)
    else:
        RegistryVersion.objects.create(
            valid_from=timezone.now(), dimensions=[d for d in registry_version_data() if d["ref"] != "licenses"]
        )
        record_data_change("registry", kept_in_history=True)
    for day in (datetime.date(2025, 3, 1), datetime.date(2026, 1, 1)):
        assert not past.periods_hold_at(past.end_of_day(day)), day
    assert not past.periods_hold_at(_yesterday())


def test_a_change_nothing_in_an_index_shows_marks_the_periods_current_without_writing_them(tangled_history):  # noqa: F811
    write_model_periods()
    ids = set(ModelPeriod.objects.values_list("pk", flat=True))
    from curation.editorial.site import settings_changed

    settings_changed("menu")  # the editorial services say so themselves
    record_data_change("post edited: news/x", kept_in_history=True)
    assert not past.periods_current()
    assert write_current_periods() is False  # nothing written: marked current
    assert past.periods_current() and set(ModelPeriod.objects.values_list("pk", flat=True)) == ids
    record_data_change("bulk load")  # unsure: written again
    assert write_current_periods() is True and past.periods_current()


_LATER_CHANGES = st.sampled_from(
    [
        "grade",
        "performance_class",
        "types",
        "is_public",
        "move",
        "org:is_public",
        "org:contributor_type",
        "create",
        "delete",
        "post",
        "bulk",
    ]
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_changes_after_the_periods_leave_them_right_wherever_they_hold(tangled_history, admin_user, data):  # noqa: F811
    """Periods written, then any changes through the services (and news, and a bulk load): at
    every recorded moment where `periods_hold_at` says the periods hold, they give the index
    that rebuilding it from history now gives."""
    from django.db import transaction

    from curation.public.caching import retire_cached_pages

    # Each example rolls its data change back, so the next one's data version repeats: a new
    # cache generation per example, as each test gets, keeps memos of one example from another.
    retire_cached_pages()

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            write_model_periods()
            models = list(AIModel.objects.order_by("pk"))
            orgs = list(Organisation.objects.order_by("pk"))
            kinds = []
            for _ in range(data.draw(st.integers(1, 6))):
                kind = data.draw(_LATER_CHANGES)
                kinds.append(kind)
                model = AIModel.objects.filter(pk=data.draw(st.sampled_from(models)).pk).first()
                org = data.draw(st.sampled_from(orgs))
                grade = data.draw(st.sampled_from(["open", "partial", "closed"]))
                try:
                    if kind == "grade" and model:
                        value = {"grade": grade, "links": [], "notes": ""}
                        edit_directly(model, "assessment:licenses", value, user=admin_user, rationale="r")
                    elif kind == "performance_class" and model:
                        value = data.draw(st.sampled_from(["full", "latest"]))
                        edit_directly(model, "performance_class", value, user=admin_user, rationale="r")
                    elif kind == "types" and model:
                        value = data.draw(st.sampled_from([["text"], ["image"], ["text", "image"]]))
                        edit_directly(model, "types", value, user=admin_user, rationale="r")
                    elif kind == "is_public" and model:
                        edit_directly(model, "is_public", data.draw(st.booleans()), user=admin_user, rationale="r")
                    elif kind == "move" and model:
                        edit_directly(model, "organisation", org.pk, user=admin_user, rationale="r")
                    elif kind == "org:is_public":
                        edit_directly(org, "is_public", data.draw(st.booleans()), user=admin_user, rationale="r")
                    elif kind == "org:contributor_type":
                        value = {
                            "sector": data.draw(st.sampled_from(["academic", "non_academic"])),
                            "kind": "",
                            "bloc": "none",
                        }
                        edit_directly(org, "contributor_type", value, user=admin_user, rationale="r")
                    elif kind == "create":
                        name = data.draw(st.sampled_from(["Fresh", "Model 11"]))
                        if not AIModel.objects.filter(name=name).exists():  # a name (and address) once
                            create_entry(AIModel(name=name, organisation=org), user=admin_user)
                    elif kind == "delete" and model:
                        delete_entry(model, user=admin_user, rationale="r")
                    elif kind == "post":
                        record_data_change("post edited: news/x", kept_in_history=True)
                    elif kind == "bulk":
                        AIModel.objects.filter(pk=models[0].pk).update(performance_class="latest")
                        record_data_change("bulk load")
                except ValidationFailed:
                    pass  # the value it has already
            held = 0
            for moment in _moments():
                if past.periods_hold_at(past.end_of_day(moment)):
                    held += 1
                    _compare(moment, ["", "ordering=name", "ordering=-dimension_weights_basemodel"], pages=False)
            if not {"bulk", "delete", "create"} & set(kinds):
                assert past.periods_hold_at(_yesterday()) and held
            raise Rollback
    except Rollback:
        pass


def test_postgres_reads_a_page_of_a_past_index_in_its_default_order_from_an_index(require_postgres, tangled_history):  # noqa: F811
    """The past index's default order is the `modelperiod_index_order` index's (migration 0022):
    a page is read from it, with no sort of every period of the day."""
    from django.db import connection

    write_current_periods()
    day = datetime.date(2026, 1, 1)
    _filterset, rows = past.filtered_index_as_of(QueryDict(""), day, past.columns_on(day))
    assert isinstance(rows, past.PeriodRows)
    sql, params = rows.queryset[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table: a sort is what the planner would choose; disfavoured, the plan shows
        # whether an index gives the order (a sort stays in the plan when none does).
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "modelperiod_index_order" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_postgres_vacuums_the_periods_after_writing_them(require_postgres, make_ai_model):
    """Outside a transaction, the writer leaves the new periods all-visible (VACUUM): a past
    day's count is read from the index alone, at once."""
    from django.db import connection

    for i in range(3):
        make_ai_model(f"Vacuumed {i}")
    write_model_periods()
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [ModelPeriod._meta.db_table])
        pages, visible = cursor.fetchone()
    assert pages > 0 and visible == pages
