"""Receivers of the app's signals (curation.signals), connected by CurationConfig.ready().

- A committed data change asks a worker to regenerate the charts whose data changed.
- Published charts retire the cached public pages that embed their superseded files.

Tasks are sent by name: the web process never imports the task modules, which load the chart
renderer (matplotlib) that only workers and the regenerate_charts command need.
"""

from __future__ import annotations

import logging
import time

from celery import current_app
from django.dispatch import receiver

from curation import signals
from curation.conf import app_settings
from curation.public.caching import retire_cached_pages

log = logging.getLogger(__name__)

#: The task that schedules one coalesced chart regeneration run (curation.tasks).
REGENERATE_STALE_CHARTS = "curation.tasks.regenerate_stale_charts"

# After the broker failed, this process leaves chart requests to the sweep until this moment
# (time.monotonic()), so that a Redis that stopped answering costs one timeout, not one per save.
_broker_down_until = 0.0


def enqueue(task_name: str, *args) -> None:
    """Send the task named `task_name`, with positional `args`, to the workers.

    Without a broker (Celery's eager mode) this process is its own worker: it loads the task
    modules as a worker does when it starts (the project's Celery autodiscovery) and runs the
    task at once. Raises whatever the broker client raises when the broker is unreachable.
    """
    app = current_app
    if app.conf.task_always_eager:
        if task_name not in app.tasks:
            app.loader.import_default_modules()
        app.tasks[task_name].delay(*args)
    else:
        app.send_task(task_name, args=args)


def request_chart_regeneration() -> bool:
    """Ask a worker to regenerate stale charts; False (and logged) when the broker is down.

    A failure (refused, or no answer within the socket timeouts) leaves the work to the periodic
    sweep, which consumes the committed outbox rows, and skips the broker for
    OSAI_CACHE_RETRY_SECONDS.
    """
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        enqueue(REGENERATE_STALE_CHARTS)
    except Exception as exc:  # noqa: BLE001  (any broker failure: the beat sweep picks the rows up later)
        _broker_down_until = time.monotonic() + float(app_settings.OSAI_CACHE_RETRY_SECONDS)
        log.warning(
            "could not enqueue chart regeneration (%s: %s); the periodic sweep will catch up", type(exc).__name__, exc
        )
        return False
    return True


@receiver(signals.data_changed, dispatch_uid="curation.receivers.regenerate_charts")
def _regenerate_charts_after_a_change(sender, **kwargs) -> None:
    request_chart_regeneration()


@receiver(signals.charts_published, dispatch_uid="curation.receivers.retire_cached_pages")
def _retire_pages_that_embed_old_charts(sender, **kwargs) -> None:
    retire_cached_pages()
