"""The four fault drills, run inside the private services (see `harness`). Each returns its
exit status after printing its figures; targets: no approval lost, no reader error (outside a
PostgreSQL restart), charts converged within 60 s of the service's return.
"""

from __future__ import annotations

import contextlib
import time
import urllib.request
from pathlib import Path

from curation.operations.drills.harness import (
    AdoptedRedis,
    ApprovalLog,
    Processes,
    Readers,
    SupervisedWorker,
    adopted_postgres,
    approvals_kept,
    approve_one,
    prepare_index,
    proposals,
    report,
    seconds_until_converged,
    state,
    wait_until,
)

CONVERGENCE_TARGET_SECONDS = 60.0


class Site:
    """The site's processes and readers for one drill; stopped whatever happens."""

    def __init__(self, write, models: int, approvals: int, beat: bool = True):
        self.write = write
        self.folder = Path(state()["root"]) / "logs"
        self.folder.mkdir(exist_ok=True)
        prepare_index(models, write)
        self.requests = proposals(approvals)
        self.processes = Processes(self.folder)
        self.processes.web()
        self.worker = SupervisedWorker(self.processes)
        if beat:
            self.processes.beat()
        self.base_url = f"http://127.0.0.1:{self.processes.web_port}"
        self.readers = Readers(self.base_url)
        self.log = ApprovalLog()

    def __enter__(self):
        for path in self.readers.paths:  # every page once: the cache holds them
            # A page that fails to warm is measured as a failure by the readers that follow.
            with contextlib.suppress(Exception), urllib.request.urlopen(self.base_url + path, timeout=30) as page:  # noqa: S310 - the drill's own loopback server
                page.read()
        self.readers.start()
        return self

    def __exit__(self, *exc):
        self.readers.stop()
        self.worker.stop()
        self.processes.stop_all()

    def ready(self) -> int:
        try:
            with urllib.request.urlopen(self.base_url + "/readyz", timeout=10) as response:  # noqa: S310 - the drill's own loopback server
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except Exception:  # noqa: BLE001 - no answer at all (refused, reset, timed out) reads as 0
            return 0

    def figures(self, converged: float | None) -> dict:
        kept = approvals_kept(self.log)
        return {
            "approvals_made": len(self.log.made),
            "approvals_kept": kept,
            "approvals_lost": len(self.log.made) - kept,
            "approvals_refused": len(self.log.refused),
            "slowest_approval_seconds": round(self.log.slowest_seconds, 2),
            "reader_requests": self.readers.requests,
            "reader_errors": len(self.readers.errors),
            "seconds_until_charts_converged": None if converged is None else round(converged, 1),
            "worker_restarts": self.worker.restarts,
            "worker_running_at_end": self.worker.running(),
        }

    def common_failures(self, figures: dict, reader_errors_allowed: int = 0) -> list[str]:
        failures = []
        if figures["approvals_lost"]:
            failures.append(f"{figures['approvals_lost']} approvals lost")
        if figures["reader_errors"] > reader_errors_allowed:
            sample = "; ".join(f"{path}: {problem}" for _, path, problem in self.readers.errors[:5])
            failures.append(f"{figures['reader_errors']} reader errors ({sample})")
        if not figures["worker_running_at_end"]:
            failures.append("no worker running at the end")
        converged = figures["seconds_until_charts_converged"]
        if converged is None or converged > CONVERGENCE_TARGET_SECONDS:
            failures.append(f"charts not converged within {CONVERGENCE_TARGET_SECONDS:.0f} s of the service's return")
        return failures


def redis_killed(write, approvals: int = 50, outage_seconds: float = 5.0, models: int = 60) -> int:
    """Redis is SIGKILLed during a burst of approvals and started again (empty) a few seconds later."""
    redis = AdoptedRedis()
    try:
        with Site(write, models, approvals) as site:
            started = time.monotonic()
            killed_at: float | None = None
            returned_at: float | None = None
            for index, change_request in enumerate(site.requests):
                if killed_at is None and index >= approvals * 3 // 10:
                    redis.kill()
                    killed_at = time.monotonic()
                    write(f"Redis killed after {index} approvals")
                if killed_at and returned_at is None and time.monotonic() - killed_at >= outage_seconds:
                    redis.start()
                    returned_at = time.monotonic()
                    write(f"Redis back after {returned_at - killed_at:.1f} s, at approval {index}")
                approve_one(change_request, site.log)
                time.sleep(max(0.0, 0.25 - (time.monotonic() - started) % 0.25))
            if returned_at is None:
                redis.start()
                returned_at = time.monotonic()
            converged = seconds_until_converged(returned_at, 120)
            figures = site.figures(converged)
            figures["redis_outage_seconds"] = round(returned_at - killed_at, 1) if killed_at is not None else None
            figures["readyz_after"] = wait_until(lambda: site.ready() == 200 and 200, 30) or site.ready()
            failures = site.common_failures(figures)
            return report(write, "redis-killed", figures, failures)
    finally:
        if redis.process is not None:
            redis.process.kill()


