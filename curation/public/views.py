"""Reader-facing views. Queries come from curation.public.queries; views only shape responses."""
from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from curation.adoption.figures import group_adoption, model_adoption
from curation.adoption.sparkline import sparkline_svg
from curation.api.errors import error_body
from curation.editorial import services as editorial_services
from curation.editorial import site as site_settings
from curation.editorial.views import render_post_page
from curation.filters import OrganisationFilter
from curation.models import HOME_PAGE_SLUG
from curation.public import downloads, queries, share_cards
from curation.public.as_of import columns_on, filtered_index_as_of, parse_as_of
from curation.public.caching import cache_public_page, remembered_per_data_version
from curation.public.pagination import CountedPaginator
from curation.public.parameters import ORGANISATION_INDEX_PARAMETERS, download_parameters, index_parameters
from curation.public.queries import grade_legend
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
    """`queries.index_filter_options()`, read once per data version and cache generation in each
    process (at 100,000 models the organisations alone are 20,000 options)."""
    return queries.index_filter_options()


@remembered_per_data_version
def _compare_choices() -> list:
    """`queries.compare_choices()`, read once per data version and cache generation in each process
    (the list, and so its rendered <datalist>, is then the same object for every page)."""
    return queries.compare_choices()


def _any_param(request, *names) -> bool:
    return any(request.GET.get(name) for name in names)


def _parse_as_of(request) -> tuple[datetime.date | None, str]:
    """`?as_of=` as a date, or an error message (see curation.public.as_of.parse_as_of)."""
    try:
        return parse_as_of(request.GET.get("as_of")), ""
    except ValueError as exc:
        return None, str(exc)


def _filter_errors(filterset) -> tuple[str, str | None]:
    """(message, first parameter at fault) for the invalid filter values of a bound FilterSet;
    ("", None) when every value is valid. Each message names its parameter."""
    if filterset.is_valid():
        return "", None
    errors = filterset.form.errors
    message = " ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return message, next(iter(errors), None)


@cache_public_page
def home(request):
    # The editors' home page, when the site has one (the upstream site's index.md).
    page = editorial_services.published_page(HOME_PAGE_SLUG)
    if page is not None:
        return render_post_page(request, page)
    columns = queries.registry_columns()
    top = queries.build_rows(queries.index_queryset()[:10], columns)
    share_image, share_image_alt = queries.share_image()
    return render(request, "curation/public/home.html", {
        "share_image": share_image, "share_image_alt": share_image_alt,
        "headline": queries.headline_numbers(columns),
        "top_rows": top,
        "columns": columns,
        "latest_posts": queries.latest_posts(3),
        "chart_keys": queries.home_chart_keys(),
    })


def _shows_downloads(request, rows) -> bool:
    """Whether the index table has a downloads column: when sorted by downloads, or when a
    model on the page has a Hugging Face figure."""
    sorted_by_downloads = any(key.lstrip("-") == "downloads" for key in request.GET.getlist("ordering"))
    return sorted_by_downloads or any(row.model.hf_downloads is not None for row in rows)


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
    as_of, as_of_error = _parse_as_of(request)
    columns = columns_on(as_of) if as_of is not None else queries.registry_columns()
    if as_of is not None:
        filterset, rows_source = filtered_index_as_of(request.GET, as_of, columns)
    else:
        filterset, rows_source = queries.filtered_index(request.GET, columns=columns)
    paginator = CountedPaginator(rows_source, _page_size(request))
    page = paginator.get_page(request.GET.get("page"))
    rows = queries.build_rows(page.object_list, columns, evidence=True) if as_of is None else list(page.object_list)
    view_mode = "grid" if request.GET.get("view") == "grid" else "table"
    show_downloads = _shows_downloads(request, rows)
    return render(request, "curation/public/model_index.html", {
        "show_downloads": show_downloads,
        "column_count": 5 + int(show_downloads) + len(columns.categories) + len(columns.dimensions),
        "filterset": filterset,
        "form": filterset.form,
        "columns": columns,
        "rows": rows,
        "page": page,
        "paginator": paginator,
        "view_mode": view_mode,
        "page_sizes": PAGE_SIZES,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "first_recorded": queries.first_recorded_day() if as_of and not paginator.count else None,
        "grade_legend": grade_legend(),
        "grade_fields": [filterset.form[name] for name in filterset.grade_filter_names],
        "open_groups": {
            "organisation": _any_param(request, "sector", "bloc", "region", "country", "organisation"),
            "model": _any_param(request, "base_model", "released_from", "released_to"),
            "grades": _any_param(request, *filterset.grade_filter_names),
        },
        "query_string": request.GET.urlencode(),
        "compare_min": COMPARE_MIN, "compare_max": COMPARE_MAX,
        "filter_options": _filter_options(),
    })


