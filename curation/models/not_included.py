"""Models that curators considered for the index and declined, with the reason.

Readers see the list at /models/not-included/, so that a model missing from the index is not
taken for one nobody looked at. Curators keep it in the admin (curation.admin.not_included).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from curation.weblinks import http_url_validator


class DeclinedCandidate(models.Model):
    name = models.CharField(max_length=200)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    link = models.URLField(
        max_length=500,
        blank=True,
        validators=[http_url_validator],
        help_text="The model's or its organisation's page (http or https).",
    )
    considered_on = models.DateField("date considered", default=timezone.localdate)
    reason = models.TextField(help_text="Why the model is not in the index; readers see this.")
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who declined it (not shown to readers).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-considered_on", "name", "id"]
        verbose_name = "model not included"
        verbose_name_plural = "models not included"

    def __str__(self):
        return self.name
