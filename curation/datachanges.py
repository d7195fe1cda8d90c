"""Recording that data shown by charts and public pages changed (the transactional outbox).

Every service that changes what readers see calls `record_data_change` inside its transaction.
The row commits or rolls back with the change itself; after commit, chart regeneration is
announced (`curation.signals.data_changed`), and chart regeneration is requested in answer
(curation.receivers). If the broker is unreachable the row simply waits for the periodic sweep.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from curation import signals
from curation.models import DataChange

log = logging.getLogger(__name__)

DATA_VERSION_CACHE_KEY = "osai:data-version"
# The page-cache generation (curation.public.caching): renewed when charts are published and by
# the tests. Data versions are outbox ids, which start again in a new or restored database, so
# whatever is cached per data version in a shared cache is keyed by the generation too.
GENERATION_KEY = "osai:page-generation"

# Counts data changes committed by this process, so in-process memos of the data version can
# tell at once that they are out of date.
_local_change_count = 0


def record_data_change(reason: str, *, kept_in_history: bool = False) -> DataChange:
    """Record, in the caller's transaction, that readers' data changed; returns the outbox row.

    `kept_in_history`: all the change did to what an index shows is in the history entries it
    wrote, or it did nothing to it (see `DataChange.kept_in_history`); leave it False when unsure."""
    change = DataChange.objects.create(reason=reason[:200], kept_in_history=kept_in_history)
    # Forgotten now too, so that reads later in this same transaction see the new version (it is
    # forgotten again after commit: another process may have cached the old one meanwhile).
    _forget_cached_version()
    transaction.on_commit(_after_commit)
    return change


def _forget_cached_version() -> None:
    try:
        cache.delete(DATA_VERSION_CACHE_KEY)
    except Exception:  # Redis down: the committed change must not fail; the key expires in a minute
        log.warning("could not clear the cached data version", exc_info=True)


def _after_commit() -> None:
    global _local_change_count
    _local_change_count += 1
    _forget_cached_version()
    # Chart regeneration is a higher layer's work (curation.receivers asks a worker for it).
    signals.data_changed.send(sender=DataChange, change_count=_local_change_count)


def local_change_count() -> int:
    """How many data changes this process has committed (see `_after_commit`)."""
    return _local_change_count


def cache_generation() -> str:
    """The page-cache generation (a short random text), made when the cache has none."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex[:12], None)
        generation = cache.get(GENERATION_KEY) or "none"
    return generation


def current_data_version() -> int:
    """A number that changes whenever readers' data changes (cache keys, ETags, chart files)."""
    version = cache.get(DATA_VERSION_CACHE_KEY)
    if version is None:
        version = DataChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        cache.set(DATA_VERSION_CACHE_KEY, version, 60)
    return version


def prune_processed_changes(older_than: datetime.timedelta) -> int:
    """Delete outbox rows that were processed longer ago than `older_than`; returns how many.

    The newest row is always kept: its id is the data version, which must never go back.
    """
    newest = DataChange.objects.order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return 0
    deleted, _ = DataChange.objects.filter(processed_at__lt=timezone.now() - older_than).exclude(id=newest).delete()
    return deleted
