"""What the API shows of each object. Read serializers only shape data that views have already
selected through the public querysets; nothing here queries the database per item."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from curation import hfrepos, history, vocab
from curation.editorial.rendering import render_markdown
from curation.models import AIModel, Dimension, DimensionCategory, Organisation, Post
from curation.registry import active_dimensions, dimension_spec
from curation.scoring import applies, as_percent


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers with."""

    message = serializers.CharField(help_text="What went wrong and what is expected, in one sentence.")
    field = serializers.CharField(allow_null=True, help_text="The input at fault, or null.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Every message by field ("" for errors not about one field).',
    )
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait (429 only).")


@dataclass
class RegistrySnapshot:
    """The dimension registry as read once per request, for serializing many models."""

    dimensions: list[Dimension]
    categories: dict[int, DimensionCategory]

    @classmethod
    def load(cls) -> RegistrySnapshot:
        dimensions = active_dimensions()
        for dimension in dimensions:
            dimension.spec = dimension_spec(dimension)
        categories = {d.category_id: d.category for d in dimensions}
        return cls(dimensions=dimensions, categories=categories)

    def applicability(self, model_types: list[str]) -> list[bool]:
        """Whether each dimension applies to models of these types (computed once per type mix)."""
        key = tuple(model_types)
        cache = self.__dict__.setdefault("_applicability", {})
        if key not in cache:
            cache[key] = [applies(d.spec, key) for d in self.dimensions]
        return cache[key]


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class SiteLinksMixin:
    """Absolute links built from one base per serializer tree (reversing and parsing a URL per
    item would cost more than the rest of a list page)."""

    def site_base(self) -> str:
        """The app's absolute root (where the host site mounts curation.urls), without the
        trailing slash; reader pages' addresses are relative to it, so rows need no reverse()."""
        self._bases()
        return self.root._site_base

    def api_base(self) -> str:
        """The API root's absolute URL, with its trailing slash."""
        self._bases()
        return self.root._api_base

    def _bases(self) -> None:
        root = self.root
        if not hasattr(root, "_site_base"):
            request = self.context.get("request")
            absolute = request.build_absolute_uri if request is not None else (lambda path: path)
            root._site_base = absolute(reverse("curation:home")).rstrip("/")
            root._api_base = absolute(reverse("curation:api:api-root"))


# --- Registry ----------------------------------------------------------------------------------


class CriteriaSerializer(serializers.Serializer):
    open = serializers.CharField(source="criteria_open")
    partial = serializers.CharField(source="criteria_partial")
    closed = serializers.CharField(source="criteria_closed")


class DimensionSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="ref", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    applicable_types = serializers.ListField(
        source="applicable_type_list", child=serializers.ChoiceField(choices=vocab.ModelType.choices)
    )
    criteria = CriteriaSerializer(source="*")
    url = serializers.HyperlinkedIdentityField(view_name="curation:api:dimension-detail", lookup_field="ref")

    class Meta:
        model = Dimension
        fields = [
            "ref",
            "name",
            "url",
            "category",
            "category_name",
            "position",
            "description",
            "criteria",
            "applicable_types",
            "is_active",
        ]


class CategoryDimensionSerializer(DimensionSerializer):
    class Meta(DimensionSerializer.Meta):
        fields = ["ref", "name", "url", "position", "description", "criteria", "applicable_types", "is_active"]


class DimensionCategorySerializer(serializers.ModelSerializer):
    dimensions = CategoryDimensionSerializer(many=True, read_only=True)

    class Meta:
        model = DimensionCategory
        fields = ["ref", "name", "position", "dimensions"]


# --- Organisations -----------------------------------------------------------------------------


