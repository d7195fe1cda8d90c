"""Demo-like index data and an independent recount of every chart, for the charts tests.

The recount walks the models one by one in Python, with its own rules written out from the
issue, so that it can disagree with the catalogue's grouped queries.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict

from curation import vocab
from curation.models import AIModel

OPEN_SOURCE_REFS = ["datasources_basemodel", "datasources_endmodel", "trainingcode", "licenses"]


def build_demo_index(make_organisation, make_ai_model):
    """A small index touching every classification the charts distinguish, plus hidden rows."""
    V = vocab
    orgs = {
        "uva": make_organisation(
            "University of Amsterdam",
            country="NL",
            sector=V.Sector.ACADEMIC,
            contributor_kind=V.ContributorKind.UNIVERSITY,
        ),
        "meta": make_organisation("Meta", country="US", big_tech_bloc=V.BigTechBloc.AMERICAN),
        "alibaba": make_organisation("Alibaba", country="CN", big_tech_bloc=V.BigTechBloc.CHINESE),
        "zhipu": make_organisation("Zhipu AI", country="CN", big_tech_bloc=V.BigTechBloc.CHINESE_AI_TIGER),
        "sap": make_organisation("SAP", country="DE", big_tech_bloc=V.BigTechBloc.EUROPEAN),
        "bigscience": make_organisation(
            "BigScience",
            origin_scope=V.OriginScope.INTERNATIONAL,
            country="",
            sector=V.Sector.ACADEMIC,
            contributor_kind=V.ContributorKind.RESEARCH_COMMUNITY,
        ),
        "secret": make_organisation("Secretive Lab", origin_scope=V.OriginScope.UNDISCLOSED, country=""),
        "mystery": make_organisation("Mystery Org", origin_scope=V.OriginScope.UNKNOWN, country="", sector=""),
        "tii": make_organisation(
            "TII", country="AE", sector=V.Sector.ACADEMIC, contributor_kind=V.ContributorKind.RESEARCH_INSTITUTION
        ),
        "sakana": make_organisation("Sakana", country="JP"),
        "cohere": make_organisation("Cohere", country="CA"),
        "draft": make_organisation("Draft Org", country="FR", is_public=False),
    }
    d = datetime.date
    open_source = dict.fromkeys(OPEN_SOURCE_REFS, "open")
    rows = [
        # (organisation, performance class, release date, types, grades)
        ("uva", "latest", d(2024, 3, 1), "text", {**open_source, "weights_endmodel": "open"}),
        ("uva", "full", d(2023, 5, 1), "text,code", {"weights_endmodel": "open"}),
        ("meta", "latest", d(2024, 7, 1), "text", {"weights_endmodel": "open", "licenses": "partial"}),
        ("meta", "latest", d(2025, 4, 1), "text,image", {"weights_endmodel": "open"}),
        ("meta", "full", d(2023, 2, 1), "text", {"weights_endmodel": "partial"}),
        ("meta", "limited", None, "image", {}),
        ("alibaba", "latest", d(2025, 1, 1), "text", {"weights_endmodel": "open", "trainingcode": "open"}),
        ("alibaba", "full", d(2024, 9, 1), "code", {**open_source, "weights_endmodel": "open"}),
        ("zhipu", "latest", d(2025, 6, 1), "text", {"weights_endmodel": "open"}),
        ("sap", "full", d(2024, 1, 1), "text", {}),
        (
            "bigscience",
            "full",
            d(2022, 7, 1),
            "text",
            {**open_source, "weights_endmodel": "open", "paper": "open", "modelcard": "open"},
        ),
        ("secret", "limited", d(2023, 11, 1), "video", {}),
        ("mystery", "latest", d(2025, 2, 1), "audio", {"weights_endmodel": "open"}),
        ("tii", "latest", d(2024, 5, 1), "text", {"weights_endmodel": "open", "datasources_basemodel": "partial"}),
        ("sakana", "", d(2025, 8, 1), "image", {"weights_basemodel": "open"}),
        ("cohere", "latest", d(2024, 4, 1), "text", {"weights_endmodel": "open"}),
        ("cohere", "full", d(2022, 1, 1), "text", {}),
        ("draft", "latest", d(2024, 6, 1), "text", {"weights_endmodel": "open"}),
    ]
    for i, (org, performance_class, released, types, grades) in enumerate(rows):
        make_ai_model(
            f"Demo model {i:02d}",
            grades=grades,
            organisation=orgs[org],
            types=types,
            performance_class=performance_class,
            release_date=released,
        )
    hidden = make_ai_model(
        "Hidden draft model",
        organisation=orgs["meta"],
        performance_class="latest",
        release_date=d(2024, 1, 1),
        is_public=False,
    )
    orphan = make_ai_model(
        "Model without organisation",
        performance_class="latest",
        release_date=d(2025, 3, 1),
        grades={"weights_endmodel": "open"},
    )
    AIModel.objects.filter(pk=orphan.pk).update(organisation=None)
    return orgs, hidden


# --- the independent recount -----------------------------------------------------------------


def readers_models(latest: bool = False, with_grades: bool = False) -> list[AIModel]:
    rows = AIModel.objects.select_related("organisation")
    if with_grades:
        rows = rows.prefetch_related("assessments__dimension")
    models = [m for m in rows if m.is_public and (m.organisation is None or m.organisation.is_public)]
    return [m for m in models if m.performance_class == "latest"] if latest else models


class _Classified:
    """What a model counts as, worked out here by hand: each tag group (origin: scope, country,
    region; contributor: sector, kind, bloc) is the model's own when it has one, else its
    organisation's; nothing when it has neither."""

    def __init__(self, model: AIModel):
        org = model.organisation
        self.known_origin = model.own_origin_scope is not None or org is not None
        self.known_contributor = model.own_sector is not None or org is not None
        if model.own_origin_scope is not None:
            self.origin_scope, self.country = (
                model.own_origin_scope,
                model.own_country.code if model.own_country else "",
            )
            self.region = vocab.region_for(self.origin_scope, self.country)
        elif org is not None:
            self.origin_scope, self.country, self.region = (
                org.origin_scope,
                org.country.code if org.country else "",
                org.region,
            )
        if model.own_sector is not None:
            self.sector, self.bloc = model.own_sector, model.own_big_tech_bloc
        elif org is not None:
            self.sector, self.bloc = org.sector, org.big_tech_bloc


