"""What every API view shares: authentication, anonymous throttling, JSON errors, ETags."""

from __future__ import annotations

import inspect
from collections.abc import Sequence

from drf_spectacular.openapi import AutoSchema
from rest_framework import authentication, renderers
from rest_framework.authentication import BaseAuthentication
from rest_framework.renderers import BaseRenderer
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from curation.api.authentication import ExpiringTokenAuthentication
from curation.api.conditional import ConditionalReadMixin
from curation.api.errors import api_exception_handler
from curation.api.serializers import ErrorSerializer
from curation.api.throttling import AnonymousRateThrottle, throttled_error

# Error answers every operation may give; documented so clients (and schema checks) know them.
_COMMON_ERRORS = {
    "400": "The request's input is invalid; `field` names it.",
    "401": "Authentication failed (a wrong or expired token).",
    "403": "You may not do this.",
    "404": "Nothing is published at this address.",
    "406": "The requested representation is not available.",
    "429": "Too many anonymous requests; see `retry_after`.",
}
_WRITE_ERRORS = {
    "405": "This method is not allowed here.",
    "409": "The action conflicts with the current state (e.g. a stale or already decided proposal).",
    "415": "The request body's media type is not supported.",
}


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, plus the error, 304 and validator headers every view answers with."""

    def get_description(self) -> str:
        """The action's or the view's own docstring, written for API users. Never one inherited
        from a base class or mixin: those describe the code, not the endpoint."""
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        own_action_doc = (
            getattr(action, "__doc__", None) if action is not None and not _inherited(self.view, action) else None
        )
        own_view_doc = type(self.view).__dict__.get("__doc__")
        return inspect.cleandoc(own_action_doc or own_view_doc or "")

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(_COMMON_ERRORS)
        if self.method not in ("GET", "HEAD"):
            errors.update(_WRITE_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, ["application/json"], direction)
                response["description"] = description
                responses[code] = response
        for code, meaning in (("200", "Success."), ("201", "Created.")):
            if code in responses and not responses[code].get("description"):
                responses[code]["description"] = meaning
        if self.method == "GET":
            responses.setdefault("304", {"description": "Not modified since the ETag or date the client sent."})
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if self.method == "GET" and status_code in ("200", "304"):
            headers.setdefault("ETag", {"schema": {"type": "string"}, "description": "Validator for If-None-Match."})
        if status_code == "429":
            headers.setdefault("Retry-After", {"schema": {"type": "string"}, "description": "Seconds to wait."})
        return headers


def _inherited(view, action) -> bool:
    """True when `action` is a method the view's class takes from a DRF or shared base class."""
    name = getattr(action, "__name__", "")
    defined_in = next((klass for klass in type(view).__mro__ if name in klass.__dict__), None)
    return defined_in is None or not defined_in.__module__.startswith("curation.") or defined_in in (ApiViewMixin,)


class ApiViewMixin(ConditionalReadMixin):
    """Mixed into every API view (before the DRF view class)."""

    authentication_classes: Sequence[type[BaseAuthentication]] = [
        ExpiringTokenAuthentication,
        authentication.SessionAuthentication,
    ]
    throttle_classes: Sequence[type[BaseThrottle]] = [AnonymousRateThrottle]
    renderer_classes: Sequence[type[BaseRenderer]] = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer]
    schema: ViewInspector | None = ApiSchema()

    def get_exception_handler(self):
        return api_exception_handler

    def throttled(self, request, wait):
        raise throttled_error(wait)


class ApiView(ApiViewMixin, APIView):
    pass
