"""Reader views for reuse on other sites: a model's badge, the embeddable chart and index, and
the citations of the index and of each model (BibTeX, RIS, CSL-JSON).

Every response here goes through the page cache (`cache_public_page`, keyed by URL and data
version). Only the embed pages may be shown in another site's iframe: `frameable` allows the
ancestors of `OSAI_EMBED_FRAME_ANCESTORS` and lifts X-Frame-Options on them alone; every other
page keeps the site-wide `frame-ancestors 'none'` and `X-Frame-Options: DENY`.
"""

from __future__ import annotations

from functools import wraps

from csp.constants import NONE
from csp.decorators import csp
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from curation.charts.published import get_chart
from curation.conf import app_settings
from curation.http_errors import error_response
from curation.public import badges, citations, pinned, queries
from curation.public.as_of import columns_on, filtered_index_as_of
from curation.public.caching import cache_public_page
from curation.public.pagination import index_count
from curation.public.parameters import PINNED_PAGE_PARAMETERS, download_parameters
from curation.public.past_builds import PastIndexBeingPrepared
from curation.public.pinning import resolve_pin
from curation.public.queries import grade_legend

EMBED_INDEX_ROWS = 100
BADGE_MAX_AGE = 300


def frameable(view):
    """Let other sites frame `view`'s pages: CSP frame-ancestors from the setting, no
    X-Frame-Options. Applied outside the page cache, so cached copies are framed alike."""

    @xframe_options_exempt
    @wraps(view)
    def framed(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response._csp_replace = {"frame-ancestors": list(app_settings.OSAI_EMBED_FRAME_ANCESTORS)}
        return response

    return framed


# An SVG opened on its own loads nothing and runs nothing.
BADGE_POLICY = {"default-src": [NONE]}


@require_safe
@csp(BADGE_POLICY)
@cache_public_page
def model_badge(request, slug):
    """The model's openness badge (image/svg+xml), see curation.public.badges."""
    model = queries.readable_model(slug)
    if model is None:
        raise Http404(f"No public model is called “{slug}”.")
    response = HttpResponse(
        badges.badge_svg(model.name, model.total_score, withdrawn=model.is_withdrawn), content_type="image/svg+xml"
    )
    patch_cache_control(response, public=True, max_age=BADGE_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@frameable
@cache_public_page
def chart_embed(request, key):
    """One chart with its note and data table, without the site's header and footer."""
    chart = get_chart(key)
    if chart is None:
        raise Http404(f"No chart “{key}” (unknown key, or not generated yet).")
    return render(request, "curation/charts/embed.html", {"chart": chart})


@require_safe
@frameable
@cache_public_page(params=download_parameters)
def index_embed(request):
    """The index, narrowed by the index page's filters (same parameters), without the site's
    header and footer: the first EMBED_INDEX_ROWS models and a link to all of them. `as_of` or
    `release` show the index as it stood then, as on the index page: a malformed date or both
    parameters are a 400, an unknown release a 404, and a past index still being prepared a 503
    with Retry-After, each saying why in the embed itself."""
    pin = resolve_pin(request.GET)
    if pin.error:
        return _embed_index_refusal(request, pin.status, pin.parameter or "as_of", pin.error)
    if pin.moment is None:
        columns = queries.registry_columns()
        filterset, models = queries.filtered_index(request.GET, columns=columns)
        total = index_count(filterset)  # the remembered total when nothing narrows the index
        rows = queries.build_rows(models[:EMBED_INDEX_ROWS], columns)
    else:
        columns = columns_on(pin.moment)
        try:
            filterset, past_rows = filtered_index_as_of(request.GET, pin.moment, columns)
        except PastIndexBeingPrepared as exc:
            return _embed_index_refusal(request, 503, "as_of", str(exc), retry_after=exc.retry_after)
        total = len(past_rows)
        rows = list(past_rows[:EMBED_INDEX_ROWS])
    errors = filterset.form.errors if not filterset.is_valid() else {}
    return render(
        request,
        "curation/public/embed_index.html",
        {
            "rows": rows,
            "columns": columns,
            "total": total,
            "errors": errors,
            "pin": pin,
            "query_string": request.GET.urlencode(),
            "grade_legend": grade_legend(),
        },
        status=400 if errors else 200,
    )


def _embed_index_refusal(request, status: int, field: str, message: str, *, retry_after: int = 0) -> HttpResponse:
    """The embedded index refusing a pin: the embed's own page (frameable, no site header) naming
    the parameter and why, with Retry-After when a past index is being prepared."""
    response = render(
        request,
        "curation/public/embed_index.html",
        {"refused": True, "errors": {field: [message]}, "query_string": request.GET.urlencode()},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def citation_response(citation: citations.Citation, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(citations.render(citation, fmt), content_type=citations.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@cache_public_page
def index_citation(request, fmt):
    """How to cite the index: /citation.bib, /citation.ris, /citation.json (CSL-JSON)."""
    citation = citations.index_citation(request.build_absolute_uri(reverse("curation:model_index")))
    return citation_response(citation, fmt, "osai-index")


@require_safe
@cache_public_page(params=PINNED_PAGE_PARAMETERS)
def model_citation(request, slug, fmt):
    """How to cite one model's assessment: /models/<slug>/citation.bib, .ris, .json (CSL-JSON);
    with `?as_of=` or `?release=`, of its page pinned so (a 404 when it was not in the
    published index then, a 400 for a malformed pin)."""
    pin = resolve_pin(request.GET)
    if pin.error:
        return error_response(request, pin.status, pin.error, field=pin.parameter)
    if pin.moment is None:
        model = queries.readable_model(slug)
        if model is None:
            raise Http404(f"No public model is called “{slug}”.")
        url = request.build_absolute_uri(reverse("curation:model_detail", args=[model.slug]))
        return citation_response(citations.model_citation(model, url), fmt, f"osai-index-{model.slug}")
    row = pinned.model_as_of(slug, pin.moment, columns_on(pin.moment))
    if row is None:
        return error_response(request, 404, f"The model “{slug}” was not in the published index {pin.label}.")
    url = request.build_absolute_uri(reverse("curation:model_detail", args=[slug]) + f"?{pin.query}")
    citation = citations.model_citation(
        row.model, url, release=pin.release, as_of=None if pin.release is not None else pin.moment
    )
    return citation_response(citation, fmt, f"osai-index-{slug}")
