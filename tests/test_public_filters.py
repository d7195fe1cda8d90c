"""The shared FilterSets: every filter narrows the index the way its name says."""

import datetime

import pytest
from django.http import QueryDict

from curation import vocab
from curation.filters import AIModelFilter, OrganisationFilter, parse_period
from curation.models import AIModel, Dimension, Organisation


def names(data: str, queryset=None):
    filterset = AIModelFilter(QueryDict(data), queryset if queryset is not None else AIModel.objects.public())
    assert filterset.is_valid(), filterset.errors
    return [m.name for m in filterset.qs]


@pytest.fixture
def index(make_ai_model, make_organisation):
    uni = make_organisation(
        "Uni Amsterdam", sector=vocab.Sector.ACADEMIC, country="NL", contributor_kind=vocab.ContributorKind.UNIVERSITY
    )
    tiger = make_organisation("Tiger Lab", country="CN", big_tech_bloc=vocab.BigTechBloc.CHINESE_AI_TIGER)
    all_open = {d.ref: "open" for d in Dimension.objects.filter(is_active=True)}
    return {
        "olmo": make_ai_model(
            "OLMo",
            grades=all_open,
            organisation=uni,
            types="text",
            performance_class="full",
            base_model_name="OLMo base",
            release_date=datetime.date(2024, 2, 1),
        ),
        "qwen": make_ai_model(
            "Qwen",
            grades={"weights_basemodel": "open", "licenses": "partial"},
            organisation=tiger,
            types="text,code",
            performance_class="latest",
            base_model_name="Qwen base",
            release_date=datetime.date(2025, 5, 1),
        ),
        "pix": make_ai_model(
            "Pix",
            grades={"weights_basemodel": "partial"},
            organisation=tiger,
            types="image",
            performance_class="latest",
            base_model_name="Pix base",
            release_date=datetime.date(2023, 11, 1),
        ),
    }


def test_default_order_is_total_descending_then_name(index):
    assert names("") == ["OLMo", "Qwen", "Pix"]


def test_search_matches_model_organisation_and_base_model(index):
    assert names("q=tiger") == ["Qwen", "Pix"]
    assert names("q=olmo+base") == ["OLMo"]
    assert names("q=nothing-like-this") == []


def test_type_and_performance_class(index):
    assert names("type=code") == ["Qwen"]
    assert names("type=code&type=image") == ["Qwen", "Pix"]
    assert names("performance_class=latest") == ["Qwen", "Pix"]
    assert names("performance_class=latest&type=image") == ["Pix"]


def test_organisation_classification_filters(index):
    assert names("sector=academic") == ["OLMo"]
    assert names("country=CN") == ["Qwen", "Pix"]
    assert names("region=europe") == ["OLMo"]
    assert names("bloc=chinese_ai_tiger") == ["Qwen", "Pix"]
    assert names(f"organisation={index['olmo'].organisation.slug}") == ["OLMo"]


def test_release_range_accepts_years_and_months(index):
    assert names("released_from=2024") == ["OLMo", "Qwen"]
    assert names("released_to=2024-02") == ["OLMo", "Pix"]
    assert names("released_from=2024-03&released_to=2025") == ["Qwen"]


def test_bad_release_date_is_reported_by_field():
    filterset = AIModelFilter(QueryDict("released_from=last+spring"), AIModel.objects.none(), dimensions=[])
    assert not filterset.is_valid()
    assert "released_from" in filterset.errors
    assert "YYYY-MM" in filterset.errors["released_from"][0]


def test_base_model(index):
    assert names("base_model=qwen") == ["Qwen"]


def test_grade_filters_come_from_the_registry(index):
    filterset = AIModelFilter(QueryDict(""), AIModel.objects.all())
    active = list(Dimension.objects.filter(is_active=True).values_list("ref", flat=True))
    assert set(filterset.grade_filter_names) == {f"grade_{ref}" for ref in active}
    assert names("grade_weights_basemodel=open") == ["OLMo", "Qwen"]
    assert names("grade_weights_basemodel=partial&grade_licenses=closed") == ["Pix"]
    assert names("grade_weights_basemodel=open&grade_weights_basemodel=partial") == ["OLMo", "Qwen", "Pix"]


def test_a_new_registry_dimension_gets_a_filter_without_code_change(index, registry):
    category = registry[0].category
    Dimension.objects.create(ref="energy_use", name="Energy use", category=category, applicable_types="text")
    filterset = AIModelFilter(QueryDict("grade_energy_use=open"), AIModel.objects.all())
    assert "grade_energy_use" in filterset.filters
    assert filterset.is_valid()
    assert list(filterset.qs) == []  # nobody is assessed on it yet


def test_ordering_by_columns(index):
    assert names("ordering=name") == ["OLMo", "Pix", "Qwen"]
    assert names("ordering=-released") == ["Qwen", "OLMo", "Pix"]
    assert names("ordering=total") == ["Pix", "Qwen", "OLMo"]
    # Pix has a partial base-weights grade, Qwen open: by that dimension, ascending.
    assert names("ordering=dimension_weights_basemodel") == ["Pix", "OLMo", "Qwen"]
    category = Dimension.objects.get(ref="licenses").category.ref
    assert names(f"ordering=-category_{category}")[0] == "OLMo"


def test_unknown_ordering_is_an_error_not_a_crash(index):
    filterset = AIModelFilter(QueryDict("ordering=password"), AIModel.objects.all())
    assert not filterset.is_valid()
    assert "ordering" in filterset.errors


