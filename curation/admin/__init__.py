"""Admin for curators, reviewers and editors; one module per capability, imported here."""
from . import posts  # noqa: F401
from . import entries  # noqa: F401
from . import dimensions  # noqa: F401
from . import review_queue  # noqa: F401
from . import history  # noqa: F401
from . import not_included  # noqa: F401
from . import charts  # noqa: F401
from . import site  # noqa: F401
from . import releases  # noqa: F401

from django.contrib import admin as _admin

_admin.site.site_header = "European Open Source AI Index · curation"
_admin.site.site_title = "OSAI Index curation"
_admin.site.index_title = "Curation, review and editorial"
