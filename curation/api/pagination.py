"""Cursor (keyset) pagination over whatever order the shared FilterSets chose.

The public FilterSets order by expressions (lower-cased names, category-score subqueries,
nulls last) and always end in the primary key, so every ordering is total. DRF's own cursor
pagination only knows plain fields; this one reads the queryset's ORDER BY, annotates each key,
and pages by comparing key tuples: a page costs the same at item 20 as at item 20,000, and rows
inserted meanwhile never shift later pages. Cursors are signed, so a client cannot forge one.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError as DjangoValidationError
from django.db.models import F, OrderBy, Q
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, _positive_int
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
_SALT = "curation.api.cursor"
_NEVER = Q(pk__in=[])


class _Key:
    """One ORDER BY term: its annotation name, direction and where NULLs go (if it has any)."""

    def __init__(self, alias: str, expression, descending: bool, nulls_last: bool, nullable: bool = True):
        self.alias, self.expression, self.descending = alias, expression, descending
        self.nulls_last, self.nullable = nulls_last, nullable

    def reversed(self) -> _Key:
        return _Key(self.alias, self.expression, not self.descending, not self.nulls_last, self.nullable)

    def order_by(self) -> OrderBy:
        if not self.nullable:
            # No NULLs to place: a plain ORDER BY can be read from an index (SQLite indexes
            # cannot say NULLS LAST, and PostgreSQL only uses an index whose NULLS order matches).
            return OrderBy(F(self.alias), descending=self.descending)
        return OrderBy(
            F(self.alias),
            descending=self.descending,
            nulls_last=self.nulls_last or None,
            nulls_first=(not self.nulls_last) or None,
        )

    def after(self, value) -> Q:
        """Rows strictly after `value` on this key in this key's order."""
        if value is None:
            return _NEVER if self.nulls_last else Q(**{f"{self.alias}__isnull": False})
        beyond = Q(**{f"{self.alias}__{'lt' if self.descending else 'gt'}": value})
        return beyond | Q(**{f"{self.alias}__isnull": True}) if self.nulls_last and self.nullable else beyond

    def equal(self, value) -> Q:
        return Q(**{f"{self.alias}__isnull": True}) if value is None else Q(**{self.alias: value})


def _is_non_nullable(model, expression) -> bool:
    """True for a NOT NULL column, or a function (Lower, Upper, ...) of one: it has no NULLs."""
    if isinstance(expression, F):
        name = expression.name  # type: ignore[attr-defined]  # F sets .name in __init__; not in the stubs
        if name == "pk":
            return True
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # an annotation or a relation path: NULLs are possible
            return False
        return not field.null
    sources: list = getattr(expression, "get_source_expressions", list)()
    return type(expression).__name__ in ("Lower", "Upper") and len(sources) == 1 and _is_non_nullable(model, sources[0])


def _ordering_keys(queryset) -> list[_Key]:
    terms = list(queryset.query.order_by) or ["pk"]
    keys = []
    for index, term in enumerate(terms):
        alias = f"cursor_key_{index}"
        if isinstance(term, str):
            descending = term.startswith("-")
            expression = F(term.lstrip("-"))
            nulls_last = not descending  # PostgreSQL's default; only the primary key is met here
        else:
            if not isinstance(term, OrderBy):
                term = term.asc()
            expression, descending = term.expression, term.descending
            nulls_last = bool(term.nulls_last) if (term.nulls_last or term.nulls_first) else not descending
        keys.append(_Key(alias, expression, descending, nulls_last, not _is_non_nullable(queryset.model, expression)))
    # F sets .name in __init__; the stubs do not declare it.
    if not any(isinstance(k.expression, F) and k.expression.name in ("pk", "id") for k in keys):  # type: ignore[attr-defined]
        keys.append(_Key(f"cursor_key_{len(keys)}", F("pk"), False, True, nullable=False))
    return keys


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