def test_organisation_filter(index):
    qs = OrganisationFilter(QueryDict("ordering=-models"), Organisation.objects.public()).qs
    assert [o.name for o in qs] == ["Tiger Lab", "Uni Amsterdam"]
    assert [o.public_model_count for o in qs] == [2, 1]
    qs = OrganisationFilter(QueryDict("sector=academic"), Organisation.objects.public()).qs
    assert [o.name for o in qs] == ["Uni Amsterdam"]
    qs = OrganisationFilter(QueryDict("ordering=-openness"), Organisation.objects.public()).qs
    assert next(o.name for o in qs) == "Uni Amsterdam"


def test_parse_period():
    assert parse_period("2024") == (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert parse_period("2024-02") == (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    assert parse_period("2024-02-10") == (datetime.date(2024, 2, 10), datetime.date(2024, 2, 10))
    with pytest.raises(ValueError, match="2024-13"):
        parse_period("2024-13")


def test_the_filter_panel_shows_each_readers_own_ticks_and_choices(client, make_ai_model):
    """The panel's choice lists are kept per process by field and selection
    (curation.templatetags.index_tags): no page shows another page's ticks."""
    import re

    make_ai_model("Ticked", types="text")

    def ticked(page, name: str) -> list[str]:
        return re.findall(rf'name="{name}" value="([^"]+)" id="[^"]+" checked>', page.content.decode())

    def selected(page, name: str) -> list[str]:
        html = page.content.decode()
        select = html[html.index(f'<select name="{name}"') :]
        return re.findall(r'<option value="([^"]*)" selected>', select[: select.index("</select>")])

    plain = client.get("/models/")
    text = client.get("/models/?type=text&grade_licenses=open&grade_licenses=partial&ordering=name")
    code = client.get("/models/?type=code&ordering=-released")
    again = client.get("/models/?per_page=25")
    assert ticked(plain, "type") == [] and selected(plain, "ordering") == []
    assert ticked(text, "type") == ["text"] and selected(text, "ordering") == ["name"]
    assert ticked(text, "grade_licenses") == ["open", "partial"]
    assert ticked(code, "type") == ["code"] and selected(code, "ordering") == ["-released"]
    assert ticked(code, "grade_licenses") == []
    assert ticked(again, "type") == [] and selected(again, "ordering") == []
    # Same fields, same markup: the kept list is the one rendered afresh, ticks aside.
    assert plain.content.decode().count('name="grade_licenses"') == again.content.decode().count(
        'name="grade_licenses"'
    )


def test_links_that_change_one_parameter_keep_the_others_in_order(rf):
    from django.template import Context

    from curation.templatetags.index_tags import query_with

    context = Context({"request": rf.get("/models/?q=llm&type=text&type=code&page=3&ordering=name")})
    assert query_with(context, ordering="-name") == "?q=llm&type=text&type=code&ordering=-name"
    assert query_with(context, page=4) == "?q=llm&type=text&type=code&ordering=name&page=4"
    assert query_with(context, view="grid") == "?q=llm&type=text&type=code&ordering=name&view=grid"
    assert query_with(context, q="", type=None) == "?ordering=name"
    assert query_with(Context({"request": rf.get("/models/?page=2")}), page=None) == "?"


@pytest.mark.parametrize(
    "value, attrs",
    [
        (None, {}),
        ("", {"placeholder": "YYYY-MM", "inputmode": "numeric"}),
        ("<b>\"quoted\" & 'single'</b>", {"id": "id_q", "required": True, "disabled": False, "maxlength": 40}),
        ("2024-05", {"aria-describedby": 'x"y', "data-x": "<>"}),
    ],
)
def test_the_filter_panels_text_inputs_have_djangos_widget_markup(db, value, attrs):
    """The text inputs of the filter panel are made without the widget templates, with exactly
    the markup Django's TextInput would write (escaping, bare and left-out attributes)."""
    from django import forms

    from curation.filters import PlainTextInput

    made = PlainTextInput(attrs={"class": "a&b"}).render("q", value, attrs=dict(attrs))
    assert made == forms.TextInput(attrs={"class": "a&b"}).render("q", value, attrs=dict(attrs))
    form = AIModelFilter({"q": "x<y", "released_from": "2024", "base_model": '"b"'}).form
    for name in ("q", "base_model", "released_from", "released_to"):
        assert isinstance(form.fields[name].widget, PlainTextInput), name
    assert str(form["q"]) == '<input type="text" name="q" value="x&lt;y" aria-describedby="id_q_helptext" id="id_q">'


def test_an_options_datalist_is_rendered_once_per_options_list(monkeypatch):
    """The organisation suggestions are escaped once per options list (the index keeps one per
    data version), then served from memory; another list is rendered afresh."""
    from curation.templatetags import index_tags

    escaped = []
    original = index_tags.format_html_join
    monkeypatch.setattr(index_tags, "format_html_join", lambda *a: escaped.append(1) or original(*a))
    options = [("acme", 'Acme "Labs" <AI>'), ("b", "B & Co")]
    first = index_tags.options_datalist("organisation-names", options)
    assert first == (
        '<datalist id="organisation-names"><option value="acme">Acme &quot;Labs&quot; &lt;AI&gt;</option>'
        '<option value="b">B &amp; Co</option></datalist>'
    )
    assert index_tags.options_datalist("organisation-names", options) == first and len(escaped) == 1
    assert index_tags.options_datalist("other", options).startswith('<datalist id="other">') and len(escaped) == 2
    other = [("c", "C")]
    assert index_tags.options_datalist("organisation-names", other).count("<option") == 1 and len(escaped) == 3
