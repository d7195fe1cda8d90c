"""The dimension registry: categories and openness dimensions, kept as data.

Loaded from the upstream `_parameters.yml` (see curation.registry). Which dimensions apply to a
model depends on its types; legacy dimensions (`package`, `api`) are kept for old assessments
but no longer count towards scores.
"""

from django.db import models


class DimensionCategory(models.Model):
    ref = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "ref"]
        verbose_name_plural = "dimension categories"

    def __str__(self):
        return self.name


class Dimension(models.Model):
    ref = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    category = models.ForeignKey(DimensionCategory, on_delete=models.PROTECT, related_name="dimensions")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)
    criteria_open = models.TextField("what open means", blank=True)
    criteria_partial = models.TextField("what partial means", blank=True)
    criteria_closed = models.TextField("what closed means", blank=True)
    # Comma-separated ModelType values, in vocabulary order.
    applicable_types = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Legacy dimensions are kept for old data but do not count in scores."
    )

    class Meta:
        ordering = ["category__position", "position", "ref"]

    def __str__(self):
        return self.name

    @property
    def applicable_type_list(self) -> list[str]:
        return [t for t in self.applicable_types.split(",") if t]


class RegistryVersion(models.Model):
    """The dimension registry as it stood from `valid_from` on (written on every change of it).

    `dimensions` lists the active dimensions in registry order, each
    `{"ref", "name", "category", "category_name", "types": [...]}`. Past views of the index
    (`?as_of=`) read the version in force on that date: its columns, its names, which
    dimensions applied to which types. Written once, never changed.
    """

    valid_from = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=300, blank=True)
    dimensions = models.JSONField(default=list)

    class Meta:
        ordering = ["-valid_from", "-id"]

    def __str__(self):
        return f"Registry from {self.valid_from:%Y-%m-%d %H:%M}"
