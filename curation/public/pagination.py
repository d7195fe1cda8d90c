"""Pages of the index: one page query that an index can answer, and a count that is cheap.

A page is read as `ORDER BY <the index order> LIMIT n OFFSET m` (the `aimodel_index_order_c`
index, migration 0015, matches the default order on PostgreSQL, so the first pages cost a few
index reads whatever the size of the index). Its total is a plain `COUNT(*)` of the filtered
rows, without their order, their joins for display or the join that keeps unpublished
organisations out (a subquery does); the total of the unfiltered index is the same
for every reader until the data changes, so it is counted once per data version in each
process. (Counting beside the rows, `COUNT(*) OVER ()`, made PostgreSQL read and sort every row
of the index for each page.) The exception: filtered rows ordered by a category score or a
dimension's grade, which the database works out per row and so reads and sorts every match for
any page anyway; there the page query counts its rows beside them, and the separate count
(as long as the page query, at 100,000 models some 50 ms) is not made. Other filtered pages read
their ids first: a page with fewer rows than it can hold is the last, which gives the total
without counting, so a search or a narrow filter (a few matches, all on one page) runs its
condition once instead of twice (at 100,000 models, a search's trigram scans some 20 ms each).

A filter on the release date alone (`released_from`, `released_to`) is counted without a query:
the release days of the public models are read once per data version in each process, in order,
and the rows a period keeps are found by bisection. The count is the same `COUNT(*)` would give
(the days change only with the data, and the data version with them); at 10,000 models the
`COUNT(*)` read every row of the models' table for each such page.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django_filters.constants import EMPTY_VALUES

from curation.filters import CATEGORY_ORDER_PREFIX, DIMENSION_ORDER_PREFIX, PeriodFilter
from curation.models import AIModel
from curation.public.caching import remembered_per_data_version

# Parameters of the index's FilterSet that order the rows without narrowing them.
ORDERING_PARAMETERS = frozenset({"ordering"})


@remembered_per_data_version
def public_model_count() -> int:
    """How many models the public index holds (what the unfiltered index counts), counted once
    per data version and cache generation in each process."""
    return AIModel.objects.public().count()


@remembered_per_data_version
def public_model_days(field_name: str) -> array:
    """The dates in `field_name` (a date field of AIModel) of the public models, ascending, as
    proleptic Gregorian ordinals (`date.toordinal()`); models without one are left out. Read
    once per data version and cache generation in each process (one query, one column)."""
    days = (
        AIModel.objects.public()
        .filter(**{f"{field_name}__isnull": False})
        .order_by(field_name)
        .values_list(field_name, flat=True)
    )
    return array("l", (day.toordinal() for day in days))


def _count_by_days(filterset, narrowing: dict) -> int | None:
    """How many public models the `narrowing` filters ({name: cleaned value}) of `filterset`
    keep when they are all periods (PeriodFilter) of one date field, from `public_model_days`
    (no query once those are read); None otherwise."""
    filters = [filterset.filters[name] for name in narrowing]
    if not filters or not all(isinstance(f, PeriodFilter) for f in filters):
        return None
    if len({f.field_name for f in filters}) != 1:
        return None
    ranges = [f.day_range(value) for f, value in zip(filters, narrowing.values(), strict=True)]
    starts = [first for first, _last in ranges if first is not None]
    ends = [last for _first, last in ranges if last is not None]
    days = public_model_days(filters[0].field_name)
    low = bisect_left(days, max(starts).toordinal()) if starts else 0
    high = bisect_right(days, min(ends).toordinal()) if ends else len(days)
    return max(0, high - low)


def _narrowing(filterset) -> dict:
    """{name: cleaned value} of the filters of a bound, validated FilterSet of the index that
    narrow it (ordering aside)."""
    return {
        name: value
        for name, value in filterset.form.cleaned_data.items()
        if name not in ORDERING_PARAMETERS and value not in EMPTY_VALUES
    }


def filtered_model_count(filterset) -> int:
    """How many public models a bound, validated FilterSet of the index selects: its filters
    (ordering aside) applied, as `filterset.qs` applies them, to `AIModel.objects.public()`.
    Periods of the release date alone are counted from `public_model_days` (`_count_by_days`);
    anything else is one `COUNT(*)`, where a filter on an organisation's fields joins the
    organisations itself."""
    cleaned = filterset.form.cleaned_data
    counted = _count_by_days(filterset, _narrowing(filterset))
    if counted is not None:
        return counted
    rows = AIModel.objects.public()
    for name, value in cleaned.items():
        if name not in ORDERING_PARAMETERS:
            rows = filterset.filters[name].filter(rows, value)
    return rows.count()


def narrows(filterset) -> bool:
    """Whether a bound FilterSet of the index applies any filter (ordering aside): only then do
    its rows differ from the whole public index. Invalid values are not applied (django-filter
    filters on the valid ones), so they do not count."""
    if not filterset.is_bound:
        return False
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else getattr(filterset.form, "cleaned_data", {})
    return any(value not in (None, "", [], ()) for name, value in cleaned.items() if name not in ORDERING_PARAMETERS)


def sorts_every_match(filterset) -> bool:
    """Whether a bound FilterSet of the index orders by a category score or a dimension's grade
    (a value worked out per row, no index of the database holds: every matching row is read and
    sorted, whichever page is asked for)."""
    if not filterset.is_bound or not filterset.is_valid():
        return False
    keys = filterset.form.cleaned_data.get("ordering") or []
    return any(key.lstrip("-").startswith((CATEGORY_ORDER_PREFIX, DIMENSION_ORDER_PREFIX)) for key in keys)


# The annotation that carries the number of matching rows on each row of a page.
_MATCHES = "index_matches"


class _PageReadFirstPaginator(Paginator):
    """A Paginator whose `get_page` first asks `read_page(number, bottom)` (the page number and
    the position of its first row) for the page, counting as it reads; when that gives None, or
    once counted, Paginator's own way: the count, then the page (the last one past the end)."""

    def read_page(self, number: int, bottom: int) -> Page | None:
        raise NotImplementedError

    def get_page(self, number) -> Page:
        if "count" not in self.__dict__ and not self.orphans:
            try:
                wanted = int(number) if number is not None else 1
            except (TypeError, ValueError):  # as Paginator.get_page: the first page
                wanted = 1
            if wanted >= 1:
                page = self.read_page(wanted, (wanted - 1) * self.per_page)
                if page is not None:
                    return page
        return super().get_page(number)