@cache_public_page
def model_detail(request, slug):
    model = queries.readable_model(slug)
    if model is None:
        raise Http404(f"No public model is called “{slug}”.")
    columns = queries.registry_columns()
    related = queries.related_models(model)
    suggestion = next(iter(related["same_base"] + related["same_organisation"]), None)
    changelog = queries.model_changelog(model)
    history = queries.model_score_history(model, columns)
    adoption, repositories = model_adoption(model)
    grouped = queries.model_cells(model, columns)
    evidenced, applicable = queries.evidence_coverage(grouped)
    return render(request, "curation/public/model_detail.html", {
        "evidenced": evidenced, "applicable": applicable,
        "adoption": adoption,
        "repositories": repositories,
        "adoption_sparkline": sparkline_svg(adoption.monthly_series(), label="Hugging Face downloads per month")
        if adoption else "",
        "articles": editorial_services.articles_about(model),
        "score_history": history if len(history) > 1 else [],
        # The newest change in its history; a model with none yet was last written when imported.
        "last_updated": changelog[0].applied_at if changelog else model.updated_at,
        "model": model,
        "columns": columns,
        "grouped": grouped,
        "related": related,
        "compare_suggestion": suggestion.name if suggestion else "",
        "changelog": changelog,
        "last_reviewed": queries.model_last_reviewed(model),
        "total_percent": as_percent(model.total_score),
        "grade_legend": grade_legend(),
        "page_meta": site_settings.model_page_meta(model),
        "choices": _compare_choices(),
        "share_image": reverse("public:model_card", args=[model.slug]),
        "share_image_alt": f"{model.name}: {as_percent(model.total_score)}% open",
    })


@cache_public_page(params=ORGANISATION_INDEX_PARAMETERS)
def organisation_index(request):
    cleaned = _without_empty_parameters(request)
    if cleaned is not None:
        return cleaned
    filterset = OrganisationFilter(request.GET, queries.public_organisations())
    paginator = Paginator(filterset.qs, 100)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "curation/public/organisation_index.html", {
        "filterset": filterset, "form": filterset.form, "page": page, "paginator": paginator,
    })


@cache_public_page
def organisation_detail(request, slug):
    organisation = queries.public_organisation(slug)
    if organisation is None:
        raise Http404(f"No public organisation is called “{slug}”.")
    columns = queries.registry_columns()
    rows = queries.build_rows(queries.organisation_models(organisation), columns)
    # Models its upstream files classify apart from the organisation's usual classification.
    apart = []
    for row in rows:
        row.model.organisation = organisation
        if row.model.classification().is_classified_apart:
            apart.append(row.model)
    adoption = group_adoption(queries.organisation_models(organisation))
    return render(request, "curation/public/organisation_detail.html", {
        "adoption": adoption,
        "adoption_sparkline": sparkline_svg(adoption.monthly, label="Hugging Face downloads per month"),
        "organisation": organisation, "rows": rows, "columns": columns, "classified_apart": apart,
        "category_means": queries.category_means(rows, columns), "grade_legend": grade_legend(),
    })


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


