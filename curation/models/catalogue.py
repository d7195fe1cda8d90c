"""The AI model entries of the index and their per-dimension assessments.

Named `AIModel` so that it cannot be confused with a Django model.
"""

from django.db import connection, models
from django.db.models.functions import Collate, Lower, Upper
from django.utils.text import slugify
from django_countries.fields import CountryField

from curation import hfrepos, vocab
from curation.weblinks import http_url_validator

from .classification import classification_expressions, effective_classification
from .organisations import Organisation


def own_region_for(scope: str | None, country) -> str | None:
    """The region of a model's own national origin; None when it inherits its organisation's."""
    if scope is None:
        return None
    return vocab.region_for(scope, getattr(country, "code", country) or "")


class AIModelQuerySet(models.QuerySet):
    def public(self):
        """What readers may see: published models (of published organisations, if any).

        The unpublished organisations are left out by their ids (a subquery over the few of them),
        not by a join: a join made PostgreSQL hash every organisation and join it to every
        matching model, for every page and count of the index. The same rows either way."""
        return self.filter(is_public=True).exclude(organisation__in=Organisation.objects.filter(is_public=False))

    def withdrawn(self):
        """Models withdrawn from the index because their upstream file was deleted: out of the
        index, its counts, charts and sitemap, yet their pages still answer (old links keep
        working) with their last grades under a notice. Drafts are never among them."""
        return self.filter(is_public=False, removed_upstream_at__isnull=False).exclude(organisation__is_public=False)

    def readable(self):
        """Models whose page and comparison readers may open: the public ones and the withdrawn."""
        return self.filter(models.Q(is_public=True) | models.Q(removed_upstream_at__isnull=False)).exclude(
            organisation__is_public=False
        )

    def with_type(self, model_type: str):
        # Type names are not substrings of one another, so `contains` is an exact test.
        return self.filter(types__contains=model_type)

    def with_classification(self, *fields: str):
        """Annotate each model's effective classification (its own, else its organisation's):
        `effective_origin_scope`, `effective_country`, `effective_region`, `effective_sector`,
        `effective_contributor_kind`, `effective_big_tech_bloc`, or only the named fields."""
        return self.annotate(**classification_expressions(fields or None))

    def index_order(self):
        """The upstream index order: total score, highest first; ties by upstream file name,
        descending, compared character by character (see index_tie_break)."""
        return self.order_by("-total_score", *index_tie_break())


def index_tie_break() -> list:
    """How models of equal score are ordered, after any chosen ordering: by upstream file name,
    descending, as upstream's site compares paths (code point by code point, whatever the
    database's collation); then by name and id (models made on the site have no file yet)."""
    filename: models.F | Collate = models.F("upstream_filename")
    if connection.vendor == "postgresql":
        filename = Collate("upstream_filename", "C")
    return [filename.desc(), Lower("name"), "pk"]


