"""The classified fields: what a change request may change, and how.

Each field knows how to read its live value as JSON, check a proposed value, write it, compare
two values and show one to people. Dimension grades are one field per dimension of the
registry, named `assessment:<dimension_ref>` with values `{"grade", "links", "notes"}`.
Vocabularies come from curation.vocab; dimensions from the registry; nothing is listed here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django_countries import countries

from curation import hfrepos, vocab
from curation.models import AIModel, Assessment, Dimension, Organisation
from curation.weblinks import is_http_url

from .errors import ValidationFailed

ASSESSMENT_PREFIX = "assessment:"


def check_http_url(value: str, what: str, *, field: str | None = None) -> None:
    """Refuse anything but an http(s) URL (curation.weblinks.is_http_url), naming what the value
    was for: the services' form of the one link check, for websites and evidence links alike."""
    if not is_http_url(value):
        raise ValidationFailed(f"{what} {value!r} is not an http(s) URL", field=field)


@dataclass(frozen=True)
class ClassifiedField:
    name: str
    label: str
    target_model: type
    read: Callable[[Any], Any]
    clean: Callable[[Any], Any]
    write: Callable[[Any, Any], None]
    display: Callable[[Any], str]
    # The part of a value that decides whether two values are the same change.
    identity: Callable[[Any], Any] = lambda value: value
    needs_evidence: bool = False

    def same(self, a, b) -> bool:
        return self.identity(a) == self.identity(b)


def _choice(enum, what: str, allow_blank: bool = False):
    def clean(value):
        value = "" if value is None else str(value)
        if value == "" and allow_blank:
            return ""
        if value not in enum.values:
            raise ValidationFailed(f"{what}: {value!r} is not one of {', '.join(enum.values)}")
        return value

    return clean


def _label(enum, value) -> str:
    if not value:
        return "(none)"
    try:
        return str(enum(value).label)
    except ValueError:
        return str(value)


# --- organisations ------------------------------------------------------------------------


def _read_origin(org: Organisation):
    return {"scope": org.origin_scope, "country": org.country.code if org.country else ""}  # type: ignore[attr-defined]  # a CountryField holds a Country; django-countries has no stubs


def _clean_origin(value):
    if not isinstance(value, dict):
        raise ValidationFailed("national origin: expected a scope and a country")
    scope = _choice(vocab.OriginScope, "national origin kind")(value.get("scope"))
    country = str(value.get("country") or "").upper()
    if scope == vocab.OriginScope.COUNTRY:
        if country not in dict(countries):
            raise ValidationFailed(f"national origin: {country or '(empty)'} is not an ISO country code")
    elif country:
        raise ValidationFailed(f"national origin: a country is given only when the kind is 'country', not {scope!r}")
    return {"scope": scope, "country": country}


def _refresh_classification_status(org: Organisation) -> None:
    classified = org.origin_scope != vocab.OriginScope.UNKNOWN and bool(org.sector)
    org.classification_status = (
        vocab.ClassificationStatus.CLASSIFIED if classified else vocab.ClassificationStatus.NEEDS_REVIEW
    )


def _write_origin(org: Organisation, value) -> None:
    org.origin_scope = value["scope"]
    org.country = value["country"]
    _refresh_classification_status(org)
    org.save()


def _display_origin(value) -> str:
    if not value:
        return "(none)"
    if value.get("scope") == vocab.OriginScope.COUNTRY:
        return str(dict(countries).get(value.get("country"), value.get("country")))
    return _label(vocab.OriginScope, value.get("scope"))


def _read_contributor(org: Organisation):
    return {"sector": org.sector, "kind": org.contributor_kind, "bloc": org.big_tech_bloc}


def _clean_contributor(value):
    if not isinstance(value, dict):
        raise ValidationFailed("contributor type: expected a sector, a kind and a bloc")
    return {
        "sector": _choice(vocab.Sector, "sector")(value.get("sector")),
        "kind": _choice(vocab.ContributorKind, "contributor kind", allow_blank=True)(value.get("kind")),
        "bloc": _choice(vocab.BigTechBloc, "Big Tech bloc")(value.get("bloc") or vocab.BigTechBloc.NONE),
    }


