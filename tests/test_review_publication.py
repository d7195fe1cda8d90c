"""A publication request shows and freezes the content it publishes; nothing unreviewed goes public.

Before: a curator edited a draft's name and grades after requesting its publication, and the
approval published the edits unreviewed; draft edits left no history; a tag used only by drafts
was named on its own list page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from curation.history import public_changelog
from curation.models import AIModel, Assessment, ChangeRequest, HistoryEntry, Organisation, ReviewEvent
from curation.review import services
from curation.review.errors import IllegalTransition, StaleProposal

from .review_fixtures import new_grade

pytestmark = pytest.mark.django_db
WEIGHTS = "assessment:weights_endmodel"


@pytest.fixture
def draft(people, make_organisation, registry):
    """A curator's new model: a draft, with its publication request."""
    model = AIModel(
        name="Fresh Model", types="text", organisation=make_organisation("Fresh Lab"), link="https://example.org/fresh"
    )
    request = services.create_entry(
        model, user=people.curator, rationale="New release", assessments={"weights_endmodel": new_grade("partial")}
    )
    return model, request


def test_the_request_freezes_what_it_publishes(draft):
    _model, request = draft

    assert request.is_publication
    assert request.content["name"] == "Fresh Model"
    assert request.content["link"] == "https://example.org/fresh"
    assert request.content[WEIGHTS]["grade"] == "partial"
    assert request.content["organisation"]["name"] == "Fresh Lab"
    assert "is_public" not in request.content


def test_editing_the_draft_after_the_request_makes_it_stale(people, draft):
    model, request = draft

    services.save_entry(
        model, user=people.curator, details={"name": "Renamed Model"}, classified={WEIGHTS: new_grade("open")}
    )

    request.refresh_from_db()
    assert request.state == ChangeRequest.State.STALE
    assert AIModel.objects.get(pk=model.pk).name == "Renamed Model"  # the draft itself changes at once
    assert "draft was edited after its publication was requested" in request.decision_comment
    assert request.events.filter(action=ReviewEvent.Action.MARKED_STALE).exists()
    with pytest.raises(IllegalTransition, match="only pending requests can be approved"):
        services.approve(request, people.reviewer)
    assert not AIModel.objects.public().filter(pk=model.pk).exists()


def test_approval_refuses_content_changed_by_any_path(people, draft):
    """Even an edit that bypassed the services cannot reach readers through the approval."""
    model, request = draft
    AIModel.objects.filter(pk=model.pk).update(name="Sneaky Name")
    Assessment.objects.filter(ai_model=model, dimension__ref="weights_endmodel").update(grade="open")

    with pytest.raises(StaleProposal) as refused:
        services.approve(request, people.reviewer)

    message = str(refused.value)
    assert "the draft changed after its publication was requested" in message
    assert "name" in message and "Weights" in message
    assert not AIModel.objects.public().filter(pk=model.pk).exists()
    assert ChangeRequest.objects.get(pk=request.pk).state == ChangeRequest.State.STALE


def test_renewing_freezes_the_new_content_and_approval_publishes_exactly_it(people, draft):
    model, request = draft
    services.save_entry(model, user=people.curator, details={"name": "Renamed Model"})

    renewed = services.renew(request, people.curator, "Name fixed")

    assert renewed.state == ChangeRequest.State.PENDING
    assert renewed.content["name"] == "Renamed Model"
    event = renewed.events.get(action=ReviewEvent.Action.RENEWED)
    assert event.details["previous_content"]["name"] == "Fresh Model"
    services.approve(renewed, people.reviewer)
    published = AIModel.objects.public().get(pk=model.pk)
    assert published.name == "Renamed Model"


def test_an_unchanged_draft_is_published_as_requested(people, draft):
    model, request = draft
    services.approve(request, people.reviewer)
    assert AIModel.objects.public().filter(pk=model.pk, name="Fresh Model").exists()


def test_a_request_without_recorded_content_must_be_renewed(people, draft):
    _model, request = draft
    ChangeRequest.objects.filter(pk=request.pk).update(content=None)  # made before contents were frozen

    with pytest.raises(StaleProposal, match="renew it so that the reviewer sees what goes public"):
        services.approve(request, people.reviewer)
    renewed = services.renew(request, people.curator)
    assert renewed.content["name"] == "Fresh Model"


def test_organisation_publication_is_frozen_too(people):
    organisation = Organisation(name="Draft Org", origin_scope="country", country="NL", sector="academic")
    request = services.create_entry(organisation, user=people.curator, rationale="New lab")
    assert request.content["national_origin"] == {"scope": "country", "country": "NL"}

    services.save_entry(
        organisation, user=people.curator, classified={"national_origin": {"scope": "country", "country": "US"}}
    )

    request.refresh_from_db()
    assert request.state == ChangeRequest.State.STALE
    assert not Organisation.objects.public().filter(pk=organisation.pk).exists()


def test_draft_edits_are_history_that_readers_never_see(people, draft):
    model, request = draft

    services.save_entry(
        model, user=people.curator, details={"name": "Renamed Model"}, classified={WEIGHTS: new_grade("open")}
    )

    edits = HistoryEntry.objects.filter(ai_model=model, draft_edit=True)
    assert {e.field for e in edits} == {"details", WEIGHTS}
    details = edits.get(field="details")
    assert (details.before, details.after, details.proposer, details.approver) == (
        {"name": "Fresh Model"},
        {"name": "Renamed Model"},
        people.curator,
        None,
    )
    assert edits.get(field=WEIGHTS).before["grade"] == "partial"
    services.approve(services.renew(request, people.curator), people.reviewer)
    assert [change.field for change in public_changelog(model)] == ["is_public"]


def test_reviewers_see_the_content_in_the_admin_and_the_api(client, people, draft):
    model, request = draft
    services.save_entry(model, user=people.curator, details={"name": "Renamed Model"})
    client.force_login(people.reviewer)

    page = client.get(reverse("admin:curation_changerequest_change", args=[request.pk])).content.decode()

    assert "Content to publish" in page
    assert "Fresh Model" in page and "changed since the request: Renamed Model" in page
    api = APIClient()
    api.force_authenticate(people.reviewer)
    shown = api.get(f"/api/v1/change-requests/{request.pk}/").json()
    assert shown["content"]["name"] == "Fresh Model"


def test_tag_pages_do_not_reveal_draft_only_tags(client, make_post, role_users):
    from curation.editorial import services as editorial

    editorial.publish(make_post("Published", tags=["Openness"]), user=role_users["superuser"])
    make_post("Secret draft", tags=["Unannounced Partnership"])

    hidden = client.get("/news/?tag=unannounced-partnership")
    shown = client.get("/news/?tag=openness")

    assert hidden.status_code == 404
    assert "Unannounced Partnership" not in hidden.content.decode()
    assert shown.status_code == 200 and "Openness" in shown.content.decode()
    assert "Unannounced" not in client.get("/news/").content.decode()
