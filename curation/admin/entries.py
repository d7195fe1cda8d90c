"""Admin of the reviewed entries: organisations and AI models (with their list filters). Saving
never touches the live record for curators and reviewers: the form's values go to
curation.review.services.save_entry, which turns them into change requests (or applies them
directly for superusers and on drafts)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_countries import countries
from django_countries.filters import CountryFilter

from curation import vocab
from curation.admin.entry_forms import (
    AIModelAdminForm,
    OrganisationAdminForm,
    applicable_dimensions,
    dimension_form_fields,
)
from curation.models import (
    AIModel,
    CategoryScore,
    ChangeRequest,
    Dimension,
    DimensionCategory,
    Organisation,
)
from curation.models.classification import EFFECTIVE_FIELDS, annotation_name
from curation.registry import active_dimensions
from curation.review import services
from curation.review.diff import diff_summary
from curation.review.errors import ReviewError, ReviewPermissionDenied
from curation.review.fields import field_label

State = ChangeRequest.State


# --- shared admin behaviour ---------------------------------------------------------------


class ReviewedEntryAdmin(admin.ModelAdmin):
    """Saving goes through the review services; deleting is for superusers and is recorded."""

    readonly_fields = ["publication", "open_requests", "history"]
    review_fieldset = (
        "Review",
        {
            "fields": ["rationale", "evidence_link"],
            "description": "Classified changes are proposed for review, not applied.",
        },
    )
    superuser_review_fieldset = (
        "Review",
        {
            "fields": ["rationale", "evidence_link"],
            "description": "As a superuser your classified changes apply at once; they are recorded in history.",
        },
    )

    def review_fields(self, request, obj):
        if obj is None and not request.user.is_superuser:
            return (
                "Review",
                {
                    "fields": ["rationale", "evidence_link"],
                    "description": "A new entry is saved as a draft; the rationale goes with the request to publish it.",
                },
            )
        if request.user.is_superuser or (obj is not None and not obj.is_public):
            if obj is not None and not obj.is_public and not request.user.is_superuser:
                return (
                    "Review",
                    {
                        "fields": ["rationale", "evidence_link"],
                        "description": "This entry is a draft: edits apply at once; its publication is what gets reviewed.",
                    },
                )
            return self.superuser_review_fieldset
        return self.review_fieldset

    record_fieldset = (
        "Publication, open proposals and history",
        {"fields": ["publication", "open_requests", "history"]},
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                extra = {"assessments": form.assessment_values()} if hasattr(form, "assessment_values") else {}
                outcome = services.create_entry(
                    obj, user=request.user, rationale=form.cleaned_data.get("rationale"), **extra
                )
                if isinstance(outcome, ChangeRequest):
                    request._review_message = (
                        f"“{obj}” was saved as a draft, hidden from readers; its publication "
                        f"awaits review (change request #{outcome.pk})."
                    )
                return
            details = {k: form.cleaned_data[k] for k in services.DETAIL_FIELDS[type(obj)] if k in form.cleaned_data}
            classified = getattr(form, "pending_changes", {})
            outcome = services.save_entry(
                obj,
                user=request.user,
                details=details,
                classified=classified,
                rationale=form.cleaned_data.get("rationale", ""),
                evidence_link=form.cleaned_data.get("evidence_link", ""),
            )
        except ReviewPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except ReviewError as exc:  # e.g. the live value moved on while the form was open
            request._review_error = f"Nothing was saved: {exc}"
            return
        obj.refresh_from_db()
        if outcome.proposals:
            numbers = ", ".join(f"#{cr.pk}" for cr in outcome.proposals)
            request._review_message = (
                f"{len(outcome.proposals)} change(s) to “{obj}” were proposed for review ({numbers}); "
                "the live record is unchanged until a reviewer approves them."
            )

    def save_related(self, request, form, formsets, change):
        """Nothing to save: every field went through the review services in save_model."""

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        review_error = getattr(request, "_review_error", None)
        if review_error and level == messages.SUCCESS:
            return super().message_user(request, review_error, messages.ERROR, *args, **kwargs)
        review_message = getattr(request, "_review_message", None)
        if review_message and level == messages.SUCCESS:
            return super().message_user(request, review_message, messages.INFO, *args, **kwargs)
        return super().message_user(request, message, level, *args, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def delete_model(self, request, obj):
        services.delete_entry(obj, user=request.user, rationale="Deleted in the admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_entry(obj, user=request.user, rationale="Deleted in the admin")

    @admin.display(description="Publication")
    def publication(self, obj):
        if obj is None or obj.pk is None:
            return "New entries by curators are drafts until a reviewer approves their publication."
        return "Published" if obj.is_public else "Draft — hidden from readers until its publication is approved"

    @admin.display(description="Open proposals")
    def open_requests(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        requests = obj.change_requests.filter(state__in=[State.PENDING, State.STALE]).select_related("proposer")
        if not requests:
            return "None"
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">#{}</a> {} · {} · {} ({})',
            (
                (
                    reverse("admin:curation_changerequest_change", args=[cr.pk]),
                    cr.pk,
                    field_label(type(obj), cr.field),
                    diff_summary(cr),
                    cr.proposer,
                    cr.get_state_display(),
                )
                for cr in requests
            ),
        )

    @admin.display(description="History")
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        entries = list(obj.history_entries.select_related("proposer", "approver")[:20])
        if not entries:
            return "No recorded changes yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{e.applied_at:%Y-%m-%d %H:%M}",
                    field_label(type(obj), e.field),
                    diff_summary(e),
                    e.proposer or "—",
                    e.approver or ("import" if e.import_run_id else "draft edit" if e.draft_edit else "—"),
                )
                for e in entries
            ),
        )
        lookup = "ai_model" if isinstance(obj, AIModel) else "organisation"
        link = reverse("admin:curation_historyentry_changelist") + f"?{lookup}__id__exact={obj.pk}"
        return format_html(
            "<table><thead><tr><th>Applied</th><th>Field</th><th>Change</th><th>Proposed by</th>"
            '<th>Approved by</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">Full history</a></p>',
            rows,
            link,
        )


def _pending_count(obj) -> int:
    return getattr(obj, "pending_count", 0)


# --- organisations ------------------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(ReviewedEntryAdmin):
    form = OrganisationAdminForm
    list_display = [
        "name",
        "origin_display",
        "region",
        "sector",
        "contributor_kind",
        "big_tech_bloc",
        "classification_status",
        "is_public",
        "model_count",
        "score",
        "pending",
    ]
    list_filter = [
        "sector",
        "contributor_kind",
        "big_tech_bloc",
        ("country", CountryFilter),
        "region",
        "classification_status",
        "is_public",
    ]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [*ReviewedEntryAdmin.readonly_fields, "region", "classification_status"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": list(services.DETAIL_FIELDS[Organisation])}),
            (
                "Classification",
                {
                    "fields": [
                        "origin_scope",
                        "country",
                        "region",
                        "sector",
                        "contributor_kind",
                        "big_tech_bloc",
                        "classification_status",
                    ]
                },
            ),
            self.review_fields(request, obj),
            self.record_fieldset,
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                models_total=Count("ai_models", distinct=True),
                mean_score=Avg("ai_models__total_score"),
                pending_count=Count("change_requests", filter=Q(change_requests__state=State.PENDING), distinct=True),
            )
        )

    @admin.display(description="National origin", ordering="country")
    def origin_display(self, obj):
        return obj.origin_display

    @admin.display(description="Mean model score", ordering="mean_score")
    def score(self, obj):
        return "—" if obj.mean_score is None else f"{obj.mean_score:.0%}"

    @admin.display(description="Models", ordering="models_total")
    def model_count(self, obj):
        return obj.models_total

    @admin.display(description="Pending proposals", ordering="pending_count")
    def pending(self, obj):
        return _pending_count(obj)


# --- AI models ----------------------------------------------------------------------------


class ModelTypeFilter(admin.SimpleListFilter):
    title = "type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return vocab.ModelType.choices

    def queryset(self, request, queryset):
        return queryset.with_type(self.value()) if self.value() else queryset


class OrganisationCountryFilter(admin.SimpleListFilter):
    title = "national origin"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        # order_by() first: the default ordering by name would make DISTINCT keep duplicates.
        codes = Organisation.objects.exclude(country="").order_by().values_list("country", flat=True).distinct()
        names = dict(countries)
        return sorted(((c, names.get(c, c)) for c in codes), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.with_classification("country").filter(effective_country=self.value())


def _organisation_choice_filter(field: str, title: str, choices):
    """Filter models by a classification field: the model's effective value (its own, else its
    organisation's) where models have one, else the organisation's (classification status)."""
    effective = field in EFFECTIVE_FIELDS

    class Filter(admin.SimpleListFilter):
        parameter_name = f"organisation_{field}"

        def lookups(self, request, model_admin):
            return choices

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            if effective:
                return queryset.with_classification(field).filter(**{annotation_name(field): self.value()})
            return queryset.filter(**{f"organisation__{field}": self.value()})

    Filter.title = title
    Filter.__name__ = f"Organisation{field.title().replace('_', '')}Filter"
    return Filter


def _grade_filter(dimension: Dimension):
    class GradeFilter(admin.SimpleListFilter):
        parameter_name = f"grade_{dimension.ref}"

        def lookups(self, request, model_admin):
            return vocab.Grade.choices

        def queryset(self, request, queryset):
            if not self.value():
                return queryset
            return queryset.filter(assessments__dimension_id=dimension.pk, assessments__grade=self.value())

    GradeFilter.title = f"grade: {dimension.name}"
    GradeFilter.__name__ = f"GradeFilter_{dimension.ref}"
    return GradeFilter


def _category_column(category: DimensionCategory):
    def column(obj):
        value = getattr(obj, f"category_score_{category.ref}", None)
        return "—" if value is None else f"{value:.0%}"

    column.short_description = category.name
    column.admin_order_field = f"category_score_{category.ref}"
    column.__name__ = f"category_score_{category.ref}"
    return column


@admin.register(AIModel)
class AIModelAdmin(ReviewedEntryAdmin):
    form = AIModelAdminForm
    search_fields = ["name", "slug", "organisation__name", "base_model_name", "end_model_name"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    list_per_page = 50

    def get_list_display(self, request):
        columns = ["name", "organisation", "types", "performance_class", "score"]
        columns += [_category_column(c) for c in DimensionCategory.objects.all()]
        return [*columns, "is_public", "pending"]

    def get_list_filter(self, request):
        filters = [
            ModelTypeFilter,
            "performance_class",
            _organisation_choice_filter("sector", "sector", vocab.Sector.choices),
            _organisation_choice_filter("big_tech_bloc", "Big Tech bloc", vocab.BigTechBloc.choices),
            OrganisationCountryFilter,
            _organisation_choice_filter("region", "region", vocab.Region.choices),
            _organisation_choice_filter(
                "classification_status", "classification status", vocab.ClassificationStatus.choices
            ),
            "is_public",
        ]
        return filters + [_grade_filter(d) for d in active_dimensions()]

    # The changelist counts the filtered list only: a second count of the whole table costs as
    # much again at 100,000 models and says little.
    show_full_result_count = False

    def get_queryset(self, request):
        # Pending proposals as a subquery per row shown: a join and GROUP BY over every model
        # (and its count) would grow with the whole table.
        pending = (
            ChangeRequest.objects.filter(ai_model=OuterRef("pk"), state=State.PENDING)
            .order_by()
            .values("ai_model")
            .annotate(n=Count("pk"))
            .values("n")
        )
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                pending_count=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
            )
        )
        for category in DimensionCategory.objects.all():
            score = CategoryScore.objects.filter(ai_model=OuterRef("pk"), category=category).values("score")[:1]
            queryset = queryset.annotate(**{f"category_score_{category.ref}": Subquery(score)})
        return queryset

    def get_form(self, request, obj=None, change=False, **kwargs):
        dimensions = applicable_dimensions(obj)
        attrs = {"dimensions": dimensions}
        for dimension in dimensions:
            attrs.update(dimension_form_fields(dimension))
        base = type("AIModelAdminForm", (AIModelAdminForm,), attrs)
        kwargs["form"] = base
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {"fields": list(services.DETAIL_FIELDS[AIModel])},
            ),
            ("Classification", {"fields": ["types", "performance_class", "organisation", "hf_repos_text"]}),
            (
                "Own classification (only where upstream tags this model apart from its organisation)",
                {
                    "fields": [
                        "own_origin_scope",
                        "own_country",
                        "own_sector",
                        "own_contributor_kind",
                        "own_big_tech_bloc",
                    ],
                },
            ),
        ]
        by_category: dict[DimensionCategory, list[Dimension]] = {}
        for dimension in applicable_dimensions(obj):
            by_category.setdefault(dimension.category, []).append(dimension)
        for category, dims in by_category.items():
            fields = []
            for d in dims:
                fields.append((f"grade__{d.ref}", f"links__{d.ref}", f"notes__{d.ref}"))
            fieldsets.append((f"Openness: {category.name}", {"fields": fields}))
        return [*fieldsets, self.review_fields(request, obj), self.record_fieldset]

    @admin.display(description="Total score", ordering="total_score")
    def score(self, obj):
        return f"{obj.total_score:.0%}"

    @admin.display(description="Pending proposals", ordering="pending_count")
    def pending(self, obj):
        return _pending_count(obj)
