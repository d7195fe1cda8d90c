"""The immutable record of every change applied to the index, and of import runs.

History is never rewritten: a row is written once, by the review services or the importer, and
has no update or delete path (save refuses updates, delete raises, the queryset refuses both).
Only the deletion of the model or organisation it describes touches a row, and then just to
null the link (the row keeps the target's label).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from curation.weblinks import http_url_validator


class HistoryIsImmutable(Exception):
    """Raised on any attempt to update or delete a history row."""


class _AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryIsImmutable(f"{self.model.__name__} rows cannot be updated")

    def delete(self):
        raise HistoryIsImmutable(f"{self.model.__name__} rows cannot be deleted")

    # Django's manager reads this attribute to keep the methods off the manager itself.
    update.queryset_only = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class _AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryIsImmutable(f"{type(self).__name__} #{self.pk} cannot be changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsImmutable(f"{type(self).__name__} #{self.pk} cannot be deleted")


class ImportRun(_AppendOnlyModel):
    """One run of the upstream importer: who ran it, from where, and what it did."""

    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=500)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    change_count = models.PositiveIntegerField(default=0)
    unmapped_tag_count = models.PositiveIntegerField(default=0)
    # Skipped files with line and reason, as the importer reported them.
    summary = models.JSONField(default=dict, blank=True)

    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Import #{self.pk} of {self.source}"


class HistoryEntryQuerySet(_AppendOnlyQuerySet):
    def decided_by_curators(self):
        """Changes a person decided on the site: an approved change request or a superuser's
        direct edit (both name an approver). Imports and drafts' edits name none."""
        return self.filter(approver__isnull=False, import_run__isnull=True)


class HistoryEntry(_AppendOnlyModel):
    """One applied change of one field of one model or organisation.

    `field` is a classified field name (`performance_class`, `types`, `organisation`,
    `national_origin`, `contributor_type`, `is_public`, `deleted`) or `assessment:<dimension_ref>`
    whose before/after are `{"grade", "links", "notes"}`. `review_comment` is private: reader
    pages use curation.history.public_changelog, which leaves it out (and drafts' edits).
    """

    # When the change took effect: now, or for a replayed upstream history, its commit's date.
    applied_at = models.DateTimeField(default=timezone.now, db_index=True)
    ai_model = models.ForeignKey(
        "curation.AIModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="history_entries"
    )
    organisation = models.ForeignKey(
        "curation.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="history_entries",
    )
    target_label = models.CharField(max_length=300)
    field = models.CharField(max_length=100, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    evidence_link = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    review_comment = models.TextField(blank=True, help_text="Private: never shown to readers.")
    change_request = models.ForeignKey(
        "curation.ChangeRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="history_entries"
    )
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="history_entries"
    )
    # An edit of a draft, before its publication was reviewed: kept for curators and reviewers,
    # never shown to readers.
    draft_edit = models.BooleanField(default=False)

    objects = HistoryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name_plural = "history entries"
        indexes = [
            models.Index(fields=["ai_model", "-applied_at"]),
            models.Index(fields=["organisation", "-applied_at"]),
        ]

    def __str__(self):
        return f"{self.target_label} · {self.field} ({self.applied_at:%Y-%m-%d})"
