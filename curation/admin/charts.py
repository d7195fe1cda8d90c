"""Read-only admin views of chart regeneration: runs (to watch the worker) and published versions."""

import json

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from curation.admin.base import ReadOnlyAdmin
from curation.models import ChartRun, ChartVersion


@admin.register(ChartRun)
class ChartRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "trigger",
        "status",
        "started_at",
        "finished_at",
        "changes_claimed",
        "charts_checked",
        "charts_rendered",
        "data_version",
    ]
    list_filter = ["status", "trigger"]
    date_hierarchy = "started_at"


@admin.register(ChartVersion)
class ChartVersionAdmin(ReadOnlyAdmin):
    list_display = ["key", "generated_at", "data_version", "short_hash", "picture"]
    list_filter = ["key"]
    search_fields = ["key", "title"]
    exclude = ["data"]
    readonly_fields = ["data_pretty"]

    @admin.display(description="data hash")
    def short_hash(self, obj):
        return obj.data_hash[:12]

    @admin.display(description="SVG")
    def picture(self, obj):
        address = reverse("curation:chart_file", args=[obj.key, "svg"])
        return format_html('<a href="{}?v={}">{}</a>', address, obj.data_hash[:12], obj.svg_name)

    @admin.display(description="data")
    def data_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))
