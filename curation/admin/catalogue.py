"""Admin for curators and reviewers: organisations, AI models with their grades, the dimension
registry, the review queue and history.

Saving a classified field here never touches the live record for curators and reviewers: the
form's values go to curation.review.services.save_entry, which turns them into change requests
(or applies them directly for superusers and on drafts). Reviewers decide in the change request
views, which call the review services; the services check every permission themselves.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_countries import countries
from django_countries.filters import CountryFilter

from curation import not_included, roles, vocab
from curation.admin.base import ReadOnlyAdmin
from curation.models import (
    AIModel, CategoryScore, ChangeRequest, DeclinedCandidate, Dimension, DimensionCategory, HistoryEntry,
    ImportRun, Organisation, ReviewEvent,
)
from curation.models.classification import EFFECTIVE_FIELDS, annotation_name
from curation.registry import active_dimensions, dimension_spec
from curation.review import services
from curation.review.diff import content_table, diff_summary, diff_table
from curation.review.errors import ReviewError, ReviewPermissionDenied, ValidationFailed
from curation.review.fields import ASSESSMENT_PREFIX, check_http_url, field_for, field_label
from curation.scoring import applies

State = ChangeRequest.State


# --- forms --------------------------------------------------------------------------------

def _links_from_text(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ReviewedForm(forms.ModelForm):
    """A model form whose classified fields are proposed for review, with a rationale."""

    rationale = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why these classification changes? Required whenever a classified field changes.",
    )
    evidence_link = forms.URLField(
        required=False, max_length=500, assume_scheme="https",
        help_text="Evidence for the changes. Required for a changed grade unless the grade's own "
                  "evidence links are filled in.",
    )

    user = None  # set by the admin's get_form

    def classified_values(self) -> dict:
        raise NotImplementedError

    def changed_classified(self) -> dict:
        """Classified fields whose submitted value differs from the live one (needs a saved instance)."""
        if not self.instance.pk:
            return {}
        changed = {}
        for name, value in self.classified_values().items():
            field = field_for(self.instance, name)
            try:
                value = field.clean(value)
            except ValidationFailed as exc:
                raise forms.ValidationError(str(exc)) from None
            if not field.same(field.read(self.instance), value):
                changed[name] = value
        return changed

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        changed = self.changed_classified()
        self.pending_changes = changed
        if not changed or not self.instance.is_public:
            return cleaned
        if not (cleaned.get("rationale") or "").strip():
            self.add_error("rationale", "Give a rationale: the change of "
                           f"{', '.join(field_label(type(self.instance), n) for n in changed)} will be reviewed.")
        grade_changes = [v for n, v in changed.items() if n.startswith(ASSESSMENT_PREFIX)]
        if grade_changes and not cleaned.get("evidence_link") and not all(v["links"] for v in grade_changes):
            self.add_error("evidence_link", "A changed grade needs an evidence link (here or in the grade's links).")
        return cleaned


class OrganisationAdminForm(ReviewedForm):
    class Meta:
        model = Organisation
        fields = ["name", "slug", "aliases", "link", "notes", "origin_scope", "country", "sector",
                  "contributor_kind", "big_tech_bloc"]

    def classified_values(self) -> dict:
        data = self.cleaned_data
        country = data.get("country")
        return {
            "national_origin": {"scope": data.get("origin_scope"), "country": str(country or "")},
            "contributor_type": {"sector": data.get("sector"), "kind": data.get("contributor_kind"),
                                 "bloc": data.get("big_tech_bloc")},
        }


def _grade_help(dimension: Dimension) -> str:
    parts = [dimension.description]
    for grade in vocab.ASSESSED_GRADES:
        text = getattr(dimension, f"criteria_{grade}")
        if text:
            parts.append(f"{vocab.Grade(grade).label}: {text}")
    return " — ".join(p for p in parts if p)


class AIModelAdminForm(ReviewedForm):
    types = forms.MultipleChoiceField(
        choices=vocab.ModelType.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="A model without types is scored on every dimension.",
    )
    hf_repos_text = forms.CharField(
        label="Hugging Face repositories", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Model repositories whose downloads and likes count for this model, one per line "
                  "(owner/name or its huggingface.co address). Empty: derived from the model's link and "
                  "end-model weights evidence; \"none\": no repository.",
    )

    class Meta:
        model = AIModel
        fields = ["name", "slug", "link", "types", "performance_class", "organisation", "own_origin_scope",
                  "own_country", "own_sector", "own_contributor_kind", "own_big_tech_bloc", "base_model_name",
                  "end_model_name", "end_model_licence", "release_date", "release_date_precision", "notes"]
        help_texts = {
            "own_origin_scope": "Only where upstream tags this model apart from its organisation (e.g. a "
                                "collaboration); empty: as its organisation.",
            "own_sector": "Sector, kind and Big Tech bloc of this model where they differ from its "
                          "organisation's; empty sector: all three as its organisation.",
        }

    dimensions: list[Dimension] = []  # set per request by the admin's get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["types"] = self.instance.type_list
        repos = self.instance.hf_repos
        self.initial["hf_repos_text"] = "" if repos is None else ("\n".join(repos) or "none")
        current = {}
        if self.instance.pk:
            current = {a.dimension_id: a for a in self.instance.assessments.all()}
        for dimension in self.dimensions:
            found = current.get(dimension.pk)
            self.initial.setdefault(f"grade__{dimension.ref}", found.grade if found else vocab.Grade.NOT_ASSESSED)
            self.initial.setdefault(f"links__{dimension.ref}", "\n".join(found.links or []) if found else "")
            self.initial.setdefault(f"notes__{dimension.ref}", found.notes if found else "")

    def clean_types(self):
        return ",".join(t for t in vocab.ModelType.values if t in self.cleaned_data["types"])

    def clean(self):
        for dimension in self.dimensions:
            for link in _links_from_text(self.cleaned_data.get(f"links__{dimension.ref}", "")):
                try:
                    check_http_url(link, "evidence link")
                except ValidationFailed:
                    self.add_error(f"links__{dimension.ref}", f"{link!r} is not an http(s) URL")
        if not self.instance.pk:  # a new entry takes its repositories with the rest of the form
            try:
                self.instance.hf_repos = field_for(AIModel, "hf_repos").clean(self.cleaned_data.get("hf_repos_text"))
            except ValidationFailed as exc:
                self.add_error("hf_repos_text", str(exc))
        return super().clean()

    def assessment_values(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            d.ref: {"grade": data.get(f"grade__{d.ref}") or vocab.Grade.NOT_ASSESSED,
                    "links": _links_from_text(data.get(f"links__{d.ref}", "")),
                    "notes": (data.get(f"notes__{d.ref}") or "").strip()}
            for d in self.dimensions
        }

    def classified_values(self) -> dict:
        data = self.cleaned_data
        organisation = data.get("organisation")
        values = {
            "performance_class": data.get("performance_class") or "",
            "organisation": {"id": organisation.pk} if organisation else None,
            # Empty kind (origin) or sector (contributor type): as its organisation.
            "national_origin": {"scope": data["own_origin_scope"], "country": str(data.get("own_country") or "")}
            if data.get("own_origin_scope") else None,
            "contributor_type": {"sector": data["own_sector"], "kind": data.get("own_contributor_kind") or "",
                                 "bloc": data.get("own_big_tech_bloc") or vocab.BigTechBloc.NONE}
            if data.get("own_sector") else None,
        }
        values["hf_repos"] = data.get("hf_repos_text") or None
        types = [t for t in (data.get("types") or "").split(",") if t]
        # Imported models may have no types yet; leaving them empty is not a change to review.
        if types or self.instance.type_list:
            values["types"] = types
        values.update({f"{ASSESSMENT_PREFIX}{ref}": v for ref, v in self.assessment_values().items()})
        return values


def _dimension_fields(dimension: Dimension) -> dict[str, forms.Field]:
    return {
        f"grade__{dimension.ref}": forms.ChoiceField(
            label=f"{dimension.name}: grade", choices=vocab.Grade.choices, help_text=_grade_help(dimension),
        ),
        f"links__{dimension.ref}": forms.CharField(
            label="evidence links", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
            help_text="One URL per line.",
        ),
        f"notes__{dimension.ref}": forms.CharField(
            label="notes", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        ),
    }


def _applicable_dimensions(ai_model: AIModel | None) -> list[Dimension]:
    """The active dimensions that apply to the model's types (the scoring rule), registry order."""
    types = ai_model.type_list if ai_model else []
    return [
        d for d in active_dimensions() if applies(dimension_spec(d), types)
    ]


