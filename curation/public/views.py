"""Reader-facing views. Queries come from curation.public.queries; views only shape responses."""

from __future__ import annotations

import datetime
import functools
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from curation.adoption.figures import group_adoption, model_adoption
from curation.adoption.sparkline import sparkline_svg
from curation.api.errors import error_body
from curation.charts.published import get_chart
from curation.editorial import queries as editorial_queries, services as editorial_services, site as site_settings
from curation.editorial.views import render_post_page
from curation.filters import OrganisationFilter
from curation.http_errors import error_response, wants_json
from curation.models import HOME_PAGE_SLUG
from curation.public import download_files, downloads, pinned, queries, share_cards
from curation.public.as_of import columns_on, filtered_index_as_of
from curation.public.caching import (
    accepted_gzip,
    cache_public_page,
    cache_stamp,
    code_stamp,
    remembered_per_data_version,
    row_fragments,
)
from curation.public.filter_options import current_filter_options
from curation.public.headline import headline_numbers
from curation.public.pagination import index_paginator
from curation.public.parameters import (
    COMPARE_PARAMETERS,
    ORGANISATION_INDEX_PARAMETERS,
    PINNED_PAGE_PARAMETERS,
    download_parameters,
    index_parameters,
)
from curation.public.past_builds import PastIndexBeingPrepared
from curation.public.pinning import PIN_PARAMETERS, resolve_pin
from curation.public.queries import grade_legend
from curation.public.release_files import frozen_download
from curation.scoring import as_percent

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
COMPARE_MIN, COMPARE_MAX = 2, 12


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


@remembered_per_data_version
def _filter_options() -> dict:
    """The index's filter options (`curation.public.filter_options`, stored once per data
    version), read once per data version and cache generation in each process."""
    return current_filter_options()


@remembered_per_data_version
def _today_columns() -> queries.Columns:
    """`queries.registry_columns()`, read once per data version and cache generation in each
    process for the index (a registry change records a data change). Shared between requests:
    read only."""
    return queries.registry_columns()


@remembered_per_data_version
def _compare_choices() -> list:
    """`queries.compare_choices()`, read once per data version and cache generation in each process
    (the list, and so its rendered <datalist>, is then the same object for every page)."""
    return queries.compare_choices()


def _candidate_links(
    terms: list[str], unknown: list[str], pin_query: str = ""
) -> list[tuple[str, list[tuple[str, str]]]]:
    """For each term of `terms` that names no model, the models it may have meant, each as
    (name, address of the comparison with that model in the term's place, keeping the pin)."""
    target = reverse("curation:compare")
    found = []
    for term in unknown:
        links = []
        for model in queries.name_candidates(term):
            chosen = [model.slug if other == term else other for other in terms]
            query = f"models={quote(','.join(dict.fromkeys(chosen)), safe=',')}" + (
                f"&{pin_query}" if pin_query else ""
            )
            links.append((model.name, f"{target}?{query}"))
        found.append((term, links))
    return found


def _any_param(request, *names) -> bool:
    return any(request.GET.get(name) for name in names)


def _parse_as_of(request) -> tuple[datetime.date | None, str]:
    """`?as_of=` as a date or `?release=` as its moment, or an error message (one resolver:
    curation.public.pinning.resolve_pin)."""
    pin = resolve_pin(request.GET)
    return pin.moment, pin.error


def _filter_errors(filterset) -> tuple[str, str | None]:
    """(message, first parameter at fault) for the invalid filter values of a bound FilterSet;
    ("", None) when every value is valid. Each message names its parameter."""
    if filterset.is_valid():
        return "", None
    errors = filterset.form.errors
    message = " ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return message, next(iter(errors), None)


def _home_share_image() -> tuple[str, str]:
    """(address, text) of the home page's link-preview picture (Open Graph): the PNG of its
    first chart and that chart's alt text; ("", "") before it is generated (the site's card)."""
    chart = get_chart(queries.HOME_CHART_KEYS[0])
    return (chart.png_url, chart.alt_text) if chart else ("", "")


@cache_public_page
def home(request):
    # The editors' home page, when the site has one (the upstream site's index.md).
    page = editorial_queries.published_page(HOME_PAGE_SLUG)
    if page is not None:
        return render_post_page(request, page)
    columns = queries.registry_columns()
    top = queries.build_rows(queries.index_queryset()[:10], columns)
    share_image, share_image_alt = _home_share_image()
    return render(
        request,
        "curation/public/home.html",
        {
            "share_image": share_image,
            "share_image_alt": share_image_alt,
            "headline": headline_numbers(columns),
            "top_rows": top,
            "columns": columns,
            "latest_posts": queries.latest_posts(3),
            "chart_keys": queries.home_chart_keys(),
        },
    )


