"""Admin of the review queue: change requests, their events and the reviewers' decisions, which
call the review services; the services check every permission themselves."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from curation import roles
from curation.models import (
    AIModel,
    ChangeRequest,
    Organisation,
    ReviewEvent,
)
from curation.review import services
from curation.review.diff import content_table, diff_summary, diff_table
from curation.review.errors import ReviewError, ReviewPermissionDenied
from curation.review.fields import field_label

# --- the review queue ---------------------------------------------------------------------


class DiffColumnsMixin:
    """Before/after columns of a change request or a history entry."""

    @admin.display(description="Before → after")
    def change(self, obj):
        return diff_summary(obj)

    @admin.display(description="Before and after")
    def diff(self, obj):
        return diff_table(obj)


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    fields = ["at", "actor", "action", "from_state", "to_state", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MyQueueFilter(admin.SimpleListFilter):
    title = "for me"
    parameter_name = "for_me"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting my review"), ("mine", "My open proposals")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return services.awaiting_review(request.user, queryset)
        if self.value() == "mine":
            return services.open_proposals(request.user, queryset)
        return queryset


class ChangedFieldFilter(admin.SimpleListFilter):
    """The field a change request changes, by its label (a dimension's name from the registry,
    a field's verbose name) rather than its stored key such as `assessment:paper`."""

    title = "field"
    parameter_name = "field__exact"  # the address Django's own field filter used, so links keep working

    def lookups(self, request, model_admin):
        labels = {}
        for field, on_model in (
            model_admin.get_queryset(request).order_by().values_list("field", "ai_model_id").distinct()
        ):
            labels.setdefault(field, field_label(AIModel if on_model else Organisation, field))
        return sorted(labels.items(), key=lambda item: item[1].lower())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(field=self.value())
        return queryset


class RejectForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Told to the proposer.")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(DiffColumnsMixin, admin.ModelAdmin):
    # The state first: a review queue is read for what is still pending.
    list_display = ["number", "state", "target_link", "field_name", "change", "origin", "submitted_at"]
    list_filter = [MyQueueFilter, "state", "from_public", ChangedFieldFilter, "proposer"]
    search_fields = ["target_label", "rationale", "field", "source_value"]
    list_select_related = ["proposer", "ai_model", "organisation"]
    ordering = ["submitted_at", "id"]
    actions = ["approve_selected", "reject_selected"]
    inlines = [ReviewEventInline]
    fields = [
        "state",
        "target_link",
        "field_name",
        "diff",
        "content_to_publish",
        "rationale",
        "evidence",
        "source_value",
        "origin",
        "outcome_by_email",
        "submitted_at",
        "created_at",
        "decided_by",
        "decided_at",
        "decision_comment",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not roles.is_reviewer(request.user):
            actions.pop("approve_selected", None)
            actions.pop("reject_selected", None)
        return actions

    @admin.display(description="#", ordering="id")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description="Target", ordering="target_label")
    def target_link(self, obj):
        target = obj.target
        if target is None:
            return f"{obj.target_label} (deleted)"
        url = reverse(f"admin:curation_{type(target)._meta.model_name}_change", args=[target.pk])
        return format_html('<a href="{}">{}</a>', url, obj.target_label)

    @admin.display(description="Field", ordering="field")
    def field_name(self, obj):
        return field_label(type(obj.target) if obj.target else None, obj.field)

    @admin.display(description="Content to publish")
    def content_to_publish(self, obj):
        """For a publication request: exactly what approval publishes, and what changed since."""
        if not obj.is_publication:
            return "—"
        if obj.content is None:
            return "Not recorded (an older request): renew it so that its content can be reviewed."
        target = obj.target
        live = services.publication_content(target) if target is not None else None
        return content_table(type(target) if target else None, obj.content, live)

    @admin.display(description="Proposed by", ordering="proposer__username")
    def origin(self, obj):
        """Who proposed it; a reader's suggestion on the public form is marked as such."""
        if obj.from_public:
            return mark_safe('<strong class="public-suggestion">A reader (public suggestion)</strong>')
        return obj.proposer.get_username()

    @admin.display(description="Outcome told by e-mail")
    def outcome_by_email(self, obj):
        """Whether deciding it e-mails the reader who suggested it (the rejection comment too)."""
        if not obj.from_public:
            return "—"
        if obj.submitter_email:
            return "Yes: the reader hears whether it was accepted, and a rejection's comment."
        return "No: the reader gave no e-mail address."

    @admin.display(description="Evidence")
    def evidence(self, obj):
        if not obj.evidence_link:
            return "—"
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.evidence_link, obj.evidence_link)

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [path("<int:pk>/decide/", decide, name="curation_changerequest_decide"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        cr = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if cr is not None:
            allowed = services.available_actions(cr, request.user)
            extra_context.update(
                {f"can_{action}": action in allowed for action in ("approve", "reject", "withdraw", "renew")},
                decide_url=reverse("admin:curation_changerequest_decide", args=[cr.pk]),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, pk):
        """POST action=approve|reject|withdraw|renew with an optional comment."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:curation_changerequest_change", args=[pk]))
        if not self.has_view_permission(request):
            raise PermissionDenied("You may not see change requests.")
        cr = get_object_or_404(ChangeRequest, pk=pk)
        action = request.POST.get("action", "")
        comment = request.POST.get("comment", "")
        operations = {
            "approve": lambda: services.approve(cr, request.user, comment),
            "reject": lambda: services.reject(cr, request.user, comment),
            "withdraw": lambda: services.withdraw(cr, request.user, comment),
            "renew": lambda: services.renew(cr, request.user, comment),
        }
        if action not in operations:
            messages.error(request, f"Unknown action {action!r}: use approve, reject, withdraw or renew.")
        else:
            try:
                operations[action]()
            except ReviewPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            except ReviewError as exc:
                messages.error(request, str(exc))
            else:
                done = {
                    "approve": "approved and applied",
                    "reject": "rejected",
                    "withdraw": "withdrawn",
                    "renew": "renewed on the current value",
                }[action]
                messages.success(request, f"Change request #{cr.pk} ({cr.target_label} · {cr.field}) {done}.")
        return HttpResponseRedirect(reverse("admin:curation_changerequest_change", args=[pk]))

    @admin.action(description="Approve selected change requests")
    def approve_selected(self, request, queryset):
        applied, refused = services.approve_many(list(queryset.order_by("submitted_at", "id")), request.user)
        if applied:
            self.message_user(request, f"Approved and applied {len(applied)} change request(s).", messages.SUCCESS)
        for cr, reason in refused:
            self.message_user(request, f"#{cr.pk} not approved: {reason}", messages.ERROR)

    @admin.action(description="Reject selected change requests (asks for a comment)")
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = services.reject_many(list(queryset), request.user, form.cleaned_data["comment"])
            if done:
                self.message_user(request, f"Rejected {len(done)} change request(s).", messages.SUCCESS)
            for cr, reason in refused:
                self.message_user(request, f"#{cr.pk} not rejected: {reason}", messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/curation/changerequest/reject_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": "Reject change requests",
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
