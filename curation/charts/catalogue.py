"""The chart catalogue: each chart is a spec (key, title, subset) plus a pure counting function.

Counting rules, the same for every chart:
- one model, one vote, classified by its effective classification: its own where its upstream
  file tags it differently from its organisation (a collaboration), else its organisation's
  (`AIModelQuerySet.with_classification`);
- only what readers see (`AIModel.objects.public()`); `-latest` variants keep only models of
  performance class "latest";
- a model without a classification in question (no organisation and no tags of its own, or an
  organisation that lacks it) counts as "Not classified"; slices with no models are left out;
- the Big Tech charts show the Chinese AI Tigers as their own slice beside American, Chinese and
  European Big Tech, and their note gives the sum of all of them, so both readings of the
  published figures (Chinese Big Tech alone; Big Tech with the Tigers) come off one chart;
- time series count models with a release date, by release year; the openness timeline plots
  each model with a release date as a point (release against total openness score), by type.
Counts are computed with grouped (aggregate) queries, so the catalogue stays fast at 10,000+
models. Labels come from `curation.vocab`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, ExpressionWrapper, F, FloatField, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import ExtractYear, Floor, Least, Lower
from django_countries import countries

from curation import vocab
from curation.adoption.figures import adoption_of, herfindahl_hirschman, top_share
from curation.charts.data import (
    GROUPED_BARS,
    LINES,
    PIE,
    SCATTER,
    STACKED_BARS,
    ChartData,
    Point,
    Series,
    percent_of,
    slices_from_counts,
)
from curation.conf import app_settings
from curation.models import AIModel, Assessment, Dimension, classification
from curation.public.as_of import public_models_on
from curation.registry import OPEN_SOURCE_DIMENSIONS, OPEN_WEIGHTS_DIMENSION

NOT_CLASSIFIED = "Not classified"
OTHER_ORIGINS = "Other"
OTHER_REGIONS = "Other regions"
ALL = "all"
LATEST = vocab.PerformanceClass.LATEST.value


def top_origins() -> int:
    """Countries the national-origins charts name before "Other" (OSAI_CHARTS_TOP_ORIGINS)."""
    return app_settings.OSAI_CHARTS_TOP_ORIGINS


def _counts(queryset: QuerySet | list, *fields: str) -> list[tuple]:
    """Rows of (field values..., number of models), one grouped query. Fields named
    `effective_<field>` are the models' effective classification. For a list of models as they
    stood on a past date (curation.public.as_of), counted the same way in memory."""
    prefix = classification.ANNOTATION_PREFIX
    if isinstance(queryset, (list, tuple)):
        counted = Counter(tuple(_lookup(model, path, prefix) for path in fields) for model in queryset)
        return [(*values, n) for values, n in counted.items()]
    effective = [f.removeprefix(prefix) for f in fields if f.startswith(prefix)]
    if effective:
        queryset = queryset.annotate(**classification.classification_expressions(effective))
    return list(queryset.values_list(*fields).annotate(models=Count("id")).order_by())


def _lookup(model, path: str, prefix: str):
    """A field of a loaded model as values_list gives it (a country as its code); `effective_*`
    from the model's effective classification."""
    if path.startswith(prefix):
        return getattr(classification.effective_classification(model), path.removeprefix(prefix))
    obj = model
    for part in path.split("__"):
        obj = getattr(obj, part, None) if obj is not None else None
    return getattr(obj, "code", obj)


SECTOR = "effective_sector"
BLOC = "effective_big_tech_bloc"
ORIGIN_SCOPE = "effective_origin_scope"
COUNTRY = "effective_country"
REGION = "effective_region"


# --- pies ------------------------------------------------------------------------------------


def count_academic(queryset: QuerySet) -> list[tuple[str, int]]:
    found = dict(_counts(queryset, SECTOR))
    unclassified = sum(n for sector, n in found.items() if sector not in vocab.Sector.values)
    return [(s.label, found.get(s.value, 0)) for s in vocab.Sector] + [(NOT_CLASSIFIED, unclassified)]


# The Big Tech chart's slices in order: the blocs, then the rest.
BIG_TECH_SLICES = (
    vocab.BigTechBloc.AMERICAN,
    vocab.BigTechBloc.CHINESE,
    vocab.BigTechBloc.CHINESE_AI_TIGER,
    vocab.BigTechBloc.EUROPEAN,
    vocab.BigTechBloc.NONE,
)
BIG_TECH_WITH_TIGERS = "Big Tech with the Chinese AI Tigers"


