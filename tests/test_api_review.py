"""Curator endpoints: proposals and decisions through the review services, errors mapped to
HTTP, and the same role × action outcomes as the admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from curation import roles
from curation.models import AIModel, ChangeRequest
from curation.review import services
from curation.review.errors import (
    IllegalTransition,
    ReviewPermissionDenied,
    StaleProposal,
    ValidationFailed,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "curator", "reviewer", "editor", "superuser"]
ACTIONS = ["view", "propose", "approve_own", "approve_others", "reject", "withdraw"]


@pytest.fixture(autouse=True)
def fresh_cache(clean_api_cache):
    return clean_api_cache


@pytest.fixture
def people(django_user_model, settings):
    # Password hashing is deliberately slow; these tests are about roles, not passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    roles.ensure_roles()

    def member(name, role=None, **extra):
        user = django_user_model.objects.create_user(name, password="pw", is_staff=True, **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return {
        "anonymous": AnonymousUser(),
        "curator": member("curator", roles.CURATOR),
        "reviewer": member("reviewer", roles.REVIEWER),
        "editor": member("editor", roles.EDITOR),
        "superuser": member("root", is_superuser=True),
        "other_curator": member("other-curator", roles.CURATOR),
        "second_reviewer": member("second-reviewer", roles.REVIEWER),
    }


def client_for(user) -> APIClient:
    api = APIClient()
    if user.is_authenticated:
        token, _ = Token.objects.get_or_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def _own_proposal(model, user):
    """A pending request by `user` (made directly: not every role may propose)."""
    return ChangeRequest.objects.create(
        ai_model=model,
        target_label=model.name,
        field="performance_class",
        before=model.performance_class,
        after="latest",
        proposer=user,
        rationale="Mine",
        submitted_at=model.updated_at,
    )


# --- the permission matrix ---------------------------------------------------------------------


class _Undo(Exception):
    pass


def _outcome_of(call) -> str:
    """Run `call` and undo everything it wrote; returns "ok" or the refusal's class name."""
    result = "ok"
    try:
        with transaction.atomic():
            try:
                call()
            except (ReviewPermissionDenied, IllegalTransition, StaleProposal, ValidationFailed) as refusal:
                result = type(refusal).__name__
            raise _Undo
    except _Undo:
        pass
    return result


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _scenario(action, user, people, model):
    """(expected outcome via the admin's gate + the services, API call) for one cell."""
    queue_admin = admin.site._registry[ChangeRequest]
    model_admin = admin.site._registry[AIModel]
    others = people["other_curator"]

    def own_or_others():
        return _own_proposal(model, user) if user.is_authenticated else _own_proposal(model, others)

    if action == "view":
        expected = "ok" if queue_admin.has_view_permission(_admin_request(user)) else "ReviewPermissionDenied"
        return expected, lambda api: api.get("/api/v1/change-requests/")
    if action == "propose":
        gate = model_admin.has_change_permission(_admin_request(user), model)
        expected = (
            _outcome_of(lambda: services.propose(model, "performance_class", "latest", user=user, rationale="Measured"))
            if gate
            else "ReviewPermissionDenied"
        )
        payload = {
            "target_type": "model",
            "target": model.slug,
            "field": "performance_class",
            "after": "latest",
            "rationale": "Measured",
        }
        return expected, lambda api: api.post("/api/v1/change-requests/", payload, format="json")

    # Decisions: the admin's decide view lets only those who may see the queue reach the service.
    make = {"approve_own": own_or_others, "withdraw": own_or_others}.get(action, lambda: _own_proposal(model, others))
    service = {
        "approve_own": lambda cr: services.approve(cr, user, ""),
        "approve_others": lambda cr: services.approve(cr, user, ""),
        "reject": lambda cr: services.reject(cr, user, "Not convincing"),
        "withdraw": lambda cr: services.withdraw(cr, user, ""),
    }[action]
    verb = {"approve_own": "approve", "approve_others": "approve"}.get(action, action)
    gate = queue_admin.has_view_permission(_admin_request(user))
    expected = _outcome_of(lambda: service(make())) if gate else "ReviewPermissionDenied"

    def call(api):
        proposal = make()
        return api.post(f"/api/v1/change-requests/{proposal.pk}/{verb}/", {"comment": "Not convincing"}, format="json")

    return expected, call


API_OUTCOME = {
    200: "ok",
    201: "ok",
    401: "ReviewPermissionDenied",
    403: "ReviewPermissionDenied",
    409: "IllegalTransition",
    400: "ValidationFailed",
}


