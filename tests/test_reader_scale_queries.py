"""What keeps the index flat at 100,000 models: plain-row downloads, past indexes that build only
the rows shown, a page read in index order with a cheap total, rows rendered once per data version,
an admin list without full-table counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from curation.public import as_of as as_of_module
from curation.public.caching import front_pages


@pytest.fixture(autouse=True)
def fresh_caches():
    # The shared conftest starts each test with fresh caches (never flushing a shared Redis).
    front_pages.clear()
    return


def _sql(captured) -> list[str]:
    return [q["sql"] for q in captured]


def test_a_download_costs_the_same_queries_for_any_number_of_models(client, make_ai_model):
    def queries_of(url):
        from curation.public.caching import retire_cached_pages

        client.get(url)  # the data version and the registry's parameter names are then known
        retire_cached_pages()  # the uncached download
        front_pages.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    make_ai_model("First Download")
    few = {url: queries_of(url) for url in ("/models.csv", "/models-details.csv", "/models.json")}
    for i in range(40):
        make_ai_model(f"Download {i:02d}")
    many = {url: queries_of(url) for url in few}
    assert few == many


def test_downloads_show_grades_as_the_page_does(client, make_ai_model):
    make_ai_model("Graded", grades={"licenses": "open", "weights_basemodel": "partial"}, types="text")
    csv_text = client.get("/models-details.csv").content.decode()
    header, row = csv_text.splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert cells["Model Name"] == "Graded"
    names = {d.ref: d.name for d in __import__("curation.registry", fromlist=["x"]).active_dimensions()}
    assert cells[names["licenses"]] == "Open"
    assert cells[names["weights_basemodel"]] == "Partial"
    document = client.get("/models.json").json()
    assert document["models"][0]["grades"]["licenses"] == "open"


@pytest.mark.parametrize("changed_since", [False, True])
def test_a_past_index_builds_rows_only_for_the_page_shown(client, make_ai_model, monkeypatch, changed_since):
    from curation.models import HistoryEntry

    models = [make_ai_model(f"Past Model {i:02d}") for i in range(60)]
    if changed_since:  # a change after the date: the index is rebuilt from its history
        HistoryEntry.objects.create(
            ai_model=models[0], target_label=models[0].name, field="performance_class", before="", after="full"
        )
    built = []
    original_row, original_rows = as_of_module._row, as_of_module.build_rows
    monkeypatch.setattr(as_of_module, "_row", lambda *args: built.append(1) or original_row(*args))
    monkeypatch.setattr(
        as_of_module,
        "build_rows",
        lambda models, *args, **kwargs: built.extend([1] * len(models)) or original_rows(models, *args, **kwargs),
    )
    day = (
        (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        if changed_since
        else datetime.date.today().isoformat()
    )
    if changed_since:
        from curation.models import AIModel

        AIModel.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    page = client.get(f"/models/?as_of={day}&per_page=25")
    assert page.status_code == 200
    assert b"Past Model" in page.content
    assert len(built) == 25


def test_a_past_index_can_be_ordered_by_a_dimension_and_filtered_by_grade(client, make_ai_model):
    make_ai_model("Open One", grades={"licenses": "open"})
    make_ai_model("Closed One", grades={"licenses": "closed"})
    today = datetime.date.today().isoformat()
    page = client.get(f"/models/?as_of={today}&grade_licenses=open").content
    assert b"Open One" in page and b"Closed One" not in page
    ordered = client.get(f"/models/?as_of={today}&ordering=dimension_licenses").content
    assert ordered.index(b"Closed One") < ordered.index(b"Open One")


def _results_line(page) -> str:
    import re

    return re.search(r"<strong>(\d+)</strong> models?(, page \d+ of \d+)?", page.content.decode()).group(0)


def test_the_index_counts_its_rows_with_and_without_filters(client, make_ai_model):
    for i in range(30):
        make_ai_model(f"Counted {i:02d}", grades={"licenses": "open" if i % 2 else "closed"})
    assert _results_line(client.get("/models/?per_page=25")) == "<strong>30</strong> models, page 1 of 2"
    filtered = client.get("/models/?grade_licenses=open&per_page=25")
    assert _results_line(filtered) == "<strong>15</strong> models"
    assert filtered.content.count(b'name="models" value="counted-') == 15
    assert _results_line(client.get("/models/?q=Counted+0&per_page=25")) == "<strong>10</strong> models"
    # An ordering narrows nothing; an invalid filter value is not applied (and says so).
    assert _results_line(client.get("/models/?ordering=name&per_page=25")) == "<strong>30</strong> models, page 1 of 2"
    invalid = client.get("/models/?grade_licenses=nonsense&per_page=25")
    assert _results_line(invalid) == "<strong>30</strong> models, page 1 of 2"
    assert b"Some filters could not be applied" in invalid.content
    # A page past the end shows the last page.
    last = client.get("/models/?page=9&per_page=25")
    assert last.status_code == 200 and _results_line(last) == "<strong>30</strong> models, page 2 of 2"
    assert last.content.count(b'name="models" value="counted-') == 5


def test_a_page_of_the_index_is_a_plain_page_query_and_the_whole_index_is_counted_once(client, make_ai_model):
    for i in range(12):
        make_ai_model(f"Paged {i:02d}")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/models/?per_page=25").status_code == 200
    model_queries = [sql for sql in _sql(captured) if 'FROM "curation_aimodel"' in sql]
    assert not any("OVER" in sql for sql in model_queries), model_queries
    assert any("ORDER BY" in sql and "LIMIT" in sql for sql in model_queries)
    assert sum(sql.startswith("SELECT COUNT(*)") for sql in model_queries) == 1
    # Another order of the same rows (a page-cache miss): the total is remembered for this data
    # version, so only the page is read.
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/models/?ordering=name&per_page=25")
    assert _results_line(page) == "<strong>12</strong> models"
    assert not any(sql.startswith("SELECT COUNT(*)") for sql in _sql(captured))


def _page_names(page) -> list[str]:
    import re

    return re.findall(r'name="models" value="([^"]+)"', page.content.decode())


def test_filtered_rows_ordered_by_a_category_score_count_beside_the_page(client, make_ai_model):
    for i in range(45):
        make_ai_model(
            f"Scored {i:02d}",
            grades={
                "licenses": "open" if i % 3 else "closed",
                "weights_basemodel": ["open", "partial", "closed"][i % 3],
            },
        )
    url = "/models/?grade_licenses=open&ordering=-category_availability&per_page=25"
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url)
    model_queries = [sql for sql in _sql(captured) if 'FROM "curation_aimodel"' in sql]
    assert not any(sql.startswith("SELECT COUNT(*)") for sql in model_queries), model_queries
    assert any("OVER ()" in sql for sql in model_queries)
    assert _results_line(first) == "<strong>30</strong> models, page 1 of 2"
    # The same rows, pages and totals as counted apart: a second page, one past the end (the
    # last page, after a count of its own), a page number that is no number (the first page).
    second = client.get(url + "&page=2")
    assert _results_line(second) == "<strong>30</strong> models, page 2 of 2"
    past_the_end = client.get(url + "&page=7")
    assert _results_line(past_the_end) == "<strong>30</strong> models, page 2 of 2"
    assert _page_names(past_the_end) == _page_names(second) and len(_page_names(second)) == 5
    not_a_number = client.get(url + "&page=x")
    assert _results_line(not_a_number) == "<strong>30</strong> models, page 1 of 2"
    assert _page_names(not_a_number) == _page_names(first) and len(_page_names(first)) == 25
    nothing = client.get("/models/?q=no-such-model&ordering=-category_availability")
    assert _results_line(nothing) == "<strong>0</strong> models"


def test_a_paginator_counting_beside_the_rows_gives_the_pages_of_a_plain_one(make_ai_model):
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from curation.public.pagination import (
        CountedBesideRowsPaginator,
        CountedFromShortPagePaginator,
        index_paginator,
    )
    from curation.public.queries import filtered_index

    for i in range(11):
        make_ai_model(f"Ranked {i:02d}", grades={"licenses": ["open", "partial", "closed"][i % 3]})
    filterset, rows = filtered_index(QueryDict("type=text&ordering=dimension_licenses"))
    assert isinstance(index_paginator(filterset, rows, 4), CountedBesideRowsPaginator)
    # Filtered without a score ordering, the count comes from a short last page or its own
    # query; without a filter, it is the remembered total of the index.
    filtered_filterset, filtered_rows = filtered_index(QueryDict("type=text&ordering=name"))
    assert isinstance(index_paginator(filtered_filterset, filtered_rows, 4), CountedFromShortPagePaginator)
    plain_filterset, plain_rows = filtered_index(QueryDict("ordering=name"))
    assert type(index_paginator(plain_filterset, plain_rows, 4)) is Paginator
    _assert_pages_as_a_plain_paginator_gives(lambda: CountedBesideRowsPaginator(rows, 4), rows)


def _assert_pages_as_a_plain_paginator_gives(make_paginator, rows) -> None:
    """Every page number (none, in range, past the end, zero, negative, not an integer) gives
    what Django's Paginator over `rows` (4 a page) gives: number, count, pages, rows, links."""
    from django.core.paginator import Paginator

    for number in (None, "1", "2", "3", "4", "0", "-1", "2.5", "x"):
        counted = make_paginator().get_page(number)
        plain = Paginator(rows, 4).get_page(number)
        assert (counted.number, counted.paginator.count, counted.paginator.num_pages) == (
            plain.number,
            plain.paginator.count,
            plain.paginator.num_pages,
        ), number
        assert [m.pk for m in counted.object_list] == [m.pk for m in plain.object_list], number
        assert (counted.has_next(), counted.has_previous()) == (plain.has_next(), plain.has_previous()), number


