"""ETag / Last-Modified on every read, and 304 answers to conditional requests.

Validators are computed before the view does any work, from what determines the response:
the index's data version (`current_data_version()`, bumped by every recorded data change), the
request's full path and representation (Accept), who asks (public and private views differ),
and for endpoints whose content moves independently of the data version (chart renderings,
change requests) a key and timestamp of their own. A client that sends its ETag back gets
`304 Not Modified` without the query being run; `If-None-Match: *` and `If-Modified-Since` are
decided by Django's `get_conditional_response` once the view has answered, so a 404 or a 400 is
never turned into a 304.
"""
from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_etags
from rest_framework import status
from rest_framework.response import Response

from curation.datachanges import current_data_version
from curation.models import DataChange

SAFE_READS = ("GET", "HEAD")
VARY = ("Accept", "Authorization", "Cookie")


class NotModified(Exception):
    """Raised once the request's validators match; answered with an empty 304."""


def data_last_modified(version: int) -> datetime.datetime | None:
    """When the data change that produced `version` was recorded (cached per version)."""
    if not version:
        return None
    key = f"osai:api:data-modified:{version}"
    stamp = cache.get(key)
    if stamp is None:
        stamp = DataChange.objects.filter(pk=version).values_list("created_at", flat=True).first()
        if stamp is None:
            return None
        cache.set(key, stamp, 3600)
    return stamp


def _whole_seconds(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(microsecond=0)


def compute_validators(request, extra_key: str = "", extra_modified=None) -> tuple[str, datetime.datetime | None]:
    version = current_data_version()
    user = request.user
    who = f"user:{user.pk}" if user and user.is_authenticated else "anonymous"
    accepted = getattr(request, "accepted_media_type", "") or request.META.get("HTTP_ACCEPT", "")
    raw = "\n".join([str(version), request.get_full_path(), accepted, who, extra_key])
    etag = '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'
    stamps = [s for s in (data_last_modified(version), extra_modified) if s is not None]
    last_modified = _whole_seconds(max(stamps)) if stamps else None
    return etag, last_modified


def _names_a_current_representation(request, etag: str) -> bool:
    """True when If-None-Match lists this request's current ETag itself (not `*`).

    Such a request can be answered 304 before the view runs: an ETag is only ever sent with a
    successful answer, and it encodes everything that answer depended on (data version, path,
    representation, who asked), so the client already holds what the view would produce now.
    `*` and If-Modified-Since carry no such guarantee: for them the view runs first, and only a
    successful answer can become a 304 (never a 404 or a 400).
    """
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
    return bool(if_none_match) and "*" not in parse_etags(if_none_match)


class ConditionalReadMixin:
    """For API views: validators on every successful read; 304 when the client is current.

    Views of public data set `cross_origin_reads` so that other sites' scripts may read them
    (without credentials: the answer is the same for everyone).
    """

    cross_origin_reads = False

    def conditional_state(self, request) -> tuple[str, datetime.datetime | None]:
        """Anything beyond the data version that this view's reads depend on (key, newest time)."""
        return "", None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._validators = None
        if request.method in SAFE_READS:
            extra_key, extra_modified = self.conditional_state(request)
            self._validators = compute_validators(request, extra_key, extra_modified)
            etag = self._validators[0]
            if _names_a_current_representation(request, etag):
                early = get_conditional_response(request, etag=etag)
                if early is not None and early.status_code == status.HTTP_304_NOT_MODIFIED:
                    raise NotModified()

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        validators = getattr(self, "_validators", None)
        if validators and response.status_code in (200, 304):
            etag, last_modified = validators
            response["ETag"] = etag
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified.timestamp())
            private = request.user and request.user.is_authenticated
            response["Cache-Control"] = ("private" if private else "public") + ", max-age=0, must-revalidate"
        patch_vary_headers(response, VARY)
        if self.cross_origin_reads and request.method in SAFE_READS:
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After"
        if validators and response.status_code == 200:
            # Django's evaluation (RFC 9110): 304 for a matching `*` or If-Modified-Since, 412 for
            # a failed If-Match; only ever on this successful answer.
            etag, last_modified = validators
            stamp = int(last_modified.timestamp()) if last_modified is not None else None
            response = get_conditional_response(request, etag=etag, last_modified=stamp, response=response)
        return response
