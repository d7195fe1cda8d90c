"""Controlled vocabularies of the index, and the mapping from upstream tag strings.

This module is the single source of truth for grades, model types, performance classes,
sectors, contributor kinds, Big Tech blocs, national-origin scopes and regions. Everything
else (models, forms, filters, charts, importer, exporter, API) refers to these names.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from fractions import Fraction

from django.db import models
from django_countries import countries


class Grade(models.TextChoices):
    OPEN = "open", "Open"
    PARTIAL = "partial", "Partial"
    CLOSED = "closed", "Closed"
    # Upstream leaves `class` empty; it scores 0 there but readers see "not assessed".
    NOT_ASSESSED = "not_assessed", "Not assessed"
    # A `class` the vocabulary does not know (a typo, another case): upstream scores it 0. The
    # text as written is kept in the model's upstream_extra and exported back unchanged.
    UNRECOGNISED = "unrecognised", "Unrecognised grade, under review"


# The grades given on evidence, each with its criteria per dimension; "not assessed" has none.
ASSESSED_GRADES: tuple[str, ...] = (Grade.OPEN.value, Grade.PARTIAL.value, Grade.CLOSED.value)

# Points per grade, exactly as the upstream index scores them.
GRADE_POINTS: dict[str, Fraction] = {
    Grade.OPEN: Fraction(1),
    Grade.PARTIAL: Fraction(1, 2),
    Grade.CLOSED: Fraction(0),
    Grade.NOT_ASSESSED: Fraction(0),
    Grade.UNRECOGNISED: Fraction(0),
}

# Text symbol per grade so that a grade is never conveyed by colour alone.
GRADE_SYMBOLS: dict[str, str] = {
    Grade.OPEN: "✔",
    Grade.PARTIAL: "~",
    Grade.CLOSED: "✘",
    Grade.NOT_ASSESSED: "–",
    Grade.UNRECOGNISED: "?",
}


class ModelType(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    CODE = "code", "Code"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"


class PerformanceClass(models.TextChoices):
    LATEST = "latest", "Latest"
    FULL = "full", "Full"
    LIMITED = "limited", "Limited"


class DatePrecision(models.TextChoices):
    """How much of a release date is known: upstream gives a month, sometimes only a year."""

    MONTH = "month", "Month"
    YEAR = "year", "Year"


def release_label(date: datetime.date | None, precision: str) -> str:
    """A release date as readers and upstream files show it: "YYYY-MM", or "YYYY"; "" if none."""
    if not date:
        return ""
    return f"{date.year}" if precision == DatePrecision.YEAR else f"{date.year}-{date.month:02d}"


class Sector(models.TextChoices):
    ACADEMIC = "academic", "Academic"
    NON_ACADEMIC = "non_academic", "Non-academic"


class ContributorKind(models.TextChoices):
    COMPANY = "company", "Company"
    UNIVERSITY = "university", "University"
    RESEARCH_INSTITUTION = "research_institution", "Research institution"
    RESEARCH_COMMUNITY = "research_community", "Research community"
    RESEARCH_LAB = "research_lab", "Research lab"
    INDIVIDUAL = "individual", "Individual"


class BigTechBloc(models.TextChoices):
    NONE = "none", "Not Big Tech"
    AMERICAN = "american_big_tech", "American Big Tech"
    CHINESE = "chinese_big_tech", "Chinese Big Tech"
    CHINESE_AI_TIGER = "chinese_ai_tiger", "Chinese AI Tiger"
    EUROPEAN = "european_big_tech", "European Big Tech"


# How the Big Tech charts name each bloc as a group of models (the tag vocabulary above names
# one organisation's bloc, e.g. upstream's "Non-academic (Chinese AI Tiger)").
BIG_TECH_GROUP_LABELS: dict[str, str] = {
    BigTechBloc.AMERICAN: "American Big Tech",
    BigTechBloc.CHINESE: "Chinese Big Tech",
    BigTechBloc.CHINESE_AI_TIGER: "Chinese AI Tigers",
    BigTechBloc.EUROPEAN: "European Big Tech",
    BigTechBloc.NONE: "Not Big Tech",
}


class OriginScope(models.TextChoices):
    """What kind of national origin an organisation has; a country only for COUNTRY."""

    COUNTRY = "country", "Country"
    INTERNATIONAL = "international", "International"
    UNDISCLOSED = "undisclosed", "Undisclosed"
    UNKNOWN = "unknown", "Unknown"


class ClassificationStatus(models.TextChoices):
    CLASSIFIED = "classified", "Classified"
    NEEDS_REVIEW = "needs_review", "Needs review"


class Region(models.TextChoices):
    EUROPE = "europe", "Europe"
    NORTH_AMERICA = "north_america", "North America"
    LATIN_AMERICA = "latin_america", "Latin America"
    EAST_ASIA = "east_asia", "East Asia"
    SOUTH_EAST_ASIA = "south_east_asia", "South-East Asia"
    SOUTH_ASIA = "south_asia", "South Asia"
    CENTRAL_ASIA = "central_asia", "Central Asia"
    MIDDLE_EAST = "middle_east", "Middle East"
    AFRICA = "africa", "Africa"
    OCEANIA = "oceania", "Oceania"
    INTERNATIONAL = "international", "International"
    UNDISCLOSED = "undisclosed", "Undisclosed"
    UNKNOWN = "unknown", "Unknown"


_REGION_COUNTRIES: dict[str, str] = {
    Region.EUROPE: "AD AL AT BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS "
    "IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SK SM UA VA XK AX SJ",
    Region.NORTH_AMERICA: "US CA BM GL PM",
    Region.LATIN_AMERICA: "MX AR BO BR CL CO CR CU DO EC GT HN HT JM NI PA PE PR PY SV UY VE BZ GY SR "
    "TT BS BB AG DM GD KN LC VC AW CW SX BQ KY TC VG VI AI MS GP MQ GF BL MF FK",
    Region.EAST_ASIA: "CN JP KR KP TW HK MO MN",
    Region.SOUTH_EAST_ASIA: "SG MY ID TH VN PH MM KH LA BN TL",
    Region.SOUTH_ASIA: "IN PK BD LK NP BT MV AF",
    Region.CENTRAL_ASIA: "KZ KG TJ TM UZ",
    Region.MIDDLE_EAST: "AE SA IL QA BH KW OM YE IR IQ JO LB SY PS TR EG AM AZ GE",
    Region.AFRICA: "DZ AO BJ BW BF BI CM CV CF TD KM CG CD CI DJ GQ ER SZ ET GA GM GH GN GW KE LS "
    "LR LY MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW EH RE YT SH",
    Region.OCEANIA: "AU NZ FJ PG SB VU WS TO KI TV NR PW FM MH NC PF CK NU",
}
COUNTRY_REGION: dict[str, str] = {code: region for region, codes in _REGION_COUNTRIES.items() for code in codes.split()}


def region_for(scope: str, country_code: str | None) -> str:
    """The region an organisation belongs to, derived from its national origin."""
    if scope == OriginScope.INTERNATIONAL:
        return Region.INTERNATIONAL
    if scope == OriginScope.UNDISCLOSED:
        return Region.UNDISCLOSED
    if scope == OriginScope.COUNTRY and country_code:
        return COUNTRY_REGION.get(str(country_code).upper(), Region.UNKNOWN)
    return Region.UNKNOWN


# ---------------------------------------------------------------------------------------------
# Upstream tag strings
# ---------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Case-, spacing- and punctuation-insensitive key for matching tag strings."""
    text = text.replace("\u00a0", " ").strip().lower()
    text = re.sub(r"[\s_\-\.]+", " ", text)
    return text.strip(" :")


