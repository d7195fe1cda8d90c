"""The index's models over time: one row per model per period over which all the index shows of
it stayed the same (a temporal table in valid time), so that a past index is a query.

Derived data, written whole by the worker after every data change from today's rows and the
history of applied changes (curation.public.model_periods); never edited. `ModelPeriodsWritten`
says which data version the rows reflect: readers use them only when it is the current one.
"""

from django.db import models


class ModelPeriod(models.Model):
    """A public model as readers saw it from `valid_from` to `valid_to`.

    A reader of the moment `c` (changes applied before `c`, e.g. the end of an `as_of` day) sees
    the rows with `valid_from < c <= valid_to` (null: since the records begin / still current).
    Only periods in which the model and its organisation were public are kept.

    The model's own columns carry its values then, as `AIModel` holds them (`model_id` null for a
    model deleted since, rebuilt from its deletion's snapshot). `organisation_values` holds its
    organisation's values then that history records ({"name", "slug", "link", "is_public",
    "origin_scope", "country", "region", "sector", "contributor_kind", "big_tech_bloc"}), null
    when the model had no organisation still known today. The `*_key` columns are lowercased
    (Python's `str.lower`) for search and ordering; `effective_*` the model's effective
    classification (its own, else its organisation's). `grades` is {dimension ref: grade},
    `category_scores` {category ref: score 0–1, left out when empty}, `points` {dimension ref:
    points 0–1, left out when the dimension does not apply to the model's types}, all under the dimension
    registry in force then (`registry_version`, null before the first version kept).
    """

    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    # No foreign key: periods outlive the model (deleted since) and are written as a whole.
    model_id = models.IntegerField(null=True, blank=True, db_index=True)
    registry_version = models.IntegerField(null=True, blank=True)

    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=200, blank=True)
    link = models.CharField(max_length=500, blank=True)
    types = models.CharField(max_length=100, blank=True)
    performance_class = models.CharField(max_length=20, blank=True)
    base_model_name = models.CharField(max_length=300, blank=True)
    end_model_name = models.CharField(max_length=300, blank=True)
    end_model_licence = models.CharField(max_length=300, blank=True)
    release_date = models.DateField(null=True, blank=True)
    release_date_precision = models.CharField(max_length=5, blank=True)
    organisation_id = models.IntegerField(null=True, blank=True)
    own_origin_scope = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001 - as AIModel
    own_country = models.CharField(max_length=2, blank=True)
    own_region = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001 - as AIModel
    own_sector = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001 - as AIModel
    own_contributor_kind = models.CharField(max_length=30, blank=True)
    own_big_tech_bloc = models.CharField(max_length=30, null=True, blank=True)  # noqa: DJ001 - as AIModel
    upstream_filename = models.CharField(max_length=255, blank=True)
    total_score = models.FloatField(null=True, blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(null=True, blank=True)

    organisation_values = models.JSONField(null=True, blank=True)
    name_key = models.CharField(max_length=200)
    organisation_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 - null: no organisation
    organisation_slug = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 - null: no organisation
    base_model_key = models.CharField(max_length=300, blank=True)
    end_model_key = models.CharField(max_length=300, blank=True)
    effective_country = models.CharField(max_length=2, blank=True)
    effective_region = models.CharField(max_length=20, blank=True)
    effective_sector = models.CharField(max_length=20, blank=True)
    effective_big_tech_bloc = models.CharField(max_length=30, blank=True)

    grades = models.JSONField(default=dict)
    category_scores = models.JSONField(default=dict)
    points = models.JSONField(default=dict)

    class Meta:
        indexes = [
            # "Valid at c": the current rows by the first, a past moment's by both.
            models.Index(fields=["valid_to", "valid_from"], name="modelperiod_valid"),
            models.Index(fields=["valid_from"], name="modelperiod_valid_from"),
        ]

    def __str__(self):
        return f"{self.name} ({self.valid_from or '…'} – {self.valid_to or 'now'})"


class ModelPeriodsWritten(models.Model):
    """Which data version (`curation.datachanges.current_data_version`) the `ModelPeriod` rows
    reflect: one row, replaced in the transaction that writes them.

    With it, what the writer had read: the last history entry, model and registry version (ids)
    and when it began to read (`read_at`). Changes since that left the past as it was (history
    entries applied after a moment, `DataChange.kept_in_history`) leave the rows right for the
    moments before them (`curation.public.as_of.periods_hold_at`). Null in rows written before
    these were kept: right only for their own data version."""

    data_version = models.BigIntegerField()
    written_at = models.DateTimeField()
    period_count = models.PositiveIntegerField(default=0)
    read_at = models.DateTimeField(null=True, blank=True)
    history_through = models.BigIntegerField(null=True, blank=True)
    models_through = models.BigIntegerField(null=True, blank=True)
    registry_through = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"model periods of data version {self.data_version}"
