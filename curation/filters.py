"""The index's filters: ONE definition shared by the public HTML pages and the API.

`AIModelFilter` narrows and orders a queryset of `AIModel`s; `OrganisationFilter` does the same
for organisations. Per-dimension grade filters and per-category / per-dimension orderings are
built from the dimension registry when a FilterSet is instantiated (the registry is data in the
database), so adding or retiring a dimension needs no code change here.
"""

from __future__ import annotations

import calendar
import copy
import datetime
import re
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Lower
from django.db.models.lookups import Exact, In, IsNull
from django.http import QueryDict
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django_countries import countries
from django_filters.constants import EMPTY_VALUES

from curation import vocab
from curation.models import AIModel, Organisation, classification, index_tie_break
from curation.registry import active_dimensions

GRADE_FILTER_PREFIX = "grade_"
CATEGORY_ORDER_PREFIX = "category_"
DIMENSION_ORDER_PREFIX = "dimension_"


# ---------------------------------------------------------------------------------------------
# Release dates: upstream knows months (sometimes only years), so accept YYYY, YYYY-MM, YYYY-MM-DD
# ---------------------------------------------------------------------------------------------

_PERIOD = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$")


def parse_period(text: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the year, month or day that `text` names."""
    match = _PERIOD.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    year_text, month_text, day_text = match.groups()
    year = int(year_text)  # the pattern requires a year
    month, day = (int(g) if g else None for g in (month_text, day_text))
    try:
        if month is None:
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return datetime.date(year, month, 1), datetime.date(year, month, last)
        day_date = datetime.date(year, month, day)
        return day_date, day_date
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date ({exc})") from exc


class PlainTextInput(forms.TextInput):
    """A text input with the markup of Django's `input.html` and `attrs.html` widget templates,
    made without the template engine: the index's filter panel renders four of them on every
    page that misses the page cache, where the two nested templates cost more than the rest of
    the panel's text fields together. Attributes as the templates write them: in order, escaped,
    a True one bare, a False one left out; the value left out when None."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
        if widget["value"] is not None:
            parts.append(f' value="{conditional_escape(widget["value"])}"')
        for attribute, setting in widget["attrs"].items():
            if setting is True:
                parts.append(f" {conditional_escape(attribute)}")
            elif setting is not False:
                parts.append(f' {conditional_escape(attribute)}="{conditional_escape(setting)}"')
        parts.append(">")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


class PeriodField(forms.CharField):
    """A form field for a year, month or day; cleans to (first day, last day)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PlainTextInput(attrs={"placeholder": "YYYY-MM", "inputmode": "numeric"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_period(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


class PeriodFilter(django_filters.Filter):
    """Release date from (`bound="start"`) or up to (`bound="end"`) a year, month or day."""

    field_class = PeriodField

    def __init__(self, *args, bound: str = "start", **kwargs):
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        first, last = self.day_range(value)
        if first is not None:
            return qs.filter(**{f"{self.field_name}__gte": first})
        return qs.filter(**{f"{self.field_name}__lte": last})

    def day_range(self, value) -> tuple[datetime.date | None, datetime.date | None]:
        """The days of `field_name` that `filter` keeps for a cleaned `value` ((first day, last
        day) of the period asked for), as (from, until), both inclusive, None where unbounded;
        a row without a date is never kept."""
        first, last = value
        return (first, None) if self.bound == "start" else (None, last)


# ---------------------------------------------------------------------------------------------
# Ordering
# ---------------------------------------------------------------------------------------------


def _ref(row) -> str:
    return row if isinstance(row, str) else row.ref


def stored_grade(dimension) -> KeyTextTransform:
    """A model's grade on `dimension` (a Dimension, or its ref) as its row stores it
    (`AIModel.grade_by_dimension`): text, NULL when it has no assessment on it."""
    return KeyTextTransform(_ref(dimension), "grade_by_dimension")


def category_score_expression(category):
    """A model's stored score on `category` (a DimensionCategory, or its ref), read from its own
    row (`AIModel.score_by_category`, as its CategoryScore row): a float, NULL when it has none."""
    return Cast(KeyTextTransform(_ref(category), "score_by_category"), FloatField())


def dimension_points_expression(dimension):
    """The points of a model's grade on `dimension` (a Dimension, or its ref), read from its own
    row, from the one grade->points table in vocab: a float, NULL when it has no assessment on
    it (0 for a grade the table does not know)."""
    grade = stored_grade(dimension)
    return Case(
        When(IsNull(grade, True), then=Value(None, output_field=FloatField())),
        *(When(Exact(grade, name), then=Value(float(points))) for name, points in vocab.GRADE_POINTS.items()),
        default=Value(0.0),
        output_field=FloatField(),
    )


class AIModelOrderingFilter(django_filters.OrderingFilter):
    """Order by total, name, release date, organisation, any category score or dimension grade.

    `-total` (the upstream order) is the default; ties always fall back to name, then id, so that
    pages never overlap or skip a model.
    """

    STATIC = {
        "total": ("total_score", "Total score"),
        "name": ("name", "Name"),
        "released": ("release_date", "Release date"),
        "organisation": ("organisation__name", "Organisation"),
        "type": ("types", "Type"),
        "performance_class": ("performance_class", "Performance class"),
        "downloads": ("hf_downloads", "Downloads (30 days)"),  # Hugging Face's; the label fits the select
    }

    def __init__(self, *args, categories=(), dimensions=(), **kwargs):
        self.category_refs = {f"{CATEGORY_ORDER_PREFIX}{c.ref}": c for c in categories}
        self.dimension_refs = {f"{DIMENSION_ORDER_PREFIX}{d.ref}": d for d in dimensions}
        # ▲ ascending, ▼ descending, as the table's column heads mark the sorted column: with
        # words, a dimension's name and its direction no longer fit the filter column's select.
        choices = []
        for key, (_, label) in self.STATIC.items():
            choices += [(key, f"{label} ▲"), (f"-{key}", f"{label} ▼")]
        for key, obj in {**self.category_refs, **self.dimension_refs}.items():
            choices += [(key, f"{obj.name} ▲"), (f"-{key}", f"{obj.name} ▼")]
        kwargs.setdefault("label", "Sort by")
        kwargs.setdefault("empty_label", "Openness, highest first")
        super().__init__(*args, choices=choices, **kwargs)

    # Columns that can be empty; their empty values sort last either way. The others get no
    # NULLS clause, so the default order matches the `aimodel_index_order` database index.
    NULLABLE = {"released", "organisation", "downloads"}

    def filter(self, qs, value):
        keys = [v for v in (value or []) if v] or ["-total"]
        ordering = []
        for key in keys:
            descending = key.startswith("-")
            name = key.lstrip("-")
            nullable = True
            if name in self.STATIC:
                nullable = name in self.NULLABLE
                expr: F | Lower = F(self.STATIC[name][0])
                if name in ("name", "organisation"):
                    expr = Lower(self.STATIC[name][0])
            elif name in self.category_refs:
                alias = f"order_{name}"
                qs = qs.alias(**{alias: category_score_expression(self.category_refs[name])})
                expr = F(alias)
            elif name in self.dimension_refs:
                alias = f"order_{name}"
                qs = qs.alias(**{alias: dimension_points_expression(self.dimension_refs[name])})
                expr = F(alias)
            else:
                continue
            if nullable:
                ordering.append(expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True))
            else:
                ordering.append(expr.desc() if descending else expr.asc())
        return qs.order_by(*ordering, *index_tie_break())


# ---------------------------------------------------------------------------------------------
# AI models
# ---------------------------------------------------------------------------------------------

# The classification, filterable on organisations (their usual one) and on models (each
# model's effective one): parameter name -> (field, choices, label).
_CLASSIFICATION_FILTERS = {
    "country": ("country", list(countries), "Country of origin"),
    "region": ("region", vocab.Region.choices, "Region"),
    "sector": ("sector", vocab.Sector.choices, "Sector"),
    "kind": ("contributor_kind", vocab.ContributorKind.choices, "Kind of contributor"),
    "bloc": ("big_tech_bloc", vocab.BigTechBloc.choices, "Big Tech bloc"),
}


def classification_filter(name: str, path: str = "") -> django_filters.ChoiceFilter:
    """The filter for one classification field; `path` leads from the filtered model to Organisation."""
    field, choices, label = _CLASSIFICATION_FILTERS[name]
    return django_filters.ChoiceFilter(field_name=f"{path}{field}", choices=choices, label=label, empty_label="Any")


class EffectiveClassificationFilter(django_filters.ChoiceFilter):
    """A model's effective classification (its own, else its organisation's; see
    curation.models.classification), computed in the database by the filter query itself."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        alias = classification.annotation_name(self.field_name)
        return qs.alias(**{alias: classification.classification_expression(self.field_name)}).filter(**{alias: value})