class OrganisationSummarySerializer(SiteLinksMixin, serializers.ModelSerializer):
    """An organisation in brief: name, slug, classification and the address of its full record."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["slug", "name", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return f"{self.api_base()}organisations/{obj.slug}/"


class ModelSummarySerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="curation:api:aimodel-detail", lookup_field="slug")

    class Meta:
        model = AIModel
        fields = ["slug", "name", "url", "total_score"]


class OrganisationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="curation:api:organisation-detail", lookup_field="slug")
    page_url = serializers.SerializerMethodField()
    country = serializers.SerializerMethodField()
    country_name = serializers.SerializerMethodField()
    model_count = serializers.IntegerField(
        source="public_model_count", read_only=True, help_text="Published models of this organisation."
    )
    mean_total_score = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Mean total score of its published models (null if none)."
    )

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "url",
            "page_url",
            "link",
            "notes",
            "aliases",
            "origin_scope",
            "country",
            "country_name",
            "region",
            "sector",
            "contributor_kind",
            "big_tech_bloc",
            "classification_status",
            "model_count",
            "mean_total_score",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("curation:organisation_detail", args=[obj.slug]))

    @extend_schema_field({"type": "string", "description": "ISO 3166-1 alpha-2 code, or empty."})
    def get_country(self, obj) -> str:
        return obj.country.code if obj.country else ""

    @extend_schema_field({"type": "string"})
    def get_country_name(self, obj) -> str:
        return str(obj.country.name) if obj.country else ""


class OrganisationDetailSerializer(OrganisationSerializer):
    models = serializers.SerializerMethodField()

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "models"]

    @extend_schema_field(ModelSummarySerializer(many=True))
    def get_models(self, obj):
        return ModelSummarySerializer(obj.public_models, many=True, context=self.context).data


# --- AI models ---------------------------------------------------------------------------------


class AssessmentOutSerializer(serializers.Serializer):
    """One dimension's grade of a model, with its evidence."""

    dimension = serializers.CharField(help_text="The dimension's ref (see /api/v1/dimensions/).")
    category = serializers.CharField()
    grade = serializers.ChoiceField(choices=vocab.Grade.choices)
    applies = serializers.BooleanField(
        help_text="Whether the dimension applies to the model's types and counts in its scores."
    )
    links = serializers.ListField(child=serializers.CharField(), help_text="Evidence links.")
    notes = serializers.CharField()


class ClassificationSerializer(serializers.Serializer):
    """A model's effective classification: its own where upstream tags it apart from its
    organisation (a collaboration), else its organisation's. Charts, filters and counts use it."""

    origin_scope = serializers.ChoiceField(choices=vocab.OriginScope.choices, allow_null=True)
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code, or empty.")
    country_name = serializers.CharField()
    region = serializers.ChoiceField(choices=vocab.Region.choices, allow_null=True)
    sector = serializers.CharField(
        allow_null=True, help_text="academic, non_academic, or empty/null if not classified."
    )
    contributor_kind = serializers.CharField(help_text="Kind of contributor, or empty.")
    big_tech_bloc = serializers.ChoiceField(choices=vocab.BigTechBloc.choices, allow_null=True)
    own_origin = serializers.BooleanField(help_text="The national origin is the model's own, not its organisation's.")
    own_contributor = serializers.BooleanField(
        help_text="Sector, kind and Big Tech bloc are the model's own, not its organisation's."
    )

    @staticmethod
    def of(model) -> dict:
        c = model.classification()
        return {
            "origin_scope": c.origin_scope,
            "country": c.country,
            "country_name": c.origin_display if c.country else "",
            "region": c.region,
            "sector": c.sector,
            "contributor_kind": c.contributor_kind,
            "big_tech_bloc": c.big_tech_bloc,
            "own_origin": c.own_origin,
            "own_contributor": c.own_contributor,
        }


class AdoptionSerializer(serializers.Serializer):
    """A model's adoption on the Hugging Face Hub: its repositories and, summed over them, the
    figures of the latest reading (null: never read). Source: the Hub's model API."""

    repositories = serializers.ListField(
        child=serializers.CharField(), help_text="Hugging Face model repositories (owner/name)."
    )
    repositories_derived = serializers.BooleanField(
        help_text="True: read from the model's links; false: set by curators."
    )
    downloads_30d = serializers.IntegerField(allow_null=True, help_text="Downloads in the 30 days before the reading.")
    downloads_all_time = serializers.IntegerField(allow_null=True)
    likes = serializers.IntegerField(allow_null=True)
    read_on = serializers.DateField(allow_null=True, help_text="Day (UTC) of the latest reading.")

    @staticmethod
    def of(model, weights_links: list[str]) -> dict:
        return {
            "repositories": model.hf_repo_ids(weights_links),
            "repositories_derived": model.hf_repos is None,
            "downloads_30d": model.hf_downloads,
            "downloads_all_time": model.hf_downloads_all_time,
            "likes": model.hf_likes,
            "read_on": model.hf_read_on.isoformat() if model.hf_read_on else None,
        }