def _academic(c: _Classified) -> str:
    if not c.known_contributor or not c.sector:
        return "Not classified"
    return "Academic" if c.sector == "academic" else "Non-academic"


def _big_tech(c: _Classified) -> str:
    if not c.known_contributor or not c.sector:
        return "Not classified"
    names = {
        "american_big_tech": "American Big Tech",
        "chinese_big_tech": "Chinese Big Tech",
        "chinese_ai_tiger": "Chinese AI Tigers",
        "european_big_tech": "European Big Tech",
        "none": "Not Big Tech",
    }
    return names[c.bloc]


def _origin(c: _Classified) -> tuple[bool, str]:
    """(is a country, label)"""
    if not c.known_origin:
        return False, "Not classified"
    if c.origin_scope == "country" and c.country:
        return True, vocab.origin_label("country", c.country)
    return False, {"international": "International", "undisclosed": "Undisclosed"}.get(c.origin_scope, "Unknown")


def _region(c: _Classified) -> str:
    if not c.known_origin:
        return "Not classified"
    if c.country == "CN":
        return "China"
    named = {
        "europe": "Europe",
        "north_america": "North America",
        "international": "International",
        "undisclosed": "Undisclosed",
        "unknown": "Unknown",
    }
    return named.get(c.region, "Other regions")