def model_classification_filter(name: str) -> EffectiveClassificationFilter:
    field, choices, label = _CLASSIFICATION_FILTERS[name]
    return EffectiveClassificationFilter(field_name=field, choices=choices, label=label, empty_label="Any")


# At most this many organisations whose name holds a search's words are listed by id in the
# search's condition; more than that, and the condition joins the organisation's name instead.
SEARCH_ORGANISATION_IDS = 500


def _organisation_named_like(value: str) -> Q:
    """Models whose organisation's name holds `value` (any case), as `organisation_id IN (ids)`
    read first when at most SEARCH_ORGANISATION_IDS organisations match: every alternative of
    the search is then a condition on the model table alone, which PostgreSQL answers from the
    trigram indexes (migration 0017) and combines with a BitmapOr; a condition on the joined
    organisation's name would make it read every model. Same models either way."""
    ids = list(
        Organisation.objects.filter(name__icontains=value)
        .order_by()
        .values_list("pk", flat=True)[: SEARCH_ORGANISATION_IDS + 1]
    )
    if len(ids) > SEARCH_ORGANISATION_IDS:
        return Q(organisation__name__icontains=value)
    return Q(organisation_id__in=ids)


class AIModelFilter(django_filters.FilterSet):
    """Filters and ordering of the index (HTML table, downloads and API alike)."""

    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        help_text="Model, organisation, base model or end model name.",
        widget=PlainTextInput,
    )
    type = django_filters.MultipleChoiceFilter(
        choices=vocab.ModelType.choices,
        method="filter_type",
        label="Type",
        widget=forms.CheckboxSelectMultiple,
    )
    performance_class = django_filters.MultipleChoiceFilter(
        choices=vocab.PerformanceClass.choices,
        label="Performance class",
        widget=forms.CheckboxSelectMultiple,
    )
    organisation = django_filters.CharFilter(
        method="filter_organisation",
        label="Organisation",
        help_text="The organisation's slug or its full name (any case).",
    )
    country = model_classification_filter("country")
    region = model_classification_filter("region")
    sector = model_classification_filter("sector")
    bloc = model_classification_filter("bloc")
    released_from = PeriodFilter(field_name="release_date", bound="start", label="Released from")
    released_to = PeriodFilter(field_name="release_date", bound="end", label="Released until")
    base_model = django_filters.CharFilter(
        field_name="base_model_name",
        lookup_expr="icontains",
        label="Base model",
        widget=PlainTextInput,
    )

    class Meta:
        model = AIModel
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, dimensions=None):
        # The registry lives in the database (one query when `dimensions` is not given). Its
        # filters, and the form class with every field, are made once per registry state
        # (`_prepared`): each FilterSet gets shallow copies bound to itself, instead of deep
        # copies of every filter and its choices (the countries alone are 250) per request.
        if dimensions is None:
            dimensions = active_dimensions()
        prepared = _prepared(dimensions)
        if queryset is None:
            queryset = AIModel._default_manager.all()
        # As django_filters' BaseFilterSet.__init__, with the prepared filters for its deep copy.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _bound_copy(prototype, self) for name, prototype in prepared.filters.items()}
        self._form_class = prepared.form_class
        self.dimensions = dimensions
        self.categories = list(prepared.categories)

    def get_form_class(self):
        return self._form_class

    @property
    def grade_filter_names(self) -> list[str]:
        return [f"{GRADE_FILTER_PREFIX}{d.ref}" for d in self.dimensions]

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value)
            | _organisation_named_like(value)
            | Q(base_model_name__icontains=value)
            | Q(end_model_name__icontains=value)
        )

    def filter_organisation(self, qs, name, value):
        # A slug, as links and the API give it, or the name a reader types in the index's form.
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(organisation__slug=value) | Q(organisation__name__iexact=value))

    def filter_type(self, qs, name, values):
        if not values:
            return qs
        # Type names are not substrings of one another, so `contains` is an exact test.
        matches = Q()
        for model_type in values:
            matches |= Q(types__contains=model_type)
        return qs.filter(matches)

    def filter_grade(self, qs, dimension_ref, grades):
        if not grades:
            return qs
        # The grade as the model's row stores it (AIModel.grade_by_dimension): the filter reads
        # the rows the other filters read, with no join or lookup per model.
        return qs.filter(In(stored_grade(dimension_ref), list(grades)))


