"""Data releases: named, dated snapshots of the index that readers can cite and pin to.

A release is made once by a curator (curation.releases.create_release) and never changes
afterwards, except its notes: its name, slug, moment and data version are what citations and
permanent addresses name. Its download files are frozen once (`DataReleaseFile`), so a
release's CSV, JSON and YAML zip are the same bytes for ever.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReleaseIsImmutable(Exception):
    """Raised on an attempt to change what a release froze, or to delete a release or its files."""


class DataRelease(models.Model):
    """A named, dated snapshot of the index (e.g. "2026-06").

    `released_at` is the moment it froze: pinning a page to the release shows the index as it
    stood then (the same reconstruction as `?as_of=`, to the instant). `data_version` is the
    data version (curation.datachanges) readers saw at that moment.
    """

    IMMUTABLE_FIELDS = ("name", "slug", "released_at", "data_version", "created_by_id", "site_address")

    name = models.CharField(max_length=100, unique=True, help_text="How the release is cited, e.g. “2026-06”.")
    slug = models.SlugField(max_length=100, unique=True, help_text="Its address: /releases/<slug>/.")
    released_at = models.DateTimeField(default=timezone.now, db_index=True)
    data_version = models.PositiveBigIntegerField()
    notes = models.TextField(blank=True, help_text="Public: what changed since the previous release.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The index page's absolute address when the release was made: the frozen CSV and JSON
    # name each model's page from it.
    site_address = models.CharField(max_length=500, blank=True)
    files_frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-released_at", "-id"]
        permissions = [("publish_datarelease", "Can make a data release")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk:
            stored = type(self).objects.filter(pk=self.pk).values(*self.IMMUTABLE_FIELDS).first()
            if stored and any(stored[name] != getattr(self, name) for name in self.IMMUTABLE_FIELDS):
                raise ReleaseIsImmutable(f"release “{stored['name']}” is made: only its notes can change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReleaseIsImmutable(f"release “{self.name}” is cited by its address and cannot be deleted")


class DataReleaseFile(models.Model):
    """One download frozen for a release (models.csv, models-details.csv, models.json, the YAML
    zip): written once, never changed; `sha256` lets readers check what they hold."""

    release = models.ForeignKey(DataRelease, on_delete=models.PROTECT, related_name="files")
    filename = models.CharField(max_length=100)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "filename"]
        constraints = [models.UniqueConstraint(fields=["release", "filename"], name="one_file_per_name_per_release")]

    def __str__(self):
        return f"{self.release.name}/{self.filename}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ReleaseIsImmutable(f"the file {self} of a release cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReleaseIsImmutable(f"the file {self} of a release cannot be deleted")
