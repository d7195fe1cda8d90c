"""Reader-facing chart URLs: the /charts/ page and stable file URLs serving the newest version."""

import logging

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from curation.charts.catalogue import get_spec
from curation.charts.data import PIE
from curation.charts.published import CONTENT_TYPES, FORMATS, current_versions, published_charts
from curation.public.caching import LocalPages, cache_stamp
from curation.public.pinning import resolve_pin

log = logging.getLogger(__name__)

# Stable URLs must follow new versions quickly; a URL carrying the version's hash never changes.
STABLE_MAX_AGE = 60
VERSIONED_MAX_AGE = 365 * 24 * 3600


@require_safe
def chart_index(request):
    return render(request, "curation/charts/index.html", {"charts": published_charts()})


# Files, not pages: an SVG opened on its own runs no script and loads nothing; it keeps the inline
# <style> that matplotlib writes.
FILE_POLICY = {"default-src": [NONE], "style-src": [UNSAFE_INLINE], "img-src": ["data:"]}


class _CurrentFiles:
    """The newest version of every chart (data hash, time, file name per format), read with one
    query and then kept in this process until the data version or the page-cache generation
    changes (a chart run that publishes starts a new generation): serving a chart file costs no
    query. The files themselves are kept by name: a content-hashed name never changes content."""

    def __init__(self):
        self._entry: tuple[tuple, dict] | None = None
        self.contents = LocalPages(max_pages=4 * len(FORMATS) * 16, max_bytes=32 * 1024 * 1024)

    def get(self, key: str):
        stamp = cache_stamp()
        entry = self._entry
        if entry is None or entry[0] != stamp:
            found = {
                k: (v.data_hash, v.generated_at, {f: v.file_name(f) for f in FORMATS})
                for k, v in current_versions().items()
            }
            entry = self._entry = (stamp, found)
        return entry[1].get(key)

    def content(self, name: str) -> bytes:
        place = f"{getattr(default_storage, 'location', '')}|{name}"
        stored = self.contents.get(place)
        if stored is None:
            with default_storage.open(name, "rb") as handle:
                stored = (handle.read(),)
            self.contents.put(place, stored)
        return stored[0]

    def clear(self) -> None:
        self._entry = None
        self.contents.clear()


current_files = _CurrentFiles()


@require_safe
@csp(FILE_POLICY)
def chart_file(request, key, fmt):
    if "as_of" in request.GET or "release" in request.GET:
        return _chart_as_of(request, key, fmt)
    found = current_files.get(key) if fmt in FORMATS and get_spec(key) is not None else None
    if found is None:
        raise Http404(f"No chart “{key}” in {fmt} format (unknown key, or not generated yet).")
    data_hash, generated_at, names = found
    try:
        content = current_files.content(names[fmt])
    except FileNotFoundError:
        log.error("chart file %s of %s is missing; the nightly check re-renders it", names[fmt], key)
        raise Http404(f"No chart “{key}” in {fmt} format (its file is missing).") from None
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    if fmt in ("csv", "json"):
        response["Content-Disposition"] = f'inline; filename="{key}.{fmt}"'
    response["ETag"] = f'"{data_hash[:32]}-{fmt}"'
    response["Last-Modified"] = http_date(generated_at.timestamp())
    asked = request.GET.get("v")
    if asked == data_hash[:12]:
        patch_cache_control(response, public=True, max_age=VERSIONED_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=STABLE_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    # The current version's addresses (with or without its hash) may be answered from memory
    # by the page cache's front layer (curation.public.caching); any other `v` may not.
    response.front_cacheable = set(request.GET) <= {"v"} and asked in (None, data_hash[:12])
    return response


def _chart_as_of(request, key: str, fmt: str):
    """A pie chart's numbers (JSON or CSV) for the index as it stood at the end of `?as_of=`
    (YYYY-MM-DD) or when the data release `?release=<slug>` was made (the one resolver,
    curation.public.pinning), computed from the history; 400 naming the problem for a bad date
    or format, 404 for an unknown release."""
    spec = get_spec(key)
    if spec is None:
        raise Http404(f"No chart “{key}”.")
    pin = resolve_pin(request.GET)
    if pin.error or pin.moment is None:
        message = pin.error or "as_of expects a date (YYYY-MM-DD), e.g. 2025-01-31."
        return HttpResponse(message, status=pin.status if pin.error else 400, content_type="text/plain; charset=utf-8")
    day = pin.moment
    if fmt not in ("json", "csv") or spec.kind != PIE:
        return HttpResponseBadRequest(
            "as_of is available for the pie charts, as .json or .csv", content_type="text/plain"
        )
    data = spec.compute_as_of(day)
    stamp = pin.release.slug if pin.release is not None else day.isoformat()
    response: HttpResponse
    if fmt == "json":
        pinned = {"release": pin.release.name} if pin.release is not None else {}
        response = JsonResponse({**data.numbers(), "as_of": day.isoformat(), **pinned})
    else:
        response = HttpResponse(data.csv_text(), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'inline; filename="{key}-{stamp}.csv"'
    patch_cache_control(response, public=True, max_age=STABLE_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response
