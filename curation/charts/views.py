"""Reader-facing chart URLs: the /charts/ page and stable file URLs serving the newest version."""
import datetime

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from curation.charts.catalogue import get_spec
from curation.charts.data import PIE
from curation.charts.publish import CONTENT_TYPES, open_chart_file, published_charts

# Stable URLs must follow new versions quickly; a URL carrying the version's hash never changes.
STABLE_MAX_AGE = 60
VERSIONED_MAX_AGE = 365 * 24 * 3600


@require_safe
def chart_index(request):
    return render(request, "charts/index.html", {"charts": published_charts()})


# Files, not pages: an SVG opened on its own runs no script and loads nothing; it keeps the inline
# <style> that matplotlib writes.
FILE_POLICY = {"default-src": [NONE], "style-src": [UNSAFE_INLINE], "img-src": ["data:"]}


@require_safe
@csp(FILE_POLICY)
def chart_file(request, key, fmt):
    if "as_of" in request.GET:
        return _chart_as_of(request, key, fmt)
    found = open_chart_file(key, fmt)
    if found is None:
        raise Http404(f"No chart “{key}” in {fmt} format (unknown key, or not generated yet).")
    version, fileobj = found
    response = FileResponse(fileobj, content_type=CONTENT_TYPES[fmt])
    if fmt in ("csv", "json"):
        response["Content-Disposition"] = f'inline; filename="{key}.{fmt}"'
    response["ETag"] = f'"{version.data_hash[:32]}-{fmt}"'
    response["Last-Modified"] = http_date(version.generated_at.timestamp())
    if request.GET.get("v") == version.data_hash[:12]:
        patch_cache_control(response, public=True, max_age=VERSIONED_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=STABLE_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _chart_as_of(request, key: str, fmt: str):
    """A pie chart's numbers (JSON or CSV) for the index as it stood at the end of `?as_of=`
    (YYYY-MM-DD), computed from the history; 400 naming the problem for a bad date or format."""
    spec = get_spec(key)
    if spec is None:
        raise Http404(f"No chart “{key}”.")
    raw = request.GET.get("as_of", "").strip()
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return HttpResponseBadRequest(f"as_of={raw!r} is not a date (YYYY-MM-DD)", content_type="text/plain")
    if day > timezone.localdate():
        return HttpResponseBadRequest(f"as_of={raw} is in the future", content_type="text/plain")
    if fmt not in ("json", "csv") or spec.kind != PIE:
        return HttpResponseBadRequest(
            "as_of is available for the pie charts, as .json or .csv", content_type="text/plain"
        )
    data = spec.compute_as_of(day)
    if fmt == "json":
        response = JsonResponse({**data.numbers(), "as_of": day.isoformat()})
    else:
        response = HttpResponse(data.csv_text(), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'inline; filename="{key}-{day.isoformat()}.csv"'
    patch_cache_control(response, public=True, max_age=STABLE_MAX_AGE)
    response["Access-Control-Allow-Origin"] = "*"
    return response
