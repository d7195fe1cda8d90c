"""Pages of the index: one page query that an index can answer, and a count that is cheap.

A page is read as `ORDER BY <the index order> LIMIT n OFFSET m` (the `aimodel_index_order_c`
index, migration 0015, matches the default order on PostgreSQL, so the first pages cost a few
index reads whatever the size of the index). Its total is a plain `COUNT(*)` of the filtered
rows, without their order or joins for display; the total of the unfiltered index is the same
for every reader until the data changes, so it is counted once per data version in each
process. (Counting beside the rows, `COUNT(*) OVER ()`, made PostgreSQL read and sort every row
of the index for each page.)
"""

from __future__ import annotations

from django.core.paginator import Paginator

from curation.models import AIModel, Organisation
from curation.public.caching import remembered_per_data_version

# Parameters of the index's FilterSet that order the rows without narrowing them.
ORDERING_PARAMETERS = frozenset({"ordering"})


@remembered_per_data_version
def public_model_count() -> int:
    """How many models the public index holds (what the unfiltered index counts), counted once
    per data version and cache generation in each process."""
    # AIModelQuerySet.public() as a filter on the model's own columns (no join to every
    # organisation): published, and not of an unpublished organisation.
    return (
        AIModel.objects.filter(is_public=True)
        .exclude(organisation__in=Organisation.objects.filter(is_public=False))
        .count()
    )


def narrows(filterset) -> bool:
    """Whether a bound FilterSet of the index applies any filter (ordering aside): only then do
    its rows differ from the whole public index. Invalid values are not applied (django-filter
    filters on the valid ones), so they do not count."""
    if not filterset.is_bound:
        return False
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else getattr(filterset.form, "cleaned_data", {})
    return any(value not in (None, "", [], ()) for name, value in cleaned.items() if name not in ORDERING_PARAMETERS)


def index_paginator(filterset, rows, per_page: int) -> Paginator:
    """A Django Paginator over the filtered index `rows` (`filterset.qs`) whose count is the
    remembered total of the public index when nothing narrows it, else one `COUNT(*)` of the
    filtered rows (ordering and display joins dropped by Django). A page past the end shows
    the last page, as `Paginator.get_page` does."""
    paginator = Paginator(rows, per_page)
    if not narrows(filterset):
        paginator.__dict__["count"] = public_model_count()  # Paginator.count is a cached_property
    return paginator
