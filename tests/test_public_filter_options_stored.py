"""The index's filter options stored once per data version, and the search's organisation part
read as organisation ids (with the trigram indexes PostgreSQL answers it from)."""

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.http import QueryDict

from curation import filters, tasks
from curation.datachanges import current_data_version, record_data_change
from curation.filters import AIModelFilter
from curation.models import AIModel, Organisation
from curation.public import filter_options
from curation.public.caching import code_stamp
from curation.public.queries import filtered_index, index_filter_options
from tests.conftest import forget_cached_pages


def _stored_name() -> str:
    return filter_options.stored_name(code_stamp(), current_data_version())


@pytest.fixture
def index(make_ai_model, make_organisation):
    lab = make_organisation("Allen Lab", country="US")
    uni = make_organisation("Uni Zurich", country="CH")
    made = {
        "olmo": make_ai_model("OLMo Big", organisation=lab, base_model_name="Olmo Base"),
        "tulu": make_ai_model("Tulu", organisation=lab, end_model_name="Tulu Chat"),
        "apertus": make_ai_model("Apertus Swiss", organisation=uni),
    }
    record_data_change("models for the filter options")
    return made


def test_a_request_without_stored_options_works_them_out_and_stores_them(index, django_assert_num_queries):
    name = _stored_name()
    assert not default_storage.exists(name)
    options = filter_options.current_filter_options()
    assert options == index_filter_options()
    assert options["organisation"] == [
        (index["olmo"].organisation.slug, "Allen Lab"),
        (index["apertus"].organisation.slug, "Uni Zurich"),
    ]
    assert options["country"] == [("CH", "Switzerland"), ("US", "United States of America")]
    assert default_storage.exists(name)
    # Emptying the page cache keeps them: the next request reads the file and counts nothing.
    forget_cached_pages()
    current_data_version()  # the data version itself is read as before
    with django_assert_num_queries(0):
        assert filter_options.current_filter_options() == options


def test_the_worker_stores_the_options_after_a_data_change_and_prunes_the_old(
    index, make_organisation, make_ai_model, settings
):
    settings.OSAI_CHARTS_QUIET_SECONDS = 0  # the run goes ahead at once
    filter_options.current_filter_options()
    old_name = _stored_name()
    make_ai_model("Mistral Small", organisation=make_organisation("Mistral", country="FR"))
    record_data_change("a model added")
    new_name = _stored_name()
    assert new_name != old_name and not default_storage.exists(new_name)

    tasks.run_chart_regeneration.apply()  # the run the change asks for, here in this process

    assert default_storage.exists(new_name) and not default_storage.exists(old_name)
    stored = filter_options.current_filter_options()
    assert ("FR", "France") in stored["country"]
    assert stored == index_filter_options()
    assert filter_options.write_current_options() is False  # there already


def test_the_index_page_offers_the_stored_options_of_its_data_version(client, index, make_organisation, make_ai_model):
    assert "Allen Lab" in client.get("/models/").content.decode()
    make_ai_model("Mistral Small", organisation=make_organisation("Mistral", country="FR"))
    record_data_change("a model added")
    forget_cached_pages()
    body = client.get("/models/").content.decode()
    assert '<option value="FR"' in body and ">Mistral<" in body


def test_an_unreadable_stored_file_is_worked_out_again(index):
    name = _stored_name()
    filter_options.current_filter_options()
    default_storage.delete(name)
    with default_storage.open(name, "wb") as broken:
        broken.write(b"{not json")
    assert filter_options.current_filter_options() == index_filter_options()


def _search(term: str) -> tuple[list[str], int]:
    _filterset, qs = filtered_index(QueryDict(f"q={term}"))
    return [m.name for m in qs], qs.count()


@pytest.mark.parametrize("term", ["allen", "LAB", "zurich", "olmo base", "tulu chat", "no-such-thing", "%", "_"])
def test_search_gives_the_same_models_whether_organisations_are_listed_by_id_or_joined(index, monkeypatch, term):
    by_ids = _search(term)
    monkeypatch.setattr(filters, "SEARCH_ORGANISATION_IDS", 0)  # any matching organisation: the join
    assert _search(term) == by_ids


def test_search_matches_an_organisation_name_through_its_ids(index):
    assert _search("allen") == (["OLMo Big", "Tulu"], 2)
    assert _search("Swiss") == (["Apertus Swiss"], 1)
    _filterset, qs = filtered_index(QueryDict("q=allen"))
    sql = str(qs.query)
    assert f'organisation_id" IN ({index["olmo"].organisation_id})' in sql
    assert 'curation_organisation"."name' not in sql.split("WHERE", 1)[1]


def test_many_matching_organisations_fall_back_to_the_join(index, monkeypatch):
    monkeypatch.setattr(filters, "SEARCH_ORGANISATION_IDS", 1)
    _filterset, qs = filtered_index(QueryDict("q=n"))  # both organisations' names hold an "n"
    assert 'curation_organisation"."name' in str(qs.query).split("WHERE", 1)[1]
    assert qs.count() == 3


def _plan(queryset) -> str:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: show what the planner can use
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_postgres_answers_the_search_from_the_trigram_indexes(require_postgres, index):
    # Every model, public or not: the search's own condition, each alternative on the model table.
    searched = AIModelFilter(QueryDict("q=olmo"), AIModel.objects.all()).qs
    plan = _plan(searched)
    for index_name in ("aimodel_name_trgm", "aimodel_base_model_name_trgm", "aimodel_end_model_name_trgm"):
        assert index_name in plan, plan
    assert "BitmapOr" in plan, plan
    assert "organisation_name_trgm" in _plan(Organisation.objects.filter(name__icontains="allen"))
