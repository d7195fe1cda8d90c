"""The review workflow's operations. Admin views, the API, commands and the importer call these.

Every function checks the acting user's role itself (curation.roles), runs in one transaction
and raises a curation.review.errors.ReviewError subclass with a message naming the request,
the field and the reason. Nothing is half-written: a refused action changes nothing, except
that an approval refused because the live value moved on marks the request stale.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field as dataclass_field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from curation import hfrepos, roles
from curation.adoption.figures import refresh_model_figures
from curation.assessments import recompute_scores
from curation.conf import app_settings
from curation.datachanges import record_data_change
from curation.models import AIModel, ChangeRequest, HistoryEntry, ImportRun, Organisation, ReviewEvent

from .errors import IllegalTransition, ReviewError, ReviewPermissionDenied, StaleProposal, ValidationFailed
from .fields import (
    AI_MODEL_FIELDS,
    ASSESSMENT_PREFIX,
    ORGANISATION_FIELDS,
    ClassifiedField,
    check_http_url,
    display_value,
    field_for,
    field_label,
)

log = logging.getLogger(__name__)

State = ChangeRequest.State
Action = ReviewEvent.Action

IMPORTER_USERNAME = "index-importer"


# --- helpers ------------------------------------------------------------------------------


class _LenientEncoder(DjangoJSONEncoder):
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=_LenientEncoder))


def _target_kwargs(target) -> dict:
    if isinstance(target, AIModel):
        return {"ai_model": target, "organisation": None}
    if isinstance(target, Organisation):
        return {"organisation": target, "ai_model": None}
    raise ValidationFailed(f"{target!r} is neither an AI model nor an organisation")


def _target_label(target) -> str:
    """What history and requests call their target (kept when the target is deleted)."""
    return str(target)[:300]


def _record_history(target, field: str, **values) -> HistoryEntry:
    """Append one applied change of `target` to the history (in the caller's transaction)."""
    return HistoryEntry.objects.create(
        **_target_kwargs(target), target_label=_target_label(target), field=field, **values
    )


def _describe(cr: ChangeRequest) -> str:
    return f"change request #{cr.pk} ({cr.target_label} · {cr.field})"


def _user_label(user) -> str:
    if user is None or not user.is_authenticated:
        return "an anonymous visitor"
    return user.get_username()


def _record_event(cr, *, actor, action, from_state, to_state, comment="", details=None) -> ReviewEvent:
    return ReviewEvent.objects.create(
        change_request=cr,
        actor=actor,
        action=action,
        from_state=from_state or "",
        to_state=to_state,
        comment=comment or "",
        details=_jsonable(details or {}),
    )


def _lock_target(cr: ChangeRequest):
    model = AIModel if cr.ai_model_id else Organisation
    pk = cr.ai_model_id or cr.organisation_id
    if pk is None:
        return None
    return model.objects.select_for_update().filter(pk=pk).first()


# Fields that decide which Hugging Face repositories a model has (curation.hfrepos).
_REPOSITORY_FIELDS = ("hf_repos", f"{ASSESSMENT_PREFIX}{hfrepos.WEIGHTS_DIMENSION}")


def _after_apply(target, field: ClassifiedField) -> None:
    if isinstance(target, AIModel) and field.name.startswith(ASSESSMENT_PREFIX):
        recompute_scores([target])
    if isinstance(target, AIModel) and field.name in _REPOSITORY_FIELDS:
        refresh_model_figures()


def self_approval_allowed(user) -> bool:
    return bool(user.is_superuser and app_settings.OSAI_ALLOW_SELF_APPROVAL)


def importer_user():
    """The system user that proposes what the importer could not map. It cannot log in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=IMPORTER_USERNAME, defaults={"is_active": False, "first_name": "Index importer"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


# --- queues -------------------------------------------------------------------------------


def awaiting_review(user, queryset=None):
    """Pending requests this user may decide (none for non-reviewers)."""
    queryset = ChangeRequest.objects.all() if queryset is None else queryset
    if not roles.is_reviewer(user):
        return queryset.none()
    queryset = queryset.filter(state=State.PENDING)
    if not self_approval_allowed(user):
        queryset = queryset.exclude(proposer=user)
    return queryset


def open_proposals(user, queryset=None):
    """This user's proposals still pending or stale (stale ones can be renewed)."""
    queryset = ChangeRequest.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(proposer=user, state__in=[State.PENDING, State.STALE])


# --- proposing ----------------------------------------------------------------------------


def _new_request(
    target,
    field: ClassifiedField | None,
    field_name: str,
    *,
    before,
    after,
    proposer,
    rationale,
    evidence_link="",
    source_value="",
    from_public=False,
    submitter_email="",
) -> ChangeRequest:
    now = timezone.now()
    publishing = field_name == "is_public" and after is True
    cr = ChangeRequest.objects.create(
        **_target_kwargs(target),
        target_label=_target_label(target),
        field=field_name,
        before=_jsonable(before),
        after=_jsonable(after),
        source_value=source_value[:500],
        proposer=proposer,
        rationale=rationale,
        evidence_link=evidence_link,
        submitted_at=now,
        content=publication_content(target) if publishing else None,
        from_public=from_public,
        submitter_email=submitter_email,
    )
    _record_event(cr, actor=proposer, action=Action.PROPOSED, from_state="", to_state=State.PENDING, comment=rationale)
    return cr


@transaction.atomic
def propose(target, field_name: str, after, *, user, rationale: str, evidence_link: str = "") -> ChangeRequest:
    """Propose changing `field_name` of `target` to `after`. The live record is not touched.

    The live value now becomes the request's `before`. Pending questions the importer raised
    about the same field are closed as superseded by this proposal.
    """
    if not roles.is_curator(user):
        raise ReviewPermissionDenied(f"{_user_label(user)} may not propose changes: curators and reviewers only")
    if target is None or target.pk is None:
        raise ValidationFailed("a change can only be proposed for a saved model or organisation")
    field = field_for(target, field_name)
    rationale, evidence_link = _clean_text(rationale), _clean_text(evidence_link)
    if not rationale:
        raise ValidationFailed(f"{target} · {field.label}: a rationale is required", field="rationale")
    if field.needs_evidence and not evidence_link:
        raise ValidationFailed(
            f"{target} · {field.label}: an evidence link is required for a grade", field="evidence_link"
        )
    if evidence_link:
        check_http_url(evidence_link, f"{target} · {field.label}: evidence link", field="evidence_link")
    after = field.clean(after)
    # The live value from the database, not from the caller's possibly outdated instance.
    target = type(target).objects.get(pk=target.pk)
    before = field.read(target)
    if field.same(before, after):
        raise ValidationFailed(f"{target} · {field.label}: the proposed value equals the live value")
    cr = _new_request(
        target,
        field,
        field_name,
        before=before,
        after=after,
        proposer=user,
        rationale=rationale,
        evidence_link=evidence_link,
    )
    importer = ChangeRequest.objects.filter(
        **{k: v for k, v in _target_kwargs(target).items() if v is not None},
        field=field_name,
        state=State.PENDING,
        after__isnull=True,
        proposer__username=IMPORTER_USERNAME,
    ).select_for_update()
    for question in importer:
        question.state = State.WITHDRAWN
        question.decided_by, question.decided_at = user, timezone.now()
        question.decision_comment = f"Superseded by change request #{cr.pk}"
        question.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
        _record_event(
            question,
            actor=user,
            action=Action.SUPERSEDED,
            from_state=State.PENDING,
            to_state=State.WITHDRAWN,
            comment=question.decision_comment,
        )
    return cr


# --- publishing drafts ---------------------------------------------------------------------


def publication_content(target) -> dict:
    """Everything readers would see of `target` once published: its details (name, links, notes,
    dates...) and every classified field and grade, as JSON. Frozen in a publication request."""
    content = {name: getattr(target, name) for name in DETAIL_FIELDS[type(target)]}
    content.update(_snapshot(target))
    content.pop("is_public", None)
    return _jsonable(content)


def content_changes(cr: ChangeRequest, target) -> list[str]:
    """The parts of a publication request's frozen content that the draft no longer has."""
    frozen, live = cr.content or {}, publication_content(target)
    return sorted(name for name in frozen.keys() | live.keys() if frozen.get(name) != live.get(name))


def _unreviewed_content(cr: ChangeRequest, target) -> str | None:
    """Why approving this publication request would publish content nobody reviewed, or None."""
    if cr.content is None:
        return (
            f"{_describe(cr)} is stale: it was made before publication requests recorded the content "
            "they publish; the proposer can renew it so that the reviewer sees what goes public"
        )
    changed = content_changes(cr, target)
    if not changed:
        return None
    labels = ", ".join(field_label(type(target), name) for name in changed)
    return (
        f"{_describe(cr)} is stale: the draft changed after its publication was requested ({labels}); "
        "the proposer can renew it to request publication of the draft as it is now"
    )


def _mark_publication_requests_stale(target, user, changed: list[str]) -> None:
    """A draft was edited: its pending publication requests no longer show what would go public."""
    labels = ", ".join(field_label(type(target), name) for name in changed)
    pending = ChangeRequest.objects.filter(
        **{k: v for k, v in _target_kwargs(target).items() if v is not None},
        field="is_public",
        state=State.PENDING,
    ).select_for_update()
    for cr in pending:
        if not cr.is_publication:
            continue
        message = (
            f"{_describe(cr)} is stale: the draft was edited after its publication was requested "
            f"({labels}); the proposer can renew it to request publication of the draft as it is now"
        )
        _close(cr, State.STALE, user, message)
        _record_event(
            cr, actor=user, action=Action.MARKED_STALE, from_state=State.PENDING, to_state=State.STALE, comment=message
        )
        _notify_on_commit(cr)


# --- deciding -----------------------------------------------------------------------------


def _lock_request(change_request) -> ChangeRequest:
    pk = change_request.pk if isinstance(change_request, ChangeRequest) else change_request
    cr = ChangeRequest.objects.select_for_update().filter(pk=pk).first()
    if cr is None:
        raise IllegalTransition(f"change request #{pk} does not exist")
    return cr


def _state_refusal(cr: ChangeRequest, allowed: Iterable[str], action: str) -> IllegalTransition | None:
    allowed = list(allowed)
    if cr.state in allowed:
        return None
    wanted = " or ".join(State(s).label.lower() for s in allowed)
    return IllegalTransition(
        f"{_describe(cr)} is {cr.get_state_display().lower()}; only {wanted} requests can be {action}"
    )


def _own_request_refusal(cr: ChangeRequest, user: Any, verb: str) -> ReviewPermissionDenied | None:
    """Withdrawing and renewing belong to the proposer, while they still hold a curator role. A
    suggestion from the public has no proposer who could: any curator does it for the reader."""
    if user is None or not user.is_authenticated:
        return ReviewPermissionDenied(f"only its proposer may {verb} {_describe(cr)}")
    if cr.from_public:
        if not roles.is_curator(user):
            return ReviewPermissionDenied(
                f"{_user_label(user)} may not {verb} {_describe(cr)}, a suggestion from the public: "
                "curators and reviewers only"
            )
        return None
    if cr.proposer_id != user.pk:
        return ReviewPermissionDenied(f"only its proposer may {verb} {_describe(cr)}")
    if not roles.is_curator(user):
        return ReviewPermissionDenied(
            f"{_user_label(user)} may no longer {verb} proposals: curators and reviewers only"
        )
    return None


# The decisions on a change request, in the order buttons offer them.
DECISIONS = ("approve", "reject", "withdraw", "renew")


def decision_refusal(change_request: ChangeRequest, user: Any, decision: str) -> ReviewError | None:
    """Why `user` may not take `decision` (one of DECISIONS) on the request in its current state:
    the exception the decision raises (ReviewPermissionDenied for role and four-eyes rules,
    IllegalTransition for the state), or None when it is allowed. The one statement of these
    rules: the decisions below raise what it returns, and `available_actions` offers what it
    allows. Checks that need the live record (stale values, missing targets) are the decisions'."""
    cr = change_request
    if decision in ("approve", "reject"):
        if not roles.is_reviewer(user):
            return ReviewPermissionDenied(f"{_user_label(user)} may not {decision} {_describe(cr)}: reviewers only")
        refusal: ReviewError | None = _state_refusal(
            cr, [State.PENDING], {"approve": "approved", "reject": "rejected"}[decision]
        )
        if refusal:
            return refusal
        own = cr.proposer_id == user.pk
        if decision == "approve" and own and not self_approval_allowed(user):
            return ReviewPermissionDenied(
                f"{_user_label(user)} proposed {_describe(cr)} and so may not approve it: another reviewer must"
            )
        if decision == "reject" and own:
            return ReviewPermissionDenied(
                f"{_user_label(user)} proposed {_describe(cr)}: withdraw it instead of rejecting it"
            )
        return None
    if decision == "withdraw":
        return _own_request_refusal(cr, user, "withdraw") or _state_refusal(
            cr, [State.PENDING, State.STALE], "withdrawn"
        )
    if decision == "renew":
        return _own_request_refusal(cr, user, "renew") or _state_refusal(cr, [State.STALE], "renewed")
    raise ValueError(f"{decision!r} is not a decision; one of {', '.join(DECISIONS)}")


def _require_decision(cr: ChangeRequest, user: Any, decision: str) -> None:
    refusal = decision_refusal(cr, user, decision)
    if refusal is not None:
        raise refusal


def _close(cr, state, user, comment) -> None:
    cr.state, cr.decided_by, cr.decided_at, cr.decision_comment = state, user, timezone.now(), comment
    cr.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])


