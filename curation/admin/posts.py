"""Admin for news and guides: writing (every save keeps a revision), workflow buttons,
preview exactly as readers will see it (with embed problems shown), a signed share link,
revision history with diffs and restore.

Every change goes through `curation.editorial.services`; this module only wires forms to it.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html

from curation.admin.base import ReadOnlyAdmin
from curation.editorial import services
from curation.editorial.errors import EditorialError
from curation.editorial.rendering import render_markdown
from curation.editorial.views import render_post_page
from curation.models import Post, PostRevision, PostStatus, PostStatusChange, PostTag


def embed_help() -> str:
    """The embeds editors can write, with the chart keys that exist right now."""
    try:
        from curation.charts.catalogue import chart_keys

        keys = ", ".join(chart_keys())
    except ImportError:
        keys = "none yet"
    from curation.editorial.embeds import INDEX_VIEWS
    from curation.filters import GRADE_FILTER_PREFIX, AIModelFilter

    return format_html(
        "Markdown. Embeds, each on a line of its own: <code>{}</code> (charts: {}); "
        "<code>{}</code> (also the index's filters: {}, {}; view {}); <code>{}</code>. "
        "Problems show in Preview and on save.",
        '{% chart "academic-share" %}', keys, '{% index view="grid" models="deepseek-v3, OLMo" %}',
        ", ".join(AIModelFilter.base_filters), f"{GRADE_FILTER_PREFIX}<dimension ref>", " or ".join(INDEX_VIEWS),
        "{% byline %}",
    )


class PostForm(forms.ModelForm):
    tag_names = forms.CharField(
        label="Tags", required=False, help_text="Comma-separated, e.g. “openness, datasets”.",
    )
    revision_comment = forms.CharField(
        label="What changed", required=False, max_length=300,
        help_text="Kept with this revision in the post's history.",
    )

    class Meta:
        model = Post
        fields = [
            "kind", "title", "slug", "description", "authors", "author_names", "date",
            "cover_image", "cover_image_alt", "body",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(self.instance.tags.values_list("name", flat=True))
        self.fields["body"].help_text = embed_help()

    def clean_tag_names(self):
        return [t.strip() for t in self.cleaned_data["tag_names"].split(",") if t.strip()]


class PostStatusChangeInline(admin.TabularInline):
    model = PostStatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "user", "comment"]
    readonly_fields = fields
    verbose_name_plural = "workflow history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostForm
    change_form_template = "editorial/admin/post_change_form.html"
    list_display = ["title", "kind", "status", "date", "publish_at", "updated_at"]
    list_filter = ["kind", "status", "tags"]
    search_fields = ["title", "description", "body", "author_names"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "publish_at", "published_at", "source_path"]
    filter_horizontal = ["authors"]
    date_hierarchy = "date"
    inlines = [PostStatusChangeInline]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "description", "body", "tag_names"]}),
        ("Byline", {"fields": ["author_names", "authors", "date"]}),
        ("Cover image", {"fields": ["cover_image", "cover_image_alt"], "classes": ["collapse"]}),
        ("Status", {"fields": ["status", "publish_at", "published_at", "source_path"]}),
        ("Revision", {"fields": ["revision_comment"]}),
    ]

    # --- saving through the service ---------------------------------------------------------
    def save_model(self, request, obj, form, change):
        try:
            services.save_post(
                obj, user=request.user, tags=form.cleaned_data["tag_names"],
                authors=list(form.cleaned_data["authors"]),
                comment=form.cleaned_data["revision_comment"] or ("Edited" if change else "Created"),
            )
        except EditorialError as exc:
            raise PermissionDenied(str(exc)) from exc
        # Tell the editor at once about embeds that readers would not see.
        for problem in render_markdown(obj.body, post=obj, preview=True).problems:
            self.message_user(request, f"Embed problem: {problem}", messages.WARNING)

    def save_related(self, request, form, formsets, change):
        # Tags and authors were saved by the service (before the revision snapshot).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # --- extra views ------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/workflow/", view(self.workflow_view), name="curation_post_workflow"),
            path("<int:pk>/preview/", view(self.preview_view), name="curation_post_preview"),
            path("<int:pk>/revisions/", view(self.revisions_view), name="curation_post_revisions"),
            path("<int:pk>/revisions/<int:number>/restore/", view(self.restore_view), name="curation_post_restore"),
        ] + super().get_urls()

    def _post_or_denied(self, request, pk, *, change=False) -> Post:
        post = get_object_or_404(Post, pk=pk)
        allowed = self.has_change_permission(request, post) if change else self.has_view_permission(request, post)
        if not allowed:
            raise PermissionDenied
        return post

    def _change_url(self, post):
        return reverse("admin:curation_post_change", args=[post.pk])

    def workflow_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self._post_or_denied(request, pk, change=True)
        publish_at = None
        if request.POST.get("publish_at"):
            publish_at = parse_datetime(request.POST["publish_at"])
            if publish_at is None:
                self.message_user(request, f"“{request.POST['publish_at']}” is not a date and time (YYYY-MM-DD HH:MM).", messages.ERROR)
                return HttpResponseRedirect(self._change_url(post))
        try:
            post = services.transition(
                post, request.POST.get("action", ""), user=request.user,
                comment=request.POST.get("comment", ""), publish_at=publish_at,
            )
        except services.EditorialPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except EditorialError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"“{post.title}” is now {post.get_status_display().lower()}.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(post))

    def preview_view(self, request, pk):
        post = self._post_or_denied(request, pk)
        return render_post_page(request, post, preview=True, show_problems=True)

    def revisions_view(self, request, pk):
        post = self._post_or_denied(request, pk)
        revisions = list(post.revisions.select_related("author"))
        diff, older, newer = None, None, None
        if request.GET.get("a") and request.GET.get("b"):
            by_number = {r.number: r for r in revisions}
            try:
                first, second = sorted({int(request.GET["a"]), int(request.GET["b"])})
                older, newer = by_number[first], by_number[second]
            except (KeyError, ValueError):
                self.message_user(request, "Choose two different revisions of this post to compare.", messages.ERROR)
            else:
                diff = services.diff_revisions(older, newer)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "original": post, "title": f"Revisions of “{post.title}”",
            "revisions": revisions, "diff": diff, "older": older, "newer": newer,
            "can_restore": self.has_change_permission(request, post),
        }
        return TemplateResponse(request, "editorial/admin/post_revisions.html", context)

    def restore_view(self, request, pk, number):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        post = self._post_or_denied(request, pk, change=True)
        revision = get_object_or_404(PostRevision, post=post, number=number)
        try:
            services.restore_revision(revision, user=request.user)
        except services.EditorialPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except EditorialError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"Restored revision {number} as a new revision.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(post))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        post = self.get_object(request, unquote(object_id))  # None for a malformed or unknown id
        if post is not None:
            token = services.make_preview_token(post)
            extra_context.update({
                "workflow_actions": [
                    (name, services.TRANSITIONS[name].verb) for name in services.available_actions(post, request.user)
                ],
                "share_link": request.build_absolute_uri(reverse("editorial:shared-preview", args=[token])),
                "share_link_days": services.preview_max_age() // 86400,
                "public_url": post.get_absolute_url() if post.status == PostStatus.PUBLISHED else "",
                "goes_live_at": post.publish_at if post.status == PostStatus.SCHEDULED else None,
            })
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(PostRevision)
class PostRevisionAdmin(ReadOnlyAdmin):
    """Read-only list of all revisions; history is never rewritten."""

    list_display = ["post", "number", "title", "author", "created_at", "comment"]
    list_filter = ["post__kind"]
    search_fields = ["post__title", "title", "comment"]
    readonly_fields = ["post", "number", "title", "description", "body", "metadata", "author", "comment", "created_at"]


@admin.register(PostTag)
class PostTagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
