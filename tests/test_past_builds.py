"""Heavy rebuilds of a past index: kept per moment and data version, one at a time on the site,
other readers of a date not built yet told to come back (503 + Retry-After)."""

import datetime

import pytest
from django.core.cache import cache
from django.http import QueryDict

from curation.datachanges import record_data_change
from curation.models import AIModel
from curation.public import as_of as past
from curation.public.past_builds import BUILD_LOCK_KEY, RETRY_AFTER_SECONDS, PastIndexBeingPrepared
from tests.test_public_as_of import BEFORE_CHANGES, _past_rows, _plain, admin_user, tangled_history  # noqa: F401

OTHER_DAY = "2025-06-01"  # also before the changes, not built by the tests unless they ask


@pytest.fixture
def whole_rebuilds(tangled_history, monkeypatch):  # noqa: F811
    """The tangled history, with so few changes allowed in a merge that every past date
    since the models were made takes the rebuild of the whole index."""
    monkeypatch.setattr(past, "MERGE_MAX_CHANGED", 3)
    return tangled_history


@pytest.fixture
def rebuilds(monkeypatch):
    """The moments `rebuild_index` was asked for, in order (it still rebuilds)."""
    asked = []
    real = past.rebuild_index

    def counted(as_of):
        asked.append(as_of)
        return real(as_of)

    monkeypatch.setattr(past, "rebuild_index", counted)
    return asked


