"""`POST /api/v1/auth/token/`: a curator's API token, in exchange for their username and password.

The same token is returned until it expires (`OSAI_API_TOKEN_MAX_AGE_DAYS`, then a new one is
issued), the user's password changes, or an administrator deletes it (admin: Auth Token ›
Tokens). Attempts are limited per client address (`curation.client_address`), more tightly than
anonymous reads; failed logins also count towards the admin's lockout (django-axes).
"""

from __future__ import annotations

import math

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, parsers, permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.response import Response

from curation.api.authentication import is_expired
from curation.api.base import ApiView
from curation.api.parsers import JSONParser
from curation.api.throttling import TokenRequestThrottle


class ObtainTokenView(ApiView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenRequestThrottle]
    parser_classes = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
    serializer_class = AuthTokenSerializer

    def throttled(self, request, wait):
        throttle = TokenRequestThrottle()
        throttle.num_requests, throttle.duration = throttle.parse_rate(throttle.get_rate())
        seconds = max(1, math.ceil(wait)) if wait is not None else None
        raise exceptions.Throttled(
            wait=seconds,
            detail=(
                f"Too many token requests: {throttle.describe_limit()} from one address. "
                f"Try again in {seconds or 60} seconds."
            ),
        )

    @extend_schema(
        summary="Get your API token (username and password)",
        request=AuthTokenSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        credentials = AuthTokenSerializer(data=request.data, context={"request": request})
        if not credentials.is_valid():
            if getattr(request, "axes_locked_out", False):  # set by django-axes' backend
                minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
                raise exceptions.Throttled(
                    wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                    detail=(f"Too many failed logins from this address: logins are locked for {minutes} minutes."),
                )
            raise exceptions.ValidationError(credentials.errors)
        user = credentials.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        if is_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})
