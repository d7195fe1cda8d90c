"""Keeping the list of models considered for the index and declined (readers see it).

Curators and reviewers add, correct and remove entries in the admin; these functions check the
role, validate the whole row and record a data change in the same transaction, so the public
list (page-cached per data version) shows the change at once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from curation import roles
from curation.datachanges import record_data_change
from curation.models import DeclinedCandidate
from curation.review.errors import ReviewPermissionDenied, ValidationFailed


def _require_curator(user, what: str) -> None:
    if not roles.is_curator(user):
        name = user.get_username() if user is not None and user.is_authenticated else "an anonymous visitor"
        raise ReviewPermissionDenied(f"{name} may not {what}: curators and reviewers only")


def public_declined_candidates():
    """The list readers see, newest decision first."""
    return DeclinedCandidate.objects.only("name", "organisation", "link", "considered_on", "reason")


@transaction.atomic
def save_declined_candidate(candidate: DeclinedCandidate, *, user) -> DeclinedCandidate:
    """Save a declined model (new or corrected). The curator is the saving user unless one is
    named. Raises ReviewPermissionDenied for other roles, ValidationFailed naming the field."""
    _require_curator(user, "keep the list of models not included")
    if candidate.curator_id is None:
        candidate.curator = user
    try:
        candidate.full_clean()
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(
            f"{candidate.name or 'model not included'}: {name}: {' '.join(messages)}", field=name
        ) from None
    candidate.save()
    record_data_change(f"not included: {candidate.name}", kept_in_history=True)
    return candidate


@transaction.atomic
def delete_declined_candidate(candidate: DeclinedCandidate, *, user) -> None:
    """Remove an entry (e.g. the model was included after all)."""
    _require_curator(user, "keep the list of models not included")
    name = candidate.name
    candidate.delete()
    record_data_change(f"not included, removed: {name}", kept_in_history=True)
