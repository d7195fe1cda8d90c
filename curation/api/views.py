"""Public, read-only API views: models, organisations, the dimension registry.

Querysets start from the public managers; filtering and ordering come from the shared
FilterSets in curation.filters (the same ones the HTML index uses).
"""
from __future__ import annotations

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from curation.api.base import ApiViewMixin
from curation.api.pagination import KeysetCursorPagination
from curation.api.serializers import (
    AIModelSerializer, DimensionCategorySerializer, DimensionSerializer, OrganisationDetailSerializer,
    OrganisationSerializer, RegistrySnapshot,
)
from curation.filters import (
    CATEGORY_ORDER_PREFIX, DIMENSION_ORDER_PREFIX, GRADE_FILTER_PREFIX, AIModelFilter, OrganisationFilter,
    annotate_organisation_aggregates,
)
from curation.models import AIModel, Assessment, CategoryScore, Dimension, DimensionCategory, Organisation


class RegistryFilterBackend(DjangoFilterBackend):
    """django-filter's backend, handing the view's already-loaded registry to the FilterSet."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if issubclass(self.get_filterset_class(view, queryset), AIModelFilter):
            kwargs["dimensions"] = view.registry.dimensions
        return kwargs


class PublicReadViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Anyone may read; every read carries validators and answers conditional requests."""

    permission_classes: list = []


_MODEL_ORDERING = OpenApiParameter(
    "ordering", str, description=(
        "Sort key, `-` for descending: total, name, released, organisation, type, performance_class, "
        f"`{CATEGORY_ORDER_PREFIX}<category ref>` or `{DIMENSION_ORDER_PREFIX}<dimension ref>`. "
        "Default `-total` (the index order); ties fall back to name."
    ),
)
_GRADE_FILTERS = OpenApiParameter(
    f"{GRADE_FILTER_PREFIX}<dimension ref>", str, description=(
        "Only models graded so on that dimension, e.g. `grade_weights_basemodel=open` "
        "(repeatable: open, partial, closed, not_assessed)."
    ),
)


@extend_schema_view(
    list=extend_schema(
        summary="List published models",
        description="Published models with their grades and scores, in index order unless `ordering` says "
        "otherwise. Filters are the public index's: see the parameters.",
        parameters=[_MODEL_ORDERING],
    ),
    retrieve=extend_schema(summary="One published model, with every dimension's grade and evidence"),
)
class AIModelViewSet(PublicReadViewSet):
    serializer_class = AIModelSerializer
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    filter_backends = [RegistryFilterBackend]
    filterset_class = AIModelFilter
    pagination_class = KeysetCursorPagination

    @property
    def registry(self) -> RegistrySnapshot:
        if not hasattr(self, "_registry"):
            self._registry = RegistrySnapshot.load()
        return self._registry

    def get_queryset(self):
        return (
            AIModel.objects.public()
            .select_related("organisation")
            .prefetch_related(
                Prefetch("assessments", queryset=Assessment.objects.only(
                    "id", "ai_model_id", "dimension_id", "grade", "links", "notes")),
                Prefetch("category_scores", queryset=CategoryScore.objects.only(
                    "id", "ai_model_id", "category_id", "score")),
            )
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["registry"] = self.registry
        return context


@extend_schema_view(
    list=extend_schema(summary="List published organisations", description="With the number of published models each."),
    retrieve=extend_schema(summary="One published organisation, with its published models"),
)
class OrganisationViewSet(PublicReadViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganisationFilter
    pagination_class = KeysetCursorPagination

    def get_serializer_class(self):
        return OrganisationDetailSerializer if self.action == "retrieve" else OrganisationSerializer

    def get_queryset(self):
        queryset = annotate_organisation_aggregates(Organisation.objects.public())
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("ai_models", queryset=AIModel.objects.public().index_order(), to_attr="public_models")
            )
        return queryset


@extend_schema_view(
    list=extend_schema(summary="The dimension registry: every openness dimension, active and legacy"),
    retrieve=extend_schema(summary="One dimension, with what open, partial and closed mean"),
)
class DimensionViewSet(PublicReadViewSet):
    serializer_class = DimensionSerializer
    lookup_field = "ref"
    queryset = Dimension.objects.select_related("category")
    pagination_class = None


@extend_schema_view(
    list=extend_schema(summary="Dimension categories, each with its dimensions in registry order"),
    retrieve=extend_schema(summary="One dimension category with its dimensions"),
)
class DimensionCategoryViewSet(PublicReadViewSet):
    serializer_class = DimensionCategorySerializer
    lookup_field = "ref"
    pagination_class = None

    def get_queryset(self):
        return DimensionCategory.objects.prefetch_related(
            Prefetch("dimensions", queryset=Dimension.objects.select_related("category"))
        )
