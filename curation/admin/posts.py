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
from django.utils.html import format_html, format_html_join

from curation.admin.base import ReadOnlyAdmin
from curation.charts.catalogue import chart_keys
from curation.editorial import services
from curation.editorial.embeds import CONTAINER_EMBEDS, EMBED_EXAMPLES, EMBEDS, INDEX_VIEWS, INLINE_EMBEDS
from curation.editorial.errors import EditorialError, EmbedProblems
from curation.editorial.rendering import render_markdown
from curation.editorial.views import render_post_page
from curation.filters import GRADE_FILTER_PREFIX, AIModelFilter
from curation.models import Post, PostRevision, PostStatus, PostStatusChange, PostTag

# Past participles of the workflow steps, for messages ("was not published").
TRANSITIONS_DONE = {"publish": "published", "schedule": "scheduled", "submit": "submitted for review"}


def embed_help() -> str:
    """The embeds editors can write: the tested examples, the chart keys and index filters that exist now."""
    try:
        keys = ", ".join(chart_keys())
    except ImportError:
        keys = "none yet"

    examples = format_html_join(", ", "<code>{}</code>", ((example,) for example in EMBED_EXAMPLES))
    return format_html(
        "Markdown. Embeds, each on a line of its own, e.g. {}. Around Markdown: {}. Inside a sentence: {}. "
        "All embeds: {}. Charts: {}. Index filters: {}, {}; view {}; models by file name, slug or name; "
        "limit up to 100; the upstream site's names (performanceclass, 0/0.5/1 grades, version) are read too. "
        "Pictures come from the image library: <code>{}</code>. Problems show in Preview and on save; a post "
        "with embed problems cannot be published.",
        examples,
        ", ".join(sorted(CONTAINER_EMBEDS)),
        ", ".join(sorted(INLINE_EMBEDS)),
        ", ".join(sorted(EMBEDS)),
        keys,
        ", ".join(AIModelFilter.base_filters),
        f"{GRADE_FILTER_PREFIX}<dimension ref>",
        " or ".join(INDEX_VIEWS),
        '{% image "name.png" %}',
    )