def _sorted_by_downloads(request) -> bool:
    return any(key.lstrip("-") == "downloads" for key in request.GET.getlist("ordering"))


def _shows_downloads(request, models) -> bool:
    """Whether the index table has a downloads column: when sorted by downloads, or when a
    model on the page has a Hugging Face figure."""
    return _sorted_by_downloads(request) or any(model.hf_downloads is not None for model in models)


# What follows each row of the index table in the page's HTML: a new line, indented as the
# template's rows (model_index.html).
_ROW_SEPARATOR = "\n      "


def _index_row_html(page_rows, columns, show_downloads: bool) -> SafeString:
    """The table rows (HTML, each followed by `_ROW_SEPARATOR`) of a page of today's index, given
    as the page's model ids in order (queries.page_keys); empty for no row. Each row is rendered
    once per data version in this process (caching.row_fragments), so that a page missing the
    page cache reads the models, their grades and evidence, and renders, only for rows no page
    has shown since; the rows are joined here, once, rather than by a template loop of 100."""
    prefix = row_fragments.prefix("downloads" if show_downloads else "table")
    known = row_fragments.get_many(page_rows, prefix)
    missing = [pk for pk in page_rows if pk not in known]
    if missing:
        template = get_template("curation/public/_index_row.html")
        for row in queries.build_rows(queries.index_models(missing), columns, evidence=True):
            html = template.render({"row": row, "show_downloads": show_downloads})
            known[row.model.pk] = row_fragments.keep(row.model.pk, prefix, html)
    # A model unpublished meanwhile is left out; the kept rows are safe HTML (rendered templates).
    return mark_safe("".join(known[pk] + _ROW_SEPARATOR for pk in page_rows if pk in known))  # noqa: S308 - rendered rows


def _without_empty_parameters(request):
    """A redirect to the same page without empty parameters (a submitted filter form sends every
    field), so that the address of a filtered page is short and shareable; None when clean."""
    if not any(value == "" for values in request.GET.lists() for value in values[1]):
        return None
    clean = request.GET.copy()
    for name, values in request.GET.lists():
        kept = [value for value in values if value != ""]
        if kept:
            clean.setlist(name, kept)
        else:
            del clean[name]
    encoded = clean.urlencode()
    return redirect(request.path + (f"?{encoded}" if encoded else ""))


