"""Readers suggest corrections on a model's page: the suggestion reaches the review queue marked
as public, nothing changes before review, a burst from one address is limited, a honeypot
catches bots, and a reader who gave an e-mail address hears the outcome."""

from __future__ import annotations

import secrets

import pytest

from curation.models import ChangeRequest
from curation.public.caching import CACHE_STATUS_HEADER
from curation.review import services
from curation.review.errors import ValidationFailed
from curation.review.suggestions import (
    PUBLIC_USERNAME,
    suggest_from_public,
    suggestable_fields,
)
from tests.review_fixtures import grade_of


def fresh_address() -> str:
    """An address never used before (documentation range 2001:db8::/32, random below it): the
    rate limit's counters live in the cache, which a shared Redis keeps between test runs."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::{secrets.token_hex(2)}"


@pytest.fixture
def address():
    return fresh_address()


@pytest.fixture
def model(make_ai_model):
    return make_ai_model("Suggested Model", grades={"licenses": "closed", "weights_endmodel": "partial"})


def suggestion(**overrides):
    data = {
        "field": "assessment:licenses",
        "value": "open",
        "evidence_link": "https://example.org/licence",
        "comment": "Relicensed under Apache 2.0 last week.",
        "email": "",
        "website": "",
    }
    data.update(overrides)
    return data


def post(client, model, address, **overrides):
    return client.post(f"/models/{model.slug}/suggest/", suggestion(**overrides), REMOTE_ADDR=address)


def test_a_public_suggestion_reaches_the_review_queue_marked_public_and_changes_nothing(client, model, address, people):
    response = post(client, model, address, email="reader@example.org")
    assert response.status_code == 302
    assert response["Location"] == f"/models/{model.slug}/suggest/sent/"
    confirmation = client.get(response["Location"])
    assert "in the review queue" in confirmation.content.decode()

    cr = ChangeRequest.objects.get()
    assert cr.from_public and cr.state == ChangeRequest.State.PENDING
    assert cr.proposer.username == PUBLIC_USERNAME and not cr.proposer.is_active
    assert cr.submitter_email == "reader@example.org"
    assert cr.field == "assessment:licenses"
    assert cr.before["grade"] == "closed"
    assert cr.after == {"grade": "open", "links": ["https://example.org/licence"], "notes": ""}
    assert cr.evidence_link == "https://example.org/licence"
    assert "Relicensed under Apache 2.0" in cr.rationale
    # Nothing applied before review.
    assert grade_of(model, "licenses") == "closed"
    # The reviewer's queue holds it, and the admin list marks where it came from.
    assert list(services.awaiting_review(people.reviewer)) == [cr]
    client.force_login(people.reviewer)
    queue = client.get("/admin/curation/changerequest/?from_public__exact=1").content.decode()
    assert "A reader (public suggestion)" in queue and f"#{cr.pk}" in queue


def test_approval_applies_it_and_emails_the_reader(model, people, mailoutbox, django_capture_on_commit_callbacks):
    cr = suggest_from_public(
        model, "assessment:licenses", "open", evidence_link="https://example.org/l", email="reader@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(cr, people.reviewer, comment="private note")
    assert grade_of(model, "licenses") == "open"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["reader@example.org"]
    assert "accepted" in mail.subject and "Suggested Model" in mail.subject
    assert "private note" not in mail.body


def test_rejection_emails_the_reader_with_the_reason(model, people, mailoutbox, django_capture_on_commit_callbacks):
    cr = suggest_from_public(
        model, "performance_class", "latest", evidence_link="https://example.org/bench", email="reader@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(cr, people.reviewer, comment="The benchmark is not comparable.")
    assert [m.to for m in mailoutbox] == [["reader@example.org"]]
    assert "not accepted" in mailoutbox[0].subject
    assert "The benchmark is not comparable." in mailoutbox[0].body


def test_without_an_email_nobody_is_written_to(model, people, mailoutbox, django_capture_on_commit_callbacks):
    cr = suggest_from_public(model, "assessment:licenses", "open", evidence_link="https://example.org/l")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(cr, people.reviewer, comment="No.")
    assert mailoutbox == []


def test_a_burst_of_20_from_one_address_is_limited(client, model, address, settings):
    settings.OSAI_SUGGESTION_RATE = "5/hour"
    fields = [f.name for f in suggestable_fields(model) if f.name.startswith("assessment:")]
    # Twenty different, valid suggestions (each dimension is closed or partial, each asks "open").
    answers = [post(client, model, address, field=fields[i % len(fields)]) for i in range(20)]
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429] * 15
    assert ChangeRequest.objects.count() == 5
    limited = answers[-1]
    retry = int(limited["Retry-After"])
    assert 0 < retry <= 3600
    body = limited.content.decode()
    assert "5 suggestions per hour" in body and "try again in" in body.lower()
    # Another address is not limited by this one's burst.
    other = post(client, model, fresh_address())
    assert other.status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, model, address, settings):
    settings.OSAI_SUGGESTION_RATE = "2/hour"
    fields = [f.name for f in suggestable_fields(model) if f.name.startswith("assessment:")]
    statuses = [
        client.post(
            f"/models/{model.slug}/suggest/",
            suggestion(field=fields[i]),
            REMOTE_ADDR=address,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        ).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 429, 429]
    assert ChangeRequest.objects.count() == 2


def test_a_form_sent_back_for_corrections_uses_up_nothing(client, model, address, settings):
    settings.OSAI_SUGGESTION_RATE = "2/hour"
    # Invalid forms and a repeat of a pending suggestion: each answered with its error, none counted.
    for overrides in (
        {"evidence_link": "javascript:alert(1)"},
        {"evidence_link": ""},
        {"value": "latest"},
        {"evidence_link": "not a link"},
        {},
        {},
    ):
        response = post(client, model, address, **overrides)
        if response.status_code == 400:
            assert response.context["form"].errors
    assert ChangeRequest.objects.count() == 1
    fields = [f.name for f in suggestable_fields(model) if f.name.startswith("assessment:")]
    assert post(client, model, address, field=fields[1]).status_code == 302
    assert post(client, model, address, field=fields[2]).status_code == 429
    assert ChangeRequest.objects.count() == 2


def test_honeypot_hits_count_against_the_limit(client, model, address, settings):
    settings.OSAI_SUGGESTION_RATE = "2/hour"
    assert [post(client, model, address, website="https://spam.example").status_code for _ in range(3)] == [
        302,
        302,
        429,
    ]
    assert ChangeRequest.objects.count() == 0


def test_an_invalid_form_comes_back_with_the_readers_input(client, model, address):
    response = post(
        client,
        model,
        address,
        evidence_link="javascript:alert(1)",
        comment="Relicensed under Apache 2.0 last week.",
        email="reader@example.org",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The evidence link must be a web address starting with http:// or https://." in page
    assert 'value="javascript:alert(1)"' in page and 'value="reader@example.org"' in page
    assert "Relicensed under Apache 2.0 last week." in page
    assert '<option value="assessment:licenses" selected>' in page


def test_the_honeypot_answers_like_a_success_and_stores_nothing(client, model, address):
    response = post(client, model, address, website="https://spam.example")
    assert response.status_code == 302
    assert ChangeRequest.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"field": "assessment:no_such_dimension"}, "field", "Select a valid choice"),
        ({"value": "latest"}, "value", "choose one of Open, Partial, Closed"),
        ({"value": "closed"}, "value", "is already Closed"),
        ({"evidence_link": ""}, "evidence_link", "This field is required"),
        ({"evidence_link": "javascript:alert(1)"}, "evidence_link", "must be a web address starting with http://"),
        ({"evidence_link": "ftp://example.org/x"}, "evidence_link", "must be a web address starting with http://"),
        ({"email": "not-an-address"}, "email", "is not an e-mail address"),
        ({"comment": "x" * 2001}, "comment", "at most 2000 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_stored(client, model, address, overrides, field, message):
    response = post(client, model, address, **overrides)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert message.split("'")[0] in response.content.decode().replace("&#x27;", "'")
    assert ChangeRequest.objects.count() == 0


def test_the_same_suggestion_twice_waits_once(model):
    suggest_from_public(model, "assessment:licenses", "open", evidence_link="https://example.org/a")
    with pytest.raises(ValidationFailed) as refused:
        suggest_from_public(model, "assessment:licenses", "open", evidence_link="https://example.org/b")
    assert "already awaiting review" in str(refused.value)
    assert ChangeRequest.objects.count() == 1


def test_the_service_refuses_a_field_the_model_does_not_have(model):
    with pytest.raises(ValidationFailed) as refused:
        suggest_from_public(model, "organisation", "1", evidence_link="https://example.org/")
    assert refused.value.field == "field"
    assert ChangeRequest.objects.count() == 0


def test_only_dimensions_that_apply_to_the_model_are_offered(make_ai_model, registry):
    from curation.models import Dimension

    text_only = next(d for d in registry if d.is_active)
    Dimension.objects.filter(pk=text_only.pk).update(applicable_types="text")
    image_model = make_ai_model("Image Model", types="image")
    offered = [f.name for f in suggestable_fields(image_model)]
    assert offered == [f"assessment:{d.ref}" for d in registry if d.is_active and d != text_only] + [
        "performance_class"
    ]
    with pytest.raises(ValidationFailed) as refused:
        suggest_from_public(image_model, f"assessment:{text_only.ref}", "open", evidence_link="https://example.org/")
    assert refused.value.field == "field"


def test_the_form_keeps_csrf_and_is_never_cached_while_the_model_page_stays_cacheable(model, address):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    page = strict.get(f"/models/{model.slug}/suggest/?field=assessment:licenses")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    body = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'class="form-trap"' in body and "style=" not in body.split("<form", 1)[1].split("</form>")[0]
    assert '<option value="assessment:licenses" selected>' in body
    refused = strict.post(f"/models/{model.slug}/suggest/", suggestion(), REMOTE_ADDR=address)
    assert refused.status_code == 403
    assert ChangeRequest.objects.count() == 0

    first = strict.get(f"/models/{model.slug}/")
    second = strict.get(f"/models/{model.slug}/")
    assert second[CACHE_STATUS_HEADER] == "hit"
    assert f"/models/{model.slug}/suggest/?field=assessment:licenses" in first.content.decode()
    assert "csrfmiddlewaretoken" not in first.content.decode()


def test_suggestions_only_for_public_models(client, make_ai_model, address):
    draft = make_ai_model("Draft Model", is_public=False)
    assert client.get(f"/models/{draft.slug}/suggest/").status_code == 404
    assert client.post(f"/models/{draft.slug}/suggest/", suggestion(), REMOTE_ADDR=address).status_code == 404
    assert ChangeRequest.objects.count() == 0


def test_the_review_api_marks_public_suggestions_and_keeps_the_address_private(model, people, clean_api_cache):
    from rest_framework.test import APIClient

    cr = suggest_from_public(
        model, "assessment:licenses", "open", evidence_link="https://example.org/l", email="reader@example.org"
    )
    api = APIClient()
    api.force_authenticate(people.reviewer)
    body = api.get(f"/api/v1/change-requests/{cr.pk}/").json()
    assert body["from_public"] is True and body["proposer"] == PUBLIC_USERNAME
    assert "reader@example.org" not in str(body)


def _stale_suggestion(model, people, django_capture_on_commit_callbacks):
    """A reader's suggestion that went stale: the value changed before a reviewer approved it."""
    from curation.review.errors import StaleProposal

    cr = suggest_from_public(
        model, "assessment:licenses", "open", evidence_link="https://example.org/l", email="reader@example.org"
    )
    services.edit_directly(
        model,
        "assessment:licenses",
        {"grade": "partial", "links": ["https://example.org/p"], "notes": ""},
        user=people.superuser,
        rationale="Partly relicensed",
    )
    with pytest.raises(StaleProposal), django_capture_on_commit_callbacks(execute=True):
        services.approve(cr, people.reviewer)
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.STALE
    return cr