def count_big_tech(queryset: QuerySet) -> list[tuple[str, int]]:
    """By Big Tech bloc; a model whose contributor type (sector, kind, bloc) is not known, e.g.
    of an organisation nobody has classified yet, is not classified rather than "Not Big Tech"."""
    found: dict[str, int] = defaultdict(int)
    for sector, bloc, n in _counts(queryset, SECTOR, BLOC):
        found[bloc if sector in vocab.Sector.values else None] += n
    unclassified = sum(n for bloc, n in found.items() if bloc not in vocab.BigTechBloc.values)
    return [(vocab.BIG_TECH_GROUP_LABELS[b], found.get(b.value, 0)) for b in BIG_TECH_SLICES] + [
        (NOT_CLASSIFIED, unclassified)
    ]


def big_tech_sum_note(slices) -> str:
    """The sum of every Big Tech slice with the Tigers, as the chart's note states it."""
    blocs = {vocab.BIG_TECH_GROUP_LABELS[b] for b in BIG_TECH_SLICES if b != vocab.BigTechBloc.NONE}
    total = sum(s.count for s in slices)
    together = sum(s.count for s in slices if s.label in blocs)
    return f"{BIG_TECH_WITH_TIGERS}: {together} of {total} ({percent_of(together, total):g}%)."


def origin_slice_label(scope: str | None, country: str | None) -> str:
    if scope is None:
        return NOT_CLASSIFIED
    if scope == vocab.OriginScope.COUNTRY and country:
        return vocab.origin_label(scope, country)
    if scope in (vocab.OriginScope.INTERNATIONAL, vocab.OriginScope.UNDISCLOSED):
        return vocab.OriginScope(scope).label
    return vocab.OriginScope.UNKNOWN.label


def count_national_origins(queryset: QuerySet) -> list[tuple[str, int]]:
    """Countries by size, the long tail beyond the top N as "Other", then the non-countries."""
    by_country: dict[str, int] = defaultdict(int)
    rest: dict[str, int] = defaultdict(int)
    for scope, country, n in _counts(queryset, ORIGIN_SCOPE, COUNTRY):
        label = origin_slice_label(scope, country)
        if scope == vocab.OriginScope.COUNTRY and country:
            by_country[label] += n
        else:
            rest[label] += n
    ranked = sorted(by_country.items(), key=lambda item: (-item[1], item[0]))
    head, tail = ranked[: top_origins()], ranked[top_origins() :]
    non_country = [
        vocab.OriginScope.INTERNATIONAL.label,
        vocab.OriginScope.UNDISCLOSED.label,
        vocab.OriginScope.UNKNOWN.label,
        NOT_CLASSIFIED,
    ]
    return head + [(OTHER_ORIGINS, sum(n for _, n in tail))] + [(label, rest.get(label, 0)) for label in non_country]


def region_group_label(region: str | None, country: str | None) -> str:
    """Europe, North America, China, other regions, International, Undisclosed, Unknown."""
    if region is None:
        return NOT_CLASSIFIED
    if country == "CN":
        return countries.name("CN")
    if region in (
        vocab.Region.EUROPE,
        vocab.Region.NORTH_AMERICA,
        vocab.Region.INTERNATIONAL,
        vocab.Region.UNDISCLOSED,
        vocab.Region.UNKNOWN,
    ):
        return vocab.Region(region).label
    return OTHER_REGIONS


def region_group_labels() -> list[str]:
    return [
        vocab.Region.EUROPE.label,
        vocab.Region.NORTH_AMERICA.label,
        countries.name("CN"),
        OTHER_REGIONS,
        vocab.Region.INTERNATIONAL.label,
        vocab.Region.UNDISCLOSED.label,
        vocab.Region.UNKNOWN.label,
        NOT_CLASSIFIED,
    ]


def count_regions(queryset: QuerySet) -> list[tuple[str, int]]:
    found: dict[str, int] = defaultdict(int)
    for region, country, n in _counts(queryset, REGION, COUNTRY):
        found[region_group_label(region, country)] += n
    return [(label, found.get(label, 0)) for label in region_group_labels()]


# --- time series and distributions -----------------------------------------------------------