@cache_public_page(params=("models",))
def compare(request):
    columns = queries.registry_columns()
    terms = parse_compare_slugs(request)
    slugs, unknown = queries.compare_slugs(terms)
    if not unknown and (slugs != terms or len(request.GET.getlist("models")) > 1 or set(request.GET) - {"models"}):
        # Names, file names, empty form fields or repeated fields: one clean, shareable address.
        target = reverse("public:compare")
        return redirect(f"{target}?models={','.join(slugs)}" if slugs else target)
    slugs = slugs + unknown
    errors = []
    rows = []
    if slugs:
        rows, missing = queries.compare_models(slugs[:COMPARE_MAX + 1], columns)
        if missing:
            errors.append("No model of the index is called " + ", ".join(f"“{s}”" for s in missing) + ".")
        if len(slugs) > COMPARE_MAX:
            errors.append(f"Compare at most {COMPARE_MAX} models at a time; you chose {len(slugs)}.")
            rows = rows[:COMPARE_MAX]
        elif len(rows) < COMPARE_MIN:
            errors.append(f"Choose at least {COMPARE_MIN} models to compare.")
    status = 400 if errors else 200
    chosen = [row.model.name for row in rows] + [term for term in slugs if term in unknown]
    # One field per chosen model and two more to add, at least four, at most the maximum.
    fields = (chosen + [""] * COMPARE_MAX)[:max(4, min(COMPARE_MAX, len(chosen) + 2))]
    return render(request, "curation/public/compare.html", {
        "rows": rows, "columns": columns, "errors": errors, "slugs": slugs, "fields": fields,
        "withdrawn": [row.model for row in rows if row.model.is_withdrawn],
        "choices": _compare_choices(),
        "compare_min": COMPARE_MIN, "compare_max": COMPARE_MAX, "grade_legend": grade_legend(),
        "page_meta": site_settings.compare_page_meta([row.model for row in rows]),
    }, status=status)


def _download_rows(request, columns, *, categories: bool = True):
    """The rows a download holds: the current filters, today or (with as_of) on a past date.

    An invalid filter value is an error naming its parameter (as in the API), never a download
    of the whole index."""
    as_of, error = _parse_as_of(request)
    if error:
        return None, (error, "as_of")
    if as_of is not None:
        filterset, rows = filtered_index_as_of(request.GET, as_of, columns)
    else:
        filterset, qs = queries.filtered_index(request.GET, columns=columns)
        rows = downloads.rows_of(qs, columns, categories=categories)
    message, field = _filter_errors(filterset)
    return (None, (message, field)) if message else (rows, None)


def _columns(request):
    """The registry's columns; with a valid `as_of`, the registry of that day."""
    as_of, error = _parse_as_of(request)
    return columns_on(as_of) if as_of is not None and not error else queries.registry_columns()


def _bad_download(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


@cache_public_page(params=download_parameters)
def models_csv(request):
    columns = _columns(request)
    rows, error = _download_rows(request, columns, categories=False)
    if error:
        return _bad_download(error[0])
    page_url = request.build_absolute_uri(reverse("public:model_index"))
    response = HttpResponse(downloads.index_csv(rows, columns, base_url=page_url), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="models.csv"'
    return response


@cache_public_page(params=download_parameters)
def models_details_csv(request):
    """The richer table (organisation, types, class, release, grades in words) as a second download."""
    columns = _columns(request)
    rows, error = _download_rows(request, columns)
    if error:
        return _bad_download(error[0])
    page_url = request.build_absolute_uri(reverse("public:model_index"))
    response = HttpResponse(
        downloads.index_details_csv(rows, columns, base_url=page_url), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="models-details.csv"'
    return response


@cache_public_page(params=download_parameters)
def models_json(request):
    columns = _columns(request)
    rows, error = _download_rows(request, columns)
    if error:
        message, field = error
        return JsonResponse(error_body(message, field), status=400)
    page_url = request.build_absolute_uri(reverse("public:model_index"))
    return HttpResponse(downloads.index_json(rows, columns, base_url=page_url), content_type="application/json")


def export_zip(request):
    payload = downloads.export_zip_bytes()
    response = HttpResponse(payload, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="osai-index-export.zip"'
    return response

