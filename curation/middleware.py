"""Request hygiene before any view runs.

- A NUL character in the path or the query string is refused with 400: no view, form or
  database (PostgreSQL refuses NUL in text) ever sees one.
- A body larger than the site accepts is refused with 413 from its declared length, before it
  is read: JSON and forms up to DATA_UPLOAD_MAX_MEMORY_SIZE, multipart uploads up to
  OSAI_MAX_UPLOAD_BYTES. (Django checks the first only when a form is parsed, and answers 400;
  the API's parsers read the stream directly and would not check it at all.)
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

from curation.conf import app_settings
from curation.http_errors import error_response


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


def body_limit(request) -> int | None:
    """The largest body this request may carry, in bytes (None: no limit)."""
    if request.content_type == "multipart/form-data":
        return app_settings.OSAI_MAX_UPLOAD_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return error_response(
                request, 400, "The address contains a NUL character, which no page or parameter accepts."
            )
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, 400, "The Content-Length header is not a number.")
        if limit is not None and length > limit:
            return error_response(
                request,
                413,
                f"The request body has {length} bytes; at most {limit} are accepted here.",
            )
        return self.get_response(request)


# Answers worth compressing: text of any kind, JSON, SVG, XML, JavaScript (PNG and zip files are
# compressed already).
_COMPRESSIBLE = ("text/", "application/json", "image/svg+xml", "application/xml", "application/javascript")


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (random padding against BREACH included) for text answers only:
    HTML, JSON, CSV, SVG and the like; images and archives pass through untouched."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").lower()
        if not content_type.startswith(_COMPRESSIBLE):
            return response
        return super().process_response(request, response)
