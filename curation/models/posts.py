"""Editorial content: news and guides, their revisions and their workflow history.

A post's text lives in Markdown (`body`), rendered and sanitised on display by
`curation.editorial.rendering`. Every save through the services keeps a `PostRevision`; every
status change is a `PostStatusChange` row (who, when, from, to), so history is never rewritten.
Status changes happen only through `curation.editorial.services`.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class PostKind(models.TextChoices):
    NEWS = "news", "News"
    GUIDE = "guide", "Guide"
    # A fixed page of the site (about, contribute, ...) at /<slug>/; `index` is the home page.
    PAGE = "page", "Page"


# Kinds that are dated articles (lists, feeds, "latest news"); pages are not.
ARTICLE_KINDS = (PostKind.NEWS, PostKind.GUIDE)
HOME_PAGE_SLUG = "index"


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class PostTag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PostQuerySet(models.QuerySet):
    def public(self):
        """What readers may see: published posts only (never drafts, in review, scheduled, archived)."""
        return self.filter(status=PostStatus.PUBLISHED)

    def newest_first(self):
        return self.order_by("-date", "-published_at", "-pk")


class Post(models.Model):
    kind = models.CharField(max_length=10, choices=PostKind.choices, default=PostKind.NEWS)
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="posts",
        help_text="Accounts credited in the byline (in addition to the names below).",
    )
    author_names = models.CharField(
        max_length=300, blank=True, help_text="Names credited in the byline, e.g. 'Ada Lovelace & Alan Turing'."
    )
    date = models.DateField(default=timezone.localdate, help_text="The date shown in the byline.")
    cover_image = models.ImageField(upload_to="posts/covers/", blank=True)
    cover_image_alt = models.CharField("cover image text alternative", max_length=300, blank=True)
    tags = models.ManyToManyField(PostTag, blank=True, related_name="posts")
    body = models.TextField(blank=True, help_text='Markdown. Embeds: {% chart "key" %}, {% index ... %}, {% byline %}.')
    status = models.CharField(max_length=12, choices=PostStatus.choices, default=PostStatus.DRAFT, editable=False)
    publish_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    source_path = models.CharField(max_length=300, blank=True, editable=False, help_text="File it was imported from.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="one_post_per_kind_and_slug")]
        indexes = [models.Index(fields=["status", "kind", "-date"]), models.Index(fields=["status", "publish_at"])]
        permissions = [("publish_post", "Can publish, schedule and archive posts")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.kind == PostKind.PAGE:
            return (
                reverse("curation:home") if self.slug == HOME_PAGE_SLUG else reverse("curation:page", args=[self.slug])
            )
        return reverse(
            "curation:news-detail" if self.kind == PostKind.NEWS else "curation:guide-detail", args=[self.slug]
        )

    @property
    def byline_names(self) -> str:
        accounts = [u.get_full_name() or u.get_username() for u in self.authors.all()]
        names = [self.author_names] if self.author_names else []
        return " & ".join(names + [a for a in accounts if a not in self.author_names])


class PostRevision(models.Model):
    """A snapshot of a post's content taken on every save; restoring one makes a new revision."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=250)
    description = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    # Slug, kind, date, author names, account ids, tag names, cover image at the time.
    metadata = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="one_revision_number_per_post")]

    def __str__(self):
        return f"{self.post} · revision {self.number}"


class PostStatusChange(models.Model):
    """One workflow step of a post: who moved it from which status to which, and when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=PostStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=PostStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.post}: {self.from_status or '—'} → {self.to_status}"
