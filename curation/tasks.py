"""Celery tasks: thin wrappers over services."""

import logging

from celery import shared_task

from curation.adoption.fetch import run_daily_fetch
from curation.charts.coalesce import request_run, run_summary, run_when_quiet
from curation.charts.publish import nightly_check, regenerate, sweep
from curation.editorial.tasks import publish_scheduled_posts  # noqa: F401  (registers the beat task)
from curation.operations import worker  # noqa: F401  (the worker's heartbeat)
from curation.public.downloads import write_current_files
from curation.public.filter_options import write_current_options
from curation.public.headline import warm_headline
from curation.public.leaderboards import work_out_past_shares
from curation.public.model_periods import write_current_periods
from curation.public.release_files import freeze_pending_releases, freeze_release_files as freeze

log = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def regenerate_stale_charts():
    """Asked for after every committed data change: schedule one coalesced regeneration run."""
    return request_run(lambda countdown: run_chart_regeneration.apply_async(countdown=countdown))


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=10,
)
def run_chart_regeneration(self):
    """The scheduled run: waits for a quiet moment, then re-renders the charts whose data changed."""
    summary = run_when_quiet(lambda countdown: self.apply_async(countdown=countdown))
    if summary.get("status") != "postponed":
        _write_download_files()
        _write_filter_options()
        _write_model_periods()
        _work_out_past_shares()
        _work_out_headline()
    return summary


@shared_task(acks_late=True, ignore_result=True)
def sweep_chart_outbox():
    """Every OSAI_CHARTS_SWEEP_SECONDS (beat): consume outbox rows left behind, e.g. while Redis was down."""
    summary = run_summary(sweep())
    _write_download_files()  # nothing to do when this data version's files are there
    _write_filter_options()  # likewise
    _write_model_periods()  # likewise
    _work_out_past_shares()  # likewise; a new day samples a new set of days
    _work_out_headline()  # likewise
    _freeze_pending_releases()
    return summary


@shared_task(acks_late=True, ignore_result=True)
def check_all_charts():
    """Nightly (beat): verify every chart and its files, prune old versions, close dead runs."""
    return nightly_check()


@shared_task(acks_late=True, ignore_result=True)
def regenerate_all_charts(render_all=False):
    """Queued by `manage.py regenerate_charts` without --sync."""
    return run_summary(regenerate(trigger="command", render_all=render_all, even_without_changes=True))


@shared_task(acks_late=True, ignore_result=True)
def fetch_adoption():
    """Daily (beat): read the Hugging Face figures of every model's repositories (idempotent per
    day, resumes a run that stopped, one run at a time); returns the run's summary."""
    return run_daily_fetch()


def _write_download_files() -> int:
    """The whole index's downloads of the current data version, after the chart run; a failure
    is logged, not retried with the charts: readers get the streamed answer meanwhile, and the
    next change or sweep writes them."""
    try:
        return len(write_current_files())
    except Exception:
        log.exception("could not write the downloads of the current data version")
        return 0


def _write_filter_options() -> bool:
    """The index's filter options of the current data version (curation.public.filter_options);
    a failure is logged: readers work them out on their request meanwhile."""
    try:
        return write_current_options()
    except Exception:
        log.exception("could not store the filter options of the current data version")
        return False


def _write_model_periods() -> bool:
    """The index's models over time for the current data version (curation.public.model_periods);
    a failure is logged: past indexes are rebuilt from history meanwhile."""
    try:
        return write_current_periods()
    except Exception:
        log.exception("could not write the model periods of the current data version")
        return False


def _work_out_past_shares() -> bool:
    """The dimension pages' shares on past days for the current data version (leaderboards);
    a failure is logged: pages show the shares stored before, and the next run tries again."""
    try:
        return work_out_past_shares()
    except Exception:
        log.exception("could not work out the dimensions' past shares")
        return False


def _work_out_headline() -> bool:
    """The home page's headline figures of the current data version (curation.public.headline);
    a failure is logged: the first reader works them out meanwhile."""
    try:
        warm_headline()
        return True
    except Exception:
        log.exception("could not work out the headline figures")
        return False


def _freeze_pending_releases() -> int:
    """Releases whose files are not frozen yet (their task lost): frozen now; a failure is
    logged and the next sweep tries again."""
    try:
        return sum(freeze_pending_releases().values())
    except Exception:
        log.exception("could not freeze the files of pending data releases")
        return 0


@shared_task(acks_late=True, ignore_result=True)
def write_download_files():
    """Write the whole index's downloads of the current data version (CSV, details CSV, JSON,
    YAML zip) unless they are there already (also run after every chart run and sweep)."""
    return {"written": _write_download_files()}


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(Exception,), retry_backoff=2, max_retries=5)
def freeze_release_files(release_id: int):
    """After a data release is made: write its downloads once (curation.public.release_files)."""
    return {"written": freeze(release_id)}
