"""URLs of the curation app; each capability owns its own URL module."""
from django.urls import include, path

urlpatterns = [
    path("", include("curation.public.urls")),
    path("api/v1/", include("curation.api.urls")),
    path("", include("curation.charts.urls")),
    # Last: it ends with the fixed pages' catch-all /<slug>/.
    path("", include("curation.editorial.urls")),
]