def name_key(name: str) -> str:
    """Matching key for organisation names and aliases: "Google AI", "google  ai " -> "google ai"."""
    return _norm(name or "")


# Spellings met in the wild that django-countries does not know by name.
_COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "uae": "AE",
    "emirates": "AE",
    "russia": "RU",
    "taiwan": "TW",
    "vietnam": "VN",
    "iran": "IR",
    "the netherlands": "NL",
    "holland": "NL",
    "czech republic": "CZ",
    "czechia": "CZ",
    "prc": "CN",
    "people's republic of china": "CN",
    "hong kong": "HK",
    "turkey": "TR",
    "turkiye": "TR",
}
_INTERNATIONAL = {"international", "multinational", "global", "worldwide"}
_UNDISCLOSED = {"undisclosed", "unknown", "not disclosed", "n/a", "na", "none"}


@dataclass(frozen=True)
class Origin:
    scope: str
    country: str = ""  # ISO 3166-1 alpha-2 for scope == COUNTRY


def parse_national_origin(value: str) -> Origin | None:
    """Map a `National origin:` tag value to an Origin; None when it cannot be mapped."""
    key = _norm(value or "")
    if not key:
        return None
    if key in _INTERNATIONAL:
        return Origin(OriginScope.INTERNATIONAL)
    if key in _UNDISCLOSED:
        return Origin(OriginScope.UNDISCLOSED)
    if key in _COUNTRY_ALIASES:
        return Origin(OriginScope.COUNTRY, _COUNTRY_ALIASES[key])
    if len(key) == 2 and key.upper() in dict(countries):
        return Origin(OriginScope.COUNTRY, key.upper())
    for code, name in countries:
        if _norm(str(name)) == key:
            return Origin(OriginScope.COUNTRY, code)
    return None


