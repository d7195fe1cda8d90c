"""Coalescing chart regeneration: a burst of changes gives one run, not one run per change.

Every committed change asks for a run (`request_run`). The first request of a burst sets a
"run pending" flag in the cache and schedules the run a quiet period later; further requests
see the flag and do nothing. When the scheduled run fires it waits (re-schedules itself) while
changes are still arriving, up to a maximum wait, then clears the flag and consumes the whole
outbox in one run. A change that lands after the flag was cleared schedules the next run, so
nothing is lost; the beat sweep covers flags or messages lost with Redis or a worker.

In eager mode (no broker) the run happens at once, through the same `regenerate_stale` code.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from celery import current_app
from django.core.cache import cache
from django.db.models import Max, Min
from django.utils import timezone

from curation.charts.publish import regenerate_stale
from curation.conf import app_settings
from curation.models import ChartRun, DataChange

PENDING_KEY = "osai:charts:run-pending"


def quiet_seconds() -> float:
    """Seconds without a new change before a coalesced run starts (OSAI_CHARTS_QUIET_SECONDS)."""
    return float(app_settings.OSAI_CHARTS_QUIET_SECONDS)


def max_wait_seconds() -> float:
    """Longest a run waits for quiet, in seconds from the oldest pending change (OSAI_CHARTS_MAX_WAIT_SECONDS)."""
    return float(app_settings.OSAI_CHARTS_MAX_WAIT_SECONDS)


def is_eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def run_summary(run: ChartRun | None) -> dict:
    if run is None:
        return {"status": "nothing_to_do"}
    return {"status": run.status, "run": run.pk, "changes": run.changes_claimed, "rendered": run.charts_rendered}


def request_run(schedule: Callable[[float], object]) -> str:
    """Ask for a regeneration run; `schedule(countdown)` enqueues the run task."""
    if is_eager():
        regenerate_stale()
        return "ran"
    # The flag outlives a lost message only briefly; the sweep covers that case anyway.
    if not cache.add(PENDING_KEY, timezone.now().isoformat(), timeout=int(max_wait_seconds() + 60)):
        return "already scheduled"
    try:
        schedule(quiet_seconds())
    except Exception:
        cache.delete(PENDING_KEY)
        raise
    return "scheduled"


def run_when_quiet(reschedule: Callable[[float], None], now: datetime.datetime | None = None) -> dict:
    """Run once changes have stopped arriving for the quiet period (or waited long enough)."""
    now = now or timezone.now()
    pending = DataChange.objects.filter(processed_at__isnull=True).aggregate(
        newest=Max("created_at"), oldest=Min("created_at")
    )
    if pending["newest"] is not None:
        since_newest = (now - pending["newest"]).total_seconds()
        since_oldest = (now - pending["oldest"]).total_seconds()
        if since_newest < quiet_seconds() and since_oldest < max_wait_seconds():
            reschedule(max(quiet_seconds() - since_newest, 0.05))
            return {"status": "postponed"}
    # Cleared before claiming: a change committed from here on schedules the next run.
    cache.delete(PENDING_KEY)
    return run_summary(regenerate_stale())
