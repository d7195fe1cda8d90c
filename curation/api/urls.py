"""`/api/v1/`: the router's endpoints, the OpenAPI schema and its documentation page."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from curation.api import docs, review, tokens, views

app_name = "api"

# Representations are chosen by Accept or ?format=, not by a suffix on every path.
router = DefaultRouter()
router.include_format_suffixes = False
router.APIRootView = views.ApiRootView
router.register("models", views.AIModelViewSet, basename="aimodel")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("dimensions", views.DimensionViewSet, basename="dimension")
router.register("categories", views.DimensionCategoryViewSet, basename="category")
router.register("posts", views.PostViewSet, basename="post")
router.register("charts", views.ChartViewSet, basename="chart")
router.register("change-requests", review.ChangeRequestViewSet, basename="change-request")

urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", tokens.ObtainTokenView.as_view(), name="token"),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.docs, name="docs"),
]
