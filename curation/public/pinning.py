"""Pinning a page or download to a past state of the index: `?as_of=<date>` or `?release=<slug>`.

One resolver for both. `as_of` is the end of that day (curation.public.as_of.parse_as_of);
`release` is the exact moment the data release was made, so a release's pages show what its
frozen files hold. Both go to the same reconstruction (curation.public.as_of), which takes a
date (its end) or a datetime (that instant).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from curation.models import DataRelease
from curation.public.as_of import parse_as_of
from curation.releases import UnknownRelease, release_by_slug

PIN_PARAMETERS = ("as_of", "release")


@dataclass(frozen=True)
class Pin:
    """What a request pinned: `moment` (a date, meaning its end, or a release's datetime; None
    for today's index), the `release` when one was named, and an error message with the HTTP
    status it deserves (400 malformed, 404 unknown release) when the parameters are wrong."""

    moment: datetime.date | datetime.datetime | None = None
    release: DataRelease | None = None
    error: str = ""
    status: int = 200
    parameter: str | None = None

    @property
    def label(self) -> str:
        """The pinned state in words, e.g. "release 2025.1 (3 March 2025)" or "as of 31 January
        2025" ("" for today's index)."""
        if self.release is not None:
            return f"release {self.release.name} ({_day_text(self.release.released_at)})"
        if self.moment is not None:
            return f"as of {_day_text(self.moment)}"
        return ""

    @property
    def query(self) -> str:
        """The parameter that pins a link to the same state ("" for today's index)."""
        if self.release is not None:
            return f"release={self.release.slug}"
        if self.moment is not None:
            return f"as_of={self.moment.isoformat()}"
        return ""


def _day_text(moment: datetime.date) -> str:
    day = moment.date() if isinstance(moment, datetime.datetime) else moment
    return f"{day.day} {day:%B %Y}"


def resolve_pin(query) -> Pin:
    """The pin of a request's query parameters (a QueryDict or a dict); never raises."""
    raw_release = (query.get("release") or "").strip()
    raw_as_of = (query.get("as_of") or "").strip()
    if raw_release and raw_as_of:
        return Pin(
            error="Choose either release or as_of, not both: a release is already a moment of the index.",
            status=400,
            parameter="release",
        )
    if raw_release:
        try:
            release = release_by_slug(raw_release)
        except UnknownRelease as exc:
            return Pin(error=str(exc), status=404, parameter="release")
        return Pin(moment=release.released_at, release=release)
    try:
        return Pin(moment=parse_as_of(raw_as_of))
    except ValueError as exc:
        return Pin(error=str(exc), status=400, parameter="as_of")
