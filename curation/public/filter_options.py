"""The index's filter options, kept in storage once per data version.

`curation.public.queries.index_filter_options` counts every public model by organisation and
reads the countries of every organisation with public models: at 100,000 models that is some
70 ms, the largest part of an uncached index page. The options only change with the data, so
they are stored as a small JSON file in the default storage, named by the code stamp and the
data version (`filter-options/<stamp>-v<version>.json`), where emptying the page cache or
starting a process does not lose them:

- by the Celery worker after the chart run that follows a data change, as the downloads are
  (`write_current_options`, see curation.tasks);
- or, when a reader's request finds no file for the current version, by that request, which
  works the options out as before and stores them for the requests after it.
"""

from __future__ import annotations

import json
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from curation.public.caching import cache_stamp, code_stamp
from curation.public.queries import index_filter_options

log = logging.getLogger(__name__)

STORAGE_DIR = "filter-options"

FilterOptions = dict[str, list[tuple[str, str]]]


def stored_name(stamp: str, version: int) -> str:
    """The storage name of the options at code stamp `stamp` and data version `version`."""
    return f"{STORAGE_DIR}/{stamp}-v{version}.json"


def current_filter_options() -> FilterOptions:
    """`index_filter_options()` at the current data version (the page cache's, see
    `cache_stamp`): read from storage, or worked out and stored when no file is there (or the
    file cannot be read). Same shape: {"organisation": [(slug, name)], "country": [(code, name)]}."""
    name = stored_name(code_stamp(), cache_stamp()[0])
    stored = _read(name)
    if stored is not None:
        return stored
    options = index_filter_options()
    _write(name, options)
    return options


def write_current_options() -> bool:
    """The worker's part (after every chart run and sweep): store the options of the current
    data version unless they are stored already, and delete those of other versions and code
    stamps. True when it wrote a file."""
    name = stored_name(code_stamp(), cache_stamp()[0])
    written = False
    if not default_storage.exists(name):
        written = _write(name, index_filter_options())
    _prune(keep=name)
    return written


def _read(name: str) -> FilterOptions | None:
    try:
        if not default_storage.exists(name):
            return None
        with default_storage.open(name, "rb") as handle:
            raw = json.loads(handle.read().decode("utf-8"))
        return {field: [(str(value), str(label)) for value, label in pairs] for field, pairs in raw.items()}
    except Exception:  # unreadable or half-written by another store: work them out again
        log.warning("stored filter options %s not read", name, exc_info=True)
        return None


def _write(name: str, options: FilterOptions) -> bool:
    """Store `options` under `name`; False (logged) when storage refuses: readers work them out."""
    try:
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(json.dumps(options, ensure_ascii=False).encode("utf-8")))
        if saved != name:  # another writer got there between the two calls: theirs stands
            default_storage.delete(saved)
        return True
    except Exception:
        log.warning("filter options not stored as %s", name, exc_info=True)
        return False


def _prune(keep: str) -> int:
    """Delete the stored options other than `keep`; returns how many files went."""
    if not default_storage.exists(STORAGE_DIR):
        return 0
    _dirs, files = default_storage.listdir(STORAGE_DIR)
    deleted = 0
    for file in files:
        if f"{STORAGE_DIR}/{file}" != keep:
            default_storage.delete(f"{STORAGE_DIR}/{file}")
            deleted += 1
    return deleted