def approve(change_request, user, comment: str = "") -> HistoryEntry:
    """Apply a pending request: live change, scores, history, event, outbox, in one transaction.

    Raises StaleProposal (and marks the request stale) when the live value is no longer the
    request's `before`. The proposer is emailed once the transaction commits.
    """
    stale_message = None
    with transaction.atomic():
        cr = _lock_request(change_request)
        _require_decision(cr, user, "approve")
        if cr.after is None and cr.source_value:  # a question, not a proposal of "none"
            raise ValidationFailed(
                f"{_describe(cr)} has no proposed value (the importer could not map {cr.source_value!r}); "
                "propose a concrete value for this field, or reject the request"
            )
        target = _lock_target(cr)
        if target is None:
            stale_message = f"{_describe(cr)}: its {cr.target_label!r} no longer exists"
        else:
            field = field_for(target, cr.field)
            after = field.clean(cr.after)
            live = field.read(target)
            if not field.same(live, cr.before):
                stale_message = (
                    f"{_describe(cr)} is stale: {field.label} changed after it was proposed "
                    f"(proposed against {field.display(cr.before)!r}, now {field.display(live)!r}); "
                    "the proposer can renew it on the current value"
                )
            elif cr.is_publication:
                stale_message = _unreviewed_content(cr, target)
        if stale_message:
            _close(cr, State.STALE, user, stale_message)
            _record_event(
                cr,
                actor=user,
                action=Action.MARKED_STALE,
                from_state=State.PENDING,
                to_state=State.STALE,
                comment=stale_message,
            )
            _notify_on_commit(cr)  # so the proposer can renew or withdraw it
        else:
            field.write(target, after)
            _after_apply(target, field)
            _close(cr, State.APPROVED, user, comment)
            _record_event(
                cr,
                actor=user,
                action=Action.APPROVED,
                from_state=State.PENDING,
                to_state=State.APPROVED,
                comment=comment,
            )
            entry = _record_history(
                target,
                cr.field,
                before=cr.before,
                after=after,
                proposer=cr.proposer,
                approver=user,
                proposed_at=cr.submitted_at,
                rationale=cr.rationale,
                evidence_link=cr.evidence_link,
                review_comment=comment,
                change_request=cr,
            )
            record_data_change(f"approved #{cr.pk}: {cr.target_label} {cr.field}", kept_in_history=True)
            _notify_on_commit(cr)
    if stale_message:
        raise StaleProposal(stale_message)
    return entry