# --- shared admin behaviour ---------------------------------------------------------------

class ReviewedEntryAdmin(admin.ModelAdmin):
    """Saving goes through the review services; deleting is for superusers and is recorded."""

    readonly_fields = ["publication", "open_requests", "history"]
    review_fieldset = ("Review", {"fields": ["rationale", "evidence_link"],
                                  "description": "Classified changes are proposed for review, not applied."})
    superuser_review_fieldset = ("Review", {
        "fields": ["rationale", "evidence_link"],
        "description": "As a superuser your classified changes apply at once; they are recorded in history.",
    })

    def review_fields(self, request, obj):
        if obj is None and not request.user.is_superuser:
            return ("Review", {"fields": ["rationale", "evidence_link"], "description":
                               "A new entry is saved as a draft; the rationale goes with the request to publish it."})
        if request.user.is_superuser or (obj is not None and not obj.is_public):
            if obj is not None and not obj.is_public and not request.user.is_superuser:
                return ("Review", {"fields": ["rationale", "evidence_link"], "description":
                                   "This entry is a draft: edits apply at once; its publication is what gets reviewed."})
            return self.superuser_review_fieldset
        return self.review_fieldset
    record_fieldset = ("Publication, open proposals and history",
                       {"fields": ["publication", "open_requests", "history"]})

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                extra = {"assessments": form.assessment_values()} if hasattr(form, "assessment_values") else {}
                outcome = services.create_entry(obj, user=request.user, rationale=form.cleaned_data.get("rationale"),
                                                **extra)
                if isinstance(outcome, ChangeRequest):
                    request._review_message = (
                        f"“{obj}” was saved as a draft, hidden from readers; its publication "
                        f"awaits review (change request #{outcome.pk})."
                    )
                return
            details = {k: form.cleaned_data[k] for k in services.DETAIL_FIELDS[type(obj)] if k in form.cleaned_data}
            classified = getattr(form, "pending_changes", {})
            outcome = services.save_entry(
                obj, user=request.user, details=details, classified=classified,
                rationale=form.cleaned_data.get("rationale", ""), evidence_link=form.cleaned_data.get("evidence_link", ""),
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
            mark_safe("<br>"), '<a href="{}">#{}</a> {} · {} · {} ({})',
            ((reverse("admin:curation_changerequest_change", args=[cr.pk]), cr.pk, field_label(type(obj), cr.field),
              diff_summary(cr), cr.proposer, cr.get_state_display()) for cr in requests),
        )

    @admin.display(description="History")
    def history(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        entries = list(obj.history_entries.select_related("proposer", "approver")[:20])
        if not entries:
            return "No recorded changes yet."
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((f"{e.applied_at:%Y-%m-%d %H:%M}", field_label(type(obj), e.field), diff_summary(e),
              e.proposer or "—",
              e.approver or ("import" if e.import_run_id else "draft edit" if e.draft_edit else "—"))
             for e in entries),
        )
        lookup = "ai_model" if isinstance(obj, AIModel) else "organisation"
        link = reverse("admin:curation_historyentry_changelist") + f"?{lookup}__id__exact={obj.pk}"
        return format_html(
            '<table><thead><tr><th>Applied</th><th>Field</th><th>Change</th><th>Proposed by</th>'
            '<th>Approved by</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">Full history</a></p>',
            rows, link,
        )


