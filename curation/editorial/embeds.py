"""Live embeds inside posts and pages: charts, model lists, pictures, the byline, and the
building blocks of the site's pages (notes, people, the home page's landing and spotlight,
latest news and guides, partners, contribution call, data version).

Each embed renders through a template under `curation/templates/curation/editorial/embeds/`, so its parameters
are escaped by Django's autoescaping. A problem (unknown chart key, bad filter, missing picture)
is returned rather than raised: the editor sees it in preview, publishing is refused until it is
fixed, and the public page shows nothing broken.

Three kinds (see curation.editorial.rendering for the syntax):
- single embeds on a line of their own (EMBEDS minus the two sets below);
- containers (CONTAINER_EMBEDS) around Markdown, closed by `{% end<name> %}`, some with named
  dividers (CONTAINER_SLOTS, e.g. `{% right %}` in a spotlight);
- inline embeds (INLINE_EMBEDS) that may also stand inside a sentence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import django_filters
from django.http import QueryDict
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from curation import upstream_query
from curation.charts.catalogue import chart_keys
from curation.editorial import images, queries as editorial_queries
from curation.filters import AIModelFilter
from curation.models import AIModel, PostKind, SiteLogo
from curation.public import queries
from curation.public.as_of import filtered_index_as_of
from curation.public.past_builds import PastIndexBeingPrepared
from curation.weblinks import is_site_link

# How a model list is laid out; upstream `::the-index` blocks use the same names.
INDEX_VIEWS = ("grid", "table")
INDEX_DEFAULT_LIMIT = 25
INDEX_MAX_LIMIT = 100
# Parameters of the model-list embed that are not filters of AIModelFilter.
INDEX_OWN_PARAMETERS = {"view", "models", "limit", "as_of", "filters"}
LATEST_DEFAULT_LIMIT = 6


# The examples the post editor's help shows, one per kind of embed. Each renders without a
# problem on the demo data (tests/test_editorial_help.py renders every one).
EMBED_EXAMPLES = (
    '{% chart "academic-share" %}',
    '{% index view="grid" models="deepseek-v3, olmo-2" %}',
    '{% index type="text" performance_class="latest" ordering="-total" limit="10" %}',
    "{% byline %}",
    "{% note %}\nA **remark** set apart from the text.\n{% endnote %}",
    '{% button link="/models/" text="Explore the index" %}',
    "{% news %}",
)


@dataclass
class EmbedOutcome:
    html: str = ""
    problem: str = ""
    # Containers: what closes them, and the HTML of each named divider inside them.
    closing_html: str = ""
    slots: dict = field(default_factory=dict)


def render_embed(directive, *, post=None, context: str = "block") -> EmbedOutcome:
    """Render one embed; `context` is "block" (a line of its own), "open" (a container's
    opening line) or "inline" (inside a sentence)."""
    if directive.error:
        return EmbedOutcome(problem=f"{{% {directive.name} %}}: {directive.error}")
    if directive.name.startswith("end") and directive.name[3:] in CONTAINER_EMBEDS:
        return EmbedOutcome(problem=f"{{% {directive.name} %}} without an opening {{% {directive.name[3:]} %}} line")
    renderer = EMBEDS.get(directive.name)
    if renderer is None:
        known = ", ".join(sorted(EMBEDS))
        return EmbedOutcome(problem=f"unknown embed {directive.name!r} (known embeds: {known})")
    if directive.name in CONTAINER_EMBEDS and context != "open":
        return EmbedOutcome(problem=f"{{% {directive.name} %}} needs a closing {{% end{directive.name} %}} line")
    return renderer(directive, post=post)


def _unknown_parameters(directive, allowed: set[str], *, positional: int = 0) -> str:
    """A problem naming parameters the embed does not take ("" when all are known)."""
    extra = sorted(set(directive.options) - allowed)
    if extra:
        known = ", ".join(sorted(allowed)) or "none"
        return f"{directive.name} embed: unknown parameter {', '.join(map(repr, extra))} (parameters: {known})"
    if len(directive.positional) > positional:
        return f"{directive.name} embed: unexpected {directive.positional[positional]!r}"
    return ""


# --- chart ----------------------------------------------------------------------------------
def _chart_embed(directive, *, post=None) -> EmbedOutcome:
    key = directive.options.get("key") or (directive.positional[0] if directive.positional else "")
    if not key:
        return EmbedOutcome(problem='chart embed without a key, e.g. {% chart "academic-share" %}')
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
    options = dict(directive.options)
    if directive.positional:
        return EmbedOutcome(problem=f'index embed takes key="value" parameters, not {directive.positional[0]!r}')
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
    show_filters = options.pop("filters", "") or ""
    if show_filters not in ("", "show", "hide"):
        return EmbedOutcome(problem=f"index embed: filters {show_filters!r} is not show or hide")

    unknown = sorted(set(options) - set(probe.filters))
    if unknown:
        return EmbedOutcome(
            problem=f"index embed: unknown filter {', '.join(map(repr, unknown))} "
            f"(filters: {', '.join(sorted(INDEX_OWN_PARAMETERS) + list(probe.filters))})"
        )
    data = _filter_data(probe.filters, options)
    if as_of is not None:
        # The list as it stood on that date (`version` of an upstream block pins it so).
        try:
            filterset, past_rows = filtered_index_as_of(data, as_of, columns)
        except PastIndexBeingPrepared as exc:
            return EmbedOutcome(problem=f"index embed: {exc}")
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
        f"curation/editorial/embeds/index_{view}.html",
        {
            "rows": rows,
            "dimensions": dimensions,
            "more": more,
            "query": query.urlencode(),
            "as_of": as_of,
            "grade_legend": queries.grade_legend(),
        },
    )
    if show_filters == "show":
        # Upstream's full index (`:the-index` without hideFilters) offers its filters: here they
        # lead to the index page, which filters, sorts and pages the whole list.
        html = render_to_string("curation/editorial/embeds/index_filters.html", {"form": filterset.form}) + html
    return EmbedOutcome(html=html, problem=problem)


def _errors(filterset) -> str:
    return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in filterset.errors.items())


# --- byline ---------------------------------------------------------------------------------
def _byline_embed(directive, *, post=None) -> EmbedOutcome:
    if directive.positional or directive.options:
        return EmbedOutcome(problem="byline embed takes no parameters")
    if post is None:
        return EmbedOutcome()
    return EmbedOutcome(html=render_to_string("curation/editorial/embeds/byline.html", {"post": post}))


# --- pictures -------------------------------------------------------------------------------
def _picture(image, *, alt: str, target_width: int = 960, sizes: str = "") -> dict:
    src, width, height = images.best_src(image, target_width)
    return {
        "src": src,
        "srcset": images.srcset(image),
        "sizes": sizes or images.ARTICLE_SIZES,
        "width": width,
        "height": height,
        "alt": alt,
        "original": images.image_url(image),
    }


def _image_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, {"name", "alt", "caption"}, positional=1)
    if problem:
        return EmbedOutcome(problem=problem)
    name = directive.options.get("name") or (directive.positional[0] if directive.positional else "")
    if not name:
        return EmbedOutcome(problem='image embed without a name, e.g. {% image "deepseek_dev.png" %}')
    image = images.image_named(name)
    if image is None:
        return EmbedOutcome(problem=f"image {name!r} is not in the image library (upload it under Images)")
    alt = directive.options.get("alt", image.alt_text).strip()
    picture = _picture(image, alt=alt)
    html = render_to_string(
        "curation/editorial/embeds/image.html",
        {
            "picture": picture,
            "image": image,
            "caption": directive.options.get("caption", image.caption),
        },
    )
    if not alt:
        return EmbedOutcome(
            html=html,
            problem=f'image {image.name!r} has no text alternative: describe it in the image library (or give alt="...")',
        )
    return EmbedOutcome(html=html)


# --- containers -----------------------------------------------------------------------------
def _note_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, set())
    return EmbedOutcome(html='<aside class="embed-note">', closing_html="</aside>", problem=problem)


def _people_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, set())
    return EmbedOutcome(html='<div class="embed-people">', closing_html="</div>", problem=problem)


def _person_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, {"name", "image"})
    name = directive.options.get("name", "").strip()
    image_name = directive.options.get("image", "").strip()
    picture = None
    if image_name:
        image = images.image_named(image_name)
        if image is None:
            problem = problem or f"person {name or '(no name)'}: image {image_name!r} is not in the image library"
        else:
            picture = _picture(image, alt=name or image.alt_text, target_width=320, sizes="8rem")
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    html = render_to_string(
        "curation/editorial/embeds/person_open.html", {"name": name, "picture": picture, "initials": initials}
    )
    return EmbedOutcome(html=html, closing_html="</div></div>", problem=problem)


def _landing_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, {"title"})
    html = render_to_string(
        "curation/editorial/embeds/landing_open.html", {"title": directive.options.get("title", "")}
    )
    return EmbedOutcome(html=html, closing_html="</div></section>", problem=problem)


def _spotlight_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, set())
    count = queries.index_queryset().count()
    closing = render_to_string("curation/editorial/embeds/spotlight_close.html", {"count": count})
    return EmbedOutcome(
        html='<section class="embed-spotlight"><div class="spotlight-columns"><div class="spotlight-main">',
        closing_html=closing,
        slots={"right": '</div><div class="spotlight-side">'},
        problem=problem,
    )


# --- blocks of the site's pages -------------------------------------------------------------
def _latest_embed(kind: str):
    def render(directive, *, post=None) -> EmbedOutcome:
        problem = _unknown_parameters(directive, {"limit"})
        if problem:
            return EmbedOutcome(problem=problem)
        try:
            limit = int(directive.options.get("limit") or LATEST_DEFAULT_LIMIT)
            if not 1 <= limit <= 20:
                raise ValueError
        except ValueError:
            return EmbedOutcome(
                problem=f"{directive.name} embed: limit {directive.options['limit']!r} is not a number from 1 to 20"
            )
        posts = editorial_queries.latest_published(kind, limit=limit)
        heading = {str(PostKind.NEWS): "Latest news", str(PostKind.GUIDE): "Latest guides"}[kind]
        return EmbedOutcome(
            html=render_to_string(
                "curation/editorial/embeds/latest.html",
                {
                    "posts": posts,
                    "heading": heading,
                    "kind": kind,
                    "all_label": "news" if kind == PostKind.NEWS else "guides",
                    "list_url": reverse("curation:news-list" if kind == PostKind.NEWS else "curation:guide-list"),
                },
            )
        )

    return render


def _logos_embed(group: str):
    def render(directive, *, post=None) -> EmbedOutcome:
        problem = _unknown_parameters(directive, set())
        logos = [
            (logo, _picture(logo.image, alt=logo.title, target_width=320, sizes="12rem") if logo.image else None)
            for logo in SiteLogo.objects.filter(group=group)
            .select_related("image")
            .prefetch_related("image__renditions")
        ]
        if not logos:
            return EmbedOutcome(problem=problem)  # nothing to show until editors add logos
        return EmbedOutcome(
            html=render_to_string(
                "curation/editorial/embeds/logos.html",
                {
                    "logos": logos,
                    "heading": SiteLogo.Group(group).label,
                    "group": group,
                },
            ),
            problem=problem,
        )

    return render


def _contribute_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, {"text"})
    return EmbedOutcome(
        html=render_to_string(
            "curation/editorial/embeds/contribute.html",
            {
                "text": directive.options.get("text") or "Is this information not up to date?",
                "updated": queries.index_last_updated(),
                "contribute_url": editorial_queries.page_url("contribute"),
            },
        ),
        problem=problem,
    )


def check_link(link: str) -> str:
    """A problem with a link an embed, the menu or a logo shows ("" when it is a path on this site
    or an http(s) address, as curation.weblinks reads them)."""
    if is_site_link(link):
        return ""
    return f"link {link!r} is not an http(s) URL (use a path on this site, like /about/, or an https:// address)"


def _button_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, {"link", "text"}, positional=1)
    link = directive.options.get("link", "").strip()
    text = directive.options.get("text") or (directive.positional[0] if directive.positional else "")
    if not link or not text:
        return EmbedOutcome(
            problem='button embed needs a link and a text, e.g. {% button link="/about/" text="About us" %}'
        )
    problem = problem or check_link(link)
    if problem:
        return EmbedOutcome(problem=f"button embed: {problem}")
    return EmbedOutcome(html=render_to_string("curation/editorial/embeds/button.html", {"link": link, "text": text}))


VERSION_SOURCES = {"data": "the index data", "website": "the site's content"}


def _versionlink_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, {"repo"})
    repo = directive.options.get("repo", "")
    if repo not in VERSION_SOURCES:
        return EmbedOutcome(problem=f"versionlink embed: repo {repo!r} is not one of {', '.join(VERSION_SOURCES)}")
    if repo == "data":
        when, link = queries.index_last_updated(), reverse("curation:model_index")
    else:
        when, link = editorial_queries.content_last_updated(), reverse("curation:news-list")
    return EmbedOutcome(
        html=render_to_string(
            "curation/editorial/embeds/versionlink.html",
            {
                "when": when,
                "link": link,
                "what": VERSION_SOURCES[repo],
            },
        ).strip(),
        problem=problem,
    )


def _appear_embed(directive, *, post=None) -> EmbedOutcome:
    problem = _unknown_parameters(directive, {"text"}, positional=1)
    text = directive.options.get("text") or (directive.positional[0] if directive.positional else "")
    return EmbedOutcome(
        html=render_to_string("curation/editorial/embeds/appear.html", {"text": text}).strip(), problem=problem
    )


def _gradient_embed(directive, *, post=None) -> EmbedOutcome:
    return EmbedOutcome(html='<hr class="embed-gradient">', problem=_unknown_parameters(directive, set()))


EMBEDS = {
    "chart": _chart_embed,
    "index": _index_embed,
    "byline": _byline_embed,
    "image": _image_embed,
    "note": _note_embed,
    "people": _people_embed,
    "person": _person_embed,
    "landing": _landing_embed,
    "spotlight": _spotlight_embed,
    "news": _latest_embed("news"),
    "guides": _latest_embed("guide"),
    "partners": _logos_embed("partners"),
    "as-seen-in": _logos_embed("as_seen_in"),
    "contribute": _contribute_embed,
    "button": _button_embed,
    "versionlink": _versionlink_embed,
    "appear": _appear_embed,
    "gradient": _gradient_embed,
}
CONTAINER_EMBEDS = frozenset({"note", "people", "person", "landing", "spotlight"})
CONTAINER_SLOTS = {"spotlight": frozenset({"right"})}
SLOT_EMBEDS = frozenset(name for slots in CONTAINER_SLOTS.values() for name in slots)
INLINE_EMBEDS = frozenset({"versionlink"})
