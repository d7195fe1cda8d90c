"""The whole index's downloads as files, written once per data version and served as they are.

`/models.csv`, `/models-details.csv`, `/models.json` (without filters or `as_of`) and the YAML
zip are the same bytes for every reader until the data changes, and at 100,000 models building
one takes seconds. So they are written to the default storage once per data version:

- by the Celery worker, after the chart run that follows a data change (`write_current_files`,
  see curation.tasks), for every site address readers fetched the downloads from lately (the
  CSV and JSON name each model's page by absolute URL, so the bytes depend on the address);
- or, when a reader asks before the file is there, while the streamed answer is made: the
  stream is copied to a temporary file that takes the file's name once the stream is complete.

Names hold the code stamp and the data version (`downloads/<stamp>/v<version>/...`), so a data
change or a deploy makes the old files unreachable at once; older versions are deleted by the
next write. Each file has a gzip copy beside it (`.gz`), sent to readers that accept gzip.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage

log = logging.getLogger(__name__)

STORAGE_DIR = "downloads"
# The site addresses (scheme, host and index path) downloads were served from lately, newest first.
BASES_KEY = "osai:download-bases"
MAX_BASES = 4


@dataclass(frozen=True)
class Kind:
    """One download: its file name (also the name readers save it under) and content type."""

    filename: str
    content_type: str
    per_address: bool = True  # holds absolute URLs of this site's pages


CSV = Kind("models.csv", "text/csv; charset=utf-8")
DETAILS_CSV = Kind("models-details.csv", "text/csv; charset=utf-8")
JSON = Kind("models.json", "application/json")
EXPORT_ZIP = Kind("osai-index-export.zip", "application/zip", per_address=False)
KINDS = (CSV, DETAILS_CSV, JSON, EXPORT_ZIP)


def _address_digest(base_url: str) -> str:
    return hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:12]


def version_dir(stamp: str, version: int) -> str:
    return f"{STORAGE_DIR}/{stamp}/v{version}"


def file_name(kind: Kind, stamp: str, version: int, base_url: str = "") -> str:
    """The storage name of `kind` at this code stamp and data version (and site address)."""
    if kind.per_address:
        return f"{version_dir(stamp, version)}/{_address_digest(base_url)}/{kind.filename}"
    return f"{version_dir(stamp, version)}/{kind.filename}"


def etag(kind: Kind, stamp: str, version: int, base_url: str = "") -> str:
    """A weak ETag naming the file's data version (the gzip copy is the same content)."""
    digest = _address_digest(base_url) if kind.per_address else "all"
    return f'W/"{kind.filename}-{stamp}-v{version}-{digest}"'


def remember_address(base_url: str) -> None:
    """Note that readers fetch downloads from `base_url`, so the worker writes files for it."""
    try:
        bases = cache.get(BASES_KEY) or []
        if bases[:1] == [base_url]:
            return
        cache.set(BASES_KEY, ([base_url] + [b for b in bases if b != base_url])[:MAX_BASES], None)
    except Exception:  # cache down: the worker just writes fewer files; readers still get a stream
        log.warning("could not remember the downloads' address", exc_info=True)


def remembered_addresses() -> list[str]:
    return list(cache.get(BASES_KEY) or [])


def _store(name: str, path: str) -> None:
    """Put the finished file at `path` under `name` (and its gzip copy under `name.gz`),
    replacing what may be there; the gzip copy goes first, so a plain file never lacks it."""
    with tempfile.NamedTemporaryFile(prefix="osai-download-", suffix=".gz", delete=False) as packed:
        with open(path, "rb") as plain, gzip.GzipFile(fileobj=packed, mode="wb", compresslevel=6, mtime=0) as zipped:
            shutil.copyfileobj(plain, zipped, 1024 * 1024)
        packed_path = packed.name
    try:
        for target, source in ((f"{name}.gz", packed_path), (name, path)):
            if default_storage.exists(target):
                default_storage.delete(target)
            with open(source, "rb") as handle:
                saved = default_storage.save(target, File(handle))
            if saved != target:  # another writer got there between the two calls: theirs stands
                default_storage.delete(saved)
    finally:
        os.unlink(packed_path)