class CountedBesideRowsPaginator(_PageReadFirstPaginator):
    """A Paginator whose `get_page` reads the ids of the page with `COUNT(*) OVER ()` beside them
    and takes the count from them, instead of counting in a query of its own; the page's
    `object_list` is then the rows of those ids (a QuerySet, in the same order). For rows that are all
    read and sorted for any page (`sorts_every_match`), this costs the page query next to nothing.
    A page that holds no row (past the end, or no match) is left to Paginator: one `COUNT(*)`,
    then the last page. Same pages and counts as Paginator."""

    def __init__(self, rows: QuerySet, per_page: int):
        super().__init__(rows, per_page)
        self.rows = rows

    def read_page(self, number: int, bottom: int) -> Page | None:
        if self.rows.query.distinct:
            return None
        counted = self.rows.annotate(**{_MATCHES: Window(Count("pk"))}).values_list("pk", _MATCHES)
        keys = list(counted[bottom : bottom + self.per_page])
        if not keys:
            return None
        self.__dict__["count"] = keys[0][1]  # Paginator.count is a cached_property
        # The page's rows as a query of their own (by id, in the same order: ties fall back to
        # the id), so callers read what they need of them.
        return Page(self.rows.filter(pk__in=[pk for pk, _matches in keys]), number, self)


class CountedFromShortPagePaginator(_PageReadFirstPaginator):
    """A Paginator whose `get_page` reads the ids of the page first (`LIMIT per_page`): a page
    holding at least one row but fewer than `per_page` is the last one, so the count is the rows
    before it and its own, and `count_rows` (a callable returning the total) is not called; a
    search or a narrow filter then runs its condition once, not once for the page and again for
    the count. A full page counts with `count_rows`; a page with no row (past the end, or no
    match) is left to Paginator (the count, then the last page). The page's `object_list` is
    the rows of the ids read (a QuerySet, same order). Same pages and counts as Paginator."""

    def __init__(self, rows: QuerySet, per_page: int, count_rows: Callable[[], int]):
        super().__init__(rows, per_page)
        self.rows = rows
        self.count_rows = count_rows

    @cached_property
    def count(self) -> int:
        return self.count_rows()

    def read_page(self, number: int, bottom: int) -> Page | None:
        keys = list(self.rows.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        if not keys:
            return None
        if len(keys) < self.per_page:
            self.__dict__["count"] = bottom + len(keys)  # the last page: nothing after it
        elif bottom + len(keys) > self.count:  # rows added since the ids were read
            return None
        return Page(self.rows.filter(pk__in=keys), number, self)


def index_paginator(filterset, rows, per_page: int) -> Paginator:
    """A Django Paginator over the filtered index `rows` (`filterset.qs`) whose count is the
    remembered total of the public index when nothing narrows it; when filters narrow it, the
    count taken from the last page when the asked page is it, else one `COUNT(*)` of the filtered
    rows without the organisations' join (`filtered_model_count`; `CountedFromShortPagePaginator`),
    or when the rows are ordered by a score worked out per row, their count read beside the
    page's rows (`CountedBesideRowsPaginator`). A page past the end shows the last page, as
    `Paginator.get_page` does."""
    if narrows(filterset) and sorts_every_match(filterset):
        return CountedBesideRowsPaginator(rows, per_page)
    if narrows(filterset):
        counted = _count_by_days(filterset, _narrowing(filterset))
        if counted is None:
            return CountedFromShortPagePaginator(rows, per_page, count_rows=lambda: filtered_model_count(filterset))
    else:
        counted = public_model_count()
    paginator = Paginator(rows, per_page)
    # Paginator.count is a cached_property: set here, it is never counted from `rows`.
    paginator.__dict__["count"] = counted
    return paginator


def index_count(filterset) -> int:
    """How many models today's index shows under a FilterSet of it: the remembered total of the
    public index when nothing narrows it (no query once counted for this data version), else
    `filtered_model_count`."""
    return filtered_model_count(filterset) if narrows(filterset) else public_model_count()