@dataclass(frozen=True)
class _Prepared:
    filters: dict
    form_class: type
    categories: tuple


# Prepared filters per registry state; a handful at most (today's registry, past ones of `as_of`).
_PREPARED: dict[tuple, _Prepared] = {}
_PREPARED_MAX = 8


def _registry_state(dimensions) -> tuple:
    """What the registry-made filters depend on: each dimension's id, ref, name and category."""
    return tuple((d.pk, d.ref, d.name, d.category_id, d.category.ref, d.category.name) for d in dimensions)


def _prepared(dimensions) -> _Prepared:
    """The filters and form class of `AIModelFilter` for these dimensions, made once per
    registry state in each process (a registry change gives a new state, so nothing is stale)."""
    state = _registry_state(dimensions)
    found = _PREPARED.get(state)
    if found is not None:
        return found
    filters = copy.deepcopy(AIModelFilter.base_filters)
    categories = []
    for dimension in dimensions:
        if dimension.category not in categories:
            categories.append(dimension.category)
        filters[f"{GRADE_FILTER_PREFIX}{dimension.ref}"] = django_filters.MultipleChoiceFilter(
            field_name=dimension.ref,
            choices=vocab.Grade.choices,
            method="filter_grade",
            label=dimension.name,
            widget=forms.CheckboxSelectMultiple,
        )
    filters["ordering"] = AIModelOrderingFilter(categories=categories, dimensions=dimensions)
    for prototype in filters.values():
        prototype.model = AIModel
    fields = {name: prototype.field for name, prototype in filters.items()}  # each field made here, once
    form_class: Any = type("AIModelFilterForm", (AIModelFilter._meta.form,), fields)  # a Form subclass
    form_class.base_fields = _SharedChoiceFields(form_class.base_fields)
    prepared = _Prepared(filters, form_class, tuple(categories))
    if len(_PREPARED) >= _PREPARED_MAX:
        _PREPARED.clear()
    _PREPARED[state] = prepared
    return prepared