@cache_public_page(params=index_parameters)
def model_index(request):
    cleaned = _without_empty_parameters(request)
    if cleaned is not None:
        return cleaned
    pin = resolve_pin(request.GET)
    as_of, as_of_error = pin.moment, pin.error
    columns = columns_on(as_of) if as_of is not None else _today_columns()
    if as_of is not None:
        try:
            filterset, rows_source = filtered_index_as_of(request.GET, as_of, columns)
        except PastIndexBeingPrepared as exc:
            return _being_prepared(request, exc)
        paginator = Paginator(rows_source, _page_size(request))
    else:
        filterset, rows_source = queries.filtered_index(request.GET, columns=columns)
        paginator = index_paginator(filterset, rows_source, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    view_mode = "grid" if request.GET.get("view") == "grid" else "table"
    row_html = SafeString()
    if as_of is not None:
        rows = list(page.object_list)
        show_downloads = _shows_downloads(request, [row.model for row in rows])
    elif view_mode == "table":
        # Only the ids and download figures of the page: its rows' HTML is mostly kept already.
        page_rows = queries.page_keys(page.object_list)
        show_downloads = _sorted_by_downloads(request) or any(figure is not None for _pk, figure in page_rows)
        rows, row_html = [], _index_row_html([pk for pk, _figure in page_rows], columns, show_downloads)
    else:
        models = list(page.object_list)
        show_downloads = _shows_downloads(request, models)
        rows = queries.build_rows(models, columns, evidence=True)
    return render(
        request,
        "curation/public/model_index.html",
        {
            "show_downloads": show_downloads,
            "column_count": 5 + int(show_downloads) + len(columns.categories) + len(columns.dimensions),
            "filterset": filterset,
            "form": filterset.form,
            "columns": columns,
            "rows": rows,
            "row_html": row_html,
            "page": page,
            "paginator": paginator,
            "view_mode": view_mode,
            "page_sizes": PAGE_SIZES,
            "as_of": as_of,
            "as_of_error": as_of_error,
            "release": pin.release,
            "pin_query": pin.query,
            "first_recorded": queries.first_recorded_day() if as_of and not paginator.count else None,
            "grade_legend": grade_legend(),
            "grade_fields": [filterset.form[name] for name in filterset.grade_filter_names],
            "open_groups": {
                "organisation": _any_param(request, "sector", "bloc", "region", "country", "organisation"),
                "model": _any_param(request, "base_model", "released_from", "released_to"),
                "grades": _any_param(request, *filterset.grade_filter_names),
            },
            "query_string": request.GET.urlencode(),
            "compare_min": COMPARE_MIN,
            "compare_max": COMPARE_MAX,
            "filter_options": _filter_options(),
        },
        status=pin.status,
    )  # a bad pin shows today's index and says why, with the status it deserves


_PIN_ERROR_TITLES = {
    404: "Not in the index then",
    503: "The past index is being prepared",
}


def _pinned_page_error(request, status: int, message: str, field: str | None = None, *, retry_after: int = 0):
    """A pinned page's refusal: JSON for API-style clients, else a page of the site saying why,
    with a link to the page today (its address without the pin). With `retry_after` (seconds),
    the answer says when to ask again (Retry-After) and the page links to itself to do so."""
    if wants_json(request):
        response = error_response(request, status, message, field=field)
    else:
        response = render(
            request,
            "curation/public/pin_error.html",
            {
                "title": _PIN_ERROR_TITLES.get(status, "This pin cannot be read"),
                "message": message,
                "today_url": _without_pin(request),
                "retry_url": request.get_full_path() if retry_after else "",
                "retry_after": retry_after,
            },
            status=status,
        )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _being_prepared(request, refusal: PastIndexBeingPrepared):
    """503 with Retry-After: the past index asked for is not built yet and another is being
    built (curation.public.past_builds); the reader is told to come back shortly."""
    return _pinned_page_error(request, 503, str(refusal), field="as_of", retry_after=refusal.retry_after)


def _without_pin(request) -> str:
    query = request.GET.copy()
    for name in PIN_PARAMETERS:
        query.pop(name, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _pin_error(request, pin):
    """The answer to a page asked with a wrong pin: 400 for a malformed date or both
    parameters, 404 for an unknown release, with the resolver's message."""
    return _pinned_page_error(request, pin.status, pin.error, field=pin.parameter)


def _not_then(request, pin, what: str):
    """The 404 of a page pinned to a moment when `what` was not in the published index."""
    return _pinned_page_error(
        request, 404, f"{what} was not in the published index {pin.label}: it was added or published later."
    )


@cache_public_page(params=PINNED_PAGE_PARAMETERS)
def model_detail(request, slug):
    pin = resolve_pin(request.GET)
    if pin.error:
        return _pin_error(request, pin)
    if pin.moment is None:
        model = queries.readable_model(slug)
        if model is None:
            raise Http404(f"No public model is called “{slug}”.")
        columns = queries.registry_columns()
        grouped = queries.model_cells(model, columns)
        changelog = queries.model_changelog(model)
        related = queries.related_models(model)
        adoption, repositories = model_adoption(model)
        today = {
            "history": queries.model_score_history(model, columns),
            "last_updated": changelog[0].applied_at if changelog else model.updated_at,
            "last_reviewed": queries.model_last_reviewed(model),
            "articles": editorial_services.articles_about(model),
            "share_image": reverse("curation:model_card", args=[model.slug]),
        }
    else:
        # The model as the index showed it then. Hugging Face figures, related models and
        # articles are today's alone (no history of them is kept): left out. The changelog and
        # the openness over time stop at the moment.
        columns = columns_on(pin.moment)
        row = pinned.model_as_of(slug, pin.moment, columns)
        if row is None:
            return _not_then(request, pin, f"The model “{slug}”")
        model = row.model
        grouped = queries.model_cells(model, columns, row)
        changelog = pinned.changelog_until(model, pin.moment)
        related = {"same_base": [], "same_organisation": []}
        adoption, repositories = None, []
        today = {
            "history": pinned.score_history_until(model, pin.moment),
            # Its newest change then; a model with none yet was added that way.
            "last_updated": changelog[0].applied_at if changelog else model.created_at,
            "last_reviewed": pinned.last_reviewed_until(changelog),
            "articles": [],
            "share_image": "",
        }
    suggestion = next(iter(related["same_base"] + related["same_organisation"]), None)
    evidenced, applicable = queries.evidence_coverage(grouped)
    history = today["history"]
    return render(
        request,
        "curation/public/model_detail.html",
        {
            "pin": pin,
            "pin_query": pin.query,
            "evidenced": evidenced,
            "applicable": applicable,
            "adoption": adoption,
            "repositories": repositories,
            "adoption_sparkline": sparkline_svg(adoption.monthly_series(), label="Hugging Face downloads per month")
            if adoption
            else "",
            "articles": today["articles"],
            "score_history": history if len(history) > 1 else [],
            # The newest change in its history; a model with none yet was last written when imported.
            "last_updated": today["last_updated"],
            "model": model,
            "columns": columns,
            "grouped": grouped,
            "related": related,
            "compare_suggestion": suggestion.name if suggestion else "",
            "changelog": changelog,
            "last_reviewed": today["last_reviewed"],
            "total_percent": as_percent(model.total_score),
            "grade_legend": grade_legend(),
            "page_meta": site_settings.model_page_meta(model),
            "choices": queries.compare_choices_for(model, related, _compare_choices()),
            "share_image": today["share_image"],
            "share_image_alt": f"{model.name}: {as_percent(model.total_score)}% open" if today["share_image"] else "",
        },
    )


@cache_public_page(params=ORGANISATION_INDEX_PARAMETERS)
def organisation_index(request):
    cleaned = _without_empty_parameters(request)
    if cleaned is not None:
        return cleaned
    filterset = OrganisationFilter(request.GET, queries.public_organisations())
    paginator = Paginator(filterset.qs, 100)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "curation/public/organisation_index.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "paginator": paginator,
        },
    )


