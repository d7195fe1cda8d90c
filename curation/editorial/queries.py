"""Reading published posts and pages: what readers, feeds and embeds list.

Kept apart from curation.editorial.services (writes, workflow) so that the embeds, which the
Markdown renderer uses and the services render with, read posts without importing the services.
"""

from __future__ import annotations

from curation.models import ARTICLE_KINDS, Post, PostKind, PostTag


def published_posts(kind: str | None = None, *, tag: str | None = None):
    """Published articles (news and guides; one kind if given), newest first. Pages are not articles."""
    queryset = Post.objects.public().prefetch_related("tags", "authors")
    queryset = queryset.filter(kind=kind) if kind else queryset.filter(kind__in=ARTICLE_KINDS)
    if tag:
        queryset = queryset.filter(tags__slug=tag)
    return queryset.newest_first()


def published_tags(kind: str):
    """The tags of published posts of one kind, for readers to narrow the list by."""
    return PostTag.objects.filter(posts__in=Post.objects.public().filter(kind=kind)).distinct()


def latest_published(kind: str | None = None, limit: int = 3) -> list[Post]:
    """The newest published articles, for the home page."""
    return list(published_posts(kind)[:limit])


def published_page(slug: str) -> Post | None:
    """The published fixed page with this slug (about, contribute, ...; `index` is the home page)."""
    return Post.objects.public().filter(kind=PostKind.PAGE, slug=slug).first()


def page_url(slug: str) -> str:
    """The address of a published fixed page, or "" when there is none."""
    page = Post.objects.public().filter(kind=PostKind.PAGE, slug=slug).only("kind", "slug").first()
    return page.get_absolute_url() if page else ""


def content_last_updated():
    """When the site's published content (articles and pages) last changed, or None."""
    return Post.objects.public().order_by("-updated_at").values_list("updated_at", flat=True).first()
