"""Change requests: every change to a classified field is proposed, then reviewed.

A request targets one organisation or one AI model and one classified field (see
curation.review.fields). Its `before` is the live value when it was proposed; approval applies
`after` only if the live value still equals `before`. Every transition is a ReviewEvent row.
"""

from django.conf import settings
from django.db import models

from curation.weblinks import http_url_validator


class ChangeRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        STALE = "stale", "Stale"

    # `source_value` of a request the importer made from an upstream value that conflicts with
    # a change approved in review since the previous import.
    UPSTREAM_CONFLICT = "upstream value in conflict with a reviewed change"

    created_at = models.DateTimeField(auto_now_add=True)
    # When it entered the queue (again, after a renewal); the queue is ordered by it.
    submitted_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)

    ai_model = models.ForeignKey(
        "curation.AIModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="change_requests"
    )
    organisation = models.ForeignKey(
        "curation.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_requests",
    )
    target_label = models.CharField(max_length=300)
    field = models.CharField(max_length=100)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # For importer proposals: the upstream tag text that could not be mapped.
    source_value = models.CharField(max_length=500, blank=True)
    # For a request to publish a draft: the draft's whole content (details, classification,
    # grades) when publication was requested. Reviewers see it; approval publishes the draft only
    # while it still equals this, so nothing unreviewed goes public.
    content = models.JSONField(null=True, blank=True)

    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    evidence_link = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    # A correction suggested by a reader on the public form (curation.review.services.
    # suggest_from_public): proposed by the system user for public suggestions and reviewed like
    # any other. `submitter_email` is kept only if the reader gave one, to tell them the outcome.
    from_public = models.BooleanField("suggested by a reader", default=False, db_index=True)
    submitter_email = models.EmailField(blank=True)

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["state", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ai_model__isnull=True) | models.Q(organisation__isnull=True),
                name="change_request_has_one_target",
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.target_label} · {self.field} ({self.state})"

    @property
    def target(self):
        return self.ai_model or self.organisation

    @property
    def is_open(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def is_publication(self) -> bool:
        """A request to publish a draft (its content is frozen in `content`)."""
        return self.field == "is_public" and self.after is True


class ReviewEvent(models.Model):
    """One transition of a change request: who, when, from which state to which, and why."""

    class Action(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        MARKED_STALE = "marked_stale", "Marked stale"
        RENEWED = "renewed", "Renewed"
        SUPERSEDED = "superseded", "Superseded"

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=ChangeRequest.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ChangeRequest.State.choices)
    comment = models.TextField(blank=True)
    # What the transition replaced, e.g. the old `before` of a renewed request.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.change_request_id}: {self.action} by {self.actor}"
