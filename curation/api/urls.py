"""`/api/v1/`: the router's endpoints, the OpenAPI schema and its documentation page."""
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from curation.api import views

app_name = "api"

router = DefaultRouter()
router.register("models", views.AIModelViewSet, basename="aimodel")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("dimensions", views.DimensionViewSet, basename="dimension")
router.register("categories", views.DimensionCategoryViewSet, basename="category")

urlpatterns = [
    path("", include(router.urls)),
]