def _year_span(years) -> list[int]:
    years = [y for y in years if y is not None]
    return list(range(min(years), max(years) + 1)) if years else []


def _dated(queryset: QuerySet) -> QuerySet:
    return queryset.filter(release_date__isnull=False).annotate(year=ExtractYear("release_date"))


SCORE_BANDS = 10


def score_band_label(band: int) -> str:
    low = band * 100 // SCORE_BANDS
    high = 100 if band == SCORE_BANDS - 1 else (band + 1) * 100 // SCORE_BANDS - 1
    return f"{low}–{high}%"


def openness_by_type(queryset: QuerySet) -> tuple[list[Series], int]:
    rows = list(
        queryset.annotate(band=Least(Floor(_score_times_bands()), Value(SCORE_BANDS - 1), output_field=IntegerField()))
        .values_list("types", "band")
        .annotate(models=Count("id"))
        .order_by()
    )
    per_type: dict[str, list[int]] = {t: [0] * SCORE_BANDS for t in vocab.ModelType.values}
    for types, band_value, n in rows:
        for t in (types or "").split(","):
            if t in per_type:
                per_type[t][int(band_value)] += n
    series = [
        Series(t.label, tuple(Point(score_band_label(b), per_type[t.value][b]) for b in range(SCORE_BANDS)))
        for t in vocab.ModelType
        if any(per_type[t.value])
    ]
    return series, sum(n for _, _, n in rows)


def _score_times_bands():
    # The tiny epsilon keeps a score stored as e.g. 0.6999… for 7/10 in the 70–79% band.
    return ExpressionWrapper(F("total_score") * SCORE_BANDS + 1e-9, output_field=FloatField())


def releases_by_region(queryset: QuerySet) -> tuple[list[Series], int]:
    rows = _counts(_dated(queryset), "year", REGION, COUNTRY)
    years = _year_span(row[0] for row in rows)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for year, region, country, n in rows:
        counts[region_group_label(region, country)][year] += n
    series = [
        Series(label, tuple(Point(str(y), counts[label].get(y, 0)) for y in years))
        for label in region_group_labels()
        if label in counts
    ]
    return series, sum(row[-1] for row in rows)


def _open_dimension(dimension_id: int) -> Exists:
    """The model is graded open on this dimension (one lookup on the (model, dimension) index)."""
    return Exists(Assessment.objects.filter(ai_model=OuterRef("pk"), dimension_id=dimension_id, grade=vocab.Grade.OPEN))


OPEN_WEIGHTS_ONLY = "Open weights; data, code or licence not open"
OPEN_ON_ALL = "Open weights, data, code and licence"


def open_weights_vs_open_source(queryset: QuerySet) -> tuple[list[Series], int]:
    ids = dict(Dimension.objects.filter(is_active=True).values_list("ref", "pk"))
    weights_id = ids.get(OPEN_WEIGHTS_DIMENSION)
    other_ids = [ids[ref] for ref in OPEN_SOURCE_DIMENSIONS if ref in ids]
    dated = _dated(queryset)
    if weights_id is None:
        rows = list(
            dated.values("year").annotate(dated=Count("id"), weights_only=Value(0), all_open=Value(0)).order_by()
        )
    else:
        flags = {"open_weights": _open_dimension(weights_id)}
        flags.update({f"open_{i}": _open_dimension(pk) for i, pk in enumerate(other_ids)})
        open_on_all = Q(open_weights=True)
        for i in range(len(other_ids)):
            open_on_all &= Q(**{f"open_{i}": True})
        rows = list(
            dated.annotate(**flags)
            .values("year")
            .annotate(
                dated=Count("id"),
                weights_only=Count("id", filter=Q(open_weights=True) & ~open_on_all),
                all_open=Count("id", filter=open_on_all),
            )
            .order_by()
        )
    by_year = {row["year"]: row for row in rows}
    years = _year_span(by_year)
    series = [
        Series(
            OPEN_WEIGHTS_ONLY, tuple(Point(str(y), by_year[y]["weights_only"] if y in by_year else 0) for y in years)
        ),
        Series(OPEN_ON_ALL, tuple(Point(str(y), by_year[y]["all_open"] if y in by_year else 0) for y in years)),
    ]
    return series, sum(row["dated"] for row in rows)


TOP_SHARE = "Share of the five largest organisations (%)"
HHI = "Herfindahl-Hirschman index (0–10,000)"