def test_any_curator_renews_a_stale_public_suggestion_for_the_reader(
    model, people, mailoutbox, django_capture_on_commit_callbacks
):
    cr = _stale_suggestion(model, people, django_capture_on_commit_callbacks)
    assert "renew" in services.available_actions(cr, people.curator)
    assert "renew" not in services.available_actions(cr, people.editor)
    with pytest.raises(services.ReviewPermissionDenied):
        services.renew(cr, people.editor)
    services.renew(cr, people.curator2)
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.PENDING and cr.before["grade"] == "partial"
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(cr, people.reviewer)
    assert grade_of(model, "licenses") == "open"
    assert [m.to for m in mailoutbox] == [["reader@example.org"]] and "accepted" in mailoutbox[0].subject


def test_a_curator_closes_a_stale_public_suggestion_and_the_reader_is_told_why(
    model, people, mailoutbox, django_capture_on_commit_callbacks
):
    cr = _stale_suggestion(model, people, django_capture_on_commit_callbacks)
    assert mailoutbox == []  # stale is no outcome yet
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(cr, people.curator, comment="The licence is only partly open now.")
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.WITHDRAWN
    assert [m.to for m in mailoutbox] == [["reader@example.org"]]
    assert "closed without a change" in mailoutbox[0].subject
    assert "The licence is only partly open now." in mailoutbox[0].body
    assert grade_of(model, "licenses") == "partial"
