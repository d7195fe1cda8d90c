"""The transactional outbox: a row per committed change to data that charts or pages show."""

from django.db import models


class DataChange(models.Model):
    """Written in the same transaction as the change; consumed by chart regeneration.

    Its id is also the index's data version: cached pages and chart files are keyed by it.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.CharField(max_length=200)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Whether all this change did to what an index shows (models, organisations, grades) is in the
    # history entries it wrote, or it did nothing to it (news, images, adoption figures): past
    # indexes before its entries stay as they were (`curation.public.as_of.periods_hold_at`).
    # False when unsure: bulk loads, imports and anything else that writes rows without entries.
    kept_in_history = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {self.reason}"