class AIModel(models.Model):
    # Not unique: upstream lists two files with the same name as two models (both flagged).
    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=200, unique=True)
    link = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    # Comma-separated vocab.ModelType values in vocabulary order, e.g. "text,code".
    types = models.CharField(max_length=100, blank=True)
    performance_class = models.CharField(max_length=20, choices=vocab.PerformanceClass.choices, blank=True)
    base_model_name = models.CharField(max_length=300, blank=True)
    end_model_name = models.CharField(max_length=300, blank=True)
    end_model_licence = models.CharField(max_length=300, blank=True)
    # First day of the release month (or of the year when only the year is known).
    release_date = models.DateField(null=True, blank=True)
    release_date_precision = models.CharField(max_length=5, choices=vocab.DatePrecision.choices, blank=True)
    notes = models.TextField(blank=True)
    organisation = models.ForeignKey(
        "curation.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="ai_models"
    )
    # The model's own classification where its upstream file tags it differently from its
    # organisation's usual one; null inherits the organisation's (see .classification).
    own_origin_scope = models.CharField(  # noqa: DJ001 - null: as its organisation
        "own national origin kind",
        max_length=20,
        choices=vocab.OriginScope.choices,
        null=True,
        blank=True,
        help_text="Empty: as its organisation.",
    )
    own_country = CountryField("own national origin", blank=True)
    own_region = models.CharField(max_length=20, choices=vocab.Region.choices, null=True, blank=True, editable=False)  # noqa: DJ001 - null: as its organisation
    own_sector = models.CharField(  # noqa: DJ001 - null: as its organisation
        max_length=20,
        choices=vocab.Sector.choices,
        null=True,
        blank=True,
        help_text="Empty: as its organisation.",
    )
    own_contributor_kind = models.CharField(max_length=30, choices=vocab.ContributorKind.choices, blank=True)
    own_big_tech_bloc = models.CharField(max_length=30, choices=vocab.BigTechBloc.choices, null=True, blank=True)  # noqa: DJ001 - null: as its organisation
    # The file's own tag values, exactly as written upstream ("" when the file has none): the
    # exporter writes them back while they still mean the effective classification.
    origin_tag = models.CharField(max_length=200, blank=True)
    contributor_tag = models.CharField(max_length=200, blank=True)
    # The model's identity upstream: its file in the upstream database.
    upstream_filename = models.CharField(max_length=255, blank=True, db_index=True)
    # When its upstream file was deleted: the model is withdrawn from the public index (is_public
    # off, with history) and kept; a file of that name coming back brings it back.
    removed_upstream_at = models.DateTimeField(null=True, blank=True)
    # Values as written upstream where normalising them would lose the original spelling,
    # plus keys we do not model; the exporter writes them back while they still apply.
    upstream_extra = models.JSONField(default=dict, blank=True)
    # Hugging Face model repositories (`owner/name`) whose downloads and likes are the model's
    # adoption, as a curator set them (reviewed; `[]`: none); null derives them from the model's
    # links (curation.hfrepos). Upstream files carry a set list as `system.huggingface`.
    hf_repos = models.JSONField("Hugging Face repositories", null=True, blank=True, default=None)

    # Denormalised from the assessments by curation.assessments.recompute_scores so that the
    # index can sort in the database.
    total_score = models.FloatField(default=0)
    # Denormalised by the same service, so that the index's grade filters and category or
    # dimension orderings read the model's own row (no join per filter, no lookup per row):
    # {dimension ref: grade} of its assessments and {category ref: score} of its CategoryScores.
    grade_by_dimension = models.JSONField(default=dict, blank=True, editable=False)
    score_by_category = models.JSONField(default=dict, blank=True, editable=False)
    # Adoption at the latest Hub reading of the model's repositories (null: no adoption data),
    # denormalised by curation.adoption.figures.refresh_model_figures so the index can sort on it.
    hf_downloads = models.BigIntegerField(
        "Hugging Face downloads (last 30 days)", null=True, blank=True, editable=False
    )
    hf_downloads_all_time = models.BigIntegerField(null=True, blank=True, editable=False)
    hf_likes = models.BigIntegerField(null=True, blank=True, editable=False)
    hf_read_on = models.DateField(null=True, blank=True, editable=False)

    is_public = models.BooleanField(default=True, help_text="Drafts are hidden from readers until approved.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AIModelQuerySet.as_manager()

    class Meta:
        verbose_name = "AI model"
        verbose_name_plural = "AI models"
        ordering = ["-total_score", models.F("upstream_filename").desc(), Lower("name")]
        indexes = [
            models.Index(fields=["-total_score", "name"]),
            models.Index(fields=["performance_class"]),
            models.Index(fields=["release_date"]),
            models.Index(fields=["base_model_name"]),
            # A model page's "same base model" list (`base_model_name__iexact`): an equality on the
            # upper-cased name, which the trigram index (migration 0017) answers only by reading
            # the long lists of trigrams every name shares.
            models.Index(Upper("base_model_name"), name="aimodel_base_model_upper"),
            # The shared FilterSet's default order (-total, then name case-insensitively, then id):
            # lets a page of the index or the API be read from the index instead of sorting every row.
            models.Index(
                models.F("total_score").desc(),
                models.F("upstream_filename").desc(),
                Lower("name"),
                "id",
                name="aimodel_index_order",
            ),
            # Published models by organisation: the index's total and its organisations (counts
            # per organisation, the countries they are in) read from this index alone.
            models.Index(fields=["organisation"], condition=models.Q(is_public=True), name="aimodel_public_by_org"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200] or "model"
        # Invariants of the row: each tag group is the model's own as a whole or inherited.
        self.own_region = own_region_for(self.own_origin_scope, self.own_country)
        if self.own_origin_scope != vocab.OriginScope.COUNTRY:
            self.own_country = ""
        if self.own_sector is None:
            self.own_contributor_kind, self.own_big_tech_bloc = "", None
        elif self.own_big_tech_bloc is None:
            self.own_big_tech_bloc = vocab.BigTechBloc.NONE
        if kwargs.get("update_fields") is not None and {"own_origin_scope", "own_country"} & set(
            kwargs["update_fields"]
        ):
            kwargs["update_fields"] = {*kwargs["update_fields"], "own_region"}
        super().save(*args, **kwargs)

    def classification(self):
        """The effective classification (an EffectiveClassification): own, else the organisation's."""
        return effective_classification(self)

    def set_own_origin(self, value: dict | None) -> None:
        """Give the model its own national origin ({"scope", "country"}), or None to inherit."""
        if value is None:
            self.own_origin_scope, self.own_country = None, ""
        else:
            self.own_origin_scope, self.own_country = value["scope"], value.get("country") or ""
        self.own_region = own_region_for(self.own_origin_scope, self.own_country)

    def set_own_contributor(self, value: dict | None) -> None:
        """Give the model its own contributor type ({"sector", "kind", "bloc"}), or None to inherit."""
        if value is None:
            self.own_sector, self.own_contributor_kind, self.own_big_tech_bloc = None, "", None
        else:
            self.own_sector = value["sector"]
            self.own_contributor_kind = value.get("kind") or ""
            self.own_big_tech_bloc = value.get("bloc") or vocab.BigTechBloc.NONE

    @property
    def own_origin(self) -> dict | None:
        """The model's own national origin as the review fields read it, or None (inherited)."""
        if self.own_origin_scope is None:
            return None
        return {"scope": self.own_origin_scope, "country": self.own_country.code if self.own_country else ""}  # type: ignore[attr-defined]  # a CountryField holds a Country; django-countries has no stubs

    @property
    def own_contributor(self) -> dict | None:
        if self.own_sector is None:
            return None
        return {
            "sector": self.own_sector,
            "kind": self.own_contributor_kind,
            "bloc": self.own_big_tech_bloc or vocab.BigTechBloc.NONE,
        }

    def hf_repo_ids(self, weights_links: list[str] | None = None) -> list[str]:
        """The model's Hugging Face repositories: the curated list, else those its website and
        end-model weights evidence link to (`weights_links`, read from the database when None)."""
        if self.hf_repos is not None:
            return list(self.hf_repos)
        if weights_links is None:
            weights_links = [
                link
                for links in self.assessments.filter(dimension__ref=hfrepos.WEIGHTS_DIMENSION).values_list(
                    "links", flat=True
                )
                for link in (links or [])
            ]
        return hfrepos.derive_repo_ids([self.link, *weights_links])

    @property
    def hf_repos_derived(self) -> bool:
        return self.hf_repos is None

    @property
    def type_list(self) -> list[str]:
        return [t for t in self.types.split(",") if t]

    @property
    def is_withdrawn(self) -> bool:
        """Withdrawn from the index (its upstream file was deleted); see AIModelQuerySet.withdrawn."""
        return not self.is_public and self.removed_upstream_at is not None

    @property
    def release_display(self) -> str:
        return vocab.release_label(self.release_date, self.release_date_precision)


class Assessment(models.Model):
    """One model's grade on one dimension, with its evidence."""

    ai_model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="assessments")
    dimension = models.ForeignKey("curation.Dimension", on_delete=models.PROTECT, related_name="assessments")
    grade = models.CharField(max_length=20, choices=vocab.Grade.choices, default=vocab.Grade.NOT_ASSESSED)
    # Evidence links: upstream allows one URL or a list.
    links = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ai_model", "dimension"], name="one_assessment_per_dimension")]
        # Covering for the index's grade filters ("models graded open on licences"): the models'
        # ids are read from the index alone, so a filter costs the same at 10,000 or 100,000 models.
        indexes = [models.Index(fields=["dimension", "grade", "ai_model"], name="assessment_grade_models")]

    def __str__(self):
        return f"{self.ai_model} · {self.dimension.ref}: {self.grade}"

    @property
    def link(self) -> str:
        return self.links[0] if self.links else ""


class CategoryScore(models.Model):
    """A model's score on one category, denormalised for sorting and filtering."""

    ai_model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="category_scores")
    category = models.ForeignKey("curation.DimensionCategory", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ai_model", "category"], name="one_score_per_category")]

    def __str__(self) -> str:
        # Ids, not names: printing a score must not cost two queries.
        return f"model {self.ai_model_id}, category {self.category_id}: {self.score:.3f}"
