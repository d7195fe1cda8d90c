"""Errors raised by the editorial services; each message says what and where."""


class EditorialError(Exception):
    """Base class: a request about a post that cannot be carried out."""


class EditorialPermissionDenied(EditorialError):
    """The user may not do this (e.g. publish without the Editor role)."""


class IllegalTransition(EditorialError):
    """The post's status does not allow this step (e.g. archiving a draft)."""


class InvalidPost(EditorialError):
    """The post's content is not acceptable (e.g. an empty title, a duplicate slug)."""


class EmbedProblems(InvalidPost):
    """The post cannot go live as it is: some of its embeds cannot show what they should.

    `problems` holds one sentence per embed (its line, its text and why), for forms to list.
    """

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems
