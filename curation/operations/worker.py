"""How a worker runs: its broker connection, and its heartbeat.

- Broker reads without a timeout. The site bounds every wait on Redis (socket timeouts), so a
  save never hangs; a worker must not: an acknowledgement that timed out while Redis stalled is
  lost to the consumer, which then waits forever for it (prefetch of one) and consumes nothing
  more. Without a read timeout the worker simply waits while Redis stalls and carries on when it
  answers; a Redis that goes away closes the connection and the worker reconnects (forever, see
  CELERY_BROKER_CONNECTION_MAX_RETRIES). Connecting still times out.
- Heartbeat: every few seconds the worker notes in the cache that it lives (`/readyz`). The
  timer runs in the worker's main process beside the consumer, so a heartbeat means the worker
  process is running its event loop and reaches Redis.

Both are connected to Celery's worker signals (hooks of the worker's start, not business logic).
"""

from __future__ import annotations

import logging

from celery.signals import celeryd_init, worker_ready

from curation.operations.health import heartbeat_seconds, record_worker_heartbeat

log = logging.getLogger(__name__)


@celeryd_init.connect
def broker_reads_without_timeout(sender=None, conf=None, **kwargs):
    options = dict(conf.broker_transport_options or {})
    options.pop("socket_timeout", None)
    conf.broker_transport_options = options


@worker_ready.connect
def start_heartbeat(sender=None, **kwargs):
    hostname = getattr(sender, "hostname", None)

    def beat():
        if not record_worker_heartbeat(hostname):
            log.warning("could not record the worker heartbeat (cache unreachable)")

    beat()
    sender.timer.call_repeatedly(heartbeat_seconds(), beat)
