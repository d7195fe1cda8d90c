"""Organisations behind the models, and their classification."""

from django.db import models
from django.utils.text import slugify
from django_countries.fields import CountryField

from curation import vocab
from curation.weblinks import http_url_validator


class OrganisationQuerySet(models.QuerySet):
    def public(self):
        """What readers may see: published organisations only."""
        return self.filter(is_public=True)


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    # Other spellings met on import; matching is on vocab-normalised forms.
    aliases = models.JSONField(default=list, blank=True)
    link = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    notes = models.TextField(blank=True)

    origin_scope = models.CharField(
        "national origin kind",
        max_length=20,
        choices=vocab.OriginScope.choices,
        default=vocab.OriginScope.UNKNOWN,
    )
    country = CountryField("national origin", blank=True)
    region = models.CharField(max_length=20, choices=vocab.Region.choices, default=vocab.Region.UNKNOWN, editable=False)
    sector = models.CharField(max_length=20, choices=vocab.Sector.choices, blank=True)
    contributor_kind = models.CharField(max_length=30, choices=vocab.ContributorKind.choices, blank=True)
    big_tech_bloc = models.CharField(max_length=30, choices=vocab.BigTechBloc.choices, default=vocab.BigTechBloc.NONE)
    classification_status = models.CharField(
        max_length=20,
        choices=vocab.ClassificationStatus.choices,
        default=vocab.ClassificationStatus.NEEDS_REVIEW,
    )
    # Tag values exactly as last read from upstream files, kept when they could not be mapped
    # (and so the exporter can write back the original spelling while it still means the same).
    origin_tag = models.CharField(max_length=200, blank=True)
    contributor_tag = models.CharField(max_length=200, blank=True)

    is_public = models.BooleanField(default=True, help_text="Drafts are hidden from readers until approved.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["region"]),
            models.Index(fields=["sector"]),
            models.Index(fields=["big_tech_bloc"]),
            models.Index(fields=["country"]),
            # The few unpublished organisations, whose models every public list leaves out
            # (`AIModelQuerySet.public`): read from this index instead of a scan of all of them.
            models.Index(fields=["id"], condition=models.Q(is_public=False), name="organisation_unpublished"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Region is derived from the national origin: an invariant of this one row.
        self.region = vocab.region_for(self.origin_scope, self.country.code if self.country else "")  # type: ignore[attr-defined]  # a CountryField holds a Country; django-countries has no stubs
        if not self.slug:
            self.slug = slugify(self.name)[:200] or "organisation"
        super().save(*args, **kwargs)

    @property
    def origin_display(self) -> str:
        if self.origin_scope == vocab.OriginScope.COUNTRY and self.country:
            return self.country.name  # type: ignore[attr-defined]  # a CountryField holds a Country; django-countries has no stubs
        return self.get_origin_scope_display()

    @property
    def awaits_classification_review(self) -> bool:
        return self.classification_status == vocab.ClassificationStatus.NEEDS_REVIEW

    @property
    def is_academic(self) -> bool:
        return self.sector == vocab.Sector.ACADEMIC
