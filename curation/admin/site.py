"""Admin for what editors set for the whole site: the menu, the footer, the page title templates
and the logos (one page), and the image library.

Saving goes through curation.editorial.site and curation.editorial.images, which record the data
change that refreshes cached pages.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from curation.editorial import images, site
from curation.editorial.embeds import check_link
from curation.models import Image, ImageRendition, MenuItem, SiteLogo, SiteSettings


class MenuItemForm(forms.ModelForm):
    class Meta:
        model = MenuItem
        fields = ["position", "label", "link", "icon"]

    def clean_link(self):
        link = self.cleaned_data["link"].strip()
        problem = check_link(link)
        if problem:
            raise forms.ValidationError(problem)
        return link


class MenuItemInline(admin.TabularInline):
    model = MenuItem
    form = MenuItemForm
    extra = 1
    verbose_name_plural = "main menu (in position order)"


class SiteLogoForm(forms.ModelForm):
    class Meta:
        model = SiteLogo
        fields = ["group", "position", "title", "link", "image"]


class SiteLogoInline(admin.TabularInline):
    model = SiteLogo
    form = SiteLogoForm
    extra = 0
    autocomplete_fields = ["image"]
    verbose_name_plural = "logos of partners and press (the {% partners %} and {% as-seen-in %} blocks)"


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["footer", "model_title", "model_description", "compare_title", "compare_description"]
        widgets = {"footer": forms.Textarea(attrs={"rows": 4, "cols": 100})}

    def clean(self):
        cleaned = super().clean()
        for name, allowed in (
            ("model_title", site.MODEL_PLACEHOLDERS),
            ("model_description", site.MODEL_PLACEHOLDERS),
            ("compare_title", site.COMPARE_PLACEHOLDERS),
            ("compare_description", site.COMPARE_PLACEHOLDERS),
        ):
            for problem in site.template_problems(cleaned.get(name, ""), allowed):
                self.add_error(name, problem)
        return cleaned


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One page: the list goes straight to it; it is never added or deleted."""

    form = SiteSettingsForm
    inlines = [MenuItemInline, SiteLogoInline]
    readonly_fields = ["source_path", "updated_at"]
    fieldsets = [
        ("Footer", {"fields": ["footer"]}),
        (
            "Page titles and descriptions",
            {
                "fields": ["model_title", "model_description", "compare_title", "compare_description"],
                "description": "Placeholders for model pages: "
                + ", ".join("{" + p + "}" for p in site.MODEL_PLACEHOLDERS)
                + ". For comparisons: {names}.",
            },
        ),
        ("Source", {"fields": ["source_path", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = site.site_settings()
        return HttpResponseRedirect(reverse("admin:curation_sitesettings_change", args=[row.pk]))

    def save_model(self, request, obj, form, change):
        obj.save()
        site.settings_changed("footer and titles")

    def save_formset(self, request, form, formset, change):
        formset.save()
        if formset.has_changed():
            site.settings_changed(str(formset.model._meta.verbose_name_plural))


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["name", "file", "alt_text", "caption", "credit", "licence"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # posts refer to the name: it stays
            self.fields["name"].disabled = True
            self.fields["file"].required = False
            self.fields["file"].help_text = "Upload a new file to replace the picture (same name, new renditions)."

    def clean_name(self):
        try:
            return images.check_name(self.cleaned_data["name"])
        except images.ImageProblem as exc:
            raise forms.ValidationError(exc.messages) from None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and "file" in self.changed_data:
            data = upload.read()
            upload.seek(0)
            try:
                images.inspect(data, upload.name)
            except images.ImageProblem as exc:
                self.add_error("file", exc.messages)
            else:
                self.uploaded_bytes = data
        if not self.instance.pk and not cleaned.get("name") and upload:
            cleaned["name"] = upload.name
        return cleaned


class RenditionInline(admin.TabularInline):
    model = ImageRendition
    extra = 0
    can_delete = False
    fields = ["width", "height", "file"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "name", "alt_text", "credit", "licence", "size", "updated_at"]
    list_display_links = ["thumbnail", "name"]
    search_fields = ["name", "alt_text", "caption", "credit"]
    list_filter = [("alt_text", admin.EmptyFieldListFilter)]
    readonly_fields = ["preview", "size", "used_by", "source_path", "uploaded_by", "updated_at"]
    inlines = [RenditionInline]
    fieldsets = [
        (None, {"fields": ["name", "file", "preview", "size"]}),
        (
            "Text",
            {
                "fields": ["alt_text", "caption", "credit", "licence"],
                "description": "Posts show a picture only with its text alternative: a post showing a picture without one cannot be published.",
            },
        ),
        ("Use", {"fields": ["used_by", "source_path", "uploaded_by", "updated_at"]}),
    ]

    @admin.display(description="")
    def thumbnail(self, obj):
        if not obj.pk or not obj.file:
            return ""
        src, _, _ = images.best_src(obj, 160)
        return format_html('<img src="{}" alt="" style="max-height:3rem;max-width:6rem">', src)

    @admin.display(description="Preview")
    def preview(self, obj):
        if not obj.pk or not obj.file:
            return "—"
        src, _, _ = images.best_src(obj, 640)
        return format_html('<img src="{}" alt="{}" style="max-width:30rem;max-height:20rem">', src, obj.alt_text)

    @admin.display(description="Size")
    def size(self, obj):
        return f"{obj.width} × {obj.height} pixels" if obj.width else "—"

    @admin.display(description="Shown by")
    def used_by(self, obj):
        if not obj.pk:
            return "—"
        posts = images.posts_showing(obj).only("title", "kind")
        if not posts:
            return "no post or page"
        return format_html_join(
            ", ", '<a href="{}">{}</a>', ((reverse("admin:curation_post_change", args=[p.pk]), p.title) for p in posts)
        )

    def save_model(self, request, obj, form, change):
        data = getattr(form, "uploaded_bytes", None)
        if data is not None and change:
            obj.file = Image.objects.get(pk=obj.pk).file  # the service stores the new file itself
        images.save_image(obj, data=data, user=request.user, reason="uploaded" if data is not None else "described")
        if not obj.alt_text:
            self.message_user(
                request,
                f"“{obj.name}” has no text alternative yet: posts showing it cannot be published.",
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        try:
            images.delete_image(obj)
        except images.ImageProblem as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            self.delete_model(request, image)