def _pending_count(obj) -> int:
    return getattr(obj, "pending_count", 0)


# --- organisations ------------------------------------------------------------------------

@admin.register(Organisation)
class OrganisationAdmin(ReviewedEntryAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "origin_display", "region", "sector", "contributor_kind", "big_tech_bloc",
                    "classification_status", "is_public", "model_count", "score", "pending"]
    list_filter = ["sector", "contributor_kind", "big_tech_bloc", ("country", CountryFilter), "region",
                   "classification_status", "is_public"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [*ReviewedEntryAdmin.readonly_fields, "region", "classification_status"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["name", "slug", "aliases", "link", "notes"]}),
            ("Classification", {"fields": ["origin_scope", "country", "region", "sector", "contributor_kind",
                                           "big_tech_bloc", "classification_status"]}),
            self.review_fields(request, obj),
            self.record_fieldset,
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            models_total=Count("ai_models", distinct=True),
            mean_score=Avg("ai_models__total_score"),
            pending_count=Count("change_requests", filter=Q(change_requests__state=State.PENDING), distinct=True),
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
            ModelTypeFilter, "performance_class",
            _organisation_choice_filter("sector", "sector", vocab.Sector.choices),
            _organisation_choice_filter("big_tech_bloc", "Big Tech bloc", vocab.BigTechBloc.choices),
            OrganisationCountryFilter,
            _organisation_choice_filter("region", "region", vocab.Region.choices),
            _organisation_choice_filter("classification_status", "classification status",
                                        vocab.ClassificationStatus.choices),
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
            .order_by().values("ai_model").annotate(n=Count("pk")).values("n")
        )
        queryset = super().get_queryset(request).annotate(
            pending_count=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
        )
        for category in DimensionCategory.objects.all():
            score = CategoryScore.objects.filter(ai_model=OuterRef("pk"), category=category).values("score")[:1]
            queryset = queryset.annotate(**{f"category_score_{category.ref}": Subquery(score)})
        return queryset

    def get_form(self, request, obj=None, change=False, **kwargs):
        dimensions = _applicable_dimensions(obj)
        attrs = {"dimensions": dimensions}
        for dimension in dimensions:
            attrs.update(_dimension_fields(dimension))
        base = type("AIModelAdminForm", (AIModelAdminForm,), attrs)
        kwargs["form"] = base
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["name", "slug", "link", "base_model_name", "end_model_name", "end_model_licence",
                               "release_date", "release_date_precision", "notes"]}),
            ("Classification", {"fields": ["types", "performance_class", "organisation", "hf_repos_text"]}),
            ("Own classification (only where upstream tags this model apart from its organisation)", {
                "fields": ["own_origin_scope", "own_country", "own_sector", "own_contributor_kind",
                           "own_big_tech_bloc"],
            }),
        ]
        by_category: dict[DimensionCategory, list[Dimension]] = {}
        for dimension in _applicable_dimensions(obj):
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