def concentration(queryset: QuerySet) -> tuple[list[Series], int]:
    """Per release year: the five largest organisations' share of models, and the HHI."""
    rows = _counts(_dated(queryset).filter(organisation__isnull=False), "year", "organisation")
    per_year: dict[int, list[int]] = defaultdict(list)
    for year, _organisation, n in rows:
        per_year[year].append(n)
    top, hhi = [], []
    for year in sorted(per_year):
        sizes = sorted(per_year[year], reverse=True)
        total = sum(sizes)
        top.append(Point(str(year), round(100 * sum(sizes[:5]) / total, 1)))
        hhi.append(Point(str(year), round(sum((100 * n / total) ** 2 for n in sizes), 1)))
    return [Series(TOP_SHARE, tuple(top)), Series(HHI, tuple(hhi))], sum(n for *_, n in rows)


# --- adoption: Hugging Face downloads per month (curation.adoption.figures) ---------------------
# One download, one vote: each model weighs what its repositories were downloaded in the month.
# Each returns (series, models with adoption data, its coverage (figures.Adoption.coverage)).


def _downloads_by_label(queryset: QuerySet, labels: dict[int, str], order: list[str]) -> tuple[list[Series], int, dict]:
    """Per month, each label's share (%) of the month's downloads."""
    adoption = adoption_of(queryset)
    months = adoption.months()
    per_label: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_month: dict[str, int] = defaultdict(int)
    for pk, figures in adoption.by_model.items():
        for month, n in figures.monthly.items():
            per_label[labels.get(pk, NOT_CLASSIFIED)][month] += n
            per_month[month] += n
    series = [
        Series(label, tuple(Point(m, percent_of(per_label[label].get(m, 0), per_month[m])) for m in months))
        for label in order
        if any(per_label[label].values())
    ]
    return series, adoption.covered, adoption.coverage()


def downloads_by_big_tech(queryset: QuerySet) -> tuple[list[Series], int, dict]:
    rows = queryset.with_classification("sector", "big_tech_bloc").values_list(
        "pk", "effective_sector", "effective_big_tech_bloc"
    )
    labels = {
        pk: vocab.BIG_TECH_GROUP_LABELS[vocab.BigTechBloc(bloc)]
        if sector in vocab.Sector.values and bloc in vocab.BigTechBloc.values
        else NOT_CLASSIFIED
        for pk, sector, bloc in rows
    }
    order = [vocab.BIG_TECH_GROUP_LABELS[b] for b in BIG_TECH_SLICES] + [NOT_CLASSIFIED]
    return _downloads_by_label(queryset, labels, order)


def downloads_by_region(queryset: QuerySet) -> tuple[list[Series], int, dict]:
    rows = queryset.with_classification("region", "country").values_list("pk", "effective_region", "effective_country")
    labels = {pk: region_group_label(region, country) for pk, region, country in rows}
    return _downloads_by_label(queryset, labels, region_group_labels())


def downloads_concentration(queryset: QuerySet) -> tuple[list[Series], int, dict]:
    """Per month: the Herfindahl–Hirschman index of downloads by organisation, and the five
    largest organisations' share; models without an organisation are left out."""
    adoption = adoption_of(queryset)
    organisation = dict(queryset.filter(organisation__isnull=False).values_list("pk", "organisation_id"))
    per_month: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for pk, figures in adoption.by_model.items():
        if pk in organisation:
            for month, n in figures.monthly.items():
                per_month[month][organisation[pk]] += n
    months = [m for m in sorted(per_month) if sum(per_month[m].values())]
    top = tuple(Point(m, round(top_share(per_month[m].values()), 1)) for m in months)
    hhi = tuple(Point(m, round(herfindahl_hirschman(per_month[m].values()), 1)) for m in months)
    return [Series(TOP_SHARE, top), Series(HHI, hhi)], adoption.covered, adoption.coverage()