def test_a_second_heavy_rebuild_while_one_runs_is_refused_with_a_503(client, whole_rebuilds, monkeypatch):
    answers = {}
    real = past.rebuild_index

    def rebuild_while_others_ask(as_of):
        if not answers:  # while the first rebuild runs, readers ask for dates not built yet
            answers["page"] = client.get(f"/models/?as_of={OTHER_DAY}")
            answers["api"] = client.get(f"/api/v1/models/?as_of={OTHER_DAY}")
            answers["csv"] = client.get(f"/models.csv?as_of={OTHER_DAY}")
            answers["same day"] = client.get(f"/models/?as_of={BEFORE_CHANGES}&ordering=name")
        return real(as_of)

    monkeypatch.setattr(past, "rebuild_index", rebuild_while_others_ask)
    first = client.get(f"/models/?as_of={BEFORE_CHANGES}")
    assert first.status_code == 200 and b"Model 11" in first.content

    page = answers["page"]
    assert page.status_code == 503
    assert page["Retry-After"] == str(RETRY_AFTER_SECONDS)
    text = page.content.decode()
    assert "The past index is being prepared" in text  # a page of the site, saying why
    assert "The index as it stood on 1 June 2025 is being prepared" in text
    assert f"try again in {RETRY_AFTER_SECONDS} seconds" in text
    assert f'href="/models/?as_of={OTHER_DAY}">Try again</a>' in text
    assert 'href="/models/">See this page today</a>' in text
    assert "Model 11" not in text  # nothing of a half-made index

    api = answers["api"]
    assert api.status_code == 503 and api["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = api.json()
    assert body["field"] == "as_of" and body["retry_after"] == RETRY_AFTER_SECONDS
    assert "is being prepared" in body["message"]

    csv = answers["csv"]
    assert csv.status_code == 503 and csv["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert b"is being prepared" in csv.content

    # The date being built is no exception: it is not served before it is whole.
    assert answers["same day"].status_code == 503

    # Once the first build is done, the lock is free: the other date is built in its turn.
    assert cache.get(BUILD_LOCK_KEY) is None
    assert client.get(f"/models/?as_of={OTHER_DAY}").status_code == 200

    # A date already built is served whoever holds the lock.
    cache.add(BUILD_LOCK_KEY, "another reader's build", 60)
    kept = client.get(f"/models/?as_of={BEFORE_CHANGES}&ordering=-name")
    assert kept.status_code == 200 and b"Model 11" in kept.content
    assert client.get("/models/?as_of=2025-03-01").status_code == 503


def test_a_built_date_is_served_from_what_was_kept(client, whole_rebuilds, rebuilds):
    day = datetime.date.fromisoformat(BEFORE_CHANGES)
    columns = past.columns_on(day)
    licenses = [d.ref for d in columns.dimensions].index("licenses")
    built, rows = _past_rows("ordering=name", from_history=False)
    assert isinstance(rows, past.PastRows) and rebuilds == [day]

    # The same date again, with other filters and orderings: read from what was kept.
    kept, _rows = _past_rows("ordering=name", from_history=False)
    graded_open, _rows = _past_rows("grade_licenses=open&ordering=-name", from_history=False)
    response = client.get(f"/models/?as_of={BEFORE_CHANGES}&ordering=-name")
    assert response.status_code == 200
    assert rebuilds == [day]
    assert kept == built
    assert [name for name, *_ in graded_open] == sorted(
        (name for name, _total, grades, *_ in built if grades[licenses] == "open"), reverse=True
    )

    # What was kept is what the rebuild makes, down to the model rebuilt from a deletion's snapshot.
    specs = [columns.spec(d) for d in columns.dimensions]
    fresh = [p for p in past.rebuild_index(day) if past.was_public(p)]
    fresh_rows = past.PastRows(past._sort(fresh, ["name"], columns, specs), columns, specs)
    assert [_plain(row) for row in fresh_rows] == kept
    assert "Model 11" in [name for name, *_ in kept]


def test_a_new_data_version_is_not_served_what_was_kept_for_the_old_one(whole_rebuilds, rebuilds):
    before, _rows = _past_rows("ordering=name", from_history=False)
    # A correction that no history entry records changes the past index too.
    AIModel.objects.filter(name="Model 03").update(name="Model 03 corrected")
    record_data_change("name corrected")
    after, _rows = _past_rows("ordering=name", from_history=False)
    assert "Model 03" in [name for name, *_ in before] and "Model 03 corrected" not in [name for name, *_ in before]
    assert "Model 03 corrected" in [name for name, *_ in after] and "Model 03" not in [name for name, *_ in after]
    assert len(rebuilds) == 2
    _past_rows("", from_history=False)  # the new version's build is kept in its turn
    assert len(rebuilds) == 2


def test_the_lock_is_freed_when_a_build_fails(whole_rebuilds, monkeypatch):
    def broken(as_of):
        raise RuntimeError("database gone")

    monkeypatch.setattr(past, "rebuild_index", broken)
    with pytest.raises(RuntimeError):
        _past_rows("", from_history=False)
    assert cache.get(BUILD_LOCK_KEY) is None


def test_a_merge_of_many_changed_models_waits_for_a_running_build_and_a_small_one_does_not(
    tangled_history,  # noqa: F811
    monkeypatch,
):
    day = datetime.date.fromisoformat(BEFORE_CHANGES)
    cache.add(BUILD_LOCK_KEY, "another reader's build", 60)
    _filterset, rows = past.filtered_index_as_of(QueryDict(""), day, past.columns_on(day))
    assert isinstance(rows, past.PastOverlayRows)  # a few changed models: merged, lock or not
    monkeypatch.setattr(past, "EXCLUSIVE_ABOVE_CHANGED", 3)
    with pytest.raises(PastIndexBeingPrepared):
        past.filtered_index_as_of(QueryDict(""), datetime.date.fromisoformat(OTHER_DAY), past.columns_on(day))
    cache.delete(BUILD_LOCK_KEY)
    _filterset, rows = past.filtered_index_as_of(
        QueryDict(""), datetime.date.fromisoformat(OTHER_DAY), past.columns_on(day)
    )
    assert "Model 11" in [row.model.name for row in rows]


def test_only_the_newest_heavy_builds_are_kept(db, monkeypatch):
    from curation.public import past_builds

    monkeypatch.setattr(past_builds, "MAX_KEPT_HEAVY", 2)
    built = []

    def builder(day):
        def build():
            built.append(day)
            return [day.isoformat()]

        return build

    days = [datetime.date(2025, 1, d) for d in (1, 2, 3)]
    for day in days:
        assert past_builds.built_once("test", day, builder(day), exclusive=True) == [day.isoformat()]
    assert cache.get(past_builds.stored_key("test", days[0])) is None  # the oldest was let go
    for day in days[1:]:  # the two newest are read back, not built again
        assert past_builds.built_once("test", day, builder(day), exclusive=True) == [day.isoformat()]
    assert built == days
    past_builds.built_once("test", days[0], builder(days[0]), exclusive=True)
    assert built == [*days, days[0]]
    assert cache.get(past_builds.stored_key("test", days[1])) is None


def test_with_the_cache_unreachable_a_heavy_rebuild_is_refused_saying_why(db, monkeypatch):
    from curation.public import past_builds

    class UnreachableCache:  # as curation.cache_backends.FailOpenRedisCache answers while Redis is away
        def get(self, key, default=None):
            return default

        def add(self, *args, **kwargs):
            return False

        def is_available(self):
            return False

    monkeypatch.setattr(past_builds, "cache", UnreachableCache())
    monkeypatch.setattr(past_builds, "stored_key", lambda kind, moment: f"{kind}:{moment}")
    built = []
    with pytest.raises(PastIndexBeingPrepared) as refused:
        past_builds.built_once("test", datetime.date(2025, 1, 1), lambda: built.append(1), exclusive=True)
    assert built == []  # no rebuild without the lock that bounds them
    assert "cache" in str(refused.value) and "cannot be reached" in str(refused.value)
    assert "one is being rebuilt now" not in str(refused.value)
