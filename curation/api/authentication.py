"""API token authentication with an expiry.

A token is valid for `OSAI_API_TOKEN_MAX_AGE_DAYS` (default 30) days after it was issued; an
expired token is deleted at its next use and answered 401 with how to get a new one. Changing a
user's password deletes their tokens (`curation.accounts`).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework import authentication, exceptions

from curation.conf import app_settings


def token_max_age() -> datetime.timedelta:
    """How long an API token is valid after it was issued (OSAI_API_TOKEN_MAX_AGE_DAYS)."""
    return datetime.timedelta(days=float(app_settings.OSAI_API_TOKEN_MAX_AGE_DAYS))


def is_expired(token, now: datetime.datetime | None = None) -> bool:
    return token.created <= (now or timezone.now()) - token_max_age()


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(
                f"The API token expired (tokens are valid for {token_max_age().days} days). "
                "Get a new one with POST /api/v1/auth/token/."
            )
        return user, token
