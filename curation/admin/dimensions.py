"""Admin of the dimension registry: the texts of dimensions and their categories."""

from django.contrib import admin

from curation.models import (
    Dimension,
    DimensionCategory,
)
from curation.review import services

# --- the dimension registry ---------------------------------------------------------------
# Which dimensions exist, their categories and the model types they apply to decide every score,
# so they change only through `manage.py load_registry` (which keeps scores consistent). The
# admin edits the texts readers and curators read: names, descriptions, criteria.

_REGISTRY_STRUCTURE = ["ref", "category", "position", "applicable_types", "is_active"]


class DimensionInline(admin.TabularInline):
    model = Dimension
    fields = ["ref", "name", "position", "applicable_types", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class RegistryTextAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_registry_texts(obj, user=request.user)


@admin.register(DimensionCategory)
class DimensionCategoryAdmin(RegistryTextAdmin):
    list_display = ["name", "ref", "position"]
    readonly_fields = ["ref", "position"]
    inlines = [DimensionInline]


@admin.register(Dimension)
class DimensionAdmin(RegistryTextAdmin):
    list_display = ["name", "ref", "category", "applicable_types", "is_active", "position"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "ref", "description"]
    readonly_fields = _REGISTRY_STRUCTURE
