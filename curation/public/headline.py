"""The home page's headline figures about the public index: how many models and organisations,
the share with open weights and of academic origin, how many countries, the mean openness.

Each figure reads every public model (seconds in all at 100,000 models), so they are worked out
once per data version for the whole site (`curation.public.caching.shared_per_data_version`),
by the worker right after a change where it runs one (curation.tasks), else by the first reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count

from curation import vocab
from curation.models import AIModel, Organisation
from curation.public.caching import shared_per_data_version
from curation.public.queries import Columns, registry_columns
from curation.registry import OPEN_WEIGHTS_DIMENSION
from curation.scoring import as_percent


@dataclass
class Headline:
    model_count: int
    organisation_count: int
    open_weights_percent: int  # of the public models, 0–100
    academic_percent: int  # of the public models, 0–100
    country_count: int
    mean_openness_percent: int  # the mean total score, 0–100


def headline_numbers(columns: Columns | None = None) -> Headline:
    """The headline figures of the public index under `columns`' registry (default: today's).

    "Open weights" means graded open on the dimension the charts use for it
    (`curation.registry.OPEN_WEIGHTS_DIMENSION`), so home page and charts agree; 0 when the
    registry has no such dimension."""
    active_refs = {d.ref for d in columns.dimensions} if columns else None
    weights_ref = OPEN_WEIGHTS_DIMENSION if active_refs is None or OPEN_WEIGHTS_DIMENSION in active_refs else ""
    return _headline(weights_ref)


def warm_headline() -> Headline:
    """The worker's part: today's headline figures worked out and kept for this data version."""
    return headline_numbers(registry_columns())


@shared_per_data_version("headline")
def _headline(weights_ref: str) -> Headline:
    """`headline_numbers` with the open-weights dimension's ref ("" for none); five queries."""
    models = AIModel.objects.public()
    totals = models.aggregate(count=Count("id"), mean=Avg("total_score"))
    model_count = totals["count"] or 0
    organisations = Organisation.objects.public().filter(ai_models__in=models).distinct()
    organisation_count = organisations.count()
    # Counted by each model's effective classification, as the charts count.
    classified = models.with_classification("sector", "country")
    academic = classified.filter(effective_sector=vocab.Sector.ACADEMIC).count()
    countries = (
        classified.exclude(effective_country="")
        .exclude(effective_country__isnull=True)
        .order_by()
        .values("effective_country")
        .distinct()
        .count()
    )
    open_weights = (
        models.filter(assessments__dimension__ref=weights_ref, assessments__grade=vocab.Grade.OPEN).count()
        if weights_ref
        else 0
    )

    def percent(part: int) -> int:
        return round(100 * part / model_count) if model_count else 0

    return Headline(
        model_count=model_count,
        organisation_count=organisation_count,
        open_weights_percent=percent(open_weights),
        academic_percent=percent(academic),
        country_count=countries,
        mean_openness_percent=as_percent(totals["mean"]),
    )