# --- the dimension registry ---------------------------------------------------------------
# Which dimensions exist, their categories and the model types they apply to decide every score,
# so they change only through `manage.py load_registry` (which keeps scores consistent). The
# admin edits the texts readers and curators read: names, descriptions, criteria.

_REGISTRY_STRUCTURE = ["ref", "category", "position", "applicable_types", "is_active"]


class DimensionInline(admin.TabularInline):
    model = Dimension
    fields = ["ref", "name", "position", "applicable_types", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class RegistryTextAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_registry_texts(obj, user=request.user)


@admin.register(DimensionCategory)
class DimensionCategoryAdmin(RegistryTextAdmin):
    list_display = ["name", "ref", "position"]
    readonly_fields = ["ref", "position"]
    inlines = [DimensionInline]


@admin.register(Dimension)
class DimensionAdmin(RegistryTextAdmin):
    list_display = ["name", "ref", "category", "applicable_types", "is_active", "position"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "ref", "description"]
    readonly_fields = _REGISTRY_STRUCTURE


# --- the review queue ---------------------------------------------------------------------

class DiffColumnsMixin:
    """Before/after columns of a change request or a history entry."""

    @admin.display(description="Before → after")
    def change(self, obj):
        return diff_summary(obj)

    @admin.display(description="Before and after")
    def diff(self, obj):
        return diff_table(obj)


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    fields = ["at", "actor", "action", "from_state", "to_state", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MyQueueFilter(admin.SimpleListFilter):
    title = "for me"
    parameter_name = "for_me"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting my review"), ("mine", "My open proposals")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return services.awaiting_review(request.user, queryset)
        if self.value() == "mine":
            return services.open_proposals(request.user, queryset)
        return queryset


class ChangedFieldFilter(admin.SimpleListFilter):
    """The field a change request changes, by its label (a dimension's name from the registry,
    a field's verbose name) rather than its stored key such as `assessment:paper`."""
    title = "field"
    parameter_name = "field__exact"  # the address Django's own field filter used, so links keep working

    def lookups(self, request, model_admin):
        labels = {}
        for field, on_model in (model_admin.get_queryset(request).order_by()
                                .values_list("field", "ai_model_id").distinct()):
            labels.setdefault(field, field_label(AIModel if on_model else Organisation, field))
        return sorted(labels.items(), key=lambda item: item[1].lower())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(field=self.value())
        return queryset


class RejectForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Told to the proposer.")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(DiffColumnsMixin, admin.ModelAdmin):
    # The state first: a review queue is read for what is still pending.
    list_display = ["number", "state", "target_link", "field_name", "change", "origin", "submitted_at"]
    list_filter = [MyQueueFilter, "state", "from_public", ChangedFieldFilter, "proposer"]
    search_fields = ["target_label", "rationale", "field", "source_value"]
    list_select_related = ["proposer", "ai_model", "organisation"]
    ordering = ["submitted_at", "id"]
    actions = ["approve_selected", "reject_selected"]
    inlines = [ReviewEventInline]
    fields = ["state", "target_link", "field_name", "diff", "content_to_publish", "rationale", "evidence", "source_value", "origin",
              "outcome_by_email", "submitted_at", "created_at", "decided_by", "decided_at", "decision_comment"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not roles.is_reviewer(request.user):
            actions.pop("approve_selected", None)
            actions.pop("reject_selected", None)
        return actions

    @admin.display(description="#", ordering="id")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description="Target", ordering="target_label")
    def target_link(self, obj):
        target = obj.target
        if target is None:
            return f"{obj.target_label} (deleted)"
        url = reverse(f"admin:curation_{type(target)._meta.model_name}_change", args=[target.pk])
        return format_html('<a href="{}">{}</a>', url, obj.target_label)

    @admin.display(description="Field", ordering="field")
    def field_name(self, obj):
        return field_label(type(obj.target) if obj.target else None, obj.field)

    @admin.display(description="Content to publish")
    def content_to_publish(self, obj):
        """For a publication request: exactly what approval publishes, and what changed since."""
        if not obj.is_publication:
            return "—"
        if obj.content is None:
            return "Not recorded (an older request): renew it so that its content can be reviewed."
        target = obj.target
        live = services.publication_content(target) if target is not None else None
        return content_table(type(target) if target else None, obj.content, live)

    @admin.display(description="Proposed by", ordering="proposer__username")
    def origin(self, obj):
        """Who proposed it; a reader's suggestion on the public form is marked as such."""
        if obj.from_public:
            return mark_safe('<strong class="public-suggestion">A reader (public suggestion)</strong>')
        return obj.proposer.get_username()

    @admin.display(description="Outcome told by e-mail")
    def outcome_by_email(self, obj):
        """Whether deciding it e-mails the reader who suggested it (the rejection comment too)."""
        if not obj.from_public:
            return "—"
        if obj.submitter_email:
            return "Yes: the reader hears whether it was accepted, and a rejection's comment."
        return "No: the reader gave no e-mail address."

    @admin.display(description="Evidence")
    def evidence(self, obj):
        if not obj.evidence_link:
            return "—"
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.evidence_link, obj.evidence_link)

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [path("<int:pk>/decide/", decide, name="curation_changerequest_decide"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        cr = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if cr is not None:
            allowed = services.available_actions(cr, request.user)
            extra_context.update(
                {f"can_{action}": action in allowed for action in ("approve", "reject", "withdraw", "renew")},
                decide_url=reverse("admin:curation_changerequest_decide", args=[cr.pk]),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, pk):
        """POST action=approve|reject|withdraw|renew with an optional comment."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:curation_changerequest_change", args=[pk]))
        if not self.has_view_permission(request):
            raise PermissionDenied("You may not see change requests.")
        cr = get_object_or_404(ChangeRequest, pk=pk)
        action = request.POST.get("action", "")
        comment = request.POST.get("comment", "")
        operations = {
            "approve": lambda: services.approve(cr, request.user, comment),
            "reject": lambda: services.reject(cr, request.user, comment),
            "withdraw": lambda: services.withdraw(cr, request.user, comment),
            "renew": lambda: services.renew(cr, request.user, comment),
        }
        if action not in operations:
            messages.error(request, f"Unknown action {action!r}: use approve, reject, withdraw or renew.")
        else:
            try:
                operations[action]()
            except ReviewPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            except ReviewError as exc:
                messages.error(request, str(exc))
            else:
                done = {"approve": "approved and applied", "reject": "rejected", "withdraw": "withdrawn",
                        "renew": "renewed on the current value"}[action]
                messages.success(request, f"Change request #{cr.pk} ({cr.target_label} · {cr.field}) {done}.")
        return HttpResponseRedirect(reverse("admin:curation_changerequest_change", args=[pk]))

    @admin.action(description="Approve selected change requests")
    def approve_selected(self, request, queryset):
        applied, refused = services.approve_many(list(queryset.order_by("submitted_at", "id")), request.user)
        if applied:
            self.message_user(request, f"Approved and applied {len(applied)} change request(s).", messages.SUCCESS)
        for cr, reason in refused:
            self.message_user(request, f"#{cr.pk} not approved: {reason}", messages.ERROR)

    @admin.action(description="Reject selected change requests (asks for a comment)")
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = services.reject_many(list(queryset), request.user, form.cleaned_data["comment"])
            if done:
                self.message_user(request, f"Rejected {len(done)} change request(s).", messages.SUCCESS)
            for cr, reason in refused:
                self.message_user(request, f"#{cr.pk} not rejected: {reason}", messages.ERROR)
            return None
        return TemplateResponse(request, "admin/curation/changerequest/reject_selected.html", {
            **self.admin_site.each_context(request),
            "title": "Reject change requests",
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


# --- history ------------------------------------------------------------------------------

@admin.register(HistoryEntry)
class HistoryEntryAdmin(DiffColumnsMixin, ReadOnlyAdmin):
    list_display = ["applied_at", "target_label", "field", "change", "proposer", "approver", "import_run"]
    list_filter = ["field", ("ai_model", admin.RelatedOnlyFieldListFilter),
                   ("organisation", admin.RelatedOnlyFieldListFilter), "import_run", "draft_edit"]
    search_fields = ["target_label", "field", "rationale"]
    list_select_related = ["proposer", "approver", "import_run"]
    date_hierarchy = "applied_at"
    fields = ["applied_at", "target_label", "ai_model", "organisation", "field", "diff", "proposer", "approver",
              "proposed_at", "rationale", "evidence_link", "review_comment", "change_request", "import_run",
              "draft_edit"]
    readonly_fields = fields


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "source", "user", "created_count", "updated_count", "unchanged_count",
                    "skipped_count", "change_count", "unmapped_tag_count"]
    search_fields = ["source"]
    readonly_fields = ["started_at", "source", "user", "created_count", "updated_count", "unchanged_count",
                       "skipped_count", "change_count", "unmapped_tag_count", "summary"]


# --- models not included ------------------------------------------------------------------

@admin.register(DeclinedCandidate)
class DeclinedCandidateAdmin(admin.ModelAdmin):
    """The public list of models considered and declined; saved through curation.not_included."""

    list_display = ["name", "organisation", "considered_on", "curator"]
    search_fields = ["name", "organisation", "reason"]
    date_hierarchy = "considered_on"
    fields = ["name", "organisation", "link", "considered_on", "reason", "curator"]
    readonly_fields = ["curator"]

    def save_model(self, request, obj, form, change):
        try:
            not_included.save_declined_candidate(obj, user=request.user)
        except ReviewPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_model(self, request, obj):
        try:
            not_included.delete_declined_candidate(obj, user=request.user)
        except ReviewPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