@transaction.atomic
def reject(change_request, user, comment: str) -> ChangeRequest:
    """Refuse a pending request with a reason; the live record is untouched."""
    cr = _lock_request(change_request)
    _require_decision(cr, user, "reject")
    comment = _clean_text(comment)
    if not comment:
        raise ValidationFailed(f"{_describe(cr)}: say why it is rejected (a comment is required)", field="comment")
    _close(cr, State.REJECTED, user, comment)
    _record_event(
        cr, actor=user, action=Action.REJECTED, from_state=State.PENDING, to_state=State.REJECTED, comment=comment
    )
    _notify_on_commit(cr)
    return cr


@transaction.atomic
def withdraw(change_request, user, comment: str = "") -> ChangeRequest:
    """The proposer takes back a pending or stale request."""
    cr = _lock_request(change_request)
    _require_decision(cr, user, "withdraw")
    previous = cr.state
    _close(cr, State.WITHDRAWN, user, _clean_text(comment))
    _record_event(
        cr, actor=user, action=Action.WITHDRAWN, from_state=previous, to_state=State.WITHDRAWN, comment=comment
    )
    if cr.from_public:  # a curator closed it for the reader, who is told (a proposer withdrew their own)
        _notify_on_commit(cr)
    return cr


@transaction.atomic
def renew(change_request, user, comment: str = "") -> ChangeRequest:
    """Put a stale request back in the queue, proposed against the current live value."""
    cr = _lock_request(change_request)
    _require_decision(cr, user, "renew")
    target = _lock_target(cr)
    if target is None:
        raise IllegalTransition(f"{_describe(cr)}: {cr.target_label!r} no longer exists, so it cannot be renewed")
    field = field_for(target, cr.field)
    live = field.read(target)
    if field.same(live, cr.after):
        raise ValidationFailed(f"{_describe(cr)}: {field.label} already has the proposed value; withdraw it instead")
    old_before, old_content = cr.before, cr.content
    cr.before, cr.state, cr.submitted_at = _jsonable(live), State.PENDING, timezone.now()
    cr.decided_by, cr.decided_at, cr.decision_comment = None, None, ""
    details = {"previous_before": old_before}
    if cr.is_publication:
        # Publication is requested again, for the draft as it is now; the reviewer sees that.
        cr.content = publication_content(target)
        details["previous_content"] = old_content
    cr.save()
    _record_event(
        cr,
        actor=user,
        action=Action.RENEWED,
        from_state=State.STALE,
        to_state=State.PENDING,
        comment=comment,
        details=details,
    )
    return cr


