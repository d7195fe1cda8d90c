"""Reader views of data releases: the list, a release's page (summary, frozen downloads, Cite
this, permanent addresses), its frozen files and its citation in BibTeX, RIS and CSL-JSON.

A release never changes but its notes, which the admin edits and then retires cached pages
(curation.admin.releases); so these pages go through the page cache like the others.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from curation.public import citations, datapackage
from curation.public.as_of import columns_on
from curation.public.caching import cache_public_page
from curation.public.release_files import RELEASE_FILES, file_response
from curation.public.reuse import citation_response
from curation.releases import UnknownRelease, published_releases, release_by_slug


def _release(slug: str):
    try:
        return release_by_slug(slug)
    except UnknownRelease as exc:
        raise Http404(str(exc)) from None


@require_safe
@cache_public_page
def release_list(request):
    """Every data release, newest first, each with its permanent addresses."""
    return render(request, "curation/public/release_list.html", {"releases": list(published_releases())})


@require_safe
@cache_public_page
def release_detail(request, slug):
    release = _release(slug)
    stored = {f.filename: f for f in release.files.only("filename", "size", "sha256", "content_type")}
    files = [
        {
            "name": name,
            "what": what,
            "file": stored.get(name),
            "url": reverse("curation:release_file", args=[release.slug, name]),
        }
        for name, _type, what in RELEASE_FILES
    ]
    index_url = reverse("curation:model_index") + f"?release={release.slug}"
    return render(
        request,
        "curation/public/release_detail.html",
        {
            "release": release,
            "files": files,
            "files_pending": release.files_frozen_at is None,
            "index_url": index_url,
            "permanent_url": request.build_absolute_uri(reverse("curation:release_detail", args=[release.slug])),
            "pinned_index_url": request.build_absolute_uri(index_url),
        },
    )


@require_safe
def release_file(request, slug, filename):
    """A frozen download of the release (never changes: strong ETag, long cache lifetime)."""
    release = _release(slug)
    response = file_response(release, filename)
    if response is None:
        raise Http404(
            f"The release “{release.name}” has no file {filename}"
            + (" yet: its files are being written." if release.files_frozen_at is None else ".")
        )
    if request.META.get("HTTP_IF_NONE_MATCH", "") == response["ETag"]:
        response.status_code, response.content = 304, b""
    return response


@require_safe
@cache_public_page
def release_citation(request, slug, fmt):
    """How to cite a release: /releases/<slug>/citation.bib, .ris, .json (CSL-JSON)."""
    release = _release(slug)
    url = request.build_absolute_uri(reverse("curation:release_detail", args=[release.slug]))
    return citation_response(citations.release_citation(release, url), fmt, f"osai-index-{release.slug}")


def _json(document, content_type: str) -> HttpResponse:
    response = HttpResponse(datapackage.dumps(document), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@cache_public_page
def release_datapackage(request, slug):
    """The Frictionless Data Package of the release: its frozen files, with the schemas of the
    dimension registry in force at its moment."""
    release = _release(slug)
    frozen = set(release.files.values_list("filename", flat=True))
    paths = {
        table: reverse("curation:release_file", args=[release.slug, filename])
        for table, filename in datapackage.TABLE_FILES.items()
        if filename in frozen
    }
    package = datapackage.datapackage(
        columns_on(release.released_at),
        absolute=request.build_absolute_uri,
        name=f"osai-index-{release.slug}",
        title=f"European Open Source AI Index, release {release.name}",
        paths=paths,
        schema_path=lambda table: reverse("curation:release_schema", args=[release.slug, table]),
        version=release.name,
        created=release.released_at.isoformat(),
    )
    return _json(package, "application/json")


@require_safe
@cache_public_page
def release_schema(request, slug, name):
    """The JSON Schema of table `name` as the release's files have it."""
    release = _release(slug)
    schema = datapackage.schema_for(name, columns_on(release.released_at), request.build_absolute_uri())
    if schema is None:
        raise Http404(f"No table is called “{name}”: see /releases/{release.slug}/datapackage.json.")
    return _json(schema, "application/schema+json")