def broker_stalled(write, approvals: int = 20, stall_seconds: float = 6.0, models: int = 60) -> int:
    """Redis is SIGSTOPped (connections accepted, nothing answered) during approvals, then resumed."""
    redis = AdoptedRedis()
    with Site(write, models, approvals) as site:
        during = approvals // 2
        for change_request in site.requests[: approvals // 4]:
            approve_one(change_request, site.log)
        redis.pause()
        paused_at = time.monotonic()
        write(f"Redis stopped answering (SIGSTOP) after {len(site.log.made)} approvals")
        stalled = ApprovalLog()
        for change_request in site.requests[approvals // 4 : approvals // 4 + during]:
            approve_one(change_request, stalled)
        site.log.made += stalled.made
        site.log.refused += stalled.refused
        wait_until(lambda: time.monotonic() - paused_at >= stall_seconds, stall_seconds + 1)
        redis.resume()
        resumed_at = time.monotonic()
        write(f"Redis answering again after {resumed_at - paused_at:.1f} s")
        for change_request in site.requests[approvals // 4 + during :]:
            approve_one(change_request, site.log)
        converged = seconds_until_converged(resumed_at, 120)
        figures = site.figures(converged)
        figures["approvals_while_stalled"] = len(stalled.made)
        figures["slowest_approval_while_stalled_seconds"] = round(stalled.slowest_seconds, 2)
        failures = site.common_failures(figures)
        if stalled.slowest_seconds > 5:
            failures.append(f"an approval took {stalled.slowest_seconds:.1f} s while Redis stalled (target: under 5 s)")
        return report(write, "broker-stalled", figures, failures)


def worker_killed(write, approvals: int = 10, models: int = 60) -> int:
    """The worker is SIGKILLed in the middle of a chart run; the process manager starts a new one."""
    from curation.charts.publish import _stored_chart_files
    from curation.charts.published import FORMATS
    from curation.models import ChartRun, ChartVersion

    with Site(write, models, approvals) as site:
        half = approvals // 2
        for change_request in site.requests[:half]:
            approve_one(change_request, site.log)
        running = wait_until(lambda: ChartRun.objects.filter(status=ChartRun.Status.RUNNING).first(), 30, 0.005)
        if running is None:
            return report(write, "worker-killed", site.figures(None), ["no chart run started"])
        time.sleep(0.3)  # let it write some files
        site.worker.kill()
        write(f"worker killed during chart run {running.pk}")
        for change_request in site.requests[half:]:
            approve_one(change_request, site.log)
        wait_until(lambda: site.worker.restarts and site.worker.running(), 30)  # the process manager's restart
        restarted_at = time.monotonic()
        write("a new worker started")
        converged = seconds_until_converged(restarted_at, 120)
        figures = site.figures(converged)
        figures["runs_left_running"] = ChartRun.objects.filter(status=ChartRun.Status.RUNNING).count()
        figures["killed_run_status"] = ChartRun.objects.get(pk=running.pk).status
        referenced = {v.file_name(fmt) for v in ChartVersion.objects.all() for fmt in FORMATS}
        figures["stray_chart_files"] = len(set(_stored_chart_files()) - referenced)
        failures = site.common_failures(figures)
        if figures["runs_left_running"]:
            failures.append(f"{figures['runs_left_running']} chart runs left 'running'")
        if figures["stray_chart_files"]:
            failures.append(f"{figures['stray_chart_files']} stray chart files left")
        return report(write, "worker-killed", figures, failures)


def postgres_restarted(write, approvals: int = 10, models: int = 60) -> int:
    """PostgreSQL is restarted (fast mode) under read load; nothing else is restarted."""
    from django.db import connection

    postgres = adopted_postgres()
    with Site(write, models, approvals) as site:
        connection.close()
        time.sleep(3)  # readers at full speed before the restart
        restart_started = time.monotonic()
        postgres.restart()
        restart_done = time.monotonic()
        write(f"PostgreSQL restarted in {restart_done - restart_started:.1f} s")
        time.sleep(2)
        for change_request in site.requests:
            approve_one(change_request, site.log)
        converged = seconds_until_converged(restart_done, 120)
        time.sleep(1)
        window = (restart_started - 0.5, restart_done + 1.0)
        outside = len(site.readers.errors) - site.readers.errors_between(*window)
        figures = site.figures(converged)
        figures["restart_seconds"] = round(restart_done - restart_started, 2)
        figures["reader_errors_in_restart_window"] = site.readers.errors_between(*window)
        figures["reader_errors_outside_restart_window"] = outside
        figures["error_paths"] = sorted({path for _, path, _ in site.readers.errors})
        failures = site.common_failures(figures, reader_errors_allowed=figures["reader_errors_in_restart_window"])
        if figures["approvals_refused"]:
            failures.append(f"{figures['approvals_refused']} approvals refused after the restart")
        return report(write, "postgres-restart", figures, failures)
