"""The admin index panel: what awaits the user's review and their own open proposals."""

from django import template
from django.urls import reverse

from curation import roles
from curation.models import ChangeRequest
from curation.review.services import awaiting_review, open_proposals

register = template.Library()


@register.inclusion_tag("admin/curation/review_panel.html", takes_context=True)
def review_panel(context):
    user = context["request"].user
    if not roles.is_curator(user):
        return {"show": False}
    queue = reverse("admin:curation_changerequest_changelist")
    return {
        "show": True,
        "is_reviewer": roles.is_reviewer(user),
        "awaiting_count": awaiting_review(user).count(),
        "awaiting_url": f"{queue}?for_me=awaiting",
        "mine_count": open_proposals(user).count(),
        "mine_stale_count": open_proposals(user).filter(state=ChangeRequest.State.STALE).count(),
        "mine_url": f"{queue}?for_me=mine",
    }