def downloads_open_weights_vs_open_source(queryset: QuerySet) -> tuple[list[Series], int, dict]:
    """Per month, downloads of models open on end-model weights only, and of models open on
    weights, training data, training code and licence (the dimensions of the models chart)."""
    adoption = adoption_of(queryset)
    ids = dict(Dimension.objects.filter(is_active=True).values_list("ref", "pk"))
    kind: dict[int, str] = {}
    if OPEN_WEIGHTS_DIMENSION in ids:
        flags = {"open_weights": _open_dimension(ids[OPEN_WEIGHTS_DIMENSION])}
        others = [ids[ref] for ref in OPEN_SOURCE_DIMENSIONS if ref in ids]
        flags.update({f"open_{i}": _open_dimension(pk) for i, pk in enumerate(others)})
        rows = queryset.filter(pk__in=list(adoption.by_model)).annotate(**flags).values_list("pk", *flags)
        for pk, weights, *rest in rows:
            if weights:
                kind[pk] = OPEN_ON_ALL if all(rest) else OPEN_WEIGHTS_ONLY
    months = adoption.months()
    per_kind: dict[str, dict[str, int]] = {OPEN_WEIGHTS_ONLY: defaultdict(int), OPEN_ON_ALL: defaultdict(int)}
    for pk, figures in adoption.by_model.items():
        if pk in kind:
            for month, n in figures.monthly.items():
                per_kind[kind[pk]][month] += n
    series = [Series(label, tuple(Point(m, per_kind[label].get(m, 0)) for m in months)) for label in per_kind]
    return series, adoption.covered, adoption.coverage()


def openness_timeline(queryset: QuerySet) -> tuple[list[Series], int]:
    """Each dated model a point: its release (vocab.release_label) against its total openness
    score in percent (1 decimal), in one series per model type (a model of several types is in
    each of them), by release then name. The total is the number of dated models."""
    rows = list(
        _dated(queryset)
        .order_by("release_date", Lower("name"), "pk")
        .values_list("name", "types", "release_date", "release_date_precision", "total_score")
    )
    per_type: dict[str, list[Point]] = {t: [] for t in vocab.ModelType.values}
    for name, types, released, precision, score in rows:
        point = Point(vocab.release_label(released, precision), round(100 * score, 1), name)
        for t in (types or "").split(","):
            if t in per_type:
                per_type[t].append(point)
    series = [Series(t.label, tuple(per_type[t.value])) for t in vocab.ModelType if per_type[t.value]]
    return series, len(rows)


# --- the catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    subset: str
    kind: str
    count: Callable[[QuerySet], object]
    x_label: str = ""
    y_label: str = "Models"
    note: str = ""
    # Pies only: a sentence computed from the slices, appended to the note.
    summary: Callable[[tuple], str] | None = None

    def queryset(self) -> QuerySet:
        models = AIModel.objects.public()
        if self.subset == LATEST:
            models = models.filter(performance_class=LATEST)
        return models

    def compute_as_of(self, day) -> ChartData:
        """The chart's numbers for the index as it stood at the end of `day` (pies only: the
        series charts read grades and dates the past index does not rebuild)."""
        if self.kind != PIE:
            raise ValueError(f"{self.key}: only the pie charts can be shown as of a past date")
        models = public_models_on(day)
        if self.subset == LATEST:
            models = [m for m in models if m.performance_class == LATEST]
        return self.compute(models)

    def compute(self, queryset: QuerySet | None = None) -> ChartData:
        """The chart's numbers, from the given models (default: what readers see in its subset)."""
        queryset = self.queryset() if queryset is None else queryset
        common = {
            "key": self.key,
            "title": self.title,
            "subset": self.subset,
            "kind": self.kind,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "note": self.note,
        }
        if self.kind == PIE:
            slices = slices_from_counts(self.count(queryset))
            if self.summary is not None and slices:
                common["note"] = f"{self.note} {self.summary(slices)}".strip()
            return ChartData(total=sum(s.count for s in slices), slices=slices, **common)
        series, total, *coverage = self.count(queryset)
        if coverage:  # the adoption charts say how many models they stand for
            common["note"] = f"{self.note} {coverage[0]['text']}".strip()
            common["extra"] = {"coverage": coverage[0]}
        return ChartData(total=total, series=tuple(series), **common)


_PIE_NOTE = "One model, one vote, by its own classification where upstream tags it apart from its organisation's."
_LATEST_TITLE = " (latest performance class)"