def test_the_api_permission_matrix_is_the_admins(people, make_ai_model):
    model = make_ai_model("Matrix Model", performance_class="full")
    seen = {}
    for role in ROLES:
        user = people[role]
        for action in ACTIONS:
            expected, call = _scenario(action, user, people, model)
            with transaction.atomic():
                response = call(client_for(user))
                transaction.set_rollback(True)
            got = API_OUTCOME.get(response.status_code, f"HTTP {response.status_code}")
            assert got == expected, (role, action, response.status_code, response.content)
            seen[(role, action)] = got
            model.refresh_from_db()
            assert model.performance_class == "full"  # every cell was rolled back

    # The matrix is not trivially uniform: the rules the index promises hold.
    assert seen[("reviewer", "approve_others")] == "ok"
    assert seen[("reviewer", "approve_own")] == "ReviewPermissionDenied"  # four eyes
    assert seen[("curator", "approve_others")] == "ReviewPermissionDenied"
    assert seen[("curator", "propose")] == "ok"
    assert seen[("editor", "propose")] == "ReviewPermissionDenied"
    assert seen[("anonymous", "view")] == "ReviewPermissionDenied"
    assert seen[("curator", "withdraw")] == "ok"
    assert seen[("superuser", "approve_others")] == "ok"


# --- the flows -----------------------------------------------------------------------------------


def test_propose_then_approve_applies_the_change(people, make_ai_model):
    model = make_ai_model("Flow Model")
    curator, reviewer = client_for(people["curator"]), client_for(people["reviewer"])

    proposed = curator.post(
        "/api/v1/change-requests/",
        {
            "target_type": "model",
            "target": model.slug,
            "field": "assessment:licenses",
            "after": {"grade": "open", "links": ["https://example.org/licence"], "notes": "Apache 2.0"},
            "rationale": "Licence file says Apache",
            "evidence_link": "https://example.org/licence",
        },
        format="json",
    )

    assert proposed.status_code == 201, proposed.content
    body = proposed.json()
    assert body["state"] == "pending" and body["proposer"] == "curator"
    assert body["before"]["grade"] == "closed"
    assert [e["action"] for e in body["events"]] == ["proposed"]
    # Nothing public changed yet.
    public = client_for(people["anonymous"]).get(f"/api/v1/models/{model.slug}/").json()
    assert {a["dimension"]: a["grade"] for a in public["assessments"]}["licenses"] == "closed"

    approved = reviewer.post(f"/api/v1/change-requests/{body['id']}/approve/", {"comment": "ok"}, format="json")

    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    assert approved.json()["decided_by"] == "reviewer"
    public = client_for(people["anonymous"]).get(f"/api/v1/models/{model.slug}/").json()
    assert {a["dimension"]: a["grade"] for a in public["assessments"]}["licenses"] == "open"
    model.refresh_from_db()
    assert public["total_score"] == pytest.approx(model.total_score) and model.total_score > 0


