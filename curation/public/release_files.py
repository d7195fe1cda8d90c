"""A data release's downloads, frozen once and served as they were.

`freeze_release_files` writes the release's CSV, details CSV, JSON and YAML zip with the same
functions as the live downloads (curation.public.downloads). Run by the worker right after the
release is made (curation.tasks.freeze_release_files): when the data have not changed since the
release's moment, the files are today's downloads and data package tables; when they have, the
CSV and JSON are rebuilt as the index stood at that moment (curation.public.as_of), and the
grades, organisations and YAML zip, which only today's data can give, are left out.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, QueryDict

from curation.models import DataRelease
from curation.public import datapackage, download_files, downloads, queries
from curation.public.as_of import columns_on, filtered_index_as_of
from curation.public.caching import retire_cached_pages
from curation.releases import latest_data_version, release_file, store_release_files

log = logging.getLogger(__name__)

CSV_TYPE = "text/csv; charset=utf-8"
# The frozen files, in the order the release page lists them: (file name, content type, what it holds).
RELEASE_FILES = (
    ("models.csv", CSV_TYPE, "The index as upstream's CSV: total score and points per dimension."),
    ("models-details.csv", CSV_TYPE, "The richer table: details, category scores, grades in words."),
    ("models.json", "application/json", "Every model with its details, scores and grades, as JSON."),
    ("grades.csv", CSV_TYPE, "Every grade with its evidence links and notes."),
    ("organisations.csv", CSV_TYPE, "The organisations and their usual classification."),
    ("vocabularies.csv", CSV_TYPE, "The classification vocabularies: values and labels."),
    ("osai-index-export.zip", "application/zip", "The upstream YAML files, one per model and organisation."),
)
FILENAMES = tuple(name for name, _type, _what in RELEASE_FILES)


def _joined(chunks) -> bytes:
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in chunks)


def build_release_files(release: DataRelease) -> dict[str, tuple[str, bytes]]:
    """{file name: (content type, bytes)} of the release's downloads (see the module docstring)."""
    base_url = release.site_address
    empty = QueryDict()
    types = {name: content_type for name, content_type, _what in RELEASE_FILES}
    if latest_data_version() == release.data_version:
        # Today's downloads, made by the same functions as the stored ones (curation.public.downloads).
        payloads = {
            kind.filename: _joined(downloads.whole_index_chunks(kind, base_url)) for kind in download_files.KINDS
        }
        columns = queries.registry_columns()
        payloads["grades.csv"] = datapackage.grades_csv(columns).encode("utf-8")
        payloads["organisations.csv"] = datapackage.organisations_csv().encode("utf-8")
    else:  # the data moved on before the worker ran: the index as it stood at the release's moment
        columns = columns_on(release.released_at)
        _filterset, past_rows = filtered_index_as_of(empty, release.released_at, columns)
        rows = list(past_rows)
        payloads = {
            kind.filename: _joined(downloads.stream_rows(kind, rows, columns, base_url=base_url, count=rows.__len__))
            for kind in (download_files.CSV, download_files.DETAILS_CSV, download_files.JSON)
        }
    payloads["vocabularies.csv"] = datapackage.vocabularies_csv().encode("utf-8")  # the code's, at any moment
    return {name: (types[name], payload) for name, payload in payloads.items()}


def freeze_release_files(release_id: int) -> int:
    """Freeze the downloads of release `release_id` unless they are frozen already; returns how
    many files were written (0 when there was nothing to do)."""
    release = DataRelease.objects.filter(pk=release_id).first()
    if release is None or release.files_frozen_at is not None:
        return 0
    written = len(store_release_files(release, build_release_files(release)))
    retire_cached_pages()  # the release's page said its files were being written
    return written


def freeze_pending_releases() -> dict[str, int]:
    """Freeze the files of every release that has none yet (the beat's sweep: the freezing asked
    for when a release was made may have been lost, e.g. while the broker was down). Returns
    {release slug: files written}; a release another worker froze meanwhile writes 0."""
    pending = DataRelease.objects.filter(files_frozen_at__isnull=True).order_by("released_at")
    return {release.slug: freeze_release_files(release.pk) for release in pending.only("pk", "slug")}


def file_response(release: DataRelease, filename: str) -> HttpResponse | None:
    """The frozen file as an attachment with a strong ETag (its SHA-256); None when absent."""
    frozen = release_file(release, filename)
    if frozen is None:
        return None
    response = HttpResponse(bytes(frozen.content), content_type=frozen.content_type)
    stem, _dot, extension = filename.rpartition(".")
    response["Content-Disposition"] = f'attachment; filename="osai-index-{release.slug}-{stem}.{extension}"'
    response["ETag"] = f'"{frozen.sha256}"'
    response["Cache-Control"] = "public, max-age=86400, immutable"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def frozen_download(request, filename: str) -> HttpResponse | None:
    """For `/models.csv?release=<slug>` and the like with no other parameter: the release's
    frozen file, so a download pinned to a release is the release's own bytes. None otherwise
    (filters, as_of, an unknown release, files not frozen yet): the caller builds the answer."""
    slug = request.GET.get("release")
    if not slug or set(request.GET) != {"release"}:
        return None
    release = DataRelease.objects.filter(slug=slug).first()
    if release is None:
        return None
    return file_response(release, filename)
