"""Curator endpoints: change requests proposed, approved, rejected, withdrawn and renewed.

Every action calls curation.review.services, which checks the acting user's role itself; the
API adds no permission of its own beyond "who may read the queue" (the admin's view
permission), so the API can never do what the admin forbids. The services' refusals become
JSON errors: permission 403, state 409, input 400.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from curation.api.base import ApiViewMixin
from curation.api.errors import Conflict
from curation.api.pagination import KeysetCursorPagination
from curation.models import AIModel, ChangeRequest, Organisation, ReviewEvent
from curation.review import services
from curation.review.errors import (
    IllegalTransition,
    ReviewError,
    ReviewPermissionDenied,
    StaleProposal,
    ValidationFailed,
)
from curation.review.fields import AI_MODEL_FIELDS, ASSESSMENT_PREFIX, ORGANISATION_FIELDS

TARGET_KINDS = {"model": AIModel, "organisation": Organisation}


class CanReadReviewQueue(permissions.BasePermission):
    """Who may use the review queue at all: whoever the admin lets see it (curators, reviewers).

    As in the admin, this only opens the door: every action is then checked by the review
    services themselves (who may propose, approve, reject, withdraw; four eyes).
    """

    message = "Only curators and reviewers may use the review queue."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF then answers 401 with how to authenticate
        return user.is_active and user.has_perm("curation.view_changerequest")


# --- serializers -------------------------------------------------------------------------------


class ReviewEventSerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ReviewEvent
        fields = ["at", "actor", "action", "from_state", "to_state", "comment"]


class ChangeRequestSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="curation:api:change-request-detail")
    target_type = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    content = serializers.JSONField(
        allow_null=True,
        read_only=True,
        help_text="A publication request's frozen content: exactly what approval publishes (null otherwise).",
    )
    proposer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    events = ReviewEventSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "url",
            "state",
            "target_type",
            "target",
            "target_label",
            "field",
            "before",
            "after",
            "content",
            "source_value",
            "proposer",
            "from_public",
            "rationale",
            "evidence_link",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "events",
        ]
        # A reader's suggestion comes only from the public form; the address they gave stays out.
        read_only_fields = ["from_public"]

    @extend_schema_field({"type": "string", "enum": list(TARGET_KINDS), "nullable": True})
    def get_target_type(self, obj):
        if obj.ai_model_id:
            return "model"
        if obj.organisation_id:
            return "organisation"
        return None

    @extend_schema_field({"type": "string", "nullable": True, "description": "The target's slug (null once deleted)."})
    def get_target(self, obj):
        target = obj.ai_model or obj.organisation
        return target.slug if target else None


class ProposalSerializer(serializers.Serializer):
    """A new proposal. `after` is the proposed value, shaped as the field's values are."""

    target_type = serializers.ChoiceField(choices=list(TARGET_KINDS))
    target = serializers.SlugField(max_length=200, help_text="The model's or organisation's slug.")
    field = serializers.CharField(
        max_length=100,
        help_text=f"A classified field: for models {', '.join(f.name for f in AI_MODEL_FIELDS)} or "
        f"{ASSESSMENT_PREFIX}<dimension ref>; for organisations "
        f"{', '.join(f.name for f in ORGANISATION_FIELDS[:-1])} or {ORGANISATION_FIELDS[-1].name}.",
    )
    after = serializers.JSONField(
        help_text='The proposed value, e.g. "latest", ["text", "code"] or '
        '{"grade": "open", "links": ["https://…"], "notes": "…"}.'
    )
    rationale = serializers.CharField(max_length=5000, help_text="Why the change is right.")
    evidence_link = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


# --- mapping the services' refusals ------------------------------------------------------------


def api_error_for(error: ReviewError, *, value_field: str | None = None) -> exceptions.APIException:
    message = str(error)
    if isinstance(error, ReviewPermissionDenied):
        return exceptions.PermissionDenied(message)
    if isinstance(error, (IllegalTransition, StaleProposal)):
        return Conflict(message)
    if isinstance(error, ValidationFailed):
        field = error.field or value_field
        return exceptions.ValidationError({field or "non_field_errors": [message]})
    return exceptions.APIException(message)