@pytest.mark.parametrize("model_count", [11, 12])  # a short last page, a full one
def test_a_paginator_counting_from_a_short_page_gives_the_pages_of_a_plain_one(make_ai_model, model_count):
    from django.http import QueryDict

    from curation.public.pagination import CountedFromShortPagePaginator
    from curation.public.queries import filtered_index

    for i in range(model_count):
        make_ai_model(f"Paged {i:02d}")
    _filterset, rows = filtered_index(QueryDict("type=text"))
    _assert_pages_as_a_plain_paginator_gives(
        lambda: CountedFromShortPagePaginator(rows, 4, count_rows=rows.count), rows
    )


def test_a_search_whose_matches_fit_on_one_page_is_not_counted_apart(client, make_ai_model):
    for i in range(30):
        make_ai_model(f"Searched {i:02d}")
    with CaptureQueriesContext(connection) as captured:
        few = client.get("/models/?q=Searched+1&per_page=25")
    assert _results_line(few) == "<strong>10</strong> models"
    assert not any(sql.startswith("SELECT COUNT(*)") for sql in _sql(captured))
    # More matches than a page holds: counted by the database.
    with CaptureQueriesContext(connection) as captured:
        many = client.get("/models/?q=Searched&per_page=25")
    assert _results_line(many) == "<strong>30</strong> models, page 1 of 2"
    assert sum(sql.startswith("SELECT COUNT(*)") for sql in _sql(captured)) == 1
    second = client.get("/models/?q=Searched&per_page=25&page=2")
    assert _results_line(second) == "<strong>30</strong> models, page 2 of 2"
    assert second.content.count(b'name="models" value="searched-') == 5