@cache_public_page(params=PINNED_PAGE_PARAMETERS)
def organisation_detail(request, slug):
    pin = resolve_pin(request.GET)
    if pin.error:
        return _pin_error(request, pin)
    if pin.moment is None:
        organisation = queries.public_organisation(slug)
        if organisation is None:
            raise Http404(f"No public organisation is called “{slug}”.")
        columns = queries.registry_columns()
        rows = queries.build_rows(queries.organisation_models(organisation), columns)
        adoption = group_adoption(queries.organisation_models(organisation))
        sparkline = sparkline_svg(adoption.monthly, label="Hugging Face downloads per month")
    else:
        # The organisation, its classification and its published models then; Hugging Face
        # figures are today's alone (no history of them is kept): left out.
        columns = columns_on(pin.moment)
        past = pinned.organisation_as_of(slug, pin.moment, columns)
        if past is None:
            return _not_then(request, pin, f"The organisation “{slug}”")
        organisation, rows = past.organisation, past.rows
        adoption, sparkline = None, ""
    # Models its upstream files classify apart from the organisation's usual classification.
    apart = []
    for row in rows:
        row.model.organisation = organisation
        if row.model.classification().is_classified_apart:
            apart.append(row.model)
    return render(
        request,
        "curation/public/organisation_detail.html",
        {
            "pin": pin,
            "pin_query": pin.query,
            "adoption": adoption,
            "adoption_sparkline": sparkline,
            "organisation": organisation,
            "rows": rows,
            "columns": columns,
            "classified_apart": apart,
            "category_means": queries.category_means(rows, columns),
            "grade_legend": grade_legend(),
        },
    )


SHARE_CARD_MAX_AGE = 3600


def _png_response(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="image/png")
    response["Cache-Control"] = f"public, max-age={SHARE_CARD_MAX_AGE}"
    return response


@cache_public_page
def model_card(request, slug):
    """The model's link-preview picture (1200 × 630 PNG, curation.public.share_cards)."""
    model = queries.readable_model(slug)
    if model is None:
        raise Http404(f"No public model is called “{slug}”.")
    return _png_response(share_cards.model_card_png(model))


@cache_public_page
def site_card(request):
    """The site's link-preview picture, for pages without one of their own."""
    return _png_response(share_cards.site_card_png())


def parse_compare_slugs(request) -> list[str]:
    """Slugs from `?models=a,b,c` and/or repeated `?models=a&models=b` (the index's checkboxes)."""
    slugs: list[str] = []
    for value in request.GET.getlist("models"):
        for slug in value.split(","):
            slug = slug.strip()
            if slug and slug not in slugs:
                slugs.append(slug)
    return slugs