def test_reject_needs_a_comment_and_names_the_field(people, make_ai_model):
    model = make_ai_model("Reject Model")
    proposal = services.propose(model, "performance_class", "latest", user=people["curator"], rationale="Because")
    reviewer = client_for(people["reviewer"])

    response = reviewer.post(f"/api/v1/change-requests/{proposal.pk}/reject/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "comment"
    assert "comment is required" in response.json()["message"]
    proposal.refresh_from_db()
    assert proposal.state == "pending"

    response = reviewer.post(f"/api/v1/change-requests/{proposal.pk}/reject/", {"comment": "No source"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "rejected"


def test_deciding_twice_is_a_conflict(people, make_ai_model):
    model = make_ai_model("Twice Model")
    proposal = services.propose(model, "performance_class", "latest", user=people["curator"], rationale="Because")
    reviewer = client_for(people["reviewer"])
    assert reviewer.post(f"/api/v1/change-requests/{proposal.pk}/approve/").status_code == 200

    again = reviewer.post(f"/api/v1/change-requests/{proposal.pk}/reject/", {"comment": "oops"}, format="json")

    assert again.status_code == 409
    assert "approved" in again.json()["message"]


def test_stale_proposals_are_a_conflict(people, make_ai_model):
    model = make_ai_model("Stale Model")
    first = services.propose(model, "performance_class", "latest", user=people["curator"], rationale="A")
    second = services.propose(model, "performance_class", "limited", user=people["other_curator"], rationale="B")
    reviewer = client_for(people["reviewer"])
    assert reviewer.post(f"/api/v1/change-requests/{first.pk}/approve/").status_code == 200

    response = reviewer.post(f"/api/v1/change-requests/{second.pk}/approve/")

    assert response.status_code == 409
    assert "stale" in response.json()["message"]
    second.refresh_from_db()
    assert second.state == "stale"
    model.refresh_from_db()
    assert model.performance_class == "latest"

    not_mine = client_for(people["curator"]).post(f"/api/v1/change-requests/{second.pk}/renew/")
    assert not_mine.status_code == 403
    renewed = client_for(people["other_curator"]).post(
        f"/api/v1/change-requests/{second.pk}/renew/", {"comment": "Still right"}, format="json"
    )
    assert renewed.status_code == 200
    assert renewed.json()["state"] == "pending"
    assert renewed.json()["before"] == "latest"
    assert reviewer.post(f"/api/v1/change-requests/{second.pk}/approve/").status_code == 200
    model.refresh_from_db()
    assert model.performance_class == "limited"


def test_invalid_proposals_say_what_is_wrong(people, make_ai_model):
    model = make_ai_model("Invalid Model")
    curator = client_for(people["curator"])
    base = {"target_type": "model", "target": model.slug, "field": "performance_class", "rationale": "Why"}

    missing = curator.post("/api/v1/change-requests/", {**base}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "after"

    bad_value = curator.post("/api/v1/change-requests/", {**base, "after": "frontier"}, format="json")
    assert bad_value.status_code == 400
    assert bad_value.json()["field"] == "after"
    assert "latest, full, limited" in bad_value.json()["message"]

    unknown_field = curator.post("/api/v1/change-requests/", {**base, "field": "popularity", "after": 1}, format="json")
    assert unknown_field.status_code == 400 and unknown_field.json()["field"] == "field"

    no_target = curator.post("/api/v1/change-requests/", {**base, "target": "ghost", "after": "full"}, format="json")
    assert no_target.status_code == 400 and no_target.json()["field"] == "target"

    blank_rationale = curator.post(
        "/api/v1/change-requests/", {**base, "after": "full", "rationale": " "}, format="json"
    )
    assert blank_rationale.status_code == 400 and blank_rationale.json()["field"] == "rationale"

    no_evidence = curator.post(
        "/api/v1/change-requests/", {**base, "field": "assessment:licenses", "after": {"grade": "open"}}, format="json"
    )
    assert no_evidence.status_code == 400 and no_evidence.json()["field"] == "evidence_link"

    bad_evidence = curator.post(
        "/api/v1/change-requests/",
        {**base, "field": "assessment:licenses", "after": {"grade": "open"}, "evidence_link": "ftp://example.org/x"},
        format="json",
    )
    assert bad_evidence.status_code == 400 and bad_evidence.json()["field"] == "evidence_link"
    assert "not an http(s) URL" in bad_evidence.json()["message"]

    assert ChangeRequest.objects.count() == 0


def test_withdraw_and_renew_are_the_proposers(people, make_ai_model):
    model = make_ai_model("Withdraw Model")
    proposal = services.propose(model, "performance_class", "latest", user=people["curator"], rationale="A")

    by_other = client_for(people["other_curator"]).post(f"/api/v1/change-requests/{proposal.pk}/withdraw/")
    assert by_other.status_code == 403
    assert "proposer" in by_other.json()["message"]

    mine = client_for(people["curator"]).post(f"/api/v1/change-requests/{proposal.pk}/withdraw/")
    assert mine.status_code == 200 and mine.json()["state"] == "withdrawn"


def test_queue_filters_by_state_and_checks_the_state(people, make_ai_model):
    model = make_ai_model("Queue Model")
    pending = services.propose(model, "performance_class", "latest", user=people["curator"], rationale="A")
    done = services.propose(model, "types", ["text", "code"], user=people["curator"], rationale="B")
    services.reject(done, people["reviewer"], "No")
    api = client_for(people["curator"])

    assert [r["id"] for r in api.get("/api/v1/change-requests/?state=pending").json()["results"]] == [pending.pk]
    assert [r["id"] for r in api.get("/api/v1/change-requests/?state=rejected").json()["results"]] == [done.pk]
    wrong = api.get("/api/v1/change-requests/?state=maybe")
    assert wrong.status_code == 400 and wrong.json()["field"] == "state"
    assert "pending" in wrong.json()["message"]


def test_session_authentication_needs_csrf(people, make_ai_model):
    model = make_ai_model("Session Model")
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(people["curator"])

    response = api.post(
        "/api/v1/change-requests/",
        {
            "target_type": "model",
            "target": model.slug,
            "field": "performance_class",
            "after": "latest",
            "rationale": "Why",
        },
        format="json",
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert api.get("/api/v1/change-requests/").status_code == 200


def test_importer_questions_cannot_be_approved_as_they_are(people, make_organisation):
    organisation = make_organisation("Unmapped Org")
    question = ChangeRequest.objects.create(
        organisation=organisation,
        target_label=organisation.name,
        field="national_origin",
        before=None,
        after=None,
        source_value="Atlantis",
        proposer=services.importer_user(),
        rationale="Unknown tag",
        submitted_at=organisation.updated_at,
    )

    response = client_for(people["reviewer"]).post(f"/api/v1/change-requests/{question.pk}/approve/")

    assert response.status_code == 400
    assert response.json()["field"] is None
    assert "propose a concrete value" in response.json()["message"]
    listed = client_for(people["curator"]).get(f"/api/v1/change-requests/{question.pk}/").json()
    assert listed["target_type"] == "organisation" and listed["after"] is None


def test_curators_get_a_token_for_their_password(people, settings):
    api = APIClient()

    refused = api.post("/api/v1/auth/token/", {"username": "curator", "password": "wrong"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["message"]

    issued = api.post("/api/v1/auth/token/", {"username": "curator", "password": "pw"}, format="json")
    assert issued.status_code == 200
    token = issued.json()["token"]
    assert token == Token.objects.get(user=people["curator"]).key
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/change-requests/").status_code == 200


def test_token_requests_are_throttled(people, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "token": "2/minute"},
    }
    api = APIClient()

    statuses = [
        api.post("/api/v1/auth/token/", {"username": "curator", "password": "guess"}, format="json").status_code
        for _ in range(3)
    ]

    assert statuses == [400, 400, 429]
    refused = api.post("/api/v1/auth/token/", {"username": "curator", "password": "pw"}, format="json")
    assert refused.status_code == 429
    assert "2 requests per minute" in refused.json()["message"]


def test_organisation_classification_goes_through_review(people, make_organisation, make_ai_model):
    organisation = make_organisation("Moving Org", country="US")
    make_ai_model("Its Model", organisation=organisation)
    anonymous = client_for(people["anonymous"])

    proposed = client_for(people["curator"]).post(
        "/api/v1/change-requests/",
        {
            "target_type": "organisation",
            "target": organisation.slug,
            "field": "national_origin",
            "after": {"scope": "country", "country": "FR"},
            "rationale": "Headquarters moved to Paris",
        },
        format="json",
    )
    assert proposed.status_code == 201, proposed.content
    assert anonymous.get(f"/api/v1/organisations/{organisation.slug}/").json()["country"] == "US"
    assert anonymous.get("/api/v1/models/?region=europe").json()["results"] == []

    approved = client_for(people["reviewer"]).post(f"/api/v1/change-requests/{proposed.json()['id']}/approve/")

    assert approved.status_code == 200
    shown = anonymous.get(f"/api/v1/organisations/{organisation.slug}/").json()
    assert (shown["country"], shown["region"]) == ("FR", "europe")
    assert [m["name"] for m in anonymous.get("/api/v1/models/?region=europe").json()["results"]] == ["Its Model"]

    wrong = client_for(people["curator"]).post(
        "/api/v1/change-requests/",
        {
            "target_type": "organisation",
            "target": organisation.slug,
            "field": "national_origin",
            "after": {"scope": "country", "country": "XX"},
            "rationale": "Typo",
        },
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "after"
    assert "ISO country code" in wrong.json()["message"]


def test_browsable_api_offers_the_proposal_form(people):
    api = client_for(people["curator"])

    page = api.get("/api/v1/change-requests/", HTTP_ACCEPT="text/html")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="rationale"' in html and 'name="target_type"' in html


def test_the_api_root_lists_the_review_queue_only_to_whom_may_use_it(people):
    anonymous = client_for(people["anonymous"]).get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert "models" in anonymous and "change-requests" not in anonymous
    editor = client_for(people["editor"]).get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert "change-requests" not in editor
    reviewer = client_for(people["reviewer"]).get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert reviewer["change-requests"].endswith("/api/v1/change-requests/")
    # What an anonymous reader was answered is not what a reviewer is answered afterwards, nor back.
    again = client_for(people["anonymous"]).get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert "change-requests" not in again
