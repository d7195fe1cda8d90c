"""Deterministic synthetic index data, for benchmarks and scale tests (never for readers).

Builds organisations and models spread over every vocabulary value, with grades on every
active dimension and stored scores, using bulk inserts so that 10,000 models take seconds.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from curation import vocab
from curation.assessments import recompute_scores
from curation.datachanges import record_data_change
from curation.models import AIModel, Assessment, Dimension, Organisation
from curation.registry import load_registry, scoring_dimensions

_COUNTRIES = ["US", "CN", "FR", "DE", "GB", "NL", "CA", "AE", "SG", "KR", "JP", "IN", "BR", "CH", "IT"]


@transaction.atomic
def populate_synthetic(model_count: int, *, seed: int = 7, prefix: str = "Synthetic") -> list[AIModel]:
    """Create `model_count` public models (and one organisation per five models)."""
    rng = random.Random(seed)
    if not Dimension.objects.exists():
        load_registry()
    dimensions = list(Dimension.objects.filter(is_active=True))
    org_count = max(1, model_count // 5)
    organisations = []
    for i in range(org_count):
        scope = rng.choices(list(vocab.OriginScope.values[:3]), weights=[90, 8, 2])[0]
        bloc = rng.choices(list(vocab.BigTechBloc.values), weights=[70, 10, 8, 8, 4])[0]
        organisations.append(
            Organisation(
                name=f"{prefix} Org {i:05d}",
                slug=f"{prefix.lower()}-org-{i:05d}",
                origin_scope=scope,
                country=rng.choice(_COUNTRIES) if scope == vocab.OriginScope.COUNTRY else "",
                region=vocab.Region.UNKNOWN,
                sector=rng.choice(vocab.Sector.values),
                contributor_kind=rng.choice(vocab.ContributorKind.values),
                big_tech_bloc=bloc,
                classification_status=vocab.ClassificationStatus.CLASSIFIED,
            )
        )
    for org in organisations:  # bulk_create bypasses save(); keep the derived region right
        org.region = vocab.region_for(org.origin_scope, org.country)
    Organisation.objects.bulk_create(organisations, batch_size=1000)
    organisations = list(Organisation.objects.filter(slug__startswith=f"{prefix.lower()}-org-"))

    types = vocab.ModelType.values
    models = []
    for i in range(model_count):
        chosen = sorted(rng.sample(types, rng.choice([1, 1, 1, 2])), key=types.index)
        year = rng.randint(2019, 2026)
        models.append(
            AIModel(
                name=f"{prefix} Model {i:05d}",
                slug=f"{prefix.lower()}-model-{i:05d}",
                link=f"https://example.org/models/{i}",
                types=",".join(chosen),
                performance_class=rng.choice([*vocab.PerformanceClass.values, ""]),
                base_model_name=f"{prefix} Base {i % 50}",
                end_model_name=f"{prefix} Model {i:05d}",
                end_model_licence=rng.choice(["Apache-2.0", "MIT", "Custom", ""]),
                release_date=datetime.date(year, rng.randint(1, 12), 1),
                release_date_precision=vocab.DatePrecision.MONTH.value,
                organisation=organisations[i % len(organisations)],
            )
        )
    AIModel.objects.bulk_create(models, batch_size=1000)
    models = list(AIModel.objects.filter(slug__startswith=f"{prefix.lower()}-model-"))
    grades = [*vocab.ASSESSED_GRADES, vocab.Grade.NOT_ASSESSED.value]
    Assessment.objects.bulk_create(
        (
            Assessment(
                ai_model=m,
                dimension=d,
                grade=rng.choices(grades, weights=[35, 25, 35, 5])[0],
                links=[f"https://example.org/evidence/{m.pk}/{d.ref}"],
                notes="Synthetic evidence.",
            )
            for m in models
            for d in dimensions
        ),
        batch_size=2000,
    )
    recompute_scores(models, scoring_dimensions())
    # Readers' data changed: cached pages and answers, and the charts, follow it.
    record_data_change(f"synthetic data: {model_count} models ({prefix})")
    return models
