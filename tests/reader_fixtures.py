"""The real data, imported, for the reader pages' browser tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def real_site(registry, shared_database, shared_pages):
    """The shared index and site pages, imported; the addresses of one of each kind of page."""
    from curation.editorial.importer import import_pages
    from curation.interchange import import_index
    from curation.models import AIModel, Organisation, Post, PostKind

    import_index(shared_database)
    import_pages(shared_pages)
    olmo = AIModel.objects.get(upstream_filename="OLMo.yaml")
    # The model with the longest name and most evidence tests long words and links on a phone.
    longest = max(AIModel.objects.public(), key=lambda m: len(m.name))
    organisation = olmo.organisation
    news = Post.objects.public().filter(kind=PostKind.NEWS).order_by("-date").first()
    guide = (
        Post.objects.public().filter(kind=PostKind.GUIDE, body__contains="{% index").first()
        or Post.objects.public().filter(kind=PostKind.GUIDE).first()
    )
    compared = ",".join(AIModel.objects.public().order_by("name").values_list("slug", flat=True)[:10])
    withdrawn = _withdrawn_like(olmo)
    pages = {
        "home": "/",
        "index": "/models/",
        "index-grid": "/models/?view=grid",
        "model": f"/models/{olmo.slug}/",
        "model-long-name": f"/models/{longest.slug}/",
        "organisations": "/organisations/",
        "organisation": f"/organisations/{organisation.slug}/",
        "compare": f"/compare/?models={compared}",
        "withdrawn": f"/models/{withdrawn.slug}/",
        "compare-withdrawn": f"/compare/?models={withdrawn.slug},{olmo.slug}",
        "charts": "/charts/",
        "news-list": "/news/",
        "news": f"/news/{news.slug}/",
        "guides-list": "/guides/",
        "guide": f"/guides/{guide.slug}/",
        "about": "/about/",
        "definitions": "/osai-definitions/",
        "database": "/database/",
        "api-docs": "/api/v1/docs/",
        "not-found": "/no-such-page/",
        "dimensions": "/dimensions/",
        "dimension": "/dimensions/licenses/",
        "suggest": f"/models/{longest.slug}/suggest/",
        "not-included": "/models/not-included/",
    }
    return {
        "olmo": olmo,
        "organisation": organisation,
        "pages": pages,
        "organisation_count": Organisation.objects.public().count(),
    }


def _withdrawn_like(model):
    """A model as a history replay leaves one whose upstream file was deleted (as upstream did
    with olmo-7b-instruct.yaml on 2025-03-04): out of the index, its grades kept. A copy of
    `model`'s grades, so the imported data's figures do not change."""
    import datetime

    from curation.assessments import recompute_scores
    from curation.models import AIModel, Assessment

    withdrawn = AIModel.objects.create(
        name="OLMo 7B Instruct",
        slug="olmo-7b-instruct",
        upstream_filename="olmo-7b-instruct.yaml",
        organisation=model.organisation,
        types=model.types,
        is_public=False,
        removed_upstream_at=datetime.datetime(2025, 3, 4, 13, 16, tzinfo=datetime.UTC),
    )
    Assessment.objects.bulk_create(
        Assessment(ai_model=withdrawn, dimension_id=a.dimension_id, grade=a.grade, links=a.links, notes=a.notes)
        for a in model.assessments.all()
    )
    recompute_scores([withdrawn])
    return withdrawn