@cache_public_page(params=COMPARE_PARAMETERS)
def compare(request):
    pin = resolve_pin(request.GET)
    if pin.error:
        return _pin_error(request, pin)
    columns = columns_on(pin.moment) if pin.moment is not None else queries.registry_columns()
    terms = parse_compare_slugs(request)
    slugs, unknown = queries.compare_slugs(terms)
    pin_given = [name for name in PIN_PARAMETERS if name in request.GET]
    if not unknown and (
        slugs != terms
        or len(request.GET.getlist("models")) > 1
        or set(request.GET) - {"models", *PIN_PARAMETERS}
        or (pin_given and not pin.query)
    ):
        # Names, file names, empty form fields or repeated fields: one clean, shareable address.
        target = reverse("curation:compare")
        query = "&".join(part for part in (f"models={','.join(slugs)}" if slugs else "", pin.query) if part)
        return redirect(f"{target}?{query}" if query else target)
    slugs = slugs + unknown
    errors = []
    rows = []
    if slugs:
        if pin.moment is None:
            rows, missing = queries.compare_models(slugs[: COMPARE_MAX + 1], columns)
            where = "of the index"
        else:  # the models as the index showed them then, evidence included
            rows, missing = pinned.compare_as_of(slugs[: COMPARE_MAX + 1], pin.moment, columns)
            where = f"in the published index {pin.label}"
        if missing:
            errors.append(f"No model {where} is called " + ", ".join(f"“{s}”" for s in missing) + ".")
        if len(slugs) > COMPARE_MAX:
            errors.append(f"Compare at most {COMPARE_MAX} models at a time; you chose {len(slugs)}.")
            rows = rows[:COMPARE_MAX]
        elif len(rows) < COMPARE_MIN:
            errors.append(f"Choose at least {COMPARE_MIN} models to compare.")
    status = 400 if errors else 200
    chosen = [row.model.name for row in rows] + [term for term in slugs if term in unknown]
    # One field per chosen model and two more to add, at least four, at most the maximum.
    fields = (chosen + [""] * COMPARE_MAX)[: max(4, min(COMPARE_MAX, len(chosen) + 2))]
    return render(
        request,
        "curation/public/compare.html",
        {
            "pin": pin,
            "pin_query": pin.query,
            "today_url": f"{reverse('curation:compare')}?models={','.join(slugs)}" if slugs else "",
            "rows": rows,
            "columns": columns,
            "errors": errors,
            "slugs": slugs,
            "fields": fields,
            "withdrawn": [row.model for row in rows if row.model.is_withdrawn],
            "choices": _compare_choices(),
            "candidates": _candidate_links(slugs, unknown, pin.query),
            "compare_min": COMPARE_MIN,
            "compare_max": COMPARE_MAX,
            "grade_legend": grade_legend(),
            "page_meta": site_settings.compare_page_meta([row.model for row in rows]),
        },
        status=status,
    )


def _download_rows(request, columns, *, categories: bool = True):
    """The rows a download holds and a function counting them: the current filters, today or
    (with as_of) on a past date. Rows are plain (curation.public.downloads.rows_of), read as
    they are written.

    An invalid filter value is an error naming its parameter (as in the API), never a download
    of the whole index."""
    pin = resolve_pin(request.GET)
    as_of = pin.moment
    if pin.error:
        return None, None, (pin.error, pin.parameter, pin.status)
    if as_of is not None:
        filterset, rows = filtered_index_as_of(request.GET, as_of, columns)
        count = rows.__len__
    else:
        filterset, qs = queries.filtered_index(request.GET, columns=columns)
        rows = downloads.rows_of(qs, columns, categories=categories)
        count = qs.count
    message, field = _filter_errors(filterset)
    return (None, None, (message, field, 400)) if message else (rows, functools.lru_cache(maxsize=1)(count), None)


def _columns(request):
    """The registry's columns; with a valid `as_of`, the registry of that day."""
    as_of, error = _parse_as_of(request)
    return columns_on(as_of) if as_of is not None and not error else queries.registry_columns()


def _bad_download(error: tuple) -> HttpResponse:
    """The answer to a download asked with a wrong parameter: (message, parameter, status)."""
    return HttpResponse(error[0], status=error[2], content_type="text/plain; charset=utf-8")


# A download of up to this many rows is made whole (kept by the page cache, sent with its
# length); a larger one is streamed as it is written, so memory stays flat.
STREAM_ABOVE_ROWS = 2000
# A stored file up to this size is read and sent whole, so the page cache and the in-process
# front layer keep it (a repeat costs no storage read, and a front proxy may keep it too); a
# larger one (the JSON of a very large index) is streamed from storage in large blocks, as its
# gzip copy to readers that accept gzip.
SEND_WHOLE_BYTES = 16 * 1024 * 1024


