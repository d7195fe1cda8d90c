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
    guide = Post.objects.public().filter(kind=PostKind.GUIDE, body__contains="{% index").first() or \
        Post.objects.public().filter(kind=PostKind.GUIDE).first()
    compared = ",".join(AIModel.objects.public().order_by("name").values_list("slug", flat=True)[:10])
    pages = {
        "home": "/",
        "index": "/models/",
        "index-grid": "/models/?view=grid",
        "model": f"/models/{olmo.slug}/",
        "model-long-name": f"/models/{longest.slug}/",
        "organisations": "/organisations/",
        "organisation": f"/organisations/{organisation.slug}/",
        "compare": f"/compare/?models={compared}",
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
    }
    return {"olmo": olmo, "organisation": organisation, "pages": pages,
           "organisation_count": Organisation.objects.public().count()}
