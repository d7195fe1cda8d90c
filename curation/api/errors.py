"""One JSON shape for every API error: `{"message": ..., "field": ..., "errors": {...}}`.

`message` is a sentence a person can act on; `field` names the input at fault (or null when
the error is not about one field); `errors` keeps every field's messages for forms.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger("django.request")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    """503: the answer is being prepared; `wait` (seconds) becomes the Retry-After header and the
    body's `retry_after`, as a 429's."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The answer is being prepared; try again shortly."
    default_code = "unavailable"

    def __init__(self, detail: str, wait: int):
        super().__init__(detail)
        self.wait = wait


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as {"field.sub": [messages]}; non-field errors under ""."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            for sub, messages in _flatten(value, f"{prefix}.{name}" if prefix and name else prefix or name).items():
                flat.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            sub_prefix = f"{prefix}[{index}]" if isinstance(item, (dict, list)) else prefix
            for sub, messages in _flatten(item, sub_prefix).items():
                flat.setdefault(sub, []).extend(messages)
    else:
        flat[prefix] = [str(detail)]
    return flat


def error_body(message: str, field: str | None = None, errors: dict | None = None) -> dict:
    return {"message": message, "field": field or None, "errors": errors or {}}


def validation_body(detail) -> dict:
    errors = _flatten(detail)
    field_errors = {name: msgs for name, msgs in errors.items() if name}
    if field_errors:
        field, messages = next(iter(field_errors.items()))
        message = f"{field}: {messages[0]}"
        if len(field_errors) > 1:
            others = ", ".join(list(field_errors)[1:])
            message += f" (also see {others})"
        return error_body(message, field, errors)
    messages = errors.get("", ["Invalid input."])
    return error_body(" ".join(messages), None, errors)


def api_exception_handler(exc, context):
    """DRF's handler, with every error rendered in the API's one JSON shape."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None  # Django's debug page shows the traceback
        # An unexpected error: logged with its traceback (and mailed to admins if configured),
        # answered in the API's shape instead of an HTML page.
        request = context.get("request")
        log.error("API error on %s", getattr(request, "path", "?"), exc_info=exc)
        return Response(
            error_body("The server failed to answer this request; the error has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        response.data = error_body(str(exc.detail))
        # Throttled sets .wait (seconds, or None) in __init__; the DRF stubs do not declare it.
        wait = exc.wait  # type: ignore[attr-defined]
        if wait is not None:
            response.data["retry_after"] = int(wait)
    elif isinstance(exc, ServiceUnavailable):
        response.data = error_body(str(exc.detail), "as_of")
        response.data["retry_after"] = int(exc.wait)
    elif isinstance(exc, (Http404, exceptions.NotFound)):
        detail = getattr(exc, "detail", None)
        response.data = error_body(str(detail) if detail else "Not found: nothing is published at this address.")
    elif isinstance(exc, (DjangoPermissionDenied,)):
        response.data = error_body("You do not have permission to perform this action.")
    else:
        detail = getattr(exc, "detail", response.data)
        field = getattr(exc, "field", None)
        if isinstance(detail, (dict, list)):
            response.data = validation_body(detail)
        else:
            response.data = error_body(str(detail), field)
    return response
