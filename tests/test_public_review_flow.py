"""What readers see follows the review workflow: pending proposals never, approvals at once."""

import pytest

from curation import roles
from curation.public.caching import CACHE_STATUS_HEADER
from curation.review.services import approve, propose
from tests.conftest import forget_cached_pages
from tests.factories import UserFactory


@pytest.fixture
def curator_and_reviewer(db):
    return UserFactory(username="cur", role=roles.CURATOR), UserFactory(username="rev", role=roles.REVIEWER)


def licence_cell(client, model):
    body = client.get(f"/models/?q={model.name}").content.decode()
    start = body.index('title="Licenses: ')
    return body[start : start + 40]


def test_pending_proposal_is_invisible_and_approval_shows_at_once(
    client,
    make_ai_model,
    curator_and_reviewer,
    django_capture_on_commit_callbacks,
):
    curator, reviewer = curator_and_reviewer
    model = make_ai_model("Reviewed Model")
    assert "Closed" in licence_cell(client, model)
    proposal = propose(
        model,
        "assessment:licenses",
        {"grade": "open", "links": ["https://example.org/licence"], "notes": "MIT now"},
        user=curator,
        rationale="Relicensed under MIT",
        evidence_link="https://example.org/licence",
    )
    # Pending: neither the cached nor a freshly rendered page shows it.
    assert "Closed" in licence_cell(client, model)
    forget_cached_pages()
    assert "Closed" in licence_cell(client, model)
    page = client.get(f"/models/{model.slug}/").content.decode()
    assert "MIT now" not in page and "Relicensed under MIT" not in page

    with django_capture_on_commit_callbacks(execute=True):
        approve(proposal, reviewer, comment="private: checked the repo")
    response = client.get(f"/models/?q={model.name}")
    assert response[CACHE_STATUS_HEADER] == "miss"
    assert "Open" in licence_cell(client, model)
    page = client.get(f"/models/{model.slug}/").content.decode()
    assert "MIT now" in page and "Relicensed under MIT" in page
    assert "private: checked the repo" not in page
    assert "Last reviewed</dt><dd>No reviewed" not in page