def test_rows_of_the_index_are_rendered_once_per_data_version(
    client, make_ai_model, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from curation.datachanges import record_data_change
    from curation.models import Assessment

    models = [make_ai_model(f"Row {i:02d}", grades={"licenses": "open"}) for i in range(6)]
    first = client.get("/models/")
    assert first.content.count(b'value="row-') == 6
    # A page-cache miss showing the same rows reads no grades or evidence again.
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/models/?ordering=name")
    assert again.content.count(b'value="row-') == 6
    assert not any("curation_assessment" in sql for sql in _sql(captured))
    # A data change renders the rows afresh, with the new grade.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Assessment.objects.filter(ai_model=models[0], dimension__ref="licenses").update(grade="closed")
        record_data_change("grade for test")
    changed = client.get("/models/?ordering=name").content.decode()
    row = changed[changed.index('value="row-00"') :]
    row = row[: row.index("</tr>")]
    assert "Closed" in row


def test_the_admin_model_list_counts_once_and_pending_comes_from_a_subquery(admin_client, make_ai_model):
    for i in range(5):
        make_ai_model(f"Admin Listed {i}")
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get("/admin/curation/aimodel/")
    assert response.status_code == 200
    counts = [sql for sql in _sql(captured) if sql.startswith("SELECT COUNT(") and "curation_aimodel" in sql]
    assert len(counts) == 1, counts
    listing = next(sql for sql in _sql(captured) if "curation_changerequest" in sql and "LIMIT" in sql)
    # Pending proposals per row shown, not a join of every model with its proposals, grouped.
    assert 'GROUP BY "curation_aimodel"."id"' not in listing


def test_a_miss_showing_kept_rows_reads_only_the_page_ids_and_the_count(client, make_ai_model):
    for i in range(6):
        make_ai_model(f"Kept {i:02d}", release_date=datetime.date(2024, 1, 1 + i))
    first = client.get("/models/")
    assert first.content.count(b'value="kept-') == 6
    # A new filter (a page-cache miss) showing rows already rendered: the registry, the date the
    # index last changed and the models themselves are not read again, only the page's ids and
    # download figures and its total.
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/models/?released_from=2024-01-03")
    assert again["X-Page-Cache"] == "miss"
    assert _results_line(again) == "<strong>4</strong> models"
    assert again.content.count(b'value="kept-') == 4
    assert b'value="kept-00"' not in again.content
    sql = _sql(captured)
    assert len(sql) == 2, sql
    page_query = next(q for q in sql if "LIMIT" in q)
    assert '"curation_aimodel"."name"' not in page_query.split(" FROM ")[0], page_query
    # A row no page showed yet is read and rendered in full (after the data change that a new
    # model records, which also gives the release days counted anew).
    make_ai_model("Kept new", release_date=datetime.date(2025, 1, 1))
    from curation.datachanges import record_data_change

    record_data_change("a model added")
    fresh = client.get("/models/?released_from=2024-01-05")
    assert fresh.content.count(b'value="kept-') == 3 and b'value="kept-new"' in fresh.content


def test_the_filtered_total_leaves_out_unpublished_organisations_without_joining_them(
    client, make_ai_model, make_organisation
):
    hidden = make_organisation("Hidden Lab", is_public=False)
    shown = make_organisation("Shown Lab", country="FR")
    for i in range(3):
        make_ai_model(f"Hidden {i}", organisation=hidden, release_date=datetime.date(2024, 1, 1))
    for i in range(4):
        make_ai_model(f"Shown {i}", organisation=shown, release_date=datetime.date(2024, 1, 1))
    make_ai_model("Other", release_date=datetime.date(2024, 1, 1))
    with CaptureQueriesContext(connection) as captured:
        # A page past the end, so the total is counted rather than read off a short last page.
        page = client.get("/models/?released_from=2023&type=text&page=2&per_page=25")
    assert _results_line(page) == "<strong>5</strong> models"
    count = next(sql for sql in _sql(captured) if sql.startswith("SELECT COUNT(*)"))
    assert "JOIN" not in count, count
    # A period of release alone is counted from the public models' release days, read alike.
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/models/?released_from=2023")
    assert _results_line(page) == "<strong>5</strong> models"
    days = next(sql for sql in _sql(captured) if sql.startswith('SELECT "curation_aimodel"."release_date"'))
    assert "JOIN" not in days, days
    # A filter on the organisation's own fields still counts the right models.
    assert _results_line(client.get("/models/?country=FR")) == "<strong>4</strong> models"
    assert _results_line(client.get("/models/?q=Lab")) == "<strong>4</strong> models"
