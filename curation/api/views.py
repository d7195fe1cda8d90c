"""Public, read-only API views: models (with their changelogs), organisations, the dimension
registry, published posts and charts.

Querysets start from the public managers; filtering and ordering of models and organisations
come from the shared FilterSets in curation.filters (the same ones the HTML index uses).
"""

from __future__ import annotations

import django_filters
from django.db.models import Max, Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, routers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from curation import vocab
from curation.api.base import ApiViewMixin
from curation.api.errors import ServiceUnavailable
from curation.api.pagination import KeysetCursorPagination
from curation.api.review import CanReadReviewQueue
from curation.api.serializers import (
    AIModelSerializer,
    ChangelogEntrySerializer,
    ChartSerializer,
    DimensionCategorySerializer,
    DimensionSerializer,
    OrganisationDetailSerializer,
    OrganisationSerializer,
    PostDetailSerializer,
    PostSerializer,
    RegistrySnapshot,
)
from curation.assessments import category_scores_by_model, grades_by_model
from curation.charts.published import get_chart, published_charts
from curation.filters import (
    CATEGORY_ORDER_PREFIX,
    DIMENSION_ORDER_PREFIX,
    GRADE_FILTER_PREFIX,
    AIModelFilter,
    AIModelOrderingFilter,
    OrganisationFilter,
    annotate_organisation_aggregates,
)
from curation.history import public_changelog
from curation.models import (
    AIModel,
    ChartVersion,
    Dimension,
    DimensionCategory,
    Organisation,
    Post,
    PostKind,
)
from curation.public.as_of import columns_on, filtered_index_as_of
from curation.public.past_builds import PastIndexBeingPrepared
from curation.public.pinned import model_as_of
from curation.public.pinning import resolve_pin


class SharedFilterBackend(DjangoFilterBackend):
    """django-filter's backend over the shared FilterSets.

    Hands the view's already-loaded registry to AIModelFilter (saving a query), and says which
    values are expected when a choice is refused.
    """

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if issubclass(self.get_filterset_class(view, queryset), AIModelFilter):
            kwargs["dimensions"] = view.registry.dimensions
        return kwargs

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        raise_filter_errors(filterset)
        return filterset.qs


def raise_filter_errors(filterset) -> None:
    """A 400 naming each invalid parameter of a bound FilterSet, with the expected choices."""
    if filterset.is_valid():
        return
    errors = {}
    for name, messages in filterset.errors.items():
        messages = list(messages)
        choices = getattr(filterset.form.fields.get(name), "choices", None)
        if choices:
            values = [str(value) for value, _ in choices if value not in ("", None)]
            shown = ", ".join(values[:30]) + (", …" if len(values) > 30 else "")
            messages = [f"{m} Expected one of: {shown}." for m in messages]
        errors[name] = messages
    raise exceptions.ValidationError(errors)


def pinned_moment(query):
    """The moment a request pins the index to (`as_of` or `release`, through the resolver the
    pages use): a date, a release's datetime, or None for today's index. Raises a 404 for an
    unknown release and a 400 naming the parameter for a malformed date or both given."""
    pin = resolve_pin(query)
    if pin.status == 404:
        raise exceptions.NotFound(pin.error)
    if pin.error:
        raise exceptions.ValidationError({pin.parameter or "as_of": [pin.error]})
    return pin.moment


def _past_model(row, columns):
    """A past index row's model carrying its grades with the evidence the row holds (a list's
    rows hold none; one model's row, curation.public.pinned, its links and notes then) and
    category scores as the serializer reads them."""
    model = row.model
    model.grade_rows = {
        cell.dimension.pk: (cell.grade, list(cell.links), cell.notes or "")
        for cell in row.cells
        if cell.grade is not None
    }
    model.category_score_rows = {
        category.pk: score
        for category, score in zip(columns.categories, row.category_scores, strict=True)
        if score is not None
    }
    return model


def attach_grades_and_scores(ai_models) -> None:
    """Give each model its grades and category scores as plain rows (two queries for a page).

    Plain tuples instead of prefetched model instances: a page of 100 models carries some 1,400
    assessments, and building model objects for them would cost more than the queries.
    """
    if not ai_models:
        return
    ids = [m.pk for m in ai_models]
    grades, scores = grades_by_model(ids, evidence=True), category_scores_by_model(ids)
    for m in ai_models:
        m.grade_rows, m.category_score_rows = grades[m.pk], scores[m.pk]