def origin_label(scope: str, country_code: str = "") -> str:
    """The upstream tag text for an origin (inverse of parse_national_origin)."""
    if scope == OriginScope.COUNTRY and country_code:
        name = dict(countries).get(country_code, country_code)
        return _UPSTREAM_COUNTRY_NAMES.get(country_code, str(name))
    return OriginScope(scope).label if scope != OriginScope.UNKNOWN else ""


# Upstream spells a few countries differently from ISO's English short names.
_UPSTREAM_COUNTRY_NAMES = {
    "US": "United States",
    "GB": "United Kingdom",
    "KR": "South Korea",
    "TW": "Taiwan",
    "RU": "Russia",
    "VN": "Vietnam",
    "IR": "Iran",
}


@dataclass(frozen=True)
class ContributorClass:
    sector: str
    kind: str
    bloc: str = BigTechBloc.NONE


_KIND_WORDS = {
    "company": ContributorKind.COMPANY,
    "university": ContributorKind.UNIVERSITY,
    "research institution": ContributorKind.RESEARCH_INSTITUTION,
    "research institute": ContributorKind.RESEARCH_INSTITUTION,
    "research community": ContributorKind.RESEARCH_COMMUNITY,
    "community": ContributorKind.RESEARCH_COMMUNITY,
    "research lab": ContributorKind.RESEARCH_LAB,
    "research laboratory": ContributorKind.RESEARCH_LAB,
    "lab": ContributorKind.RESEARCH_LAB,
    "individual": ContributorKind.INDIVIDUAL,
}
_BLOC_WORDS = {
    "american big tech": BigTechBloc.AMERICAN,
    "us big tech": BigTechBloc.AMERICAN,
    "chinese big tech": BigTechBloc.CHINESE,
    "chinese ai tiger": BigTechBloc.CHINESE_AI_TIGER,
    "european big tech": BigTechBloc.EUROPEAN,
    "eu big tech": BigTechBloc.EUROPEAN,
}
# Older snapshots say only "Big Tech" / "AI Tiger"; the bloc follows from the national origin.
_BLOC_BY_REGION_WORDS = {"big tech", "ai tiger"}
_SECTOR_WORDS = {
    "academic": Sector.ACADEMIC,
    "non academic": Sector.NON_ACADEMIC,
    "nonacademic": Sector.NON_ACADEMIC,
    "industry": Sector.NON_ACADEMIC,
}


