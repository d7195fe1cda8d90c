"""Corrections suggested by readers on a model's page, without an account.

A suggestion becomes a pending change request like any curator's proposal, proposed by a system
user that cannot log in and marked `from_public`; a reviewer approves or rejects it, and nothing
is applied before. What a reader may suggest comes from the registry (the model's applicable
dimensions, graded with the assessed grades of curation.vocab) and the classified fields with a
vocabulary (the performance class): nothing is listed here by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from curation import vocab
from curation.models import AIModel, ChangeRequest, Dimension
from curation.registry import dimension_spec
from curation.scoring import applies
from curation.weblinks import is_http_url

from .errors import ValidationFailed
from .fields import ASSESSMENT_PREFIX, field_for
from .services import _new_request

PUBLIC_USERNAME = "public-suggestions"
# Longest text kept from a reader: enough for a paragraph of explanation, not a document.
MAX_COMMENT_LENGTH = 2000
PERFORMANCE_CLASS = "performance_class"


@dataclass(frozen=True)
class SuggestableField:
    """One field a reader may suggest a value for: its change-request name, label and values."""

    name: str
    label: str
    group: str  # "Openness grades" or "Classification", for grouping in the form
    values: tuple[tuple[str, str], ...]  # (value, label)


def public_suggestions_user():
    """The system user that proposes readers' suggestions. It cannot log in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=PUBLIC_USERNAME, defaults={"is_active": False, "first_name": "Public suggestion"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _grade_values() -> tuple[tuple[str, str], ...]:
    return tuple((grade, str(vocab.Grade(grade).label)) for grade in vocab.ASSESSED_GRADES)


def suggestable_fields(model: AIModel) -> list[SuggestableField]:
    """The fields of `model` a reader may suggest a value for: each active dimension that applies
    to its types (in registry order), then its performance class."""
    grades = _grade_values()
    fields = [
        SuggestableField(f"{ASSESSMENT_PREFIX}{dimension.ref}", dimension.name, "Openness grades", grades)
        for dimension in Dimension.objects.filter(is_active=True).select_related("category")
        if applies(dimension_spec(dimension), model.type_list)
    ]
    fields.append(
        SuggestableField(
            PERFORMANCE_CLASS,
            field_for(AIModel, PERFORMANCE_CLASS).label,
            "Classification",
            tuple((value, str(label)) for value, label in vocab.PerformanceClass.choices),
        )
    )
    return fields


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(f"{email!r} is not an e-mail address", field="email") from None
    return email


def _proposed_value(field_name: str, after):
    """The grade or value a pending request proposes, comparable with a reader's choice."""
    if field_name.startswith(ASSESSMENT_PREFIX):
        return after.get("grade") if isinstance(after, dict) else None
    return after


@transaction.atomic
def suggest_from_public(
    model: AIModel, field_name: str, value: str, *, evidence_link: str, comment: str = "", email: str = ""
) -> ChangeRequest:
    """A reader's suggestion that `field_name` of `model` should be `value`, as a pending change
    request marked `from_public` (one transaction; nothing else is written).

    `field_name` is one of `suggestable_fields(model)`, `value` one of its values; for a grade the
    evidence link joins the grade's links and the notes stay as they are. `evidence_link` must be
    an http(s) URL; `email` (optional) is kept to tell the reader the outcome. Raises
    ValidationFailed naming the input at fault (`field`, `value`, `evidence_link`, `email`,
    `comment`).
    """
    if model is None or model.pk is None or not AIModel.objects.public().filter(pk=model.pk).exists():
        raise ValidationFailed("corrections can be suggested only for a model in the index", field="field")
    offered = {f.name: f for f in suggestable_fields(model)}
    suggestable = offered.get(field_name)
    if suggestable is None:
        raise ValidationFailed(
            f"{field_name or '(nothing)'!r} is not a grade or field of {model} that can be "
            "corrected here; choose one from the list",
            field="field",
        )
    if value not in dict(suggestable.values):
        choices = ", ".join(label for _, label in suggestable.values)
        raise ValidationFailed(f"{suggestable.label}: choose one of {choices}", field="value")
    evidence_link = (evidence_link or "").strip()
    if not evidence_link:
        raise ValidationFailed("an evidence link is required: where can a reviewer check this?", field="evidence_link")
    if not is_http_url(evidence_link):
        raise ValidationFailed(
            "the evidence link must be a web address starting with http:// or https://.", field="evidence_link"
        )
    email = _clean_email(email)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationFailed(
            f"the explanation has {len(comment)} characters; at most {MAX_COMMENT_LENGTH}", field="comment"
        )

    field = field_for(model, field_name)
    live = AIModel.objects.get(pk=model.pk)
    before = field.read(live)
    if field_name.startswith(ASSESSMENT_PREFIX):
        unchanged = before.get("grade") == value  # new evidence for the same grade is no correction
        links = [link for link in before.get("links", []) if link != evidence_link]
        after = field.clean({"grade": value, "links": [evidence_link, *links], "notes": before.get("notes", "")})
    else:
        after = field.clean(value)
        unchanged = field.same(before, after)
    if unchanged:
        raise ValidationFailed(
            f"{suggestable.label} of {model} is already {dict(suggestable.values)[value]}", field="value"
        )
    waiting = ChangeRequest.objects.filter(ai_model=live, field=field_name, state=ChangeRequest.State.PENDING)
    if any(_proposed_value(field_name, cr.after) == value for cr in waiting.only("after")):
        raise ValidationFailed(
            f"{suggestable.label}: a correction to {dict(suggestable.values)[value]} is already awaiting review",
            field="value",
        )
    rationale = "Suggested by a reader on the public form."
    if comment:
        rationale += f"\n\n{comment}"
    return _new_request(
        live,
        field,
        field_name,
        before=before,
        after=after,
        proposer=public_suggestions_user(),
        rationale=rationale,
        evidence_link=evidence_link,
        from_public=True,
        submitter_email=email,
    )
