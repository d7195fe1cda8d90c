"""The public list of models considered and declined: kept by curators, read by everyone."""

from __future__ import annotations

import datetime

import pytest

from curation.models import DeclinedCandidate
from curation.not_included import delete_declined_candidate, save_declined_candidate
from curation.review.errors import ReviewPermissionDenied, ValidationFailed


def candidate(**fields):
    values = {
        "name": "Finetune-7B",
        "organisation": "A Lab",
        "link": "https://example.org/finetune",
        "considered_on": datetime.date(2025, 5, 1),
        "reason": "A fine-tune of a model already in the index.",
    }
    values.update(fields)
    return DeclinedCandidate(**values)


def test_a_curator_records_a_declined_model_and_readers_see_it_at_once(client, people):
    assert "No model has been recorded" in client.get("/models/not-included/").content.decode()
    people.curator.username = "j-doe-keeps-the-list"
    people.curator.save()
    saved = save_declined_candidate(candidate(), user=people.curator)
    assert saved.curator == people.curator
    body = client.get("/models/not-included/").content.decode()
    assert "Finetune-7B" in body and "A fine-tune of a model already in the index." in body
    assert 'href="https://example.org/finetune"' in body
    assert people.curator.username not in body  # who declined it stays private
    delete_declined_candidate(saved, user=people.curator)
    assert "Finetune-7B" not in client.get("/models/not-included/").content.decode()


def test_only_curators_keep_the_list_and_bad_links_are_refused(people):
    with pytest.raises(ReviewPermissionDenied):
        save_declined_candidate(candidate(), user=people.editor)
    with pytest.raises(ValidationFailed) as refused:
        save_declined_candidate(candidate(link="javascript:alert(1)"), user=people.curator)
    assert refused.value.field == "link"
    with pytest.raises(ValidationFailed) as refused:
        save_declined_candidate(candidate(reason=""), user=people.curator)
    assert refused.value.field == "reason"
    assert DeclinedCandidate.objects.count() == 0


def test_curators_add_entries_in_the_admin(client, people):
    client.force_login(people.curator)
    response = client.post(
        "/admin/curation/declinedcandidate/add/",
        {
            "name": "Tiny-1B",
            "organisation": "",
            "link": "",
            "considered_on": "2025-06-02",
            "reason": "Not described as open by its makers.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = DeclinedCandidate.objects.get()
    assert entry.curator == people.curator
    client.force_login(people.editor)
    assert client.get("/admin/curation/declinedcandidate/").status_code == 403


def test_the_index_links_the_list(client, make_ai_model):
    make_ai_model("Listed")
    assert 'href="/models/not-included/"' in client.get("/models/").content.decode()


def test_the_list_says_how_to_reach_the_curators_and_the_footer_leads_to_it(client, make_post, role_users):
    from curation.editorial import services
    from curation.models import PostKind

    body = client.get("/models/not-included/").content.decode()
    assert "Write to the curators with the evidence." in body  # no contribute page: no dead link
    services.publish(make_post("Contribute", kind=PostKind.PAGE, slug="contribute"), user=role_users["editor"])
    body = client.get("/models/not-included/").content.decode()
    assert '<a href="/contribute/">Tell the curators, with the evidence</a>' in body
    # Every page's footer leads to the dimensions and to this list.
    home = client.get("/").content.decode()
    footer = home[home.index('<footer class="site-footer">') :]
    assert 'href="/dimensions/"' in footer and 'href="/models/not-included/"' in footer


def test_on_a_phone_each_declined_model_is_a_card_of_labelled_cells(client, people):
    save_declined_candidate(candidate(), user=people.curator)
    body = client.get("/models/not-included/").content.decode()
    assert '<table class="index stacked-on-phone">' in body
    assert '<td data-label="Reason">A fine-tune of a model already in the index.</td>' in body