def _write_contributor(org: Organisation, value) -> None:
    org.sector, org.contributor_kind, org.big_tech_bloc = value["sector"], value["kind"], value["bloc"]
    _refresh_classification_status(org)
    org.save()


def _display_contributor(value) -> str:
    if not value:
        return "(none)"
    parts = [_label(vocab.Sector, value.get("sector")), _label(vocab.ContributorKind, value.get("kind"))]
    if value.get("bloc") and value["bloc"] != vocab.BigTechBloc.NONE:
        parts.append(_label(vocab.BigTechBloc, value["bloc"]))
    return " · ".join(parts)


# --- AI models ----------------------------------------------------------------------------


def _clean_types(value):
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)):
        raise ValidationFailed("types: expected a list of model types")
    parsed = vocab.parse_model_types(",".join(str(v) for v in value))
    if parsed is None or not parsed:
        raise ValidationFailed(
            f"types: {', '.join(map(str, value)) or '(none)'} — choose one or more of {', '.join(vocab.ModelType.values)}"
        )
    return parsed


# A model's own classification: None means "as its organisation" (inherited), a value the same
# shape as the organisation's field means the model's own (a collaboration tagged apart).

INHERITED = "as its organisation"


def _clean_own(clean):
    def clean_own(value):
        return None if value in (None, "", {}) else clean(value)

    return clean_own


def _display_own(display):
    def display_own(value):
        return f"({INHERITED})" if value is None else display(value)

    return display_own


def _write_own_origin(model: AIModel, value) -> None:
    model.set_own_origin(value)
    model.save()


def _write_own_contributor(model: AIModel, value) -> None:
    model.set_own_contributor(value)
    model.save()


def _write_model_attr(attr: str, transform=lambda v: v):
    def write(model: AIModel, value) -> None:
        setattr(model, attr, transform(value))
        model.save()

    return write


def _read_organisation(model: AIModel):
    if model.organisation is None:
        return None
    return {"id": model.organisation_id, "name": model.organisation.name}


def _clean_organisation(value):
    if value is None or value == "":
        return None
    pk = value.get("id") if isinstance(value, dict) else value
    if isinstance(pk, bool) or not isinstance(pk, (int, str)) or not str(pk).isdigit():
        raise ValidationFailed(f"organisation: expected an organisation id (a whole number), not {pk!r}")
    org = Organisation.objects.filter(pk=int(pk)).first()
    if org is None:
        raise ValidationFailed(f"organisation: no organisation with id {pk!r}")
    return {"id": org.pk, "name": org.name}


def _write_organisation(model: AIModel, value) -> None:
    model.organisation_id = value["id"] if value else None
    model.save()


def _clean_public(value):
    if not isinstance(value, bool):
        raise ValidationFailed("publication: expected true or false")
    return value


def _display_public(value) -> str:
    return "published" if value else "draft (hidden from readers)"


# A model's Hugging Face repositories: None derives them from its links (curation.hfrepos), a
# list (possibly empty) is the curated value.
DERIVED_REPOS = "derived from its links"


def _clean_hf_repos(value):
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lower() == "none":
        return []
    try:
        return hfrepos.clean_repo_ids(value)
    except ValueError as exc:
        raise ValidationFailed(f"Hugging Face repositories: {exc}") from None


def _display_hf_repos(value) -> str:
    if value is None:
        return f"({DERIVED_REPOS})"
    return ", ".join(value) or "none"


def _common_fields(model) -> list[ClassifiedField]:
    return [
        ClassifiedField(
            "is_public",
            "publication",
            model,
            read=lambda obj: bool(obj.is_public),
            clean=_clean_public,
            write=_write_model_attr("is_public"),
            display=_display_public,
        )
    ]


