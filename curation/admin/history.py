"""Admin of the history: applied changes and import runs, read only."""

from django.contrib import admin

from curation.admin.base import ReadOnlyAdmin
from curation.admin.review_queue import DiffColumnsMixin
from curation.models import (
    HistoryEntry,
    ImportRun,
)

# --- history ------------------------------------------------------------------------------


@admin.register(HistoryEntry)
class HistoryEntryAdmin(DiffColumnsMixin, ReadOnlyAdmin):
    list_display = ["applied_at", "target_label", "field", "change", "proposer", "approver", "import_run"]
    list_filter = [
        "field",
        ("ai_model", admin.RelatedOnlyFieldListFilter),
        ("organisation", admin.RelatedOnlyFieldListFilter),
        "import_run",
        "draft_edit",
    ]
    search_fields = ["target_label", "field", "rationale"]
    list_select_related = ["proposer", "approver", "import_run"]
    date_hierarchy = "applied_at"
    fields = [
        "applied_at",
        "target_label",
        "ai_model",
        "organisation",
        "field",
        "diff",
        "proposer",
        "approver",
        "proposed_at",
        "rationale",
        "evidence_link",
        "review_comment",
        "change_request",
        "import_run",
        "draft_edit",
    ]
    readonly_fields = fields


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "source",
        "user",
        "created_count",
        "updated_count",
        "unchanged_count",
        "skipped_count",
        "change_count",
        "unmapped_tag_count",
    ]
    search_fields = ["source"]
    readonly_fields = [*list_display, "summary"]
