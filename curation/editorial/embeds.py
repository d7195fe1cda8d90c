"""Live embeds inside posts: charts, model lists and the byline.

Each embed renders through a template under `templates/editorial/embeds/`, so its parameters
are escaped by Django's autoescaping. A problem (unknown chart key, bad filter) is returned
rather than raised: the editor sees it in preview, the public page shows nothing broken.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django.http import QueryDict
from django.template import Context, Template
from django.template.loader import render_to_string

from curation import upstream_query
from curation.models import AIModel

# How a model list is laid out; upstream `::the-index` blocks use the same names.
INDEX_VIEWS = ("grid", "table")
INDEX_DEFAULT_LIMIT = 25
INDEX_MAX_LIMIT = 100
# Parameters of the model-list embed that are not filters of AIModelFilter.
INDEX_OWN_PARAMETERS = {"view", "models", "limit", "as_of"}


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


def _read_upstream_names(options: dict[str, str], ours, dimensions) -> tuple[dict[str, str], str]:
    """Options written with the upstream site's names (`performanceclass="latest"`,
    `trainingcode="0.5,1"`, `view="bars"`) in this site's names, through the one table of
    upstream names; returns (options, problem)."""
    foreign = {k: v for k, v in options.items() if k not in ours and k not in INDEX_OWN_PARAMETERS}
    if options.get("view") and options["view"] not in INDEX_VIEWS and options["view"].lower() in upstream_query.VIEWS:
        foreign["view"] = options["view"]
    if not foreign:
        return options, ""
    translated = upstream_query.translate(foreign, dimension_refs=[d.ref for d in dimensions])
    if translated.unknown:
        names = ", ".join(repr(item.split("=", 1)[0]) for item in translated.unknown)
        return options, (
            f"index embed: unknown filter {names} (filters: {', '.join(sorted(INDEX_OWN_PARAMETERS) + list(ours))}; "
            f"the upstream site's names are read too: {upstream_query.known_names()})"
        )
    if translated.problems:
        return options, "index embed: " + "; ".join(translated.problems)
    kept = {k: v for k, v in options.items() if k not in foreign}
    return {**kept, **translated.embed_options()}, ""


def _index_embed(directive, *, post=None) -> EmbedOutcome:
    from curation.filters import AIModelFilter
    from curation.public import queries
    from curation.public.as_of import filtered_index_as_of

    options = dict(directive.options)
    if directive.positional:
        return EmbedOutcome(problem=f"index embed takes key=\"value\" parameters, not {directive.positional[0]!r}")
    columns = queries.registry_columns()
    dimensions = columns.dimensions
    probe = AIModelFilter(dimensions=dimensions)
    options, problem = _read_upstream_names(options, probe.filters, dimensions)
    if problem:
        return EmbedOutcome(problem=problem)
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
    as_of_text = options.pop("as_of", "")
    try:
        as_of = datetime.date.fromisoformat(as_of_text) if as_of_text else None
    except ValueError:
        return EmbedOutcome(problem=f"index embed: as_of {as_of_text!r} is not a date (YYYY-MM-DD)")
    model_terms = [t.strip() for t in options.pop("models", "").split(",") if t.strip()]

    unknown = sorted(set(options) - set(probe.filters))
    if unknown:
        return EmbedOutcome(
            problem=f"index embed: unknown filter {', '.join(map(repr, unknown))} "
            f"(filters: {', '.join(sorted(INDEX_OWN_PARAMETERS) + list(probe.filters))})"
        )
    data = _filter_data(probe.filters, options)
    if as_of is not None:
        # The list as it stood on that date (`version` of an upstream block pins it so).
        filterset, past_rows = filtered_index_as_of(data, as_of, columns)
        if not filterset.is_valid():
            return EmbedOutcome(problem=f"index embed: {_errors(filterset)}")
        if model_terms:
            past_rows = [r for r in past_rows if any(upstream_query.is_named(r.model, t) for t in model_terms)]
        missing = [t for t in model_terms if not any(upstream_query.is_named(r.model, t) for r in past_rows)]
        rows, more = past_rows[:limit], len(past_rows) > limit
    else:
        queryset = AIModel.objects.public().select_related("organisation")
        if model_terms:
            queryset = upstream_query.models_named(model_terms, queryset)
        filterset = AIModelFilter(data, queryset=queryset, dimensions=dimensions)
        if not filterset.is_valid():
            return EmbedOutcome(problem=f"index embed: {_errors(filterset)}")
        models = list(filterset.qs[: limit + 1])
        missing = upstream_query.unmatched_names(model_terms, filterset.qs)
        more = len(models) > limit
        # The same rows, cells and percentages as the public index (curation.public.queries).
        rows = queries.build_rows(models[:limit], columns)
    problem = f"index embed: no public model matches {', '.join(map(repr, missing))}" if missing else ""
    query = filterset.data.copy()
    if as_of is not None:
        query["as_of"] = as_of.isoformat()
    html = render_to_string(
        f"editorial/embeds/index_{view}.html",
        {"rows": rows, "dimensions": dimensions, "more": more, "query": query.urlencode(), "as_of": as_of,
         "grade_legend": queries.grade_legend()},
    )
    return EmbedOutcome(html=html, problem=problem)


def _errors(filterset) -> str:
    return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in filterset.errors.items())


# --- byline ---------------------------------------------------------------------------------
def _byline_embed(directive, *, post=None) -> EmbedOutcome:
    if directive.positional or directive.options:
        return EmbedOutcome(problem="byline embed takes no parameters")
    if post is None:
        return EmbedOutcome()
    return EmbedOutcome(html=render_to_string("editorial/embeds/byline.html", {"post": post}))


EMBEDS = {"chart": _chart_embed, "index": _index_embed, "byline": _byline_embed}