def _pie_specs() -> list[ChartSpec]:
    base = [
        ("academic-share", "Academic and non-academic models", count_academic, _PIE_NOTE),
        (
            "big-tech-share",
            "Models by Big Tech bloc",
            count_big_tech,
            _PIE_NOTE + " The Chinese AI Tigers are shown beside Chinese Big Tech.",
        ),
        (
            "national-origins",
            "Models by national origin",
            count_national_origins,
            _PIE_NOTE + f" Countries beyond the largest {top_origins()} are grouped as \u201cOther\u201d.",
        ),
        ("regions", "Models by region", count_regions, _PIE_NOTE + " China is shown apart from the rest of East Asia."),
    ]
    specs = []
    for key, title, count, note in base:
        summary = big_tech_sum_note if count is count_big_tech else None
        specs.append(ChartSpec(key, title, ALL, PIE, count, note=note, summary=summary))
        specs.append(ChartSpec(f"{key}-latest", title + _LATEST_TITLE, LATEST, PIE, count, note=note, summary=summary))
    return specs


def _series_specs() -> list[ChartSpec]:
    return [
        ChartSpec(
            "openness-by-type",
            "Total openness scores by model type",
            ALL,
            GROUPED_BARS,
            openness_by_type,
            x_label="Total openness score",
            note="A model of several types counts once in each of them.",
        ),
        ChartSpec(
            "releases-by-region",
            "Model releases per year by region",
            ALL,
            STACKED_BARS,
            releases_by_region,
            x_label="Release year",
            note="Models without a release date are not counted.",
        ),
        ChartSpec(
            "open-weights-vs-open-source",
            "Open weights versus open source, per release year",
            ALL,
            STACKED_BARS,
            open_weights_vs_open_source,
            x_label="Release year",
            note="Open means graded open on end-model weights, training data (base and end model), "
            "training code and licence.",
        ),
        ChartSpec(
            "openness-timeline",
            "Openness against release date",
            ALL,
            SCATTER,
            openness_timeline,
            x_label="Release",
            y_label="Total openness score",
            note="Each model is a point at its release month (a model known only by its release year "
            "at the start of that year) and its total openness score, coloured by type; a model of "
            "several types is drawn once for each. Models without a release date are not counted.",
        ),
        ChartSpec(
            "concentration",
            "Concentration of models by organisation, per release year",
            ALL,
            LINES,
            concentration,
            x_label="Release year",
            y_label="",
            note="Share of the year's models made by the five largest organisations, and the "
            "Herfindahl-Hirschman index of models by organisation.",
        ),
    ]


_ADOPTION_NOTE = (
    "Downloads in each month of the models' Hugging Face repositories (the Hub's 30-day count "
    "on the month's last reading)."
)


def _adoption_specs() -> list[ChartSpec]:
    share = "Share of downloads (%)"
    return [
        ChartSpec(
            "adoption-big-tech",
            "Share of Hugging Face downloads by Big Tech bloc, per month",
            ALL,
            STACKED_BARS,
            downloads_by_big_tech,
            x_label="Month",
            y_label=share,
            note=_ADOPTION_NOTE + " The Chinese AI Tigers are shown beside Chinese Big Tech.",
        ),
        ChartSpec(
            "adoption-regions",
            "Share of Hugging Face downloads by region, per month",
            ALL,
            STACKED_BARS,
            downloads_by_region,
            x_label="Month",
            y_label=share,
            note=_ADOPTION_NOTE + " China is shown apart from the rest of East Asia.",
        ),
        ChartSpec(
            "adoption-concentration",
            "Concentration of Hugging Face downloads by organisation, per month",
            ALL,
            LINES,
            downloads_concentration,
            x_label="Month",
            y_label="",
            note=_ADOPTION_NOTE + " Share of the month's downloads of the five largest organisations, and "
            "the Herfindahl-Hirschman index of downloads by organisation.",
        ),
        ChartSpec(
            "adoption-open-weights-vs-open-source",
            "Hugging Face downloads of open-weights and open-source models, per month",
            ALL,
            LINES,
            downloads_open_weights_vs_open_source,
            x_label="Month",
            y_label="Downloads",
            note=_ADOPTION_NOTE + " Open means graded open on end-model weights, training data (base and end "
            "model), training code and licence.",
        ),
    ]


def catalogue() -> dict[str, ChartSpec]:
    """Every chart by key (built on call: titles and notes follow the settings)."""
    return {spec.key: spec for spec in _pie_specs() + _series_specs() + _adoption_specs()}


def chart_keys() -> list[str]:
    return list(catalogue())


def get_spec(key: str) -> ChartSpec | None:
    return catalogue().get(key)
