"""Pages of the index with their total in one query."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.db.models.query import QuerySet

TOTAL_ALIAS = "full_count"


class CountedPaginator(Paginator):
    """A Paginator over a queryset that reads a page's rows and the number of all rows in one
    query (`COUNT(*) OVER ()` beside the rows), so the filter runs once, not once for the count
    and again for the page. A page past the end falls back to Django's way (count, then the last
    page); other sequences are paginated as usual."""

    def get_page(self, number):
        if not isinstance(self.object_list, QuerySet) or "count" in self.__dict__:
            return super().get_page(number)
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(**{TOTAL_ALIAS: Window(Count("pk"))})[bottom : bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        self.__dict__["count"] = getattr(rows[0], TOTAL_ALIAS)  # Paginator.count is a cached_property
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]  # Paginator's own hook; not in the stubs