class _SharedChoiceFields(dict):
    """A form's base fields whose per-form copies share their lists of choices.

    Django gives every form instance a deep copy of its base fields, choices included: for the
    index's form that is hundreds of tuples per request (the countries alone are 250). The
    choices of these fields are never changed per form, so each copy is Django's own field copy
    (widget, attributes, messages, validators) with the same choices.
    """

    def __deepcopy__(self, memo):
        for field in self.values():
            choices = getattr(field, "_choices", None)
            if choices is not None:
                memo[id(choices)] = choices  # deepcopy hands back what the memo holds: the same list
        return {name: copy.deepcopy(field, memo) for name, field in self.items()}


def _bound_copy(prototype, filterset):
    """A shallow copy of a prepared filter, bound to `filterset` (a filter named by `method`
    calls that FilterSet's method). Filters hold no per-request state besides their parent."""
    bound = copy.copy(prototype)
    bound.parent = filterset
    if prototype.method is not None:
        bound.method = prototype.method  # a FilterMethod of its own, resolving on its own parent
    return bound


# ---------------------------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------------------------


def annotate_organisation_aggregates(qs):
    """Number of public models (`public_model_count`, int) and their mean total score
    (`mean_total_score`, 0–1 or None), for listing and ordering.

    Correlated subqueries rather than a join and GROUP BY: the database works them out only for
    the rows a page shows (unless the list is ordered by them), and counting the organisations
    needs no join, so a page's cost does not grow with the number of models."""
    public_models = (
        AIModel.objects.filter(organisation=OuterRef("pk"), is_public=True).order_by().values("organisation")
    )
    return qs.annotate(
        public_model_count=Coalesce(
            Subquery(public_models.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
        mean_total_score=Subquery(
            public_models.annotate(mean=Avg("total_score")).values("mean"), output_field=FloatField()
        ),
    )


class OrganisationOrderingFilter(django_filters.OrderingFilter):
    FIELDS = {
        "name": "Name",
        "models": "Number of models",
        "openness": "Mean openness",
        "country": "Country",
    }

    def __init__(self, *args, **kwargs):
        choices = []
        for key, label in self.FIELDS.items():
            choices += [(key, f"{label} (ascending)"), (f"-{key}", f"{label} (descending)")]
        kwargs.setdefault("label", "Sort by")
        kwargs.setdefault("empty_label", "Name, A to Z")
        super().__init__(*args, choices=choices, **kwargs)

    def filter(self, qs, value):
        keys = [v for v in (value or []) if v] or ["name"]
        if "public_model_count" not in qs.query.annotations:
            qs = annotate_organisation_aggregates(qs)
        columns: dict[str, F | Lower] = {
            "name": Lower("name"),
            "models": F("public_model_count"),
            "openness": F("mean_total_score"),
            "country": F("country"),
        }
        ordering = []
        for key in keys:
            name = key.lstrip("-")
            if name not in columns:
                continue
            expr = columns[name]
            ordering.append(expr.desc(nulls_last=True) if key.startswith("-") else expr.asc(nulls_last=True))
        return qs.order_by(*ordering, Lower("name"), "pk")


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search", help_text="Organisation name.")
    country = classification_filter("country")
    region = classification_filter("region")
    sector = classification_filter("sector")
    kind = classification_filter("kind")
    bloc = classification_filter("bloc")
    ordering = OrganisationOrderingFilter()

    class Meta:
        model = Organisation
        fields: list[str] = []

    def filter_search(self, qs, name, value):
        value = value.strip()
        return qs.filter(name__icontains=value) if value else qs


__all__ = [
    "CATEGORY_ORDER_PREFIX",
    "DIMENSION_ORDER_PREFIX",
    "GRADE_FILTER_PREFIX",
    "AIModelFilter",
    "OrganisationFilter",
    "annotate_organisation_aggregates",
    "parse_period",
]
