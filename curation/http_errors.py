"""Error answers of the whole site: JSON in the API's one shape under /api/, HTML elsewhere.

Django's error handlers (`handler400`, `handler404`, `handler500` in the site's URLconf) and the
request guard use `error_response`, so a reader gets a page in the site's layout and an API
client gets `{"message", "field", "errors"}` whatever failed.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import page_not_found

from curation.api.errors import error_body

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    413: "Request too large",
    500: "Server error",
    503: "Service unavailable",
}


def api_root() -> str:
    """The API's address prefix where the host site mounts it (e.g. "/api/v1/" or
    "/index/api/v1/"); "/api/" when the host does not include curation.urls."""
    try:
        return reverse("curation:api:api-root")
    except NoReverseMatch:
        return "/api/"


def wants_json(request) -> bool:
    """True for requests to the API and clients that ask for JSON."""
    return request.path.startswith(api_root()) or "application/json" in request.META.get("HTTP_ACCEPT", "")


def error_response(request, status: int, message: str, *, field: str | None = None) -> HttpResponse:
    """An error page or JSON body with `message` (a sentence a person can act on)."""
    if wants_json(request):
        return JsonResponse(error_body(message, field), status=status)
    template = loader.get_template("curation/error.html")
    html = template.render({"status": status, "title": TITLES.get(status, "Error"), "message": message})
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


@requires_csrf_token
def bad_request(request, exception=None):
    return error_response(request, 400, "The request could not be understood: check the address and its parameters.")


@requires_csrf_token
def not_found(request, exception=None):
    if wants_json(request):
        return error_response(request, 404, "Not found: nothing is published at this address.")
    return page_not_found(request, exception)


@requires_csrf_token
def server_error(request):
    # Rendered without any database or request context: the failure may be the database itself.
    return error_response(request, 500, "The server failed to answer this request; the error has been logged.")
