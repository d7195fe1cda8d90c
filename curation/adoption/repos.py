"""Which Hugging Face repositories each model has, read for many models at once."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from curation import hfrepos
from curation.models import AIModel, Assessment


def repo_ids_by_model(models: QuerySet | None = None) -> dict[int, list[str]]:
    """{model id: its repository ids (AIModel.hf_repo_ids)} for `models` (default: every
    model), in two queries whatever their number; models without repositories are left out."""
    models = AIModel.objects.all() if models is None else models
    rows = list(models.order_by().values_list("pk", "link", "hf_repos"))
    derived = [pk for pk, _link, repos in rows if repos is None]
    weights: dict[int, list[str]] = defaultdict(list)
    if derived:
        for pk, links in Assessment.objects.filter(
            ai_model_id__in=derived, dimension__ref=hfrepos.WEIGHTS_DIMENSION
        ).values_list("ai_model_id", "links"):
            weights[pk].extend(links or [])
    found = {}
    for pk, link, repos in rows:
        ids = list(repos) if repos is not None else hfrepos.derive_repo_ids([link, *weights.get(pk, [])])
        if ids:
            found[pk] = ids
    return found


def repository_owners(by_model: dict[int, list[str]]) -> dict[str, int]:
    """{repository id (lower case): model id}. A repository claimed by several models counts
    for the one with the lowest id, so that no download is counted twice."""
    owners: dict[str, int] = {}
    for pk in sorted(by_model):
        for repo in by_model[pk]:
            owners.setdefault(repo.lower(), pk)
    return owners