def available_actions(change_request: ChangeRequest, user: Any) -> list[str]:
    """The decisions (of DECISIONS, in that order) `user` may take on the request now: those
    `decision_refusal` allows, for offering only the buttons that can work. The decisions still
    check everything themselves, under a lock, when taken."""
    return [decision for decision in DECISIONS if decision_refusal(change_request, user, decision) is None]


def approve_many(
    change_requests, user, comment: str = ""
) -> tuple[list[HistoryEntry], list[tuple[ChangeRequest, str]]]:
    """Approve each request in its own transaction; returns (applied entries, [(request, refusal)])."""
    applied, refused = [], []
    for cr in change_requests:
        try:
            applied.append(approve(cr, user, comment))
        except (ReviewPermissionDenied, IllegalTransition, StaleProposal, ValidationFailed) as exc:
            refused.append((cr, str(exc)))
    return applied, refused


def reject_many(change_requests, user, comment: str) -> tuple[list[ChangeRequest], list[tuple[ChangeRequest, str]]]:
    done, refused = [], []
    for cr in change_requests:
        try:
            done.append(reject(cr, user, comment))
        except (ReviewPermissionDenied, IllegalTransition, ValidationFailed) as exc:
            refused.append((cr, str(exc)))
    return done, refused


# --- superusers' direct edits, drafts, deletion -------------------------------------------