def expected_pie(key: str, *, top_origins: int = 8) -> dict[str, int]:
    models = [_Classified(m) for m in readers_models(latest=key.endswith("-latest"))]
    base = key.removesuffix("-latest")
    if base == "academic-share":
        return dict(Counter(_academic(c) for c in models))
    if base == "big-tech-share":
        return dict(Counter(_big_tech(c) for c in models))
    if base == "regions":
        return dict(Counter(_region(c) for c in models))
    if base == "national-origins":
        countries = Counter(label for is_country, label in map(_origin, models) if is_country)
        others = Counter(label for is_country, label in map(_origin, models) if not is_country)
        ranked = sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))
        result = dict(ranked[:top_origins])
        tail = sum(n for _, n in ranked[top_origins:])
        if tail:
            result["Other"] = tail
        result.update(others)
        return result
    raise KeyError(key)


def _grades(model: AIModel) -> dict[str, str]:
    return {a.dimension.ref: a.grade for a in model.assessments.all()}


def expected_series(key: str) -> dict[str, dict[str, float]]:
    """{series label: {x: value}} with the zero points left out."""
    models = readers_models(with_grades=key == "open-weights-vs-open-source")
    dated = [m for m in models if m.release_date]
    out: dict[str, dict[str, float]] = defaultdict(dict)
    if key == "openness-by-type":
        type_labels = dict(vocab.ModelType.choices)
        counts = Counter()
        for m in models:
            percent = round(m.total_score * 100, 6)
            band = min(math.floor(percent / 10), 9)
            label = f"{band * 10}–{100 if band == 9 else band * 10 + 9}%"
            for t in m.type_list:
                counts[(type_labels[t], label)] += 1
        for (series, x), n in counts.items():
            out[series][x] = n
    elif key == "releases-by-region":
        for (series, x), n in Counter((_region(_Classified(m)), str(m.release_date.year)) for m in dated).items():
            out[series][x] = n
    elif key == "open-weights-vs-open-source":
        for m in dated:
            grades = _grades(m)
            if grades.get("weights_endmodel") != "open":
                continue
            all_open = all(grades.get(ref) == "open" for ref in OPEN_SOURCE_REFS)
            series = (
                "Open weights, data, code and licence" if all_open else "Open weights; data, code or licence not open"
            )
            year = str(m.release_date.year)
            out[series][year] = out[series].get(year, 0) + 1
    elif key == "concentration":
        per_year: dict[str, Counter] = defaultdict(Counter)
        for m in dated:
            if m.organisation is not None:
                per_year[str(m.release_date.year)][m.organisation.pk] += 1
        for year, by_org in per_year.items():
            sizes = sorted(by_org.values(), reverse=True)
            total = sum(sizes)
            out["Share of the five largest organisations (%)"][year] = round(100 * sum(sizes[:5]) / total, 1)
            out["Herfindahl-Hirschman index (0–10,000)"][year] = round(sum((100 * s / total) ** 2 for s in sizes), 1)
    elif key == "openness-timeline":
        # Each dated model a point per type, keyed "release name" (release as upstream writes it).
        type_labels = dict(vocab.ModelType.choices)
        for m in dated:
            released = (
                str(m.release_date.year) if m.release_date_precision == "year" else m.release_date.strftime("%Y-%m")
            )
            for t in m.type_list:
                out[type_labels[t]][f"{released} {m.name}"] = round(m.total_score * 100, 1)
    else:
        raise KeyError(key)
    return dict(out.items())


def pie_counts(data) -> dict[str, int]:
    return {s.label: s.count for s in data.slices}


def series_values(data) -> dict[str, dict[str, float]]:
    """{series label: {x: value}} without zero counts (as the recount has them); a scatter's
    points keyed "x label", zero or not."""
    out = {}
    for s in data.series:
        points = {(f"{p.x} {p.label}" if p.label else p.x): p.value for p in s.points if p.value or p.label}
        if points:
            out[s.label] = points
    return out
