"""The review services: proposing, every transition (legal and illegal), conflicts, drafts,
direct edits, import runs and the history they leave."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from curation.models import AIModel, ChangeRequest, DataChange, HistoryEntry, ReviewEvent
from curation.review import services
from curation.review.errors import IllegalTransition, ReviewPermissionDenied, StaleProposal, ValidationFailed

from .review_fixtures import grade_of, new_grade

pytestmark = pytest.mark.django_db
State = ChangeRequest.State
WEIGHTS = "assessment:weights_endmodel"


def propose_open_weights(model, user, **kwargs):
    return services.propose(
        model,
        WEIGHTS,
        new_grade("open"),
        user=user,
        rationale="Weights are on the hub",
        evidence_link="https://example.org/evidence",
        **kwargs,
    )


def test_proposal_leaves_the_live_record_alone(people, graded_model):
    cr = propose_open_weights(graded_model, people.curator)
    assert cr.state == State.PENDING
    assert cr.before == {"grade": "partial", "links": [], "notes": ""}
    assert cr.after == new_grade("open")
    assert grade_of(graded_model, "weights_endmodel") == "partial"
    assert list(cr.events.values_list("action", "actor__username")) == [("proposed", "curator")]
    assert not HistoryEntry.objects.exists()


@pytest.mark.parametrize(
    "field, value, rationale, evidence, message",
    [
        (WEIGHTS, new_grade("open"), "", "https://example.org/e", "rationale is required"),
        (WEIGHTS, new_grade("open"), "why", "", "evidence link is required"),
        (WEIGHTS, new_grade("open"), "why", "not a url", "is not an http(s) URL"),
        (WEIGHTS, new_grade("wide open"), "why", "https://example.org/e", "'wide open' is not one of"),
        (WEIGHTS, new_grade("partial", link=""), "why", "https://example.org/e", "equals the live value"),
        ("performance_class", "huge", "why", "", "performance class: 'huge'"),
        ("types", ["text", "smell"], "why", "", "types: text, smell"),
        ("assessment:no_such_dimension", new_grade("open"), "why", "https://example.org/e", "no dimension"),
        ("name", "New name", "why", "", "'name' is not a classified field of AIModel"),
    ],
)
def test_bad_proposals_are_refused_with_a_message_and_write_nothing(
    people, graded_model, field, value, rationale, evidence, message
):
    with pytest.raises(ValidationFailed, match=re.escape(message)):
        services.propose(graded_model, field, value, user=people.curator, rationale=rationale, evidence_link=evidence)
    assert not ChangeRequest.objects.exists()


def test_approval_applies_the_change_with_scores_history_outbox_and_email(
    people, graded_model, django_capture_on_commit_callbacks
):
    score_before = graded_model.total_score
    cr = propose_open_weights(graded_model, people.curator)
    outbox_before = DataChange.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.approve(cr, people.reviewer, "Checked the hub page")
    graded_model.refresh_from_db()
    cr.refresh_from_db()
    assert grade_of(graded_model, "weights_endmodel") == "open"
    assert graded_model.total_score > score_before
    assert cr.state == State.APPROVED and cr.decided_by == people.reviewer
    assert (entry.ai_model, entry.field, entry.before, entry.after) == (
        graded_model,
        WEIGHTS,
        {"grade": "partial", "links": [], "notes": ""},
        new_grade("open"),
    )
    assert (entry.proposer, entry.approver, entry.change_request) == (people.curator, people.reviewer, cr)
    assert entry.rationale == "Weights are on the hub" and entry.review_comment == "Checked the hub page"
    assert DataChange.objects.count() == outbox_before + 1
    assert [e.action for e in cr.events.all()] == ["proposed", "approved"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["curator@example.org"]
    assert "approved" in mail.outbox[0].subject


def test_nobody_approves_their_own_proposal(people, graded_model, settings):
    by_reviewer = propose_open_weights(graded_model, people.reviewer)
    with pytest.raises(ReviewPermissionDenied, match="another reviewer must"):
        services.approve(by_reviewer, people.reviewer)
    by_root = services.propose(graded_model, "performance_class", "latest", user=people.superuser, rationale="r")
    with pytest.raises(ReviewPermissionDenied):
        services.approve(by_root, people.superuser)
    assert ChangeRequest.objects.filter(state=State.PENDING).count() == 2

    settings.OSAI_ALLOW_SELF_APPROVAL = True  # a single-person installation
    with pytest.raises(ReviewPermissionDenied):  # the setting is for superusers only
        services.approve(by_reviewer, people.reviewer)
    services.approve(by_root, people.superuser)
    graded_model.refresh_from_db()
    assert graded_model.performance_class == "latest"


@pytest.mark.parametrize("who", ["anonymous", "curator", "curator2", "editor"])
def test_only_reviewers_approve_or_reject(people, graded_model, who):
    cr = propose_open_weights(graded_model, people.curator)
    with pytest.raises(ReviewPermissionDenied):
        services.approve(cr, getattr(people, who))
    with pytest.raises(ReviewPermissionDenied):
        services.reject(cr, getattr(people, who), "no")
    cr.refresh_from_db()
    assert cr.state == State.PENDING and grade_of(graded_model, "weights_endmodel") == "partial"


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_editors_and_anonymous_cannot_propose(people, graded_model, who):
    with pytest.raises(ReviewPermissionDenied):
        propose_open_weights(graded_model, getattr(people, who))
    assert not ChangeRequest.objects.exists()


def test_rejection_needs_a_reason_and_closes_the_request(people, graded_model, django_capture_on_commit_callbacks):
    cr = propose_open_weights(graded_model, people.curator)
    with pytest.raises(ValidationFailed, match="comment is required"):
        services.reject(cr, people.reviewer, "  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(cr, people.reviewer, "The hub page says gated")
    cr.refresh_from_db()
    assert cr.state == State.REJECTED and cr.decision_comment == "The hub page says gated"
    assert grade_of(graded_model, "weights_endmodel") == "partial"
    assert "rejected" in mail.outbox[0].subject
    assert not HistoryEntry.objects.exists()


def test_illegal_transitions_are_refused_and_change_nothing(people, graded_model):
    approved = propose_open_weights(graded_model, people.curator)
    services.approve(approved, people.reviewer)
    rejected = services.propose(graded_model, "performance_class", "full", user=people.curator, rationale="r")
    services.reject(rejected, people.reviewer, "no")
    withdrawn = services.propose(graded_model, "performance_class", "latest", user=people.curator, rationale="r")
    services.withdraw(withdrawn, people.curator)

    for cr in (approved, rejected, withdrawn):
        with pytest.raises(IllegalTransition, match="only pending requests can be approved"):
            services.approve(cr, people.reviewer2)
        with pytest.raises(IllegalTransition):
            services.reject(cr, people.reviewer2, "late")
        with pytest.raises(IllegalTransition):
            services.withdraw(cr, people.curator)
        with pytest.raises(IllegalTransition, match="only stale requests can be renewed"):
            services.renew(cr, people.curator)
    assert ReviewEvent.objects.count() == 6
    assert HistoryEntry.objects.count() == 1


def test_only_the_proposer_withdraws(people, graded_model):
    cr = propose_open_weights(graded_model, people.curator)
    for other in (people.curator2, people.reviewer, people.superuser, people.anonymous):
        with pytest.raises(ReviewPermissionDenied, match="only its proposer"):
            services.withdraw(cr, other)
    services.withdraw(cr, people.curator, "changed my mind")
    cr.refresh_from_db()
    assert cr.state == State.WITHDRAWN


def test_a_proposal_overtaken_by_another_change_becomes_stale_and_can_be_renewed(
    people, graded_model, django_capture_on_commit_callbacks
):
    first = propose_open_weights(graded_model, people.curator)
    second = services.propose(
        graded_model,
        WEIGHTS,
        new_grade("closed"),
        user=people.curator2,
        rationale="Gated",
        evidence_link="https://example.org/gated",
    )
    services.approve(first, people.reviewer)
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(StaleProposal, match=r"changed after it was proposed.*'Partial'.*'Open"),
    ):
        services.approve(second, people.reviewer)
    assert mail.outbox[0].to == ["curator2@example.org"] and "stale" in mail.outbox[0].subject
    second.refresh_from_db()
    assert second.state == State.STALE
    assert grade_of(graded_model, "weights_endmodel") == "open"
    assert second.events.last().action == "marked_stale"

    with pytest.raises(ReviewPermissionDenied):
        services.renew(second, people.curator)
    services.renew(second, people.curator2, "Still gated")
    second.refresh_from_db()
    assert second.state == State.PENDING and second.before == new_grade("open")
    assert second.events.last().details == {"previous_before": {"grade": "partial", "links": [], "notes": ""}}
    services.approve(second, people.reviewer)
    assert grade_of(graded_model, "weights_endmodel") == "closed"
    assert HistoryEntry.objects.filter(ai_model=graded_model).count() == 2


def test_bulk_approval_reports_each_refusal(people, graded_model):
    own = services.propose(graded_model, "performance_class", "latest", user=people.reviewer, rationale="r")
    other = propose_open_weights(graded_model, people.curator)
    applied, refused = services.approve_many([own, other], people.reviewer)
    assert [e.change_request for e in applied] == [other]
    assert refused[0][0] == own and "may not approve it" in refused[0][1]


def test_curators_entries_are_drafts_until_publication_is_approved(people, make_organisation, registry):
    organisation = make_organisation()
    model = AIModel(name="Fresh Model", types="text", organisation=organisation)
    publication = services.create_entry(model, user=people.curator, rationale="New release")
    assert model.is_public is False
    assert not AIModel.objects.public().filter(pk=model.pk).exists()
    assert (publication.field, publication.before, publication.after) == ("is_public", False, True)
    services.approve(publication, people.reviewer)
    assert AIModel.objects.public().filter(pk=model.pk).exists()


def test_superusers_edit_directly_with_history_and_others_cannot(people, graded_model):
    with pytest.raises(ReviewPermissionDenied, match="propose the change for review"):
        services.edit_directly(graded_model, "performance_class", "latest", user=people.reviewer, rationale="r")
    outbox_before = DataChange.objects.count()
    entry = services.edit_directly(
        graded_model, "performance_class", "latest", user=people.superuser, rationale="Flagship release"
    )
    graded_model.refresh_from_db()
    assert graded_model.performance_class == "latest"
    assert (entry.before, entry.after, entry.approver) == ("", "latest", people.superuser)
    assert DataChange.objects.count() == outbox_before + 1


def test_approving_an_organisation_origin_moves_its_region(people, make_organisation):
    organisation = make_organisation(country="US")
    cr = services.propose(
        organisation,
        "national_origin",
        {"scope": "country", "country": "fr"},
        user=people.curator,
        rationale="Paris HQ",
    )
    services.approve(cr, people.reviewer)
    organisation.refresh_from_db()
    assert (organisation.country.code, organisation.region) == ("FR", "europe")
    with pytest.raises(ValidationFailed, match="only when the kind is 'country'"):
        services.propose(
            organisation,
            "national_origin",
            {"scope": "international", "country": "FR"},
            user=people.curator,
            rationale="r",
        )


def test_deleting_a_model_keeps_its_history_and_stales_its_requests(people, graded_model):
    services.approve(propose_open_weights(graded_model, people.curator), people.reviewer)
    pending = services.propose(graded_model, "performance_class", "full", user=people.curator, rationale="r")
    outbox_before = DataChange.objects.count()
    with pytest.raises(ReviewPermissionDenied):
        services.delete_entry(graded_model, user=people.reviewer)
    assert DataChange.objects.count() == outbox_before and AIModel.objects.filter(pk=graded_model.pk).exists()
    services.delete_entry(graded_model, user=people.superuser, rationale="Duplicate")
    assert not AIModel.objects.filter(pk=graded_model.pk).exists()
    # Charts and cached pages learn of the deletion through the outbox, like any other change.
    assert DataChange.objects.order_by("-id").values_list("reason", flat=True).first() == "deleted Graded Model"
    assert DataChange.objects.count() == outbox_before + 1
    pending.refresh_from_db()
    assert pending.state == State.STALE
    entries = HistoryEntry.objects.filter(target_label="Graded Model")
    assert sorted(entries.values_list("field", flat=True)) == [WEIGHTS, "deleted"]
    assert all(e.ai_model_id is None for e in entries)
    assert entries.get(field="deleted").before["performance_class"] == ""


def test_refusals_name_who_and_what(people, graded_model):
    with pytest.raises(ReviewPermissionDenied, match=r"^an anonymous visitor may not propose changes"):
        propose_open_weights(graded_model, people.anonymous)
    cr = propose_open_weights(graded_model, people.curator)
    with pytest.raises(
        ReviewPermissionDenied,
        match=rf"^curator2 may not approve change request #{cr.pk} "
        r"\(Graded Model · assessment:weights_endmodel\): reviewers only",
    ):
        services.approve(cr, people.curator2)


def test_a_proposal_records_the_live_value_not_the_callers_outdated_copy(people, graded_model):
    outdated = AIModel.objects.get(pk=graded_model.pk)
    services.edit_directly(graded_model, "performance_class", "full", user=people.superuser, rationale="r")
    cr = services.propose(outdated, "performance_class", "latest", user=people.curator, rationale="r")
    assert cr.before == "full"
    services.approve(cr, people.reviewer)  # not stale: it was proposed against the live value