class _StoredFileResponse(FileResponse):
    block_size = 1024 * 1024  # Django's 4 KiB would cost a thousand iterations per 4 MiB


def _attachment(response, kind):
    if kind.content_type != "application/json":
        response["Content-Disposition"] = f'attachment; filename="{kind.filename}"'
    return response


def _stored_download(request, kind, base_url: str):
    """The answer from the stored file of the current data version; None when not there yet."""
    version, _generation = cache_stamp()
    name = download_files.file_name(kind, code_stamp(), version, base_url)
    gzipped = accepted_gzip(request)
    opened = download_files.open_file(name, gzipped=False)
    if opened is None:
        return None
    handle, size = opened
    if size is not None and size <= SEND_WHOLE_BYTES:
        with handle:
            response = HttpResponse(handle.read(), content_type=kind.content_type)
    else:
        handle.close()
        opened = download_files.open_file(name, gzipped=gzipped)
        if opened is None:
            return None
        response = _StoredFileResponse(opened[0], content_type=kind.content_type)
        if gzipped:
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = download_files.etag(kind, code_stamp(), version, base_url)
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return _attachment(response, kind)


def _download(request, kind, *, categories: bool = True):
    """A download of the index (`kind`, see curation.public.download_files): the stored file
    when the whole index is asked for and the file of the current data version is there;
    otherwise made from plain rows, whole when small, streamed when large (and then, for the
    whole index, stored on the way for the next reader). Pinned to a release alone
    (`?release=<slug>`), the release's frozen file."""
    frozen = frozen_download(request, kind.filename)
    if frozen is not None:
        return frozen
    page_url = request.build_absolute_uri(reverse("curation:model_index"))
    whole_index = not request.GET
    if whole_index:
        download_files.remember_address(page_url)
        stored = _stored_download(request, kind, page_url)
        if stored is not None:
            return stored
    columns = _columns(request)
    retry_after = 0
    try:
        rows, count, error = _download_rows(request, columns, categories=categories)
    except PastIndexBeingPrepared as exc:
        rows, count, error, retry_after = None, None, (str(exc), "as_of", 503), exc.retry_after
    if error:
        if kind is download_files.JSON:
            refusal: HttpResponse = JsonResponse(error_body(error[0], error[1]), status=error[2])
        else:
            refusal = _bad_download(error)
        if retry_after:
            refusal["Retry-After"] = str(retry_after)
        return refusal
    chunks = downloads.stream_rows(kind, rows, columns, base_url=page_url, count=count)
    if count() <= STREAM_ABOVE_ROWS:
        return _attachment(HttpResponse("".join(chunks), content_type=kind.content_type), kind)
    if whole_index:
        version, _generation = cache_stamp()
        chunks = download_files.tee_to_file(chunks, download_files.file_name(kind, code_stamp(), version, page_url))
    return _attachment(StreamingHttpResponse(chunks, content_type=kind.content_type), kind)


@cache_public_page(params=download_parameters)
def models_csv(request):
    return _download(request, download_files.CSV, categories=False)


@cache_public_page(params=download_parameters)
def models_details_csv(request):
    """The richer table (organisation, types, class, release, grades in words) as a second download."""
    return _download(request, download_files.DETAILS_CSV)


@cache_public_page(params=download_parameters)
def models_json(request):
    return _download(request, download_files.JSON)


def export_zip(request):
    """The upstream YAML files of the public index as a zip: the stored file of the current data
    version, made and stored first when it is not there yet; with `?release=<slug>`, the
    release's frozen zip (only it can be the YAML of that moment)."""
    if request.GET.get("release"):
        frozen = frozen_download(request, "osai-index-export.zip")
        if frozen is None:
            raise Http404(f"No frozen YAML zip for the release “{request.GET['release']}”: see /releases/.")
        return frozen
    kind = download_files.EXPORT_ZIP
    stored = _stored_download(request, kind, "")
    if stored is None:
        payload = downloads.export_zip_bytes()
        version, _generation = cache_stamp()
        download_files.write_file(download_files.file_name(kind, code_stamp(), version), [payload])
        stored = _stored_download(request, kind, "") or _attachment(
            HttpResponse(payload, content_type=kind.content_type), kind
        )
    return stored
