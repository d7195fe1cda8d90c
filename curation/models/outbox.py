"""The transactional outbox: a row per committed change to data that charts or pages show."""

from django.db import models


class DataChange(models.Model):
    """Written in the same transaction as the change; consumed by chart regeneration.

    Its id is also the index's data version: cached pages and chart files are keyed by it.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.CharField(max_length=200)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {self.reason}"
