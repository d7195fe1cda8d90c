"""A page of the index that misses the page cache: what it works out once per data version is the
same as what it worked out per request. Release-date filters are counted from the public models'
release days (no query); the index's citation texts are rendered once."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from curation.datachanges import record_data_change
from curation.public.caching import front_pages
from curation.public.pagination import index_paginator
from curation.public.queries import filtered_index

PERIODS = [
    "released_from=1166-04-11",
    "released_from=2023",
    "released_from=2023-06",
    "released_from=2023-06-15",
    "released_from=2023-06-16",
    "released_to=2023-06-15",
    "released_to=2023-06",
    "released_to=2022",
    "released_to=1900",
    "released_from=2030",
    "released_from=2023&released_to=2024-02",
    "released_from=2024-03&released_to=2023",  # an empty period
    "released_from=2022-01-01&released_to=2022-12-31&ordering=name",
    "released_from=2023-06-15&released_to=2023-06-15",
]


@pytest.fixture
def dated_index(make_ai_model, make_organisation):
    for i, day in enumerate(
        [
            datetime.date(2021, 12, 31),
            datetime.date(2022, 1, 1),
            datetime.date(2022, 12, 31),
            datetime.date(2023, 6, 15),
            datetime.date(2023, 6, 15),
            datetime.date(2023, 6, 16),
            datetime.date(2024, 2, 29),
            datetime.date(2024, 3, 1),
        ]
    ):
        make_ai_model(f"Dated {i}", release_date=day)
    make_ai_model("Undated", release_date=None)
    make_ai_model("Unpublished", release_date=datetime.date(2023, 6, 15), is_public=False)
    hidden = make_organisation("Unpublished organisation", is_public=False)
    make_ai_model("Of an unpublished organisation", release_date=datetime.date(2023, 6, 15), organisation=hidden)
    record_data_change("dated models")


def _count(query: str) -> int:
    filterset, rows = filtered_index(QueryDict(query))
    return index_paginator(filterset, rows, 10).count


@pytest.mark.parametrize("query", PERIODS)
def test_a_release_period_is_counted_as_the_database_counts_it(dated_index, query):
    _filterset, rows = filtered_index(QueryDict(query))
    assert _count(query) == rows.count()


def test_release_periods_are_counted_without_a_query_once_the_days_are_read(dated_index):
    _count("released_from=2023")  # reads the release days of this data version
    with CaptureQueriesContext(connection) as captured:
        counts = [_count(query) for query in PERIODS]
    assert not [q["sql"] for q in captured if "COUNT(" in q["sql"].upper() or "release_date" in q["sql"]]
    assert counts[:4] == [8, 5, 5, 5]


def test_other_filters_beside_a_period_are_counted_by_the_database(dated_index):
    with CaptureQueriesContext(connection) as captured:
        count = _count("released_from=2023&q=Dated 4")
    assert count == 1
    assert any("COUNT(" in q["sql"].upper() for q in captured)


def test_a_data_change_is_counted_at_once(dated_index, make_ai_model):
    assert _count("released_from=2025") == 0
    make_ai_model("Newer", release_date=datetime.date(2025, 5, 1))
    record_data_change("a newer model")
    assert _count("released_from=2025") == 1


def test_the_index_pages_show_the_exact_count(client, dated_index):
    page = client.get("/models/?released_from=2023-06").content.decode()
    assert "<strong>5</strong> models" in page
    front_pages.clear()
    page = client.get("/models/?released_to=2021").content.decode()
    assert "<strong>1</strong> model<" in page


def test_the_index_citation_is_the_same_rendered_once_as_every_time(client, dated_index):
    from curation.public import citations

    first = client.get("/models/?released_from=2022").content.decode()
    second = client.get("/models/?released_from=2023").content.decode()
    url = "http://testserver/models/"
    texts = {fmt: citations.render(citations.index_citation(url), fmt) for fmt in citations.FORMATS}
    assert citations.index_citation_texts(url) == texts
    for page in (first, second):
        block = page[page.index('<details class="cite-this"') :]
        for text in texts.values():
            assert f"<pre><code>{_escaped(text)}</code></pre>" in block


def _escaped(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


# The markup the layout and the filter panel made by template loops, before tags made it in one go.
OLD_THEME_LOOP = (
    "{% for mode in themes %}<a href=\"{% url 'curation:theme' %}?mode={{ mode }}&amp;next="
    '{{ request.get_full_path|urlencode }}"{% if mode == theme %} aria-current="true"{% endif %} rel="nofollow">'
    '{% if mode == "auto" %}as the system{% else %}{{ mode }}{% endif %}</a>{% if not forloop.last %} · {% endif %}'
    "{% endfor %}"
)
OLD_GRADE_LOOP = (
    "{% load index_tags %}{% for field in grade_fields %}\n"
    '      <fieldset class="grade-filter inline-choices"><legend>{{ field.label }}</legend>{% if field.errors %}'
    "{{ field.errors }}{% endif %}{% checkbox_choices field %}</fieldset>\n"
    "    {% endfor %}"
)


@pytest.mark.parametrize("cookie", ["", "dark", "light", "nonsense"])
@pytest.mark.parametrize("path", ["/models/", "/models/?q=%3Cb%3E%22%27&page=2", "/models/caf%C3%A9/?x=1&y=%26"])
def test_the_scheme_links_are_those_the_template_loop_made(rf, cookie, path):
    from django.template import Context, Template

    from curation.public.theme import theme
    from curation.templatetags.index_tags import theme_switch

    request = rf.get(path)
    if cookie:
        request.COOKIES["theme"] = cookie
    context = Context({"request": request, **theme(request)})
    assert theme_switch(context) == Template(OLD_THEME_LOOP).render(context)
    assert theme_switch(Context({})) == Template(OLD_THEME_LOOP).render(Context({})) == ""


@pytest.mark.parametrize(
    "query",
    [
        "",
        "grade_licenses=open",
        "grade_licenses=open&grade_licenses=partial&grade_datasheet=closed",
        "grade_licenses=bogus",
    ],
)
def test_the_grade_filters_are_those_the_template_loop_made(registry, query):
    from django.template import Context, Template

    from curation.templatetags.index_tags import grade_filter_fieldsets

    filterset, _rows = filtered_index(QueryDict(query))
    fields = [filterset.form[name] for name in filterset.grade_filter_names]
    assert len(fields) > 5
    made = grade_filter_fieldsets(fields)
    assert made == Template(OLD_GRADE_LOOP).render(Context({"grade_fields": fields}))
    assert ("errorlist" in made) == ("bogus" in query)