class PostForm(forms.ModelForm):
    """The post editor. The workflow buttons submit this same form, so what is published,
    scheduled or sent for review is exactly what the editor sees (saved first, as a revision)."""

    tag_names = forms.CharField(
        label="Tags",
        required=False,
        help_text="Comma-separated, e.g. “openness, datasets”.",
    )
    revision_comment = forms.CharField(
        label="What changed",
        required=False,
        max_length=300,
        help_text="Kept with this revision in the post's history.",
    )
    # Rendered with the workflow buttons (see post_change_form.html), not in the fieldsets.
    workflow_comment = forms.CharField(label="Workflow comment", required=False, max_length=300)
    workflow_publish_at = forms.DateTimeField(
        label="Publish at (UTC)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        error_messages={"invalid": "Enter a date and time (YYYY-MM-DD HH:MM)."},
    )
    # The revision the editor started from: saving over a newer one would silently lose it.
    seen_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Post
        fields = [
            "kind",
            "title",
            "slug",
            "description",
            "authors",
            "author_names",
            "date",
            "cover_image",
            "cover_image_alt",
            "body",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The workflow button that submitted the form, if any (its name is `_workflow`).
        self.workflow_action = self.data.get("_workflow", "") if self.is_bound else ""
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(self.instance.tags.values_list("name", flat=True))
            self.fields["seen_revision"].initial = services.latest_revision_number(self.instance)
        self.fields["body"].help_text = embed_help()

    def clean_tag_names(self):
        return [t.strip() for t in self.cleaned_data["tag_names"].split(",") if t.strip()]

    def clean(self):
        cleaned = super().clean()
        self._refuse_saving_over_a_newer_revision(cleaned.get("seen_revision"))
        if (
            self.workflow_action == "schedule"
            and not cleaned.get("workflow_publish_at")
            and "workflow_publish_at" not in self.errors
        ):
            self.add_error("workflow_publish_at", "Give the date and time to publish it.")
        draft = Post(
            pk=self.instance.pk,
            title=cleaned.get("title") or "",
            slug=cleaned.get("slug") or "",
            kind=cleaned.get("kind") or self.instance.kind,
            body=cleaned.get("body") or "",
            status=self.instance.status,
        )
        if "title" in cleaned and "slug" in cleaned and "kind" in cleaned:
            # A refused title or address shows on the form, with the editor's text kept.
            try:
                services.check_post(draft)
            except services.InvalidPost as exc:
                self.add_error("slug" if "address" in str(exc) or "slug" in str(exc) else "title", str(exc))
        if self.instance.status in services.GOES_LIVE and "body" in cleaned:
            # Readers see a published post's body as soon as it is saved.
            for problem in services.publication_problems(draft):
                self.add_error("body", f"Readers would see a broken embed, so this was not saved: {problem}")
        return cleaned

    def _refuse_saving_over_a_newer_revision(self, seen):
        if not self.instance.pk or seen is None:
            return
        latest = services.latest_revision_number(self.instance)
        if latest == seen:
            return
        newest = self.instance.revisions.select_related("author").first()
        who = (newest.author.get_username() if newest and newest.author else "someone") if newest else "someone"
        # The next save is a deliberate choice to replace their revision with this text.
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_revision")] = str(latest)
        raise forms.ValidationError(
            f"{who} saved revision {latest} of this post after you opened it, so nothing was saved. "
            "Your text is still below: save again to replace their version with yours, or open "
            "Revisions in a new tab to compare first.",
            code="stale",
        )


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
    change_form_template = "curation/editorial/admin/post_change_form.html"
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
                obj,
                user=request.user,
                tags=form.cleaned_data["tag_names"],
                authors=list(form.cleaned_data["authors"]),
                comment=form.cleaned_data["revision_comment"] or ("Edited" if change else "Created"),
            )
        except EditorialError as exc:
            raise PermissionDenied(str(exc)) from exc
        action = request.POST.get("_workflow")
        if action:
            # The form is saved (a revision), so the step applies to exactly what the editor sees.
            self._apply_workflow(request, obj, action, form.cleaned_data)
            return
        # Tell the editor at once about embeds that readers would not see.
        for problem in render_markdown(obj.body, post=obj, preview=True).problems:
            self.message_user(request, f"Embed problem: {problem}", messages.WARNING)

    def _apply_workflow(self, request, post, action, cleaned):
        try:
            post = services.transition(
                post,
                action,
                user=request.user,
                comment=cleaned.get("workflow_comment") or "",
                publish_at=cleaned.get("workflow_publish_at"),
            )
        except EmbedProblems as exc:
            self.message_user(
                request,
                f"Your changes were saved, but “{post.title}” was not {TRANSITIONS_DONE.get(action, action)}: "
                f"{len(exc.problems)} embed{'s' if len(exc.problems) != 1 else ''} must be fixed first.",
                messages.ERROR,
            )
            for problem in exc.problems:
                self.message_user(request, f"Embed at {problem}", messages.ERROR)
        except EditorialError as exc:
            self.message_user(request, f"Your changes were saved, but: {exc}", messages.ERROR)
        else:
            self.message_user(request, f"“{post.title}” is now {post.get_status_display().lower()}.", messages.SUCCESS)

    def response_change(self, request, obj):
        if "_workflow" in request.POST:
            return HttpResponseRedirect(self._change_url(obj))
        return super().response_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context.get("adminform").form if context.get("adminform") else None
        if request.method == "POST" and request.POST.get("_workflow") and form is not None and form.errors:
            verb = services.TRANSITIONS.get(request.POST["_workflow"])
            self.message_user(
                request,
                f"Nothing was saved and the post was not sent to “{verb.verb if verb else 'the next step'}”: "
                "fix the problems below, then click the button again.",
                messages.ERROR,
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_related(self, request, form, formsets, change):
        # Tags and authors were saved by the service (before the revision snapshot).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # --- extra views ------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="curation_post_preview"),
            path("<int:pk>/revisions/", view(self.revisions_view), name="curation_post_revisions"),
            path("<int:pk>/revisions/<int:number>/restore/", view(self.restore_view), name="curation_post_restore"),
            *super().get_urls(),
        ]

    def _post_or_denied(self, request, pk, *, change=False) -> Post:
        post = get_object_or_404(Post, pk=pk)
        allowed = self.has_change_permission(request, post) if change else self.has_view_permission(request, post)
        if not allowed:
            raise PermissionDenied
        return post

    def _change_url(self, post):
        return reverse("admin:curation_post_change", args=[post.pk])

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
            "opts": self.model._meta,
            "original": post,
            "title": f"Revisions of “{post.title}”",
            "revisions": revisions,
            "diff": diff,
            "older": older,
            "newer": newer,
            "can_restore": self.has_change_permission(request, post),
        }
        return TemplateResponse(request, "curation/editorial/admin/post_revisions.html", context)

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
            actions = services.available_actions(post, request.user)
            extra_context.update(
                {
                    "workflow_actions": [(name, services.TRANSITIONS[name].verb) for name in actions],
                    "can_schedule": "schedule" in actions,
                    "share_link": request.build_absolute_uri(reverse("curation:shared-preview", args=[token])),
                    "share_link_days": services.preview_max_age() // 86400,
                    "public_url": post.get_absolute_url() if post.status == PostStatus.PUBLISHED else "",
                    "goes_live_at": post.publish_at if post.status == PostStatus.SCHEDULED else None,
                }
            )
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