@transaction.atomic
def edit_directly(target, field_name: str, after, *, user, rationale: str, evidence_link: str = "") -> HistoryEntry:
    """A superuser's change applied at once, still recorded in history and the outbox."""
    if not (user and user.is_authenticated and user.is_superuser):
        raise ReviewPermissionDenied(
            f"{_user_label(user)} may not change {target} directly: propose the change for review instead"
        )
    field = field_for(target, field_name)
    rationale, evidence_link = _clean_text(rationale), _clean_text(evidence_link)
    if not rationale:
        raise ValidationFailed(f"{target} · {field.label}: a rationale is required", field="rationale")
    if evidence_link:
        check_http_url(evidence_link, f"{target} · {field.label}: evidence link", field="evidence_link")
    after = field.clean(after)
    target = type(target).objects.select_for_update().get(pk=target.pk)
    before = field.read(target)
    if field.same(before, after):
        raise ValidationFailed(f"{target} · {field.label}: the new value equals the live value")
    field.write(target, after)
    _after_apply(target, field)
    entry = _record_history(
        target,
        field_name,
        before=_jsonable(before),
        after=after,
        proposer=user,
        approver=user,
        proposed_at=timezone.now(),
        rationale=rationale,
        evidence_link=evidence_link,
    )
    record_data_change(f"direct edit: {target} {field_name}", kept_in_history=True)
    return entry


@transaction.atomic
def create_entry(target, *, user, rationale: str = "", assessments: dict[str, dict] | None = None):
    """Save a new model or organisation made in the admin, with its first grades.

    A curator's or reviewer's entry is saved as a draft (hidden from readers) with a pending
    publication request; a superuser's is published at once and recorded in history.
    `assessments` maps dimension refs to `{"grade", "links", "notes"}`.
    """
    if not roles.is_curator(user):
        raise ReviewPermissionDenied(f"{_user_label(user)} may not add models or organisations")
    _check_detail_links(target, {"link": target.link})
    rationale = _clean_text(rationale) or f"New {type(target)._meta.verbose_name} {target}"
    cleaned: dict[str, tuple[ClassifiedField, Any]] = {}
    if assessments:
        if not isinstance(target, AIModel):
            raise ValidationFailed("only AI models have dimension grades")
        fields = {ref: field_for(AIModel, f"{ASSESSMENT_PREFIX}{ref}") for ref in assessments}
        cleaned = {ref: (f, f.clean(assessments[ref])) for ref, f in fields.items()}
    target.is_public = bool(user.is_superuser)
    target.save()
    for field, value in cleaned.values():
        field.write(target, value)
    if isinstance(target, AIModel):
        recompute_scores([target])
    if user.is_superuser:
        entry = _record_history(
            target,
            "created",
            before=None,
            after=_snapshot(target),
            proposer=user,
            approver=user,
            proposed_at=timezone.now(),
            rationale=rationale,
        )
        record_data_change(f"created {target}", kept_in_history=True)
        return entry
    field = field_for(target, "is_public")
    return _new_request(target, field, "is_public", before=False, after=True, proposer=user, rationale=rationale)


@dataclass
class SaveOutcome:
    """What saving an admin form did: proposals made, changes applied, details saved."""

    proposals: list = dataclass_field(default_factory=list)
    applied: list = dataclass_field(default_factory=list)
    details: list = dataclass_field(default_factory=list)


# Fields readers see but that are not classified: saved at once, recorded in history.
DETAIL_FIELDS = {
    AIModel: [
        "name",
        "slug",
        "link",
        "base_model_name",
        "end_model_name",
        "end_model_licence",
        "release_date",
        "release_date_precision",
        "notes",
    ],
    Organisation: ["name", "slug", "aliases", "link", "notes"],
}


# Detail fields that readers follow as links: http(s) only, whoever writes them.
LINK_DETAILS = ("link",)


def _check_detail_links(target, values: dict) -> None:
    for name in LINK_DETAILS:
        if values.get(name):
            check_http_url(values[name], f"{target}: {name}", field=name)


