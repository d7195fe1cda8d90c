"""ETag / Last-Modified on every read, and 304 answers to conditional requests.

Validators are computed before the view does any work, from what determines the response:
the index's data version (`curation.datachanges.current_data_version()`, bumped by every recorded data change), the
request's full path and representation (Accept), who asks (public and private views differ),
and for endpoints whose content moves independently of the data version (chart renderings,
change requests) a key and timestamp of their own. A client that sends its ETag back gets
`304 Not Modified` without the query being run; `If-None-Match: *` and `If-Modified-Since` are
decided by Django's `get_conditional_response` once the view has answered, so a 404 or a 400 is
never turned into a 304.

Anonymous JSON reads of public views are also kept whole in the page cache
(curation.public.caching: per data version, cache generation, address and representation, with a
gzip copy made once), so a repeated read costs no query at all. As for the pages, parameters a
view does not read are dropped and the others put in a canonical order before anything else
happens, so unknown or reordered parameters create no new entries (nor show up in `next` links).
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_etags
from rest_framework import status
from rest_framework.response import Response

from curation.filters import GRADE_FILTER_PREFIX
from curation.models import DataChange
from curation.public.caching import (
    answer_from_stored,
    cache_stamp,
    canonicalise_request,
    code_stamp,
    fetch_stored,
    keep_stored,
    known_grade_parameters,
    remember_kept_gzip,
    stored_answer,
)

SAFE_READS = ("GET", "HEAD")
VARY = ("Accept", "Authorization", "Cookie")


class NotModified(Exception):
    """Raised once the request's validators match; answered with an empty 304."""


class StoredAnswer(Exception):
    """Raised when the whole answer is in the cache; carries it."""

    def __init__(self, stored):
        super().__init__("stored answer")
        self.stored = stored


# Headers the view's answer carries that finalize_response sets afresh on every answer.
_RESET_HEADERS = {
    "vary",
    "etag",
    "last-modified",
    "cache-control",
    "access-control-allow-origin",
    "access-control-expose-headers",
    "x-page-cache",
}


# The last version's time, kept in this process too (a version's time never changes).
_last_modified_memo: dict[tuple, datetime.datetime] = {}


def data_last_modified(version: int) -> datetime.datetime | None:
    """When the data change that produced `version` was recorded (cached per version)."""
    if not version:
        return None
    memo_key = (version, cache_stamp()[1])  # the generation: a cleared cache forgets it too
    remembered = _last_modified_memo.get(memo_key)
    if remembered is not None:
        return remembered
    key = f"osai:api:data-modified:{version}"
    stamp = cache.get(key)
    if stamp is None:
        stamp = DataChange.objects.filter(pk=version).values_list("created_at", flat=True).first()
        if stamp is None:
            return None
        cache.set(key, stamp, 3600)
    _last_modified_memo.clear()
    _last_modified_memo[memo_key] = stamp
    return stamp


def _whole_seconds(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(microsecond=0)


def compute_validators(request, extra_key: str = "", extra_modified=None) -> tuple[str, datetime.datetime | None]:
    # The data version as the page cache reads it (remembered for OSAI_PAGE_VERSION_MEMO_SECONDS).
    version = cache_stamp()[0]
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
    # Keep anonymous JSON answers whole in the cache (public reads only; see the module docstring).
    cache_answers = None  # None: as cross_origin_reads

    def known_query_parameters(self) -> list[str]:
        """The query parameters this view reads, in order: its filters, ordering, pagination, `format`."""
        names = []
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            names += list(filterset_class.base_filters)
            if hasattr(filterset_class, "grade_filter_names"):  # the models' FilterSet
                names += [*known_grade_parameters(GRADE_FILTER_PREFIX), "ordering", "as_of", "release"]
        pagination = getattr(self, "pagination_class", None)
        for attribute in ("page_size_query_param", "cursor_query_param", "page_query_param"):
            if pagination is not None and getattr(pagination, attribute, None):
                names.append(getattr(pagination, attribute))
        return [*dict.fromkeys([*names, "format"])]

    def _answer_cache_key(self, request, etag: str) -> str | None:
        keeps = self.cross_origin_reads if self.cache_answers is None else self.cache_answers
        user = getattr(request, "user", None)
        if not keeps or request.method not in SAFE_READS or (user is not None and user.is_authenticated):
            return None
        if getattr(getattr(request, "accepted_renderer", None), "format", "") != "json":
            return None
        _version, generation = cache_stamp()
        return f"osai:api:{code_stamp()}:{generation}:{etag.strip(chr(34))}"

    def conditional_state(self, request) -> tuple[str, datetime.datetime | None]:
        """Anything beyond the data version that this view's reads depend on (key, newest time)."""
        return "", None

    def _unthrottled(self) -> bool:
        """No rate limit counts this view's requests (e.g. API_ANON_THROTTLE_RATE=none)."""
        return all(
            (throttle.get_rate() if hasattr(throttle, "get_rate") else getattr(throttle, "rate", None)) is None
            for throttle in self.get_throttles()
        )

    def _mark_front_cacheable(self, response) -> None:
        """Let curation.public.caching.FrontPageCacheMiddleware keep a kept anonymous answer at its
        canonical address, so a repeat is answered before sessions and the API's machinery run;
        not while a rate limit must count every request."""
        if (
            getattr(self, "_answer_key", None) is not None
            and getattr(self, "_canonical", False)
            and self._unthrottled()
        ):
            response.front_cacheable = True

    def initial(self, request, *args, **kwargs):
        self._canonical = False
        if request.method in SAFE_READS and (
            self.cross_origin_reads if self.cache_answers is None else self.cache_answers
        ):
            self._canonical = canonicalise_request(request._request, self.known_query_parameters())
        super().initial(request, *args, **kwargs)
        self._validators = None
        self._answer_key = None
        if request.method in SAFE_READS:
            extra_key, extra_modified = self.conditional_state(request)
            self._validators = compute_validators(request, extra_key, extra_modified)
            etag = self._validators[0]
            if _names_a_current_representation(request, etag):
                early = get_conditional_response(request, etag=etag)
                if early is not None and early.status_code == status.HTTP_304_NOT_MODIFIED:
                    raise NotModified()
            self._answer_key = self._answer_cache_key(request, etag)
            if self._answer_key is not None:
                stored = fetch_stored(self._answer_key)
                if stored is not None:
                    raise StoredAnswer(stored)

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        if isinstance(exc, StoredAnswer):
            response = answer_from_stored(self.request, exc.stored)
            remember_kept_gzip(response, exc.stored)
            self._mark_front_cacheable(response)
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "_answer_key", None)
        if key is not None and isinstance(response, Response) and response.status_code == 200 and not response.cookies:
            response.render()
            kept = [(name, value) for name, value in response.headers.items() if name.lower() not in _RESET_HEADERS]
            stored = stored_answer(response.content, kept)
            keep_stored(key, stored)
            remember_kept_gzip(response, stored)
            self._mark_front_cacheable(response)
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