def bloc_from_origin(word: str, origin: Origin | None) -> str | None:
    """Resolve an unqualified "Big Tech" / "AI Tiger" tag from the national origin.

    A country decides: the United States, China or a European country give their bloc, any
    other country none (unmappable). Without a country (International, Undisclosed, no tag) the
    words keep the meaning upstream gave them while it used them: "Big Tech" was its name for
    American Big Tech (Chinese ones were always tagged "Chinese Big Tech"; the one International
    file, WizardLM by Microsoft and Peking University, was retagged "American Big Tech" upstream
    on 2025-06-10) and "AI Tiger" only ever named the Chinese AI Tigers.
    """
    if origin is None or origin.scope != OriginScope.COUNTRY:
        return BigTechBloc.CHINESE_AI_TIGER if word == "ai tiger" else BigTechBloc.AMERICAN
    if word == "ai tiger":
        return BigTechBloc.CHINESE_AI_TIGER if origin.country == "CN" else None
    if origin.country == "US":
        return BigTechBloc.AMERICAN
    if origin.country == "CN":
        return BigTechBloc.CHINESE
    if COUNTRY_REGION.get(origin.country) == Region.EUROPE:
        return BigTechBloc.EUROPEAN
    return None


def parse_contributor_type(value: str, origin: Origin | None = None) -> ContributorClass | None:
    """Map a `Contributor type:` tag, e.g. "Non-academic (Chinese AI Tiger)"; None if unmappable."""
    match = re.match(r"^\s*([^()]+?)\s*(?:\(\s*([^()]*?)\s*\))?\s*$", value or "")
    if not match:
        return None
    sector = _SECTOR_WORDS.get(_norm(match.group(1)))
    detail = _norm(match.group(2) or "")
    if sector is None:
        return None
    if detail in _KIND_WORDS:
        return ContributorClass(sector, _KIND_WORDS[detail])
    if detail in _BLOC_WORDS:
        return ContributorClass(sector, ContributorKind.COMPANY, _BLOC_WORDS[detail])
    if detail in _BLOC_BY_REGION_WORDS:
        bloc = bloc_from_origin(detail, origin)
        return ContributorClass(sector, ContributorKind.COMPANY, bloc) if bloc else None
    return None


def contributor_label(sector: str, kind: str, bloc: str) -> str:
    """The upstream tag text for a classification (inverse of parse_contributor_type)."""
    sector_text = str((Sector.ACADEMIC if sector == Sector.ACADEMIC else Sector.NON_ACADEMIC).label)
    if bloc and bloc != BigTechBloc.NONE:
        detail = BigTechBloc(bloc).label
    else:
        detail = ContributorKind(kind).label if kind else ""
    return f"{sector_text} ({detail})" if detail else sector_text


def parse_grade(value: object) -> str | None:
    """Map an upstream `class` value to a Grade, as exactly as upstream reads it: only the exact
    strings `open`, `partial`, `closed` are grades (upstream scores `Open` or `opem` 0); empty
    means not assessed; None for anything else (the caller keeps it as unrecognised)."""
    if value is None:
        return Grade.NOT_ASSESSED
    text = str(value)
    if text.strip() == "":
        return Grade.NOT_ASSESSED
    if text in ASSESSED_GRADES:
        return text
    return None


def parse_model_types(value: object) -> list[str] | None:
    """Split an upstream `type` ("text, code") into ModelType values; None if any is unknown."""
    if value is None:
        return []
    parts = [_norm(p) for p in re.split(r"[,;/]", str(value)) if _norm(p)]
    known = set(ModelType.values)
    if any(p not in known for p in parts):
        return None
    return [t for t in ModelType.values if t in parts]


def parse_performance_class(value: object) -> str | None:
    """Map an upstream `performanceclass`; "" for unset, None if unknown."""
    key = _norm(str(value or ""))
    if not key:
        return ""
    return key if key in PerformanceClass.values else None