@transaction.atomic
def save_entry(
    target,
    *,
    user,
    details: dict | None = None,
    classified: dict | None = None,
    rationale: str = "",
    evidence_link: str = "",
) -> SaveOutcome:
    """Save an edit of an existing model or organisation as the user's role allows.

    Classified fields (`classified`: field name -> proposed value) become change requests for
    curators and reviewers, are applied directly for superusers, and are applied directly on
    drafts (their publication is what gets reviewed). `details` (unclassified fields) are saved
    at once. A grade proposal without its own evidence link uses the new grade's first link.
    """
    if not roles.is_curator(user):
        raise ReviewPermissionDenied(f"{_user_label(user)} may not change {target}")
    outcome = SaveOutcome()
    target = type(target).objects.select_for_update().get(pk=target.pk)
    unknown = set(details or {}) - set(DETAIL_FIELDS[type(target)])
    if unknown:
        raise ValidationFailed(f"{target}: {', '.join(sorted(unknown))} cannot be saved directly")
    changed_details = {k: v for k, v in (details or {}).items() if getattr(target, k) != v}
    _check_detail_links(target, changed_details)
    wanted = []
    for name, value in (classified or {}).items():
        field = field_for(target, name)
        value = field.clean(value)
        if not field.same(field.read(target), value):
            wanted.append((field, value))
    rationale, evidence_link = _clean_text(rationale), _clean_text(evidence_link)
    is_draft = not target.is_public
    if wanted and not is_draft and not rationale:
        labels = ", ".join(f.label for f, _ in wanted)
        raise ValidationFailed(f"{target}: a rationale is required for changing {labels}")

    if changed_details:
        before = {k: getattr(target, k) for k in changed_details}
        for key, value in changed_details.items():
            setattr(target, key, value)
        target.save()
        outcome.details = sorted(changed_details)
        # A draft's edits are history too (for curators and reviewers; readers never see them).
        _record_history(
            target,
            "details",
            before=_jsonable(before),
            after=_jsonable(changed_details),
            proposer=user,
            approver=None if is_draft else user,
            proposed_at=timezone.now(),
            rationale=rationale,
            draft_edit=is_draft,
        )
        if not is_draft:
            record_data_change(f"details of {target}", kept_in_history=True)

    for field, value in wanted:
        if is_draft:
            before = field.read(target)
            field.write(target, value)
            _after_apply(target, field)
            _record_history(
                target,
                field.name,
                before=_jsonable(before),
                after=value,
                proposer=user,
                proposed_at=timezone.now(),
                rationale=rationale,
                draft_edit=True,
            )
            outcome.applied.append(field.name)
        elif user.is_superuser:
            outcome.applied.append(
                edit_directly(target, field.name, value, user=user, rationale=rationale, evidence_link=evidence_link)
            )
            target.refresh_from_db()
        else:
            link = evidence_link
            if not link and field.needs_evidence and value.get("links"):
                link = value["links"][0]
            outcome.proposals.append(
                propose(target, field.name, value, user=user, rationale=rationale, evidence_link=link)
            )
    if is_draft and (changed_details or wanted):
        _mark_publication_requests_stale(target, user, sorted(changed_details) + [f.name for f, _ in wanted])
    return outcome


@transaction.atomic
def save_registry_texts(registry_row, *, user) -> None:
    """A superuser saves a dimension's or category's names and texts; readers see them."""
    if not (user and user.is_authenticated and user.is_superuser):
        raise ReviewPermissionDenied(f"{_user_label(user)} may not edit the dimension registry")
    registry_row.save()
    record_data_change(f"registry texts: {registry_row}")


@transaction.atomic
def delete_entry(target, *, user, rationale: str = "") -> HistoryEntry:
    """A superuser deletes a model or organisation; history keeps a snapshot of it."""
    if not (user and user.is_authenticated and user.is_superuser):
        raise ReviewPermissionDenied(f"{_user_label(user)} may not delete {target}: superusers only")
    snapshot = _snapshot(target)
    label = _target_label(target)
    pending = ChangeRequest.objects.filter(
        **{k: v for k, v in _target_kwargs(target).items() if v is not None}, state=State.PENDING
    ).select_for_update()
    for cr in pending:
        message = f"{label!r} was deleted"
        _close(cr, State.STALE, user, message)
        _record_event(
            cr, actor=user, action=Action.MARKED_STALE, from_state=State.PENDING, to_state=State.STALE, comment=message
        )
    entry = _record_history(
        target,
        "deleted",
        before=snapshot,
        after=None,
        proposer=user,
        approver=user,
        proposed_at=timezone.now(),
        rationale=_clean_text(rationale) or "Deleted",
    )
    target.delete()
    record_data_change(f"deleted {label}", kept_in_history=True)
    return entry


def _snapshot(target) -> dict:
    """Every classified field of `target` as JSON (for creation and deletion records)."""
    fields = AI_MODEL_FIELDS if isinstance(target, AIModel) else ORGANISATION_FIELDS
    snapshot = {f.name: f.read(target) for f in fields}
    if isinstance(target, AIModel):
        for assessment in target.assessments.select_related("dimension"):
            snapshot[f"{ASSESSMENT_PREFIX}{assessment.dimension.ref}"] = {
                "grade": assessment.grade,
                "links": list(assessment.links or []),
                "notes": assessment.notes,
            }
    return _jsonable(snapshot)