# --- views -------------------------------------------------------------------------------------

_OTHER_STATES = ", ".join(s for s in ChangeRequest.State.values if s != ChangeRequest.State.PENDING)
_DECISION: dict[str, Any] = {
    "request": DecisionSerializer,
    "responses": {200: ChangeRequestSerializer},
}


@extend_schema_view(
    list=extend_schema(
        summary="The review queue (curators and reviewers)",
        description=f"Newest first. `?state=pending` (or {_OTHER_STATES}) narrows it.",
    ),
    retrieve=extend_schema(summary="One change request with its events"),
    create=extend_schema(
        summary="Propose a change (curators and reviewers)",
        request=ProposalSerializer,
        responses={201: ChangeRequestSerializer},
    ),
    approve=extend_schema(summary="Approve and apply a pending request (reviewers; not one's own)", **_DECISION),
    reject=extend_schema(summary="Reject a pending request with a comment (reviewers)", **_DECISION),
    withdraw=extend_schema(summary="Withdraw one's own pending or stale request", **_DECISION),
    renew=extend_schema(summary="Renew one's own stale request against the current value", **_DECISION),
)
class ChangeRequestViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ChangeRequestSerializer
    permission_classes = [CanReadReviewQueue]
    pagination_class = KeysetCursorPagination

    def conditional_state(self, request):
        # The queue moves without the public data version moving: every transition is an event.
        newest = ReviewEvent.objects.aggregate(last_id=Max("id"), last_at=Max("at"))
        return f"review-events:{newest['last_id']}", newest["last_at"]

    def get_serializer_class(self):
        # What a POST takes (also the browsable API's form); responses are always change requests.
        if self.request is not None and self.request.method == "POST":
            return ProposalSerializer if self.action in ("create", "list") else DecisionSerializer
        return ChangeRequestSerializer

    def get_queryset(self):
        queryset = ChangeRequest.objects.select_related(
            "proposer", "decided_by", "ai_model", "organisation"
        ).prefetch_related(Prefetch("events", queryset=ReviewEvent.objects.select_related("actor")))
        state = self.request.query_params.get("state")
        if self.action == "list" and state:
            if state not in ChangeRequest.State.values:
                raise exceptions.ValidationError(
                    {"state": [f"Expected one of {', '.join(ChangeRequest.State.values)}, not {state!r}."]}
                )
            queryset = queryset.filter(state=state)
        return queryset.order_by("-submitted_at", "-id")

    def get_object(self):
        lookup = self.kwargs.get("pk", "")
        if not str(lookup).isdigit():
            raise exceptions.NotFound(f"No change request {lookup!r}: ids are whole numbers.")
        return super().get_object()

    def _target(self, kind: str, slug: str):
        model = TARGET_KINDS[kind]
        # Only those who may propose are told about drafts; for others a draft does not exist.
        manager = model.objects if self.request.user.has_perm("curation.view_changerequest") else model.objects.public()
        target = manager.filter(slug=slug).first()
        if target is None:
            raise exceptions.ValidationError({"target": [f"No {kind} with the slug {slug!r}."]})
        return target

    def create(self, request, *args, **kwargs):
        proposal = ProposalSerializer(data=request.data)
        proposal.is_valid(raise_exception=True)
        data = proposal.validated_data
        target = self._target(data["target_type"], data["target"])
        try:
            change_request = services.propose(
                target,
                data["field"],
                data["after"],
                user=request.user,
                rationale=data["rationale"],
                evidence_link=data["evidence_link"],
            )
        except ReviewError as error:
            raise api_error_for(error, value_field="after") from error
        return Response(self._present(change_request.pk), status=status.HTTP_201_CREATED)

    def _present(self, pk: int) -> dict:
        fresh = self.get_queryset().get(pk=pk)
        return ChangeRequestSerializer(fresh, context=self.get_serializer_context()).data

    def _decide(self, request, service):
        change_request = self.get_object()
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        try:
            service(change_request, request.user, decision.validated_data["comment"])
        except ReviewError as error:
            raise api_error_for(error) from error
        return Response(self._present(change_request.pk))

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, services.approve)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, services.reject)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._decide(request, services.withdraw)

    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        return self._decide(request, services.renew)
