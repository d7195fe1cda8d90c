"""Anonymous throttling, with a 429 message that says what the limit is and when to retry."""

from __future__ import annotations

import math

from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from curation.client_address import client_address

_PERIOD_WORDS = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


class AnonymousRateThrottle(AnonRateThrottle):
    """Limits anonymous readers per address; the rate is REST_FRAMEWORK's "anon" rate.

    The rate is read on every request (not once at import) so that deployments and tests can
    change it through settings.
    """

    scope = "anon"

    def __init__(self):
        # Deliberately skip SimpleRateThrottle.__init__, which freezes the rate at import time.
        pass

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # The real client address (curation.client_address), never a forgeable X-Forwarded-For.
        return client_address(request)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def describe_limit(self) -> str:
        period = _PERIOD_WORDS.get(self.duration or 0, f"{self.duration} seconds")
        return f"{self.num_requests} requests per {period}"


class TokenRequestThrottle(AnonymousRateThrottle):
    """Limits password attempts for API tokens per address (REST_FRAMEWORK's "token" rate)."""

    scope = "token"
    default_rate = "10/minute"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope, self.default_rate)


def throttled_error(wait: float | None) -> exceptions.Throttled:
    """The 429 error: which limit was hit, when to retry, and how to avoid the limit."""
    throttle = AnonymousRateThrottle()
    throttle.num_requests, throttle.duration = throttle.parse_rate(throttle.get_rate())
    seconds = max(1, math.ceil(wait)) if wait is not None else None
    retry = f"Try again in {seconds} seconds" if seconds is not None else "Try again later"
    return exceptions.Throttled(
        wait=seconds,
        detail=(
            f"Too many requests: anonymous clients may make {throttle.describe_limit()} from one "
            f"address. {retry}, or authenticate with an API token (authenticated requests are not "
            "limited this way)."
        ),
    )