def tee_to_file(chunks: Iterable[str | bytes], name: str) -> Iterator[bytes]:
    """Yield `chunks` as bytes and copy them to a temporary file that is stored under `name`
    once the last chunk went out; a stream broken off (or failing) stores nothing."""
    # Closed in the finally below: the file outlives each `yield`, so no `with` block fits.
    handle = tempfile.NamedTemporaryFile(prefix="osai-download-", delete=False)  # noqa: SIM115
    complete = False
    try:
        for chunk in chunks:
            data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            handle.write(data)
            yield data
        complete = True
    finally:
        handle.close()
        try:
            if complete:
                _store(name, handle.name)
        except Exception:  # the reader got the answer; the next one streams again
            log.warning("could not store download %s", name, exc_info=True)
        finally:
            os.unlink(handle.name)


def write_file(name: str, chunks: Iterable[str | bytes]) -> None:
    """Write `chunks` to storage under `name` (and its gzip copy)."""
    for _ in tee_to_file(chunks, name):
        pass


def open_file(name: str, gzipped: bool):
    """(open file, size) of a stored download, its gzip copy when `gzipped`; None when absent."""
    target = f"{name}.gz" if gzipped else name
    try:
        handle = default_storage.open(target, "rb")
    except (FileNotFoundError, OSError):
        return None
    try:
        size = handle.size
    except (AttributeError, OSError):  # a storage that cannot tell: streamed
        size = None
    return handle, size


def exists(name: str) -> bool:
    return default_storage.exists(name) and default_storage.exists(f"{name}.gz")


def prune(stamp: str, version: int) -> int:
    """Delete the stored downloads of other code stamps and of data versions other than
    `version` and the newest one before it (kept for downloads under way); returns how many
    files went."""
    if not default_storage.exists(STORAGE_DIR):
        return 0
    deleted = 0
    stamps, _files = default_storage.listdir(STORAGE_DIR)
    for other_stamp in stamps:
        versions, _ = default_storage.listdir(f"{STORAGE_DIR}/{other_stamp}")
        numbers = sorted(int(v[1:]) for v in versions if v[:1] == "v" and v[1:].isdigit())
        older = [n for n in numbers if n < version]
        keep = {f"v{version}"} | ({f"v{older[-1]}"} if older else set())
        for name in versions:
            if other_stamp == stamp and name in keep:
                continue
            deleted += _delete_tree(f"{STORAGE_DIR}/{other_stamp}/{name}")
    return deleted


def _delete_tree(path: str) -> int:
    directories, files = default_storage.listdir(path)
    deleted = 0
    for directory in directories:
        deleted += _delete_tree(f"{path}/{directory}")
    for name in files:
        default_storage.delete(f"{path}/{name}")
        deleted += 1
    return deleted


def write_versioned_files(
    stamp: str,
    version: int,
    builders: dict[Kind, Callable[[str], Iterable]],
    addresses: list[str],
    current_version: Callable[[], int],
) -> list[str]:
    """Write every kind's file for `version` that is not there yet (per address for those that
    name pages), then prune older versions; returns the names written.

    `builders[kind](base_url)` gives the file's chunks. A file written while the data changed
    again (`current_version()` moved on) is deleted: its name would not match its content."""
    written = []
    for kind, build in builders.items():
        for base_url in addresses if kind.per_address else [""]:
            name = file_name(kind, stamp, version, base_url)
            if exists(name):
                continue
            write_file(name, build(base_url))
            written.append(name)
    if current_version() != version:
        for name in written:
            for target in (name, f"{name}.gz"):
                if default_storage.exists(target):
                    default_storage.delete(target)
        return []
    prune(stamp, version)
    return written
