"""Two reviewers approving the same proposal at the same moment, on two database connections:
the change is applied exactly once and the second reviewer gets a clear refusal."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from curation.models import ChangeRequest, DataChange, HistoryEntry, ReviewEvent
from curation.review import services
from curation.review.errors import IllegalTransition

from .review_fixtures import grade_of, new_grade


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_apply_the_change_once(require_postgres, people, graded_model):
    cr = services.propose(
        graded_model,
        "assessment:weights_endmodel",
        new_grade("open"),
        user=people.curator,
        rationale="Weights on the hub",
        evidence_link="https://example.org/hub",
    )
    outbox_before = DataChange.objects.count()
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def approve_as(reviewer):
        try:
            start.wait(timeout=10)
            outcomes[reviewer.username] = services.approve(ChangeRequest.objects.get(pk=cr.pk), reviewer, "ok")
        except Exception as exc:  # noqa: BLE001 - the refusal is the point of the test
            outcomes[reviewer.username] = exc
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=approve_as, args=(r,)) for r in (people.reviewer, people.reviewer2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refusals = [o for o in outcomes.values() if isinstance(o, Exception)]
    entries = [o for o in outcomes.values() if isinstance(o, HistoryEntry)]
    assert len(entries) == 1 and len(refusals) == 1, outcomes
    assert isinstance(refusals[0], IllegalTransition)
    assert "is approved; only pending requests can be approved" in str(refusals[0])
    assert HistoryEntry.objects.filter(change_request=cr).count() == 1
    assert ReviewEvent.objects.filter(change_request=cr, action="approved").count() == 1
    assert DataChange.objects.count() == outbox_before + 1
    assert grade_of(graded_model, "weights_endmodel") == "open"
