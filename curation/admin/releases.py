"""Data releases in the admin: curators with the permission “Can make a data release” make one
(name, optional slug, notes); a made release is read-only except its notes. Both go through
curation.releases; the files are frozen by the worker (curation.tasks.freeze_release_files).
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify

from curation.models import DataRelease
from curation.public.caching import retire_cached_pages
from curation.receivers import enqueue
from curation.releases import (
    PUBLISH_PERMISSION,
    ReleaseError,
    create_release,
    edit_release_notes,
)

log = logging.getLogger(__name__)


class DataReleaseAddForm(forms.ModelForm):
    slug = forms.SlugField(required=False, help_text="Its address /releases/<slug>/; from the name when empty.")

    class Meta:
        model = DataRelease
        fields = ("name", "slug", "notes")

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        name = (cleaned.get("name") or "").strip()
        slug = cleaned.get("slug") or slugify(name)
        if name and not slug:
            self.add_error("slug", "The name gives no usable slug: give one (letters, digits, hyphens).")
        elif slug and DataRelease.objects.filter(slug=slug).exists():
            self.add_error(
                "slug" if cleaned.get("slug") else "name", f"There is already a release at /releases/{slug}/."
            )
        cleaned["slug"] = slug
        return cleaned

    def _post_clean(self):
        # The instance is made by curation.releases.create_release, not from the form.
        pass


def _enqueue_freeze(release_id: int) -> None:
    try:
        # By name: the web process does not import the task modules (and the chart renderer).
        enqueue("curation.tasks.freeze_release_files", release_id)
    except Exception:  # broker down: the action “Freeze files” in the list does it later
        log.warning("could not enqueue freezing the files of release #%s", release_id, exc_info=True)


@admin.register(DataRelease)
class DataReleaseAdmin(admin.ModelAdmin):
    list_display = ("name", "released_at", "data_version", "created_by", "files_frozen_at", "public_page")
    search_fields = ("name", "slug", "notes")
    date_hierarchy = "released_at"
    actions = ("freeze_files",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = DataReleaseAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "slug", "notes"]
        return ["name", "slug", "released_at", "data_version", "created_by", "files_frozen_at", "file_list", "notes"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["name", "slug", "released_at", "data_version", "created_by", "files_frozen_at", "file_list"]

    def has_add_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return False  # cited by its address: a release is for ever

    @admin.display(description="public page")
    def public_page(self, obj):
        url = reverse("curation:release_detail", args=[obj.slug])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="frozen files")
    def file_list(self, obj):
        files = list(obj.files.only("filename", "size", "sha256"))
        if not files:
            return "Not frozen yet: the worker writes them (or use the action “Freeze files”)."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} ({}, SHA-256 {})</li>", ((f.filename, filesizeformat(f.size), f.sha256) for f in files)
            ),
        )

    def save_model(self, request, obj, form, change):
        if change:
            saved = edit_release_notes(obj, form.cleaned_data.get("notes", ""), request.user)
        else:
            saved = create_release(
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                notes=form.cleaned_data.get("notes", ""),
                user=request.user,
                site_address=request.build_absolute_uri(reverse("curation:model_index")),
            )
            transaction.on_commit(lambda: _enqueue_freeze(saved.pk))
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False
        transaction.on_commit(retire_cached_pages)  # the release pages show the list and notes

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ReleaseError as exc:  # made by someone else at the same moment: nothing was written
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:curation_datarelease_changelist"))

    @admin.action(description="Freeze files of the selected releases (when not frozen yet)", permissions=["publish"])
    def freeze_files(self, request, queryset):
        pending = list(queryset.filter(files_frozen_at__isnull=True).values_list("pk", flat=True))
        for release_id in pending:
            _enqueue_freeze(release_id)
        self.message_user(request, f"Asked the worker to freeze the files of {len(pending)} release(s).")

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)