class ApiRootView(ApiViewMixin, routers.APIRootView):
    """The API's entry point: a link to every collection (and validators, like every read)."""

    permission_classes = [permissions.AllowAny]
    cross_origin_reads = True
    review_queue_routes = ("change-requests",)

    @extend_schema(
        summary="The API's entry point: a link to every collection",
        responses={200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}},
    )
    def get(self, request, *args, **kwargs):
        if not CanReadReviewQueue().has_permission(request, self):
            # A reader who may not use the review queue is not shown a link that only answers 401/403.
            self.api_root_dict = {
                name: route for name, route in self.api_root_dict.items() if name not in self.review_queue_routes
            }
        return super().get(request, *args, **kwargs)


class PublicReadViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Anyone may read (other sites' scripts too); every read carries validators and answers
    conditional requests."""

    permission_classes = [permissions.AllowAny]
    cross_origin_reads = True


_MODEL_ORDERING = OpenApiParameter(
    "ordering",
    str,
    description=(
        f"Sort key, `-` for descending: {', '.join(AIModelOrderingFilter.STATIC)}, "
        f"`{CATEGORY_ORDER_PREFIX}<category ref>` or `{DIMENSION_ORDER_PREFIX}<dimension ref>`. "
        "Default `-total` (the index order); ties fall back to name."
    ),
)


_AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description=(
        "The index as it stood at the end of this day (YYYY-MM-DD, UTC), as the index page's `as_of`: "
        "each model's values, grades and scores of that day (scores by that day's dimension registry), "
        "filtered and ordered the same way. In the list, each assessment's `links` and `notes` are then "
        "empty (evidence is restored for one model at a time); one model's answer "
        "(/api/v1/models/<slug>/) carries each grade's links and notes as they stood that day. "
        "A malformed or future date is a 400 naming `as_of`. A date whose index must be rebuilt whole "
        "(many changes since) is built once and kept; while another such rebuild runs, a date not built "
        "yet is a 503 with `Retry-After` (and `retry_after` in the body): ask again then."
    ),
)


_RELEASE = OpenApiParameter(
    "release",
    str,
    description=(
        "A data release's slug (see /releases/): the index as it stood at the moment that release was "
        "made, as the index page's `release`; otherwise as `as_of`. An unknown release is a 404; "
        "`release` with `as_of` is a 400 naming `release`."
    ),
)


@extend_schema_view(
    list=extend_schema(
        summary="List published models",
        description="Published models with their grades and scores, in index order unless `ordering` says "
        "otherwise. Filters are the public index's: see the parameters. Besides them, "
        f"`{GRADE_FILTER_PREFIX}<dimension ref>` keeps models graded so on that dimension, e.g. "
        f"`{GRADE_FILTER_PREFIX}weights_basemodel=open` (repeatable: {', '.join(vocab.Grade.values)}; "
        "dimension refs at /api/v1/dimensions/).",
        parameters=[_MODEL_ORDERING, _AS_OF, _RELEASE],
    ),
    retrieve=extend_schema(
        summary="One published model, with every dimension's grade and evidence",
        description="With `as_of` or `release`, the model as the index showed it then: values, grades with "
        "their links and notes of that moment (restored from the history of changes), and scores; a 404 "
        "when it was not in the published index then.",
        parameters=[_AS_OF, _RELEASE],
    ),
)
class AIModelViewSet(PublicReadViewSet):
    serializer_class = AIModelSerializer
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    filter_backends = [SharedFilterBackend]
    filterset_class = AIModelFilter
    pagination_class = KeysetCursorPagination

    @property
    def registry(self) -> RegistrySnapshot:
        if not hasattr(self, "_registry"):
            self._registry = RegistrySnapshot.load()
        return self._registry

    def get_queryset(self):
        return AIModel.objects.public().select_related("organisation")

    def list(self, request, *args, **kwargs):
        moment = pinned_moment(request.query_params)
        if moment is None:
            return super().list(request, *args, **kwargs)
        return self._list_as_of(request, moment)

    def _list_as_of(self, request, day):
        """The index of a past moment (a day's end or a release's instant), through the service
        the index page uses."""
        columns = columns_on(day)
        try:
            filterset, rows = filtered_index_as_of(request.query_params, day, columns)
        except PastIndexBeingPrepared as exc:
            raise ServiceUnavailable(str(exc), wait=exc.retry_after) from None
        raise_filter_errors(filterset)
        fingerprint = f"{day.isoformat()}|{request.query_params.get('ordering', '')}"
        page = self.paginator.paginate_list(rows, request, fingerprint)
        self._use_past_registry(columns)
        models = [_past_model(row, columns) for row in page]
        return self.paginator.get_paginated_response(self.get_serializer(models, many=True).data)

    def _use_past_registry(self, columns) -> None:
        """Serialise with the dimension registry of the pinned moment (its names and specs)."""
        for dimension in columns.dimensions:
            dimension.spec = columns.spec(dimension)
        self._registry = RegistrySnapshot(
            dimensions=list(columns.dimensions),
            categories={c.pk: c for c in columns.categories},
        )

    def retrieve(self, request, *args, **kwargs):
        moment = pinned_moment(request.query_params)
        if moment is None:
            return super().retrieve(request, *args, **kwargs)
        slug = kwargs[self.lookup_field]
        columns = columns_on(moment)
        # Rebuilt from the model's own history (the same reconstruction as the list's), with
        # each grade's evidence of that moment.
        row = model_as_of(slug, moment, columns)
        if row is None:
            shown = request.query_params.get("release") or moment.isoformat()
            name = AIModel.objects.filter(slug=slug).values_list("name", flat=True).first()
            if name is None:
                raise exceptions.NotFound(f"No model is called “{slug}”.")
            raise exceptions.NotFound(
                f"“{name}” was not in the published index at {shown}: it was added or published later."
            )
        self._use_past_registry(columns)
        return Response(self.get_serializer(_past_model(row, columns)).data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        attach_grades_and_scores(page)
        return page

    def get_object(self):
        ai_model = super().get_object()
        if self.action == "retrieve" and pinned_moment(self.request.query_params) is None:
            attach_grades_and_scores([ai_model])
        return ai_model

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["registry"] = self.registry
        return context

    @extend_schema(
        summary="A model's public changelog, newest first",
        description="Every applied change: field, before and after as readers see them, rationale and "
        "evidence. Reviewers' private comments and the people involved are never shown.",
        responses={200: ChangelogEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def changelog(self, request, slug=None):
        ai_model = self.get_object()
        entries = public_changelog(ai_model)
        return Response(ChangelogEntrySerializer(entries, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List published organisations", description="With the number of published models each."),
    retrieve=extend_schema(summary="One published organisation, with its published models"),
)
class OrganisationViewSet(PublicReadViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    filter_backends = [SharedFilterBackend]
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


# --- Posts, charts -----------------------------------------------------------------------------


class PostFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PostKind.choices, help_text=f"One of {', '.join(PostKind.values)}.")
    tag = django_filters.CharFilter(field_name="tags__slug", help_text="A tag's slug.")

    class Meta:
        model = Post
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Published news and guides, newest first"),
    retrieve=extend_schema(summary="One published post, with its body as Markdown and as sanitised HTML"),
)
class PostViewSet(PublicReadViewSet):
    """Only published posts; drafts, scheduled and archived posts do not exist here."""

    filter_backends = [SharedFilterBackend]
    filterset_class = PostFilter
    pagination_class = KeysetCursorPagination

    def get_serializer_class(self):
        return PostDetailSerializer if self.action == "retrieve" else PostSerializer

    def get_queryset(self):
        return Post.objects.public().newest_first().prefetch_related("tags", "authors")

    def get_object(self):
        if not str(self.kwargs.get("pk", "")).isdigit():
            raise exceptions.NotFound("No published post with this id: ids are whole numbers.")
        return super().get_object()


class ChartViewSet(PublicReadViewSet):
    """Charts computed from the index and regenerated whenever its data changes."""

    serializer_class = ChartSerializer
    lookup_field = "key"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    pagination_class = None

    def conditional_state(self, request):
        # Charts are re-rendered after the data changes, so their own versions move the ETag too.

        newest = ChartVersion.objects.aggregate(last_id=Max("id"), last_at=Max("generated_at"))
        return f"charts:{newest['last_id']}", newest["last_at"]

    @extend_schema(summary="Every published chart with its file links and numbers")
    def list(self, request, *args, **kwargs):
        # Every chart's newest version in one query, in catalogue order.
        charts = [chart for _spec, chart in published_charts() if chart is not None]
        return Response(self.get_serializer(charts, many=True).data)

    @extend_schema(summary="One chart: title, text alternative, file links and its numbers")
    def retrieve(self, request, *args, **kwargs):
        chart = get_chart(kwargs["key"])
        if chart is None:
            raise exceptions.NotFound(f"No published chart {kwargs['key']!r}; see /api/v1/charts/ for the keys.")
        return Response(self.get_serializer(chart).data)
