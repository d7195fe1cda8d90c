"""The query parameters each page-cached view reads, in the filter form's order.

`curation.public.caching.cache_public_page` drops every other parameter before the view runs and
puts these in this order, so an unknown or reordered parameter makes no new cache entry.
"""

from __future__ import annotations

from curation.filters import GRADE_FILTER_PREFIX, AIModelFilter, OrganisationFilter
from curation.public.caching import known_grade_parameters
from curation.public.pinning import PIN_PARAMETERS

_FILTER_PARAMETERS = tuple(AIModelFilter.base_filters)


def download_parameters(request) -> tuple[str, ...]:
    """What the downloads and the embedded index read: the index's filters and ordering, and the
    pin (`as_of` or `release`, curation.public.pinning)."""
    return _FILTER_PARAMETERS + known_grade_parameters(GRADE_FILTER_PREFIX) + ("ordering", *PIN_PARAMETERS)


def index_parameters(request) -> tuple[str, ...]:
    """What the index page reads: the downloads' parameters, and page size, view and page."""
    return (*download_parameters(request), "per_page", "view", "page")


ORGANISATION_INDEX_PARAMETERS = (*tuple(OrganisationFilter.base_filters), "page")

# A model's or an organisation's page, and a model's citation: only the pin.
PINNED_PAGE_PARAMETERS = PIN_PARAMETERS

# The comparison: the models compared and the pin.
COMPARE_PARAMETERS = ("models", *PIN_PARAMETERS)
