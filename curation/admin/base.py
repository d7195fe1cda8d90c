"""Admin building blocks shared by the admin modules."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by services (history, chart runs, revisions): shown, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
