"""Reader-facing news, guides, the site's fixed pages and the image library's files. Queries
and rendering come from services; views shape pages."""

from __future__ import annotations

import datetime
import mimetypes

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from curation.editorial import images, queries, services
from curation.editorial.rendering import render_markdown
from curation.models import HOME_PAGE_SLUG, Post, PostKind

POSTS_PER_PAGE = 10
KIND_HEADINGS: dict[str, str] = {PostKind.NEWS: "News", PostKind.GUIDE: "Guides"}


def post_list(request, kind: str):
    tag_slug = request.GET.get("tag") or None
    tags = queries.published_tags(kind)
    # Only tags of published posts exist for readers: a draft's tag is not even named.
    tag = get_object_or_404(tags, slug=tag_slug) if tag_slug else None
    page = Paginator(queries.published_posts(kind, tag=tag_slug), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "curation/editorial/post_list.html",
        {
            "kind": kind,
            "heading": KIND_HEADINGS[kind],
            "page": page,
            "tag": tag,
            "tags": tags,
            "feed_url": reverse("curation:feed-news" if kind == PostKind.NEWS else "curation:feed-guides"),
        },
    )


def render_post_page(request, post: Post, *, preview: bool = False, show_problems: bool = False, status: int = 200):
    """The one post page: public view, admin preview and signed-link preview all use it (for
    news, guides and the site's fixed pages alike)."""
    rendered = render_markdown(post.body, post=post, preview=show_problems)
    is_page = post.kind == PostKind.PAGE
    share_image, share_image_alt = services.share_image(post)
    response = render(
        request,
        "curation/editorial/post_detail.html",
        {
            "post": post,
            "body": rendered.html,
            "problems": rendered.problems if show_problems else [],
            "preview": preview,
            "has_byline_embed": "{% byline" in post.body,
            "is_page": is_page,
            # The home page's landing block carries its own heading, and a page may start with its own.
            "show_title": not (is_page and (post.slug == HOME_PAGE_SLUG or post.body.lstrip().startswith("# "))),
            "list_url": ""
            if is_page
            else reverse("curation:news-list" if post.kind == PostKind.NEWS else "curation:guide-list"),
            "kind_heading": KIND_HEADINGS.get(post.kind, ""),
            "share_image": share_image,
            "share_image_alt": share_image_alt,
        },
        status=status,
    )
    if preview:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
    return response


def post_detail(request, kind: str, slug: str):
    post = get_object_or_404(Post.objects.public().prefetch_related("tags", "authors"), kind=kind, slug=slug)
    return render_post_page(request, post)


def page_detail(request, slug: str):
    """A fixed page of the site at /<slug>/ (the home page `index` lives at /)."""
    if slug == HOME_PAGE_SLUG:
        raise Http404("The home page lives at /.")
    return post_detail(request, PostKind.PAGE, slug)


def image_file(request, name: str, width: int | None = None):
    """A library picture (or its rendition `width` pixels wide), streamed from storage.

    Addresses carry `?v=<hash of the file>`, so with a matching `v` the response may be cached
    for a year; without it, for an hour.
    """
    image = images.image_named(name)
    if image is None or (image.name != name and image.name.lower() != name.lower()):
        raise Http404(f"No picture called “{name}”.")
    stored: FieldFile = image.file
    if width is not None:
        rendition = next((r for r in image.renditions.all() if r.width == width), None)
        if rendition is None:
            raise Http404(f"“{name}” has no copy {width} pixels wide.")
        stored = rendition.file
    if not stored.name:
        raise Http404(f"“{name}” has no stored file.")
    try:
        stored.storage.path(stored.name)
    except NotImplementedError:  # a remote storage serves its own files
        return HttpResponseRedirect(stored.url)
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError as exc:
        raise Http404(f"The file of “{name}” is missing from storage.") from exc
    response = FileResponse(handle, content_type=mimetypes.guess_type(stored.name)[0] or "application/octet-stream")
    fresh = request.GET.get("v") == image.sha256[:12]
    response["Cache-Control"] = "public, max-age=31536000, immutable" if fresh else "public, max-age=3600"
    return response


def shared_preview(request, token: str):
    """A draft shared through a signed, expiring link: readable without an account."""
    try:
        post = services.post_for_preview_token(token)
    except services.InvalidPreviewLink as exc:
        raise Http404(str(exc)) from exc
    return render_post_page(request, post, preview=True)


class PostFeed(Feed):
    """RSS 2.0 feed of published posts of one kind, newest first."""

    kind = PostKind.NEWS

    def title(self):
        return f"European Open Source AI Index — {KIND_HEADINGS[self.kind]}"

    def link(self):
        return reverse("curation:news-list" if self.kind == PostKind.NEWS else "curation:guide-list")

    def description(self):
        return f"{KIND_HEADINGS[self.kind]} from the European Open Source AI Index."

    def items(self):
        return queries.published_posts(self.kind)[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description

    def item_author_name(self, item):
        return item.byline_names or None

    def item_pubdate(self, item):
        # The byline date is the article's date (imported posts were published long before).
        return datetime.datetime.combine(item.date, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [t.name for t in item.tags.all()]


class NewsFeed(PostFeed):
    kind = PostKind.NEWS


class GuidesFeed(PostFeed):
    kind = PostKind.GUIDE
