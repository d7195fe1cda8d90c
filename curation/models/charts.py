"""Published chart versions and the regeneration runs that produce them.

A chart's stable URLs always serve its newest `ChartVersion`. A version row is committed only
after all of its files are written and verified, so a reader can never see a half-written
chart: the commit of the row is the swap.
"""

from django.db import models


class ChartVersion(models.Model):
    """One rendering of one chart: its data, its hash and its files in default storage."""

    key = models.CharField(max_length=100, db_index=True)
    title = models.CharField(max_length=200)
    alt_text = models.TextField()
    # Hash of the chart's numbers and of the rendering code version; equal hash, equal picture.
    data_hash = models.CharField(max_length=64)
    # The JSON document served at /charts/<key>.json.
    data = models.JSONField()
    data_version = models.PositiveBigIntegerField(default=0)
    svg_name = models.CharField(max_length=300)
    png_name = models.CharField(max_length=300)
    csv_name = models.CharField(max_length=300)
    json_name = models.CharField(max_length=300)
    generated_at = models.DateTimeField()
    run = models.ForeignKey(
        "curation.ChartRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )

    class Meta:
        ordering = ["key", "-generated_at", "-id"]
        indexes = [models.Index(fields=["key", "-generated_at", "-id"])]

    def __str__(self):
        return f"{self.key} @ {self.generated_at:%Y-%m-%d %H:%M:%S}"

    def file_name(self, fmt: str) -> str:
        return getattr(self, f"{fmt}_name")


class ChartRun(models.Model):
    """A regeneration run, committed when it starts so that runs can be counted and watched."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        # Another run had already consumed the changes by the time this one got the lock.
        NOTHING_TO_DO = "nothing_to_do", "Nothing to do"
        # Still "running" long after it started: its worker died; its changes were redone.
        INTERRUPTED = "interrupted", "Interrupted"

    trigger = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    changes_claimed = models.PositiveIntegerField(default=0)
    charts_checked = models.PositiveIntegerField(default=0)
    charts_rendered = models.PositiveIntegerField(default=0)
    data_version = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"chart run #{self.pk} ({self.trigger}, {self.status})"
