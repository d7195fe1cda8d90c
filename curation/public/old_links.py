"""Addresses of the upstream website (osai-index.eu) kept working: permanent redirects.

Readers, papers and other sites link to `/model/<file>`, `/database?type=text&...`,
`/the-index?...` and `/compare?models=a,b`. Where each leads is decided by the one resolver of
upstream addresses that the page importer also uses (`curation.editorial.links.resolve`, which
reads query names through the one table of upstream names, `curation.upstream_query`); these views
only answer with a 301 to that address, or a 404 saying why there is none. Fixed pages
(`/about` and the like) need no view: Django's APPEND_SLASH sends them on to `/<slug>/`.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from curation import upstream_query
from curation.editorial.links import SiteMap, resolve


def _redirect_to_resolution(request, path: str, query: QueryDict) -> HttpResponse:
    encoded = query.urlencode(safe=",")
    resolution = resolve(path + (f"?{encoded}" if encoded else ""), SiteMap.of_site({}, set()))
    if resolution is None or resolution.broken:
        reason = resolution.broken if resolution else "not an address of this site"
        raise Http404(f"The old address {request.get_full_path()} leads nowhere: {reason}.")
    return HttpResponsePermanentRedirect(resolution.target)


@require_safe
def old_model(request, name: str):
    """`/model/<upstream file name>` (any case, with or without `.yaml`) -> the model's page."""
    name = name.strip()
    for suffix in (".yaml", ".yml"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return _redirect_to_resolution(request, f"/model/{name}", QueryDict())


@require_safe
def old_index(request):
    """`/database` and `/the-index` with upstream query names -> the index with this site's
    filters (or the comparison, for `models=`). Names upstream never read (tracking parameters
    and the like) are left out rather than failing the link; a known name with a value that
    cannot be read is a 404 naming it."""
    query = QueryDict(mutable=True)
    for name in request.GET:
        if upstream_query.is_known_name(name):
            query.setlist(name, request.GET.getlist(name))
    return _redirect_to_resolution(request, "/database", query)


@require_safe
def old_compare(request):
    """`/compare?models=a,b` with upstream file names or model names, any case -> `/compare/`."""
    query = QueryDict(mutable=True)
    query.setlist("models", request.GET.getlist("models"))
    return _redirect_to_resolution(request, "/compare", query)


@require_safe
def favicon(request):
    return HttpResponsePermanentRedirect(static("curation/favicon.ico"))


@require_safe
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    """Everything public may be crawled; the admin and signed draft previews may not."""
    sitemap = request.build_absolute_uri(reverse("curation:sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /preview/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
