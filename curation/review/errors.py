"""Refusals of the review services. Each message names the request, the field and the reason."""


class ReviewError(Exception):
    """Base of every refusal; `str(error)` is a message fit to show to the user."""


class ReviewPermissionDenied(ReviewError):
    """The user's role does not allow this action (or four eyes forbids it)."""


class IllegalTransition(ReviewError):
    """The request's current state does not allow this action."""


class StaleProposal(ReviewError):
    """The live value changed after the proposal was made; the request is now stale."""


class ValidationFailed(ReviewError):
    """The proposed value, rationale or evidence is missing or not acceptable.

    `field` names the input at fault (e.g. "rationale", "evidence_link", "comment", "field")
    when it is not the proposed value itself, so forms and the API can point at it.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
