"""Live embeds inside posts: charts, model lists and the byline.

Each embed renders through a template under `templates/editorial/embeds/`, so its parameters
are escaped by Django's autoescaping. A problem (unknown chart key, bad filter) is returned
rather than raised: the editor sees it in preview, the public page shows nothing broken.
"""
from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django.db.models import Count, Q
from django.http import QueryDict
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.text import slugify

from curation.models import AIModel

# How a model list is laid out; upstream `::the-index` blocks use the same names.
INDEX_VIEWS = ("grid", "table")
INDEX_DEFAULT_LIMIT = 25
INDEX_MAX_LIMIT = 100
# Parameters of the model-list embed that are not filters of AIModelFilter.
INDEX_OWN_PARAMETERS = {"view", "models", "limit"}


# The examples the post editor's help shows, one per kind of embed. Each renders without a
# problem on the demo data (tests/test_editorial_help.py renders every one).
EMBED_EXAMPLES = (
    '{% chart "academic-share" %}',
    '{% index view="grid" models="deepseek-v3, olmo-2" %}',
    '{% index type="text" performance_class="latest" ordering="-total" limit="10" %}',
    "{% byline %}",
)


@dataclass
class EmbedOutcome:
    html: str = ""
    problem: str = ""


def render_embed(directive, *, post=None) -> EmbedOutcome:
    if directive.error:
        return EmbedOutcome(problem=f"{{% {directive.name} %}}: {directive.error}")
    renderer = EMBEDS.get(directive.name)
    if renderer is None:
        known = ", ".join(sorted(EMBEDS))
        return EmbedOutcome(problem=f"unknown embed {directive.name!r} (known embeds: {known})")
    return renderer(directive, post=post)


# --- chart ----------------------------------------------------------------------------------
def _chart_embed(directive, *, post=None) -> EmbedOutcome:
    key = directive.options.get("key") or (directive.positional[0] if directive.positional else "")
    if not key:
        return EmbedOutcome(problem='chart embed without a key, e.g. {% chart "academic-share" %}')
    try:
        from curation.charts.catalogue import chart_keys
    except ImportError:
        return EmbedOutcome(problem=f"chart {key!r}: charts are not available on this site")
    known = list(chart_keys())
    if key not in known:
        return EmbedOutcome(problem=f"unknown chart key {key!r} (known charts: {', '.join(known)})")
    # The chart's published figure (curation.charts): newest version, alt text, data links (or a quiet placeholder
    # while a known chart has not been generated yet).
    figure = Template("{% load charts %}{% chart_figure key %}")
    return EmbedOutcome(html=figure.render(Context({"key": key})))


# --- model list -----------------------------------------------------------------------------
def _filter_data(filterset_class_filters, options: dict[str, str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in options.items():
        flt = filterset_class_filters.get(name)
        if isinstance(flt, django_filters.MultipleChoiceFilter):
            data.setlist(name, [v.strip() for v in value.split(",") if v.strip()])
        else:
            data[name] = value
    return data


def models_matching(terms: list[str], queryset):
    """Models named by upstream-style terms, exactly as the upstream site picks them: by the id of
    the model's file (`deepseek-v3` is `deepseek-v3.yaml`), by our slug, or by the full name."""
    matches = Q()
    for term in terms:
        matches |= _term_matches(term)
    return queryset.filter(matches)


def _term_matches(term: str) -> Q:
    return (
        Q(upstream_filename__iexact=f"{term}.yaml") | Q(upstream_filename__iexact=f"{term}.yml")
        | Q(slug=slugify(term)) | Q(name__iexact=term)
    )


def _unmatched_terms(terms: list[str], queryset) -> list[str]:
    """The terms that match no model of `queryset` (one query for all of them)."""
    if not terms:
        return []
    counts = queryset.aggregate(
        **{f"term_{i}": Count("pk", filter=_term_matches(term)) for i, term in enumerate(terms)}
    )
    return [term for i, term in enumerate(terms) if not counts[f"term_{i}"]]


def _index_embed(directive, *, post=None) -> EmbedOutcome:
    from curation.filters import AIModelFilter
    from curation.public import queries

    options = dict(directive.options)
    if directive.positional:
        return EmbedOutcome(problem=f"index embed takes key=\"value\" parameters, not {directive.positional[0]!r}")
    view = options.pop("view", "table") or "table"
    if view not in INDEX_VIEWS:
        return EmbedOutcome(problem=f"index embed: view {view!r} is not one of {', '.join(INDEX_VIEWS)}")
    limit_text = options.pop("limit", "")
    try:
        limit = int(limit_text) if limit_text else INDEX_DEFAULT_LIMIT
        if not 1 <= limit <= INDEX_MAX_LIMIT:
            raise ValueError
    except ValueError:
        return EmbedOutcome(problem=f"index embed: limit {limit_text!r} is not a number from 1 to {INDEX_MAX_LIMIT}")
    model_terms = [t.strip() for t in options.pop("models", "").split(",") if t.strip()]

    columns = queries.registry_columns()
    dimensions = columns.dimensions
    probe = AIModelFilter(dimensions=dimensions)
    unknown = sorted(set(options) - set(probe.filters))
    if unknown:
        return EmbedOutcome(
            problem=f"index embed: unknown filter {', '.join(map(repr, unknown))} "
            f"(filters: {', '.join(['view', 'models', 'limit'] + list(probe.filters))})"
        )
    queryset = AIModel.objects.public().select_related("organisation")
    if model_terms:
        queryset = models_matching(model_terms, queryset)
    filterset = AIModelFilter(_filter_data(probe.filters, options), queryset=queryset, dimensions=dimensions)
    if not filterset.is_valid():
        errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in filterset.errors.items())
        return EmbedOutcome(problem=f"index embed: {errors}")
    models = list(filterset.qs[: limit + 1])
    problem = ""
    missing = _unmatched_terms(model_terms, filterset.qs)
    if missing:
        problem = f"index embed: no public model matches {', '.join(map(repr, missing))}"
    more = len(models) > limit
    # The same rows, cells and percentages as the public index (curation.public.queries).
    rows = queries.build_rows(models[:limit], columns)
    html = render_to_string(
        f"editorial/embeds/index_{view}.html",
        {"rows": rows, "dimensions": dimensions, "more": more, "query": filterset.data.urlencode(),
         "grade_legend": queries.grade_legend()},
    )
    return EmbedOutcome(html=html, problem=problem)


# --- byline ---------------------------------------------------------------------------------
def _byline_embed(directive, *, post=None) -> EmbedOutcome:
    if directive.positional or directive.options:
        return EmbedOutcome(problem="byline embed takes no parameters")
    if post is None:
        return EmbedOutcome()
    return EmbedOutcome(html=render_to_string("editorial/embeds/byline.html", {"post": post}))


EMBEDS = {"chart": _chart_embed, "index": _index_embed, "byline": _byline_embed}