class AIModelSerializer(SiteLinksMixin, serializers.ModelSerializer):
    """A model as the index shows it: classification, every dimension's grade and evidence, scores."""

    # Expects `grade_rows` and `category_score_rows` on each instance (see
    # curation.api.views.attach_grades_and_scores) and the registry snapshot in the context.

    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    organisation = OrganisationSummarySerializer(read_only=True, allow_null=True)
    classification = ClassificationSerializer(source="*", read_only=True)
    types = serializers.ListField(source="type_list", child=serializers.ChoiceField(choices=vocab.ModelType.choices))
    release = serializers.CharField(
        source="release_display", help_text='As shown to readers: "YYYY-MM", "YYYY" or empty.'
    )
    openness_percent = serializers.SerializerMethodField()
    category_scores = serializers.SerializerMethodField()
    assessments = serializers.SerializerMethodField()
    adoption = serializers.SerializerMethodField()

    class Meta:
        model = AIModel
        fields = [
            "slug",
            "name",
            "url",
            "page_url",
            "link",
            "organisation",
            "classification",
            "types",
            "performance_class",
            "base_model_name",
            "end_model_name",
            "end_model_licence",
            "release_date",
            "release_date_precision",
            "release",
            "notes",
            "total_score",
            "openness_percent",
            "category_scores",
            "assessments",
            "adoption",
            "updated_at",
        ]

    def to_representation(self, obj):
        """The declared fields, built directly: a list page holds 100 of these, and DRF's
        per-field machinery would cost more than the database. The declared fields above still
        define the schema; tests check that both agree."""
        organisation = obj.organisation
        updated_at = self.fields["updated_at"]
        return {
            "slug": obj.slug,
            "name": obj.name,
            "url": self.get_url(obj),
            "page_url": self.get_page_url(obj),
            "link": obj.link,
            "organisation": None
            if organisation is None
            else {
                "slug": organisation.slug,
                "name": organisation.name,
                "url": f"{self.api_base()}organisations/{organisation.slug}/",
            },
            "classification": ClassificationSerializer.of(obj),
            "types": obj.type_list,
            "performance_class": obj.performance_class,
            "base_model_name": obj.base_model_name,
            "end_model_name": obj.end_model_name,
            "end_model_licence": obj.end_model_licence,
            "release_date": obj.release_date.isoformat() if obj.release_date else None,
            "release_date_precision": obj.release_date_precision,
            "release": obj.release_display,
            "notes": obj.notes,
            "total_score": obj.total_score,
            "openness_percent": self.get_openness_percent(obj),
            "category_scores": self.get_category_scores(obj),
            "assessments": self.get_assessments(obj),
            "adoption": self.get_adoption(obj),
            "updated_at": updated_at.to_representation(obj.updated_at),
        }

    @extend_schema_field(
        {
            "type": "string",
            "format": "uri",
            "nullable": True,
            "description": "Null only with `as_of`, for a model deleted since.",
        }
    )
    def get_url(self, obj) -> str | None:
        return f"{self.api_base()}models/{obj.slug}/" if obj.slug else None

    @extend_schema_field(
        {
            "type": "string",
            "format": "uri",
            "nullable": True,
            "description": "Null only with `as_of`, for a model deleted since.",
        }
    )
    def get_page_url(self, obj) -> str | None:
        return f"{self.site_base()}/models/{obj.slug}/" if obj.slug else None

    @extend_schema_field({"type": "integer", "minimum": 0, "maximum": 100})
    def get_openness_percent(self, obj) -> int:
        return as_percent(obj.total_score)

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "number"},
            "description": "Score (0 to 1) per dimension category ref.",
        }
    )
    def get_category_scores(self, obj) -> dict:
        registry: RegistrySnapshot = self.context["registry"]
        return {
            category.ref: obj.category_score_rows[pk]
            for pk, category in registry.categories.items()
            if pk in obj.category_score_rows
        }

    @extend_schema_field(AdoptionSerializer)
    def get_adoption(self, obj) -> dict:
        registry: RegistrySnapshot = self.context["registry"]
        weights = next((d.pk for d in registry.dimensions if d.ref == hfrepos.WEIGHTS_DIMENSION), None)
        links = obj.grade_rows.get(weights, (None, [], ""))[1] if weights is not None else []
        return AdoptionSerializer.of(obj, list(links) if isinstance(links, list) else ([links] if links else []))

    @extend_schema_field(AssessmentOutSerializer(many=True))
    def get_assessments(self, obj) -> list:
        registry: RegistrySnapshot = self.context["registry"]
        rows = obj.grade_rows
        out = []
        for dimension, applicable in zip(registry.dimensions, registry.applicability(obj.type_list), strict=True):
            grade, links, notes = rows.get(dimension.pk, (vocab.Grade.NOT_ASSESSED, [], ""))
            out.append(
                {
                    "dimension": dimension.ref,
                    "category": dimension.category.ref,
                    "grade": grade,
                    "applies": applicable,
                    # Upstream allows one URL or a list; the API always answers a list.
                    "links": list(links) if isinstance(links, list) else ([links] if links else []),
                    "notes": notes,
                }
            )
        return out