# --- the importer -------------------------------------------------------------------------


def _count(value) -> int:
    if isinstance(value, int):
        return value
    try:
        return len(value)
    except TypeError:
        return 0


def _parts(item, names: tuple[str, ...]) -> tuple:
    if isinstance(item, dict):
        return tuple(item.get(n) for n in names)
    if all(hasattr(item, n) for n in names):
        return tuple(getattr(item, n) for n in names)
    return tuple(item)[: len(names)]


def _tag_field(kind: str) -> str | None:
    key = str(kind or "").lower()
    if "origin" in key or "country" in key:
        return "national_origin"
    if "contributor" in key or "sector" in key or "bloc" in key:
        return "contributor_type"
    return None


def record_import_run(report, *, user, source) -> ImportRun:
    """Record an import in the caller's transaction: the run, its changes, its open questions.

    Writes an ImportRun, one HistoryEntry per applied field change (`report.changes`: target,
    field, before, after), and for each tag the importer could not map (`report.unmapped_tags`:
    organisation, tag kind, raw value, and the model when the tag is that model's own) a pending
    change request by the importer's system user, so unknown values land in the review queue. A
    question already pending is not asked twice.
    """
    changes = list(getattr(report, "changes", None) or [])
    unmapped = list(getattr(report, "unmapped_tags", None) or [])
    questions = list(getattr(report, "review_questions", None) or [])
    conflicts = list(getattr(report, "conflicts", None) or [])
    label = str(getattr(report, "source_label", "") or "the upstream database")
    applied_at = getattr(report, "applied_at", None) or timezone.now()
    skipped = list(getattr(report, "skipped", None) or [])
    acting = user if user is not None and getattr(user, "pk", None) else None
    with transaction.atomic():
        run = ImportRun.objects.create(
            user=acting,
            source=str(source)[:500],
            created_count=_count(getattr(report, "created", 0)),
            updated_count=_count(getattr(report, "updated", 0)),
            unchanged_count=_count(getattr(report, "unchanged", 0)),
            skipped_count=len(skipped),
            change_count=len(changes),
            unmapped_tag_count=len(unmapped),
            summary=_jsonable({"skipped": [list(_parts(s, ("file", "line", "reason"))) for s in skipped]}),
        )
        HistoryEntry.objects.bulk_create(
            [_import_history_entry(run, acting, label, applied_at, change) for change in changes], batch_size=500
        )
        if unmapped or questions or conflicts:
            system = importer_user()
            for target, field_name, live, upstream in (
                _parts(c, ("target", "field", "live", "upstream")) for c in conflicts
            ):
                _propose_upstream_value(target, str(field_name), live, upstream, system, label)
            for tag in unmapped:
                organisation, kind, raw = _parts(tag, ("organisation", "kind", "raw_value"))
                target = getattr(tag, "ai_model", None) or organisation
                _ask_about_tag(target, str(kind), str(raw), system, label)
            for target, field_name, raw, reason in (
                _parts(q, ("target", "field", "raw_value", "reason")) for q in questions
            ):
                _ask_about_value(target, str(field_name), str(raw), str(reason), system, label)
    return run


def _import_history_entry(run, user, label, applied_at, change) -> HistoryEntry:
    # The rationale is public (changelog): it names the upstream source, never a file system path.
    target, field, before, after = _parts(change, ("target", "field", "before", "after"))
    note = getattr(change, "note", "") if not isinstance(change, dict) else change.get("note", "")
    return HistoryEntry(
        ai_model=target if isinstance(target, AIModel) else None,
        organisation=target if isinstance(target, Organisation) else None,
        target_label=_target_label(target),
        field=str(field)[:100],
        before=_jsonable(before),
        after=_jsonable(after),
        proposer=user,
        rationale=f"Imported from {label}" + (f": {note}" if note else ""),
        import_run=run,
        applied_at=applied_at,
    )


def _propose_upstream_value(target, field_name: str, live, upstream, system_user, label) -> ChangeRequest:
    """A re-import met a field that curators changed since the last import (approved in review or
    a superuser's direct edit): their value stays live, and upstream's value waits here as a
    proposal for a reviewer to accept or reject."""
    rationale = (
        f"Upstream ({label}) changed this field of {target}, which a curator's change (approved in "
        "review or a superuser's direct edit) set since the last import. That value was kept; "
        "approve to take upstream's value instead."
    )
    return _new_request(
        target,
        None,
        field_name[:100],
        before=live,
        after=upstream,
        proposer=system_user,
        rationale=rationale,
        source_value=ChangeRequest.UPSTREAM_CONFLICT,
    )


