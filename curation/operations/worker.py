"""The worker's heartbeat: every few seconds a running worker notes in the cache that it lives.

Connected to Celery's `worker_ready` signal (a hook of the worker's start, not business logic);
the timer runs in the worker's main process beside the consumer, so a heartbeat means the
worker process is running its event loop and reaches Redis.
"""
from __future__ import annotations

import logging

from celery.signals import worker_ready

from curation.operations.health import heartbeat_seconds, record_worker_heartbeat

log = logging.getLogger(__name__)


@worker_ready.connect
def start_heartbeat(sender=None, **kwargs):
    hostname = getattr(sender, "hostname", None)

    def beat():
        if not record_worker_heartbeat(hostname):
            log.warning("could not record the worker heartbeat (cache unreachable)")

    beat()
    sender.timer.call_repeatedly(heartbeat_seconds(), beat)
