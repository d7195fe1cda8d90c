"""Data releases: making one, and finding the one a reader names.

`create_release` freezes the moment and the data version in one transaction; the release's
download files are written afterwards, once (curation.public.release_files, run by the Celery
worker, eagerly on the embedded default). Only `edit_release_notes` changes a release later.
"""

from __future__ import annotations

import hashlib
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from curation.models import DataChange, DataRelease, DataReleaseFile

PUBLISH_PERMISSION = "curation.publish_datarelease"
EDIT_NOTES_PERMISSION = "curation.change_datarelease"
_SLUG = re.compile(r"^[-a-z0-9_]+$")


class ReleaseError(ValueError):
    """A release that cannot be made or found; the message names what and why."""


class UnknownRelease(ReleaseError):
    """No release has the slug a reader gave."""


def latest_data_version() -> int:
    """The data version now, read from the database (not the briefly cached copy)."""
    return DataChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


@transaction.atomic
def create_release(*, name: str, user, notes: str = "", slug: str = "", site_address: str = "") -> DataRelease:
    """Make the release `name` of the index as it stands now; returns it.

    `user` needs the permission `curation.publish_datarelease`. `slug` defaults to the name's
    slug; `site_address` is the index page's absolute address (the frozen files link models'
    pages from it). Raises ReleaseError (nothing written) for a missing permission, an empty or
    taken name or slug.
    """
    if user is None or not user.has_perm(PUBLISH_PERMISSION):
        raise ReleaseError("Making a data release needs the permission “Can make a data release”.")
    name = (name or "").strip()
    if not name:
        raise ReleaseError("A release needs a name, e.g. “2026-06”.")
    slug = (slug or "").strip() or slugify(name)
    if not slug or not _SLUG.match(slug):
        raise ReleaseError(f"“{slug}” is not a usable slug: use lower-case letters, digits, hyphens and underscores.")
    if DataRelease.objects.filter(name=name).exists():
        raise ReleaseError(f"There is already a release called “{name}”.")
    if DataRelease.objects.filter(slug=slug).exists():
        raise ReleaseError(f"There is already a release at /releases/{slug}/.")
    try:
        with transaction.atomic():
            return DataRelease.objects.create(
                name=name,
                slug=slug,
                released_at=timezone.now(),
                data_version=latest_data_version(),
                notes=notes,
                created_by=user,
                site_address=site_address,
            )
    except IntegrityError:  # made at the same moment by someone else
        raise ReleaseError(f"There is already a release called “{name}” or at /releases/{slug}/.") from None


@transaction.atomic
def edit_release_notes(release: DataRelease, notes: str, user) -> DataRelease:
    """Change a release's public notes, the one thing a made release lets change."""
    if user is None or not user.has_perm(EDIT_NOTES_PERMISSION):
        raise ReleaseError("Editing a release's notes needs the permission to change data releases.")
    release = DataRelease.objects.select_for_update().get(pk=release.pk)
    release.notes = notes
    release.save(update_fields=["notes"])
    return release


def release_by_slug(slug: str) -> DataRelease:
    """The release at /releases/<slug>/; UnknownRelease naming the slug otherwise."""
    release = DataRelease.objects.filter(slug=(slug or "").strip()).first()
    if release is None:
        raise UnknownRelease(f"No data release is called “{slug}”: see /releases/ for the list.")
    return release


def published_releases():
    """Every release, newest first."""
    return DataRelease.objects.all()


@transaction.atomic
def store_release_files(release: DataRelease, files: dict[str, tuple[str, bytes]]) -> list[DataReleaseFile]:
    """Keep `files` ({filename: (content type, bytes)}) as the release's frozen downloads, once.

    A release whose files are frozen already keeps them (returns []): they never change."""
    release = DataRelease.objects.select_for_update().get(pk=release.pk)
    if release.files_frozen_at is not None:
        return []
    stored = [
        DataReleaseFile.objects.create(
            release=release,
            filename=filename,
            content_type=content_type,
            content=content,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        for filename, (content_type, content) in files.items()
    ]
    DataRelease.objects.filter(pk=release.pk).update(files_frozen_at=timezone.now())
    return stored


def release_file(release: DataRelease, filename: str) -> DataReleaseFile | None:
    return release.files.filter(filename=filename).first()