ORGANISATION_FIELDS = [
    ClassifiedField(
        "national_origin",
        "national origin",
        Organisation,
        read=_read_origin,
        clean=_clean_origin,
        write=_write_origin,
        display=_display_origin,
    ),
    ClassifiedField(
        "contributor_type",
        "contributor type (sector, kind, Big Tech bloc)",
        Organisation,
        read=_read_contributor,
        clean=_clean_contributor,
        write=_write_contributor,
        display=_display_contributor,
    ),
    *_common_fields(Organisation),
]

AI_MODEL_FIELDS = [
    ClassifiedField(
        "performance_class",
        "performance class",
        AIModel,
        read=lambda m: m.performance_class,
        clean=_choice(vocab.PerformanceClass, "performance class", allow_blank=True),
        write=_write_model_attr("performance_class"),
        display=lambda v: _label(vocab.PerformanceClass, v),
    ),
    ClassifiedField(
        "types",
        "types",
        AIModel,
        read=lambda m: m.type_list,
        clean=_clean_types,
        write=_write_model_attr("types", ",".join),
        display=lambda v: ", ".join(_label(vocab.ModelType, t) for t in v or []) or "(none)",
    ),
    ClassifiedField(
        "organisation",
        "organisation",
        AIModel,
        read=_read_organisation,
        clean=_clean_organisation,
        write=_write_organisation,
        display=lambda v: v["name"] if v else "(none)",
        identity=lambda v: v["id"] if isinstance(v, dict) else v,
    ),
    ClassifiedField(
        "national_origin",
        "own national origin",
        AIModel,
        read=lambda m: m.own_origin,
        clean=_clean_own(_clean_origin),
        write=_write_own_origin,
        display=_display_own(_display_origin),
    ),
    ClassifiedField(
        "contributor_type",
        "own contributor type (sector, kind, Big Tech bloc)",
        AIModel,
        read=lambda m: m.own_contributor,
        clean=_clean_own(_clean_contributor),
        write=_write_own_contributor,
        display=_display_own(_display_contributor),
    ),
    ClassifiedField(
        "hf_repos",
        "Hugging Face repositories",
        AIModel,
        read=lambda m: m.hf_repos,
        clean=_clean_hf_repos,
        write=_write_model_attr("hf_repos"),
        display=_display_hf_repos,
    ),
    *_common_fields(AIModel),
]


# --- assessments --------------------------------------------------------------------------


def _display_assessment(value) -> str:
    if not value:
        return "(none)"
    text = f"{_label(vocab.Grade, value.get('grade'))}"
    if value.get("links"):
        text += f" — {', '.join(value['links'])}"
    if value.get("notes"):
        text += f" — {value['notes']}"
    return text


# Dimension names for labels in lists (queue, history): read once per short while instead of
# once per row. Labels only: writes always read the dimension itself.
_NAME_CACHE_SECONDS = 30
_dimension_names: dict[str, str] = {}
_dimension_names_read_at = 0.0


def _dimension_name(ref: str) -> str | None:
    global _dimension_names, _dimension_names_read_at
    now = time.monotonic()
    if ref not in _dimension_names or now - _dimension_names_read_at > _NAME_CACHE_SECONDS:
        _dimension_names = dict(Dimension.objects.values_list("ref", "name"))
        _dimension_names_read_at = now
    return _dimension_names.get(ref)


