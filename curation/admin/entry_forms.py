"""Forms of the reviewed admin entries: organisations and AI models with their grades, evidence
links and the rationale every change request carries."""

from django import forms

from curation import vocab
from curation.models import (
    AIModel,
    Dimension,
    Organisation,
)
from curation.registry import active_dimensions, dimension_spec
from curation.review.errors import ValidationFailed
from curation.review.fields import ASSESSMENT_PREFIX, check_http_url, field_for, field_label
from curation.scoring import applies

# --- forms --------------------------------------------------------------------------------


def _links_from_text(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ReviewedForm(forms.ModelForm):
    """A model form whose classified fields are proposed for review, with a rationale."""

    rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why these classification changes? Required whenever a classified field changes.",
    )
    evidence_link = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
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
            self.add_error(
                "rationale",
                "Give a rationale: the change of "
                f"{', '.join(field_label(type(self.instance), n) for n in changed)} will be reviewed.",
            )
        grade_changes = [v for n, v in changed.items() if n.startswith(ASSESSMENT_PREFIX)]
        if grade_changes and not cleaned.get("evidence_link") and not all(v["links"] for v in grade_changes):
            self.add_error("evidence_link", "A changed grade needs an evidence link (here or in the grade's links).")
        return cleaned


class OrganisationAdminForm(ReviewedForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "slug",
            "aliases",
            "link",
            "notes",
            "origin_scope",
            "country",
            "sector",
            "contributor_kind",
            "big_tech_bloc",
        ]

    def classified_values(self) -> dict:
        data = self.cleaned_data
        country = data.get("country")
        return {
            "national_origin": {"scope": data.get("origin_scope"), "country": str(country or "")},
            "contributor_type": {
                "sector": data.get("sector"),
                "kind": data.get("contributor_kind"),
                "bloc": data.get("big_tech_bloc"),
            },
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
        choices=vocab.ModelType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="A model without types is scored on every dimension.",
    )
    hf_repos_text = forms.CharField(
        label="Hugging Face repositories",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Model repositories whose downloads and likes count for this model, one per line "
        "(owner/name or its huggingface.co address). Empty: derived from the model's link and "
        'end-model weights evidence; "none": no repository.',
    )

    class Meta:
        model = AIModel
        fields = [
            "name",
            "slug",
            "link",
            "types",
            "performance_class",
            "organisation",
            "own_origin_scope",
            "own_country",
            "own_sector",
            "own_contributor_kind",
            "own_big_tech_bloc",
            "base_model_name",
            "end_model_name",
            "end_model_licence",
            "release_date",
            "release_date_precision",
            "notes",
        ]
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
            d.ref: {
                "grade": data.get(f"grade__{d.ref}") or vocab.Grade.NOT_ASSESSED,
                "links": _links_from_text(data.get(f"links__{d.ref}", "")),
                "notes": (data.get(f"notes__{d.ref}") or "").strip(),
            }
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
            if data.get("own_origin_scope")
            else None,
            "contributor_type": {
                "sector": data["own_sector"],
                "kind": data.get("own_contributor_kind") or "",
                "bloc": data.get("own_big_tech_bloc") or vocab.BigTechBloc.NONE,
            }
            if data.get("own_sector")
            else None,
        }
        values["hf_repos"] = data.get("hf_repos_text") or None
        types = [t for t in (data.get("types") or "").split(",") if t]
        # Imported models may have no types yet; leaving them empty is not a change to review.
        if types or self.instance.type_list:
            values["types"] = types
        values.update({f"{ASSESSMENT_PREFIX}{ref}": v for ref, v in self.assessment_values().items()})
        return values


def dimension_form_fields(dimension: Dimension) -> dict[str, forms.Field]:
    return {
        f"grade__{dimension.ref}": forms.ChoiceField(
            label=f"{dimension.name}: grade",
            choices=vocab.Grade.choices,
            help_text=_grade_help(dimension),
        ),
        f"links__{dimension.ref}": forms.CharField(
            label="evidence links",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
            help_text="One URL per line.",
        ),
        f"notes__{dimension.ref}": forms.CharField(
            label="notes",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        ),
    }


def applicable_dimensions(ai_model: AIModel | None) -> list[Dimension]:
    """The active dimensions that apply to the model's types (the scoring rule), registry order."""
    types = ai_model.type_list if ai_model else []
    return [d for d in active_dimensions() if applies(dimension_spec(d), types)]
