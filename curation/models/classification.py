"""A model's effective classification: its own where it has one, else its organisation's.

Upstream tags national origin and contributor type per model file. An organisation holds the
usual classification (what most of its files say); a model holds its own only where it differs
(a collaboration such as WizardLM, tagged International although its organisation is not).
Each of the two tag groups is inherited as a whole: a model whose `own_origin_scope` is null
takes the organisation's origin scope, country and region; one whose `own_sector` is null takes
its sector, kind of contributor and Big Tech bloc.

`EFFECTIVE_FIELDS` is the one rule. `classification_expressions()` turns it into database
expressions (so filters, charts and counts stay in one query) and `effective_classification()`
applies it to one loaded model; both read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, F, When
from django_countries import countries

from curation import vocab

# Effective field -> (the model's own column, the column that says whether the model has its own
# value for the field's group).
EFFECTIVE_FIELDS: dict[str, tuple[str, str]] = {
    "origin_scope": ("own_origin_scope", "own_origin_scope"),
    "country": ("own_country", "own_origin_scope"),
    "region": ("own_region", "own_origin_scope"),
    "sector": ("own_sector", "own_sector"),
    "contributor_kind": ("own_contributor_kind", "own_sector"),
    "big_tech_bloc": ("own_big_tech_bloc", "own_sector"),
}
# The name each effective value is annotated under on an AIModel queryset.
ANNOTATION_PREFIX = "effective_"


def annotation_name(field: str) -> str:
    """`country` -> `effective_country`: where `with_classification()` puts a field."""
    return f"{ANNOTATION_PREFIX}{field}"


def classification_expression(field: str, path: str = ""):
    """SQL for one effective field of the AIModel reached through `path` ("" for the model
    itself, e.g. "ai_model__" from an assessment). NULL when neither level has a value (a model
    without organisation and without tags of its own)."""
    own, marker = EFFECTIVE_FIELDS[field]
    return Case(
        When(**{f"{path}{marker}__isnull": False}, then=F(f"{path}{own}")),
        default=F(f"{path}organisation__{field}"),
        output_field=CharField(),
    )


def classification_expressions(fields=None, path: str = "") -> dict:
    """{annotation name: expression} for the given effective fields (default: all)."""
    return {annotation_name(f): classification_expression(f, path) for f in (fields or EFFECTIVE_FIELDS)}


@dataclass(frozen=True)
class EffectiveClassification:
    """What counts for a model. Strings as stored ("" or None where nothing is known); the
    country is an ISO 3166-1 alpha-2 code or ""."""

    origin_scope: str | None
    country: str
    region: str | None
    sector: str | None
    contributor_kind: str
    big_tech_bloc: str | None
    own_origin: bool  # the national origin is the model's own, not its organisation's
    own_contributor: bool

    # Labels for readers, from the vocabularies ("" where nothing is known).
    @property
    def origin_display(self) -> str:
        if self.origin_scope == vocab.OriginScope.COUNTRY and self.country:
            return str(dict(countries).get(self.country, self.country))
        return _label(vocab.OriginScope, self.origin_scope)

    @property
    def region_display(self) -> str:
        return _label(vocab.Region, self.region)

    @property
    def sector_display(self) -> str:
        return _label(vocab.Sector, self.sector)

    @property
    def contributor_kind_display(self) -> str:
        return _label(vocab.ContributorKind, self.contributor_kind)

    @property
    def big_tech_bloc_display(self) -> str:
        return _label(vocab.BigTechBloc, self.big_tech_bloc)

    @property
    def is_classified_apart(self) -> bool:
        return self.own_origin or self.own_contributor


def _label(enum, value) -> str:
    try:
        return str(enum(value).label) if value else ""
    except ValueError:
        return str(value)


def _plain(value):
    code = getattr(value, "code", value)  # a django-countries Country
    return code if code is not None else None


def effective_classification(model, organisation=None) -> EffectiveClassification:
    """A loaded model's effective classification. `organisation` defaults to `model.organisation`
    (pass another to evaluate against a past or proposed organisation)."""
    org = model.organisation if organisation is None else organisation
    values = {}
    for field, (own, marker) in EFFECTIVE_FIELDS.items():
        if getattr(model, marker) is not None:
            values[field] = _plain(getattr(model, own))
        else:
            values[field] = _plain(getattr(org, field)) if org is not None else None
    return EffectiveClassification(
        origin_scope=values["origin_scope"],
        country=values["country"] or "",
        region=values["region"],
        sector=values["sector"],
        contributor_kind=values["contributor_kind"] or "",
        big_tech_bloc=values["big_tech_bloc"],
        own_origin=model.own_origin_scope is not None,
        own_contributor=model.own_sector is not None,
    )
