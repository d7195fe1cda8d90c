"""Publishing charts: compute, compare hashes, render what changed, store, swap, prune.

A run claims the unprocessed outbox rows (`DataChange`), computes every chart's numbers, and
renders only the charts whose data hash differs from their newest version. Files go to the
default storage under content-hashed names and are verified before the new `ChartVersion`
rows are committed together with the claimed outbox rows: that commit is the swap. A run that
dies half-way leaves the old versions visible and its outbox rows unclaimed, so it is redone;
the next run marks its row "interrupted" and deletes the files it left behind.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from curation import signals
from curation.charts.catalogue import catalogue
from curation.charts.data import ChartData
from curation.charts.published import FORMATS, STORAGE_DIR, current_versions
from curation.charts.render import RENDER_VERSION, render
from curation.conf import app_settings
from curation.datachanges import prune_processed_changes
from curation.models import ChartRun, ChartVersion, DataChange

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same for every process of this site.
_RUN_LOCK_ID = 4_0402_2026
# Key space of the per-run "still alive" locks (PostgreSQL advisory locks, two-int form).
_RUN_ALIVE_SPACE = 4_0402
# Runs alive in this process (for databases without advisory locks).
_live_runs: set[int] = set()


def retention_days() -> int:
    """Days superseded chart versions, their files and processed outbox rows are kept (OSAI_CHART_RETENTION_DAYS)."""
    return app_settings.OSAI_CHART_RETENTION_DAYS


# --- storing ---------------------------------------------------------------------------------


def content_name(key: str, fmt: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:16]
    return f"{STORAGE_DIR}/{key}/{key}-{digest}.{fmt}"


def store(name: str, content: bytes) -> str:
    """Write content under its content-hashed name, reusing an identical file already there.

    A file left half-written by a killed run has the right name but the wrong bytes: it is
    replaced, never reused.
    """
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as existing:
            if existing.read() == content:
                return name
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:
        default_storage.delete(saved)
        raise OSError(f"chart file {name} could not be written under its own name (storage chose {saved})")
    with default_storage.open(saved, "rb") as written:
        if written.read() != content:
            raise OSError(f"chart file {name} does not hold what was written")
    return saved


def _files_present(version: ChartVersion) -> bool:
    return all(default_storage.exists(version.file_name(fmt)) for fmt in FORMATS)


def publish_version(data: ChartData, data_hash: str, *, data_version: int, run: ChartRun | None) -> ChartVersion:
    """Render and store one chart and create its version row (in the caller's transaction)."""
    generated_at = timezone.now()
    document = data.document(generated_at=generated_at.isoformat(), data_version=data_version)
    files = render(data)
    files["csv"] = data.csv_text().encode("utf-8")
    files["json"] = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    names = {fmt: store(content_name(data.key, fmt, files[fmt]), files[fmt]) for fmt in FORMATS}
    return ChartVersion.objects.create(
        key=data.key,
        title=data.title,
        alt_text=data.alt_text(),
        data_hash=data_hash,
        data=document,
        data_version=data_version,
        generated_at=generated_at,
        run=run,
        **{f"{fmt}_name": names[fmt] for fmt in FORMATS},
    )


# --- runs ------------------------------------------------------------------------------------


def _lock_runs() -> None:
    """Serialise runs; released with the transaction, also when the worker dies."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RUN_LOCK_ID])


def _run_alive_key(run_id: int) -> list[int]:
    return [_RUN_ALIVE_SPACE, run_id % 2_147_483_647]


def _hold_alive(run: ChartRun) -> None:
    """Mark `run` as alive for as long as this process (its database session) lives."""
    _live_runs.add(run.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", _run_alive_key(run.pk))


def _release_alive(run: ChartRun) -> None:
    _live_runs.discard(run.pk)
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _run_alive_key(run.pk))
        except Exception:  # the connection itself died: its locks went with it
            log.warning("could not release the alive lock of chart run %s", run.pk, exc_info=True)


def close_dead_runs(current: ChartRun) -> int:
    """Mark "interrupted" the runs still recorded as running whose process died; returns how many.

    On PostgreSQL a run holds a session advisory lock while it lives, which the server drops with
    a dead worker's connection: a lock we can take belongs to a dead run. Elsewhere (SQLite, one
    machine) a running row that is not a live run of this process is taken for dead.
    """
    dead = []
    for run_id in (
        ChartRun.objects.filter(status=ChartRun.Status.RUNNING).exclude(pk=current.pk).values_list("pk", flat=True)
    ):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _run_alive_key(run_id))
                if cursor.fetchone()[0]:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _run_alive_key(run_id))
                    dead.append(run_id)
        elif run_id not in _live_runs:
            dead.append(run_id)
    if not dead:
        return 0
    return ChartRun.objects.filter(pk__in=dead, status=ChartRun.Status.RUNNING).update(
        status=ChartRun.Status.INTERRUPTED,
        finished_at=timezone.now(),
        error="its process died before the run finished; the changes it had claimed were redone",
    )


def remove_stray_files() -> int:
    """Delete files under charts/ that no version refers to (left by a run that died before its
    commit); returns how many. Called with the run lock held, so no run is writing files."""
    kept = set()
    for names in ChartVersion.objects.values_list(*(f"{fmt}_name" for fmt in FORMATS)):
        kept.update(names)
    stray = [name for name in _stored_chart_files() if name not in kept]
    for name in stray:
        default_storage.delete(name)
    return len(stray)


def has_pending_changes(older_than: datetime.timedelta | None = None) -> bool:
    pending = DataChange.objects.filter(processed_at__isnull=True)
    if older_than is not None:
        pending = pending.filter(created_at__lte=timezone.now() - older_than)
    return pending.exists()


def regenerate(
    *,
    trigger: str,
    render_all: bool = False,
    even_without_changes: bool = False,
    verify_files: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ChartRun | None:
    """One regeneration run; None when there was nothing to do (and nothing was recorded).

    render_all: render every chart even if its hash is unchanged (`regenerate_charts --all`).
    even_without_changes: run although no outbox row is pending (nightly check, --all).
    verify_files: also re-render charts whose stored files went missing (nightly check).
    progress: called with each chart key as it is handled.
    """
    if not (even_without_changes or render_all) and not has_pending_changes():
        return None
    run = ChartRun.objects.create(trigger=trigger)
    _hold_alive(run)
    try:
        with transaction.atomic():
            _lock_runs()
            close_dead_runs(run)
            claimed = list(
                DataChange.objects.select_for_update(skip_locked=True)
                .filter(processed_at__isnull=True)
                .values_list("id", flat=True)
            )
            run.changes_claimed = len(claimed)
            if not claimed and not (even_without_changes or render_all):
                run.status = ChartRun.Status.NOTHING_TO_DO
            else:
                run.data_version = DataChange.objects.aggregate(v=Max("id"))["v"] or 0
                _render_changed(run, render_all=render_all, verify_files=verify_files, progress=progress)
                DataChange.objects.filter(id__in=claimed).update(processed_at=timezone.now())
                run.status = ChartRun.Status.SUCCEEDED
            # Files of a run that died are stray now; the lock keeps other runs from writing.
            remove_stray_files()
            run.finished_at = timezone.now()
            run.save()
    except Exception as exc:
        ChartRun.objects.filter(pk=run.pk).update(
            status=ChartRun.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    finally:
        _release_alive(run)
    if run.charts_rendered:
        # Cached pages embed the superseded chart files: the page cache retires them.
        signals.charts_published.send(sender=ChartRun, run=run)
    return run


def _render_changed(run: ChartRun, *, render_all: bool, verify_files: bool, progress) -> None:
    specs = catalogue()
    current = current_versions(specs)
    for key, spec in specs.items():
        data = spec.compute()
        data_hash = data.hash(RENDER_VERSION)
        run.charts_checked += 1
        old = current.get(key)
        unchanged = old is not None and old.data_hash == data_hash
        if old is not None and unchanged and not render_all and not (verify_files and not _files_present(old)):
            if progress:
                progress(key)
            continue
        publish_version(data, data_hash, data_version=run.data_version, run=run)
        run.charts_rendered += 1
        if progress:
            progress(key)


def regenerate_stale() -> ChartRun | None:
    """Consume the outbox: re-render the charts whose data changed (the contract's entry point)."""
    return regenerate(trigger="changes")


def sweep() -> ChartRun | None:
    """Pick up outbox rows that no run consumed (e.g. the broker was down when they were written)."""
    min_age = datetime.timedelta(seconds=app_settings.OSAI_CHARTS_SWEEP_MIN_AGE_SECONDS)
    if not has_pending_changes(older_than=min_age):
        return None
    return regenerate(trigger="sweep")


def nightly_check() -> dict:
    """Check every chart (re-render changed or missing ones), prune old versions and processed
    outbox rows, close dead runs."""
    run = regenerate(trigger="nightly", even_without_changes=True, verify_files=True)
    pruned_versions, pruned_files = prune_old_versions()
    pruned_changes = prune_processed_changes(datetime.timedelta(days=retention_days()))
    interrupted = mark_interrupted_runs()
    return {
        "rendered": run.charts_rendered if run else 0,
        "pruned_versions": pruned_versions,
        "pruned_files": pruned_files,
        "pruned_changes": pruned_changes,
        "interrupted_runs": interrupted,
    }


def mark_interrupted_runs(older_than: datetime.timedelta = datetime.timedelta(hours=1)) -> int:
    """Runs still "running" long after they started died with their worker."""
    return ChartRun.objects.filter(status=ChartRun.Status.RUNNING, started_at__lt=timezone.now() - older_than).update(
        status=ChartRun.Status.INTERRUPTED, finished_at=timezone.now()
    )


# --- retention -------------------------------------------------------------------------------


@transaction.atomic
def prune_old_versions(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Delete versions older than the retention period (never a chart's newest) and their files.

    Also deletes stray files under charts/ that no version refers to and that are older than
    the retention period (left by runs that died before committing). Returns (versions, files).
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    newest_ids = {v.pk for v in current_versions().values()}
    expired = list(ChartVersion.objects.filter(generated_at__lt=cutoff).exclude(pk__in=newest_ids))
    ChartVersion.objects.filter(pk__in=[v.pk for v in expired]).delete()
    kept = set()
    for names in ChartVersion.objects.values_list(*(f"{fmt}_name" for fmt in FORMATS)):
        kept.update(names)
    files_deleted = 0
    for name in _stored_chart_files():
        if name in kept:
            continue
        expired_file = any(name in (v.file_name(fmt) for fmt in FORMATS) for v in expired)
        if expired_file or default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            files_deleted += 1
    return len(expired), files_deleted


def _stored_chart_files() -> list[str]:
    if not default_storage.exists(STORAGE_DIR):
        return []
    names: list[str] = []
    directories, _files = default_storage.listdir(STORAGE_DIR)
    for directory in directories:
        _sub, files = default_storage.listdir(f"{STORAGE_DIR}/{directory}")
        names.extend(f"{STORAGE_DIR}/{directory}/{f}" for f in files)
    return names
