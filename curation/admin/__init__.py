"""Admin for curators, reviewers and editors; one module per capability, imported here."""

from django.contrib import admin as _admin

from . import (
    charts,  # noqa: F401
    dimensions,  # noqa: F401
    entries,  # noqa: F401
    history,  # noqa: F401
    not_included,  # noqa: F401
    posts,  # noqa: F401
    releases,  # noqa: F401
    review_queue,  # noqa: F401
    site,  # noqa: F401
)

_admin.site.site_header = "European Open Source AI Index · curation"
_admin.site.site_title = "OSAI Index curation"
_admin.site.index_title = "Curation, review and editorial"
