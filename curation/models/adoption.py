"""Adoption figures read from the Hugging Face Hub: one dated row per model repository.

Rows are keyed by repository, not by model: which repositories a model has is decided at read
time (`AIModel.hf_repo_ids`), so a curator's correction applies to past figures too. A run of
`curation.adoption.fetch` writes at most one row per repository and day (always through
`curation.adoption.readings.store_readings`); a repository the Hub
no longer knows gets a row saying so (its model is then shown without figures for that day).
"""

from django.db import models


class AdoptionStatus(models.TextChoices):
    OK = "ok", "read"
    NOT_FOUND = "not_found", "not on the Hub (removed, renamed or private)"
    FAILED = "failed", "not read (the Hub did not answer); tried again on the next run"


class RepoAdoption(models.Model):
    """A repository's figures on one day (UTC): downloads in the 30 days before, all-time
    downloads where the Hub gives them, likes. Figures are null unless the status is `ok`."""

    repo_id = models.CharField("repository", max_length=200)
    day = models.DateField()
    status = models.CharField(max_length=20, choices=AdoptionStatus.choices)
    downloads = models.BigIntegerField("downloads (last 30 days)", null=True, blank=True)
    downloads_all_time = models.BigIntegerField(null=True, blank=True)
    likes = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    fetched_at = models.DateTimeField()
    # The repository's last `ok` reading of its calendar month: the one monthly figures use.
    # Kept by curation.adoption.readings.store_readings, so that charts read a dozen rows per
    # repository and year, not one a day.
    last_of_month = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["repo_id", "day"], name="one_adoption_row_per_repo_and_day")]
        indexes = [models.Index(fields=["day", "status"]), models.Index(fields=["last_of_month", "repo_id", "day"])]
        ordering = ["repo_id", "day"]

    def __str__(self):
        return f"{self.repo_id} on {self.day}: {self.status}"
