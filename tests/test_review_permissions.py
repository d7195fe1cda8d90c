"""The permission matrix: every role × every review action, through the admin's HTTP layer and
through the services. A forbidden action answers 403 (or a login redirect for anonymous
visitors) or raises a refusal, and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from curation.models import ChangeRequest, HistoryEntry, ReviewEvent
from curation.review import services
from curation.review.errors import ReviewError

from .review_fixtures import admin_form_data, grade_of, new_grade

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "editor", "curator", "reviewer", "superuser"]
ACTIONS = ["view", "propose", "approve_own", "approve_other", "reject", "withdraw", "edit_directly"]
# What each role may do. "approve_own" is refused for everyone (four eyes).
ALLOWED = {
    "anonymous": set(),
    # Editors work on posts only: no access to classifications.
    "editor": set(),
    "curator": {"view", "propose", "withdraw"},
    "reviewer": {"view", "propose", "approve_other", "reject", "withdraw"},
    "superuser": {"view", "propose", "approve_other", "reject", "withdraw", "edit_directly"},
}
MATRIX = [(role, action, action in ALLOWED[role]) for role in ROLES for action in ACTIONS]


@pytest.fixture
def scene(people, graded_model):
    """A model, a pending request by the acting role (its "own") and one by another curator."""

    def build(role):
        actor = getattr(people, role)
        own_proposer = actor if actor.is_authenticated else people.curator2
        own = ChangeRequest.objects.create(
            ai_model=graded_model,
            target_label=str(graded_model),
            field="performance_class",
            before="",
            after="latest",
            proposer=own_proposer,
            rationale="own",
            submitted_at="2026-01-01T00:00Z",
        )
        other = services.propose(graded_model, "performance_class", "full", user=people.curator2, rationale="other")
        return actor, own, other

    return build


def snapshot(model, *requests):
    model.refresh_from_db()
    return (
        model.performance_class,
        grade_of(model, "weights_endmodel"),
        ChangeRequest.objects.count(),
        HistoryEntry.objects.count(),
        ReviewEvent.objects.count(),
        tuple(ChangeRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list("state", flat=True)),
    )


def _grade_post(client, model):
    """Submit the model's admin form with the weights grade raised to open."""
    from django.contrib.auth.models import User
    from django.test import Client

    url = reverse("admin:curation_aimodel_change", args=[model.pk])
    viewer = Client()  # read the form as a curator sees it; the acting client submits it
    viewer.force_login(User.objects.get(username="curator2"))
    data = admin_form_data(viewer.get(url))
    data.update(
        {
            "grade__weights_endmodel": "open",
            "links__weights_endmodel": "https://example.org/hub",
            "rationale": "Weights on the hub",
        }
    )
    return client.post(url, data)


def _decide(client, cr, action, comment="A comment"):
    return client.post(
        reverse("admin:curation_changerequest_decide", args=[cr.pk]), {"action": action, "comment": comment}
    )


def _refused_status(response, role):
    if role == "anonymous":
        return response.status_code == 302 and "/login/" in response["Location"]
    return response.status_code == 403