def _ask_about_value(target, field_name: str, raw: str, reason: str, system_user, label) -> ChangeRequest | None:
    """A pending question about a value the importer kept as written (an unrecognised grade, an
    empty or shared name...), asked once while pending; a curator's proposal on the field closes it."""
    if target is None or getattr(target, "pk", None) is None:
        return None
    already = ChangeRequest.objects.filter(
        **_target_kwargs(target),
        field=field_name[:100],
        state=State.PENDING,
        source_value=raw[:500],
        proposer=system_user,
    ).exists()
    if already:
        return None
    try:
        before = field_for(target, field_name).read(target)
    except ValidationFailed:
        before = getattr(target, field_name, None) if field_name == "name" else None
    rationale = (
        f"The importer kept a value of {target} as written ({label}): {reason}. "
        "Propose the right value for this field (which closes this request) or reject it."
    )
    return _new_request(
        target,
        None,
        field_name[:100],
        before=before,
        after=None,
        proposer=system_user,
        rationale=rationale,
        source_value=raw,
    )


def _ask_about_tag(target, kind: str, raw: str, system_user, source) -> ChangeRequest | None:
    """A question about a tag of `target` (an organisation, or a model for its own tag)."""
    if target is None or getattr(target, "pk", None) is None:
        return None
    field_name = _tag_field(kind) or f"tag:{kind}"[:100]
    already = ChangeRequest.objects.filter(
        **{k: v for k, v in _target_kwargs(target).items() if v is not None},
        field=field_name,
        state=State.PENDING,
        source_value=raw[:500],
        proposer=system_user,
    ).exists()
    if already:
        return None
    before = field_for(target, field_name).read(target) if _tag_field(kind) else None
    rationale = (
        f"The importer could not map the upstream tag “{kind}: {raw}” of {target} ({source}). "
        "Propose the right value for this field (which closes this request) or reject it."
    )
    return _new_request(
        target, None, field_name, before=before, after=None, proposer=system_user, rationale=rationale, source_value=raw
    )


# --- notification -------------------------------------------------------------------------


def _notify_on_commit(cr: ChangeRequest) -> None:
    if cr.from_public:
        _notify_submitter_on_commit(cr)
        return
    proposer = cr.proposer
    if not proposer.email or not proposer.is_active:
        return
    target_model = AIModel if cr.ai_model_id else Organisation if cr.organisation_id else None
    subject = f"[OSAI Index] Your proposal #{cr.pk} was {cr.get_state_display().lower()}"
    body = (
        f"Your proposal to change {cr.field} of {cr.target_label}\n"
        f"from: {display_value(target_model, cr.field, cr.before)}\n"
        f"to:   {display_value(target_model, cr.field, cr.after)}\n"
        f"was {cr.get_state_display().lower()} by {_user_label(cr.decided_by)}."
    )
    if cr.decision_comment:
        body += f"\n\nComment: {cr.decision_comment}"
    recipient = proposer.email

    def send():
        try:
            send_mail(subject, body, None, [recipient])
        except Exception:  # a mail outage must not undo or hide a committed decision
            log.exception("could not email %s about change request #%s", recipient, cr.pk)

    transaction.on_commit(send)


# A reader who suggested a correction hears the end of it: approved (and applied), rejected, or
# closed by a curator without a decision (typically stale: the value changed after the reader
# suggested theirs). A stale suggestion is renewed or closed by any curator; the reader is not asked.
_PUBLIC_OUTCOMES: dict[str, str] = {
    State.APPROVED: "was accepted: the index now shows the value you suggested",
    State.REJECTED: "was not accepted",
    State.WITHDRAWN: "was closed without a change: the value was changed after you suggested yours",
}


def _notify_submitter_on_commit(cr: ChangeRequest) -> None:
    outcome = _PUBLIC_OUTCOMES.get(cr.state)
    if not cr.submitter_email or outcome is None:
        return
    target_model = AIModel if cr.ai_model_id else Organisation if cr.organisation_id else None
    subject = f"[OSAI Index] Your suggested correction to {cr.target_label} {outcome.split(':')[0]}"
    body = (
        f"You suggested changing {field_label(target_model, cr.field)} of {cr.target_label}\n"
        f"from: {display_value(target_model, cr.field, cr.before)}\n"
        f"to:   {display_value(target_model, cr.field, cr.after)}\n\n"
        f"A reviewer has decided: your suggestion {outcome}."
    )
    if cr.state in (State.REJECTED, State.WITHDRAWN) and cr.decision_comment:
        body += f"\n\nThe reviewer's reason: {cr.decision_comment}"
    body += "\n\nThank you for helping to keep the index correct."
    recipient = cr.submitter_email

    def send():
        try:
            send_mail(subject, body, None, [recipient])
        except Exception:  # a mail outage must not undo or hide a committed decision
            log.exception("could not email the submitter of change request #%s", cr.pk)

    transaction.on_commit(send)
