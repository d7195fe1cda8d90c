"""URLs of the curation app; each capability owns its own URL module.

A host site mounts them with `path("", include("curation.urls"))` (or under a prefix such as
`path("index/", include("curation.urls"))`); every address is reversed by name in the
`curation` namespace: `reverse("curation:model_detail", args=[slug])`, and the API's in its
nested namespace: `reverse("curation:api:aimodel-list")`.
"""

from django.urls import include, path
from django.views.generic import RedirectView

from curation.operations import views as operations

app_name = "curation"

urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("", include("curation.public.urls")),
    path("api/v1/", include("curation.api.urls")),
    # The API's bare address leads to its documentation rather than a 404.
    path("api/", RedirectView.as_view(pattern_name="curation:api:docs", permanent=False), name="api-home"),
    path("", include("curation.charts.urls")),
    # Last: it ends with the fixed pages' catch-all /<slug>/.
    path("", include("curation.editorial.urls")),
]