# --- Changelog, posts, charts ------------------------------------------------------------------


class ChangelogEntrySerializer(serializers.Serializer):
    """One applied change of a model as readers see it (no private notes, no people)."""

    applied_at = serializers.DateTimeField()
    field = serializers.CharField(help_text="Field name, or assessment:<dimension ref> for a grade.")
    field_label = serializers.CharField()
    before = serializers.CharField(help_text="The value before, as shown to readers.")
    after = serializers.CharField(help_text="The value after, as shown to readers.")
    rationale = serializers.CharField()
    evidence_link = serializers.CharField()
    source = serializers.ChoiceField(
        choices=list(history.SOURCES),
        help_text="; ".join(f"{key}: {meaning}" for key, meaning in history.SOURCES.items()) + ".",
    )


class PostSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="curation:api:post-detail")
    byline = serializers.CharField(source="byline_names", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "url",
            "kind",
            "slug",
            "title",
            "description",
            "byline",
            "date",
            "published_at",
            "updated_at",
            "tags",
            "page_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj) -> str:
        return _absolute(self.context.get("request"), obj.get_absolute_url())


class PostDetailSerializer(PostSerializer):
    body_markdown = serializers.CharField(source="body", read_only=True)
    body_html = serializers.SerializerMethodField()

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "body_markdown", "body_html"]

    @extend_schema_field({"type": "string", "description": "The body rendered and sanitised, embeds included."})
    def get_body_html(self, obj) -> str:
        return str(render_markdown(obj.body, post=obj).html)


class ChartSerializer(serializers.Serializer):
    """A published chart: what it shows, its files and its numbers."""

    key = serializers.CharField()
    url = serializers.SerializerMethodField()
    title = serializers.CharField()
    alt_text = serializers.CharField(help_text="Text alternative describing what the chart shows.")
    svg_url = serializers.SerializerMethodField()
    png_url = serializers.SerializerMethodField()
    csv_url = serializers.SerializerMethodField()
    json_url = serializers.SerializerMethodField()
    generated_at = serializers.DateTimeField()
    data = serializers.DictField(help_text="The chart's numbers, as in its JSON file.")
    table = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "object",
            "description": "The numbers as a table: column headings and one row per label.",
            "properties": {
                "header": {"type": "array", "items": {"type": "string"}},
                "rows": {"type": "array", "items": {"type": "array", "items": {}}},
            },
            "required": ["header", "rows"],
        }
    )
    def get_table(self, obj) -> dict:
        return {
            "header": [str(h) for h in getattr(obj, "table_header", [])],
            "rows": [list(row) for row in getattr(obj, "table_rows", [])],
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("curation:api:chart-detail", args=[obj.key]))

    def _file(self, path: str) -> str:
        return _absolute(self.context.get("request"), path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_svg_url(self, obj) -> str:
        return self._file(obj.svg_url)

    @extend_schema_field(OpenApiTypes.URI)
    def get_png_url(self, obj) -> str:
        return self._file(obj.png_url)

    @extend_schema_field(OpenApiTypes.URI)
    def get_csv_url(self, obj) -> str:
        return self._file(obj.csv_url)

    @extend_schema_field(OpenApiTypes.URI)
    def get_json_url(self, obj) -> str:
        return self._file(obj.json_url)