def _assessment_field(dimension: Dimension) -> ClassifiedField:
    ref = dimension.ref

    def read(model: AIModel):
        found = Assessment.objects.filter(ai_model=model, dimension=dimension).first()
        if found is None:
            return {"grade": vocab.Grade.NOT_ASSESSED, "links": [], "notes": ""}
        return {"grade": found.grade, "links": list(found.links or []), "notes": found.notes}

    def clean(value):
        if not isinstance(value, dict):
            raise ValidationFailed(f"{dimension.name}: expected a grade, links and notes")
        grade = _choice(vocab.Grade, f"{dimension.name} grade")(value.get("grade") or vocab.Grade.NOT_ASSESSED)
        if grade == vocab.Grade.UNRECOGNISED:
            raise ValidationFailed(f"{dimension.name}: choose open, partial, closed or not assessed")
        links = value.get("links") or []
        if isinstance(links, str):
            links = [line.strip() for line in links.splitlines() if line.strip()]
        if not isinstance(links, (list, tuple)) or not all(isinstance(link, str) for link in links):
            raise ValidationFailed(f"{dimension.name}: evidence links are a list of URLs")
        for link in links:
            check_http_url(link, f"{dimension.name}: evidence link")
        notes = value.get("notes") or ""
        if not isinstance(notes, str):
            raise ValidationFailed(f"{dimension.name}: notes are text")
        return {"grade": grade, "links": list(links), "notes": notes.strip()}

    def write(model: AIModel, value) -> None:
        Assessment.objects.update_or_create(
            ai_model=model,
            dimension=dimension,
            defaults={"grade": value["grade"], "links": value["links"], "notes": value["notes"]},
        )

    return ClassifiedField(
        f"{ASSESSMENT_PREFIX}{ref}",
        dimension.name,
        AIModel,
        read=read,
        clean=clean,
        write=write,
        display=_display_assessment,
        needs_evidence=True,
    )


def field_for(target, name: str) -> ClassifiedField:
    """The classified field `name` of `target` (an Organisation or AIModel instance or class)."""
    target_model = target if isinstance(target, type) else type(target)
    if name.startswith(ASSESSMENT_PREFIX):
        if target_model is not AIModel:
            raise ValidationFailed(
                f"{name}: dimension grades belong to AI models, not to {target_model.__name__}", field="field"
            )
        ref = name[len(ASSESSMENT_PREFIX) :]
        dimension = Dimension.objects.filter(ref=ref).first()
        if dimension is None:
            raise ValidationFailed(f"{name}: no dimension {ref!r} in the registry", field="field")
        return _assessment_field(dimension)
    fields = ORGANISATION_FIELDS if target_model is Organisation else AI_MODEL_FIELDS
    for field in fields:
        if field.name == name and field.target_model is target_model:
            return field
    known = ", ".join(f.name for f in fields)
    raise ValidationFailed(
        f"{name!r} is not a classified field of {target_model.__name__} (known: {known})", field="field"
    )


# A model's fields where None is a value of its own: inherited from the organisation (or, for
# the Hugging Face repositories, derived from its links).
MODEL_OWN_CLASSIFICATION = ("national_origin", "contributor_type", "hf_repos")

# Whole-record events in history rather than field changes; their values are snapshots.
RECORD_EVENTS = {"created": "added to the index", "deleted": "removed from the index"}
# Unclassified fields (name, links, notes...) saved directly, recorded as one entry per save.
DETAILS = "details"


def display_value(target_model: type | None, field_name: str, value) -> str:
    """A field value as people read it; falls back to the raw JSON for unknown fields."""
    if value is None and not (target_model is AIModel and field_name in MODEL_OWN_CLASSIFICATION):
        return "(none)"
    if field_name in RECORD_EVENTS:
        return ""
    if field_name == DETAILS and isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {text or '(none)'}" for key, text in value.items())
    if field_name.startswith(ASSESSMENT_PREFIX) and isinstance(value, dict):
        return _display_assessment(value)
    try:
        if target_model is None:
            raise ValidationFailed("no target")
        return field_for(target_model, field_name).display(value)
    except (ValidationFailed, AttributeError, KeyError, TypeError):
        return str(value)


def field_label(target_model: type | None, field_name: str) -> str:
    if field_name in RECORD_EVENTS:
        return RECORD_EVENTS[field_name]
    if field_name.startswith(ASSESSMENT_PREFIX):
        return _dimension_name(field_name[len(ASSESSMENT_PREFIX) :]) or field_name
    try:
        if target_model is None:
            raise ValidationFailed("no target")
        return field_for(target_model, field_name).label
    except ValidationFailed:
        return field_name.replace("_", " ")
