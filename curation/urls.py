"""URLs of the curation app; each capability owns its own URL module."""
from django.urls import include, path
from django.views.generic import RedirectView

from curation.operations import views as operations

urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("", include("curation.public.urls")),
    path("api/v1/", include("curation.api.urls")),
    # The API's bare address leads to its documentation rather than a 404.
    path("api/", RedirectView.as_view(pattern_name="api:docs", permanent=False), name="api-home"),
    path("", include("curation.charts.urls")),
    # Last: it ends with the fixed pages' catch-all /<slug>/.
    path("", include("curation.editorial.urls")),
]
