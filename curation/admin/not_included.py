"""Admin of the models considered and not included, with the reason."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from curation import not_included
from curation.models import (
    DeclinedCandidate,
)
from curation.review.errors import ReviewPermissionDenied

# --- models not included ------------------------------------------------------------------


@admin.register(DeclinedCandidate)
class DeclinedCandidateAdmin(admin.ModelAdmin):
    """The public list of models considered and declined; saved through curation.not_included."""

    list_display = ["name", "organisation", "considered_on", "curator"]
    search_fields = ["name", "organisation", "reason"]
    date_hierarchy = "considered_on"
    fields = ["name", "organisation", "link", "considered_on", "reason", "curator"]
    readonly_fields = ["curator"]

    def save_model(self, request, obj, form, change):
        try:
            not_included.save_declined_candidate(obj, user=request.user)
        except ReviewPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_model(self, request, obj):
        try:
            not_included.delete_declined_candidate(obj, user=request.user)
        except ReviewPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