class KeysetCursorPagination(BasePagination):
    """`?page_size=` (1..100) and `?cursor=` from a page's `next` / `previous` link."""

    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    invalid_cursor_message = "Invalid cursor: use the `next` or `previous` link of a page as given."

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return DEFAULT_PAGE_SIZE
        try:
            return _positive_int(raw, strict=True, cutoff=MAX_PAGE_SIZE)
        except (TypeError, ValueError):
            raise ValidationError(
                {self.page_size_query_param: [f"Expected a whole number from 1 to {MAX_PAGE_SIZE}."]}
            ) from None

    def _decode(self, request, fingerprint: str):
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            payload = signing.loads(raw, salt=_SALT)
            if payload["o"] != fingerprint:
                raise ValueError("cursor made for another ordering")
            return bool(payload["r"]), list(payload["v"])
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc

    def _encode(self, reverse: bool, values: list, fingerprint: str) -> str:
        return signing.dumps({"o": fingerprint, "r": int(reverse), "v": [_plain(v) for v in values]}, salt=_SALT)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        keys = _ordering_keys(queryset)
        fingerprint = request.query_params.get("ordering", "")
        cursor = self._decode(request, fingerprint)
        reverse, position = cursor if cursor else (False, None)
        if position is not None and len(position) != len(keys):
            raise NotFound(self.invalid_cursor_message)

        walk = [k.reversed() for k in keys] if reverse else keys
        queryset = queryset.annotate(**{k.alias: k.expression for k in keys}).order_by(*[k.order_by() for k in walk])
        if position is not None:
            condition = _NEVER
            prefix = Q()
            for key, value in zip(walk, position, strict=True):
                condition |= prefix & key.after(value)
                prefix &= key.equal(value)
            first, first_value = walk[0], position[0]
            if not first.nullable and first_value is not None:
                # Implied by the condition, but lets the database start from an index range.
                condition &= Q(**{f"{first.alias}__{'lte' if first.descending else 'gte'}": first_value})
            queryset = queryset.filter(condition)
        try:
            rows = list(queryset[: self.page_size + 1])
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        more = len(rows) > self.page_size
        page = rows[: self.page_size]
        if reverse:
            page.reverse()

        def values_of(row):
            return [getattr(row, k.alias) for k in keys]

        self.base_url = request.build_absolute_uri()
        self.next_cursor = self.previous_cursor = None
        has_next = more if not reverse else position is not None
        has_previous = position is not None if not reverse else more
        if page and has_next:
            self.next_cursor = self._encode(False, values_of(page[-1]), fingerprint)
        if page and has_previous:
            self.previous_cursor = self._encode(True, values_of(page[0]), fingerprint)
        if not page and position is not None:
            # Walked past the end (e.g. rows deleted meanwhile): offer the way back.
            self.previous_cursor = None if reverse else self._encode(True, position, fingerprint)
        return page

    def paginate_list(self, rows: list, request, fingerprint: str) -> list:
        """A page of rows already ordered in memory (the index on a past date): the cursor holds
        the page's first position, signed for `fingerprint` (the query it was made for)."""
        self.request = request
        self.page_size = self.get_page_size(request)
        cursor = self._decode(request, fingerprint)
        start = 0
        if cursor is not None:
            values = cursor[1]
            if len(values) != 1 or not isinstance(values[0], int) or values[0] < 0:
                raise NotFound(self.invalid_cursor_message)
            start = values[0]
        page = rows[start : start + self.page_size]
        self.base_url = request.build_absolute_uri()
        self.next_cursor = self.previous_cursor = None
        if start + self.page_size < len(rows):
            self.next_cursor = self._encode(False, [start + self.page_size], fingerprint)
        if start > 0:
            self.previous_cursor = self._encode(False, [max(0, min(start, len(rows)) - self.page_size)], fingerprint)
        return page

    def _link(self, cursor):
        if cursor is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("next", self._link(self.next_cursor)),
                    ("previous", self._link(self.previous_cursor)),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last page.",
                },
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The previous page, or null on the first page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque page position, from a page's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
