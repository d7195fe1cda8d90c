"""Recording that data shown by charts and public pages changed (the transactional outbox).

Every service that changes what readers see calls `record_data_change` inside its transaction.
The row commits or rolls back with the change itself; after commit, chart regeneration is
requested. If the broker is unreachable the row simply waits for the periodic sweep.
"""
from __future__ import annotations

import datetime
import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from curation.conf import app_settings
from curation.models import DataChange

log = logging.getLogger(__name__)

DATA_VERSION_CACHE_KEY = "osai:data-version"

# Counts data changes committed by this process, so in-process memos of the data version can
# tell at once that they are out of date.
_local_change_count = 0


def record_data_change(reason: str) -> DataChange:
    """Record, in the caller's transaction, that readers' data changed; returns the outbox row."""
    change = DataChange.objects.create(reason=reason[:200])
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
    request_chart_regeneration()


# After the broker failed, this process leaves chart requests to the sweep until this moment
# (time.monotonic()), so that a Redis that stopped answering costs one timeout, not one per save.
_broker_down_until = 0.0


def request_chart_regeneration() -> bool:
    """Ask a worker to regenerate stale charts; False (and logged) when the broker is down.

    A failure (refused, or no answer within the socket timeouts) leaves the work to the periodic
    sweep, which consumes the committed outbox rows, and skips the broker for
    OSAI_CACHE_RETRY_SECONDS.
    """
    global _broker_down_until
    from curation import tasks

    if time.monotonic() < _broker_down_until:
        return False
    try:
        tasks.regenerate_stale_charts.delay()
    except Exception as exc:  # noqa: BLE001 - broker down: the beat sweep picks the outbox rows up later
        _broker_down_until = time.monotonic() + float(app_settings.OSAI_CACHE_RETRY_SECONDS)
        log.warning("could not enqueue chart regeneration (%s: %s); the periodic sweep will catch up",
                    type(exc).__name__, exc)
        return False
    return True


def local_change_count() -> int:
    """How many data changes this process has committed (see `_after_commit`)."""
    return _local_change_count


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
    deleted, _ = (
        DataChange.objects.filter(processed_at__lt=timezone.now() - older_than).exclude(id=newest).delete()
    )
    return deleted