@pytest.mark.parametrize("role, action, allowed", MATRIX)
def test_admin_http_layer(client, scene, graded_model, role, action, allowed):
    actor, own, other = scene(role)
    if actor.is_authenticated:
        client.force_login(actor)
    before = snapshot(graded_model, own, other)

    if action == "view":
        response = client.get(reverse("admin:curation_aimodel_change", args=[graded_model.pk]))
        assert (response.status_code == 200) is allowed
        if not allowed:
            assert _refused_status(response, role)
        assert snapshot(graded_model, own, other) == before
        return

    if action in ("propose", "edit_directly"):
        response = _grade_post(client, graded_model)
        if not allowed and action == "propose":
            assert _refused_status(response, role)
            assert snapshot(graded_model, own, other) == before
            return
        live_changed = grade_of(graded_model, "weights_endmodel") == "open"
        proposed = ChangeRequest.objects.filter(field="assessment:weights_endmodel", state="pending").exists()
        if action == "edit_directly":
            assert live_changed is allowed
            if not allowed and role in ("curator", "reviewer"):
                assert proposed  # their save became a proposal instead
        else:  # a permitted proposal: pending for review, or applied at once for a superuser
            assert proposed or (role == "superuser" and live_changed)
            assert live_changed is (role == "superuser")
        if not allowed and role in ("anonymous", "editor"):
            assert _refused_status(response, role)
            assert snapshot(graded_model, own, other) == before
        return

    target, verb = {
        "approve_own": (own, "approve"),
        "approve_other": (other, "approve"),
        "reject": (other, "reject"),
        "withdraw": (own, "withdraw"),
    }[action]
    response = _decide(client, target, verb)
    target.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert target.state == {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"}[verb]
    else:
        assert _refused_status(response, role)
        assert snapshot(graded_model, own, other) == before


@pytest.mark.parametrize("role, action, allowed", [m for m in MATRIX if m[1] != "view"])
def test_services(scene, graded_model, role, action, allowed):
    actor, own, other = scene(role)
    before = snapshot(graded_model, own, other)
    calls = {
        "propose": lambda: services.propose(
            graded_model,
            "assessment:weights_endmodel",
            new_grade("open"),
            user=actor,
            rationale="r",
            evidence_link="https://example.org/e",
        ),
        "approve_own": lambda: services.approve(own, actor),
        "approve_other": lambda: services.approve(other, actor),
        "reject": lambda: services.reject(other, actor, "no"),
        "withdraw": lambda: services.withdraw(own, actor),
        "edit_directly": lambda: services.edit_directly(
            graded_model, "performance_class", "limited", user=actor, rationale="r"
        ),
    }
    if allowed:
        calls[action]()
        assert snapshot(graded_model, own, other) != before
    else:
        with pytest.raises(ReviewError):
            calls[action]()
        assert snapshot(graded_model, own, other) == before


@pytest.mark.parametrize("role, status", [("editor", 403), ("curator", 200), ("reviewer", 200), ("superuser", 200)])
def test_only_curators_and_reviewers_see_the_review_queue_and_history(client, people, role, status):
    client.force_login(getattr(people, role))
    for name in ("changerequest", "historyentry", "importrun"):
        assert client.get(reverse(f"admin:curation_{name}_changelist")).status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_available_actions_offer_exactly_what_the_services_allow(scene, role):
    actor, own, other = scene(role)
    offered = {
        "approve_own": "approve" in services.available_actions(own, actor),
        "approve_other": "approve" in services.available_actions(other, actor),
        "reject": "reject" in services.available_actions(other, actor),
        "withdraw": "withdraw" in services.available_actions(own, actor),
    }
    assert offered == {action: action in ALLOWED[role] for action in offered}


class _Undo(Exception):
    """Raised inside a savepoint to roll a decision back after seeing whether it was allowed."""


def _refused_by_taking_it(cr, user, decision) -> bool:
    """Take the decision for real inside a savepoint, then roll it back: was it refused for the
    user's role or the request's state (not for the request's content)?"""
    from django.db import transaction

    from curation.review.errors import IllegalTransition, ReviewPermissionDenied

    calls = {
        "approve": lambda: services.approve(cr, user, "fine"),
        "reject": lambda: services.reject(cr, user, "no evidence"),
        "withdraw": lambda: services.withdraw(cr, user),
        "renew": lambda: services.renew(cr, user),
    }
    try:
        with transaction.atomic():
            calls[decision]()
            raise _Undo
    except _Undo:
        return False
    except (ReviewPermissionDenied, IllegalTransition):
        return True
    except ReviewError:  # stale or invalid content: allowed by role and state
        return False


@pytest.mark.parametrize(
    "state", [ChangeRequest.State.PENDING, ChangeRequest.State.STALE, ChangeRequest.State.APPROVED]
)
@pytest.mark.parametrize("role", ROLES)
def test_offered_buttons_are_exactly_the_decisions_that_are_not_refused(people, graded_model, role, state):
    """available_actions (the admin's and the API's buttons) offers a decision exactly when taking
    it is not refused for role, ownership or state, for the proposer and for anyone else."""
    user = getattr(people, role)
    proposers = [people.curator2] + ([user] if user.is_authenticated else [])
    for proposer in proposers:
        cr = ChangeRequest.objects.create(
            ai_model=graded_model,
            target_label=str(graded_model),
            field="performance_class",
            before="",
            after="latest",
            proposer=proposer,
            rationale="buttons",
            submitted_at="2026-01-01T00:00Z",
            state=state,
        )
        offered = services.available_actions(cr, user)
        taken = [d for d in services.DECISIONS if not _refused_by_taking_it(cr, user, d)]
        assert offered == taken, (role, state, proposer.username)
