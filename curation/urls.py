"""URLs of the curation app; each capability owns its own URL module."""
from django.urls import include, path

from curation.operations import views as operations

urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("", include("curation.public.urls")),
    path("api/v1/", include("curation.api.urls")),
    path("", include("curation.charts.urls")),
    # Last: it ends with the fixed pages' catch-all /<slug>/.
    path("", include("curation.editorial.urls")),
]
