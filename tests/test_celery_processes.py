"""The subprocess helper that benchmarks, drills and worker tests start Celery with."""

from __future__ import annotations

import sys

import pytest

from curation.operations.celery_processes import ProcessDidNotStart, Subprocesses, postgres_url, worker_arguments


def test_a_process_that_exits_before_its_ready_text_is_reported_with_its_log(tmp_path):
    processes = Subprocesses(tmp_path)
    with pytest.raises(ProcessDidNotStart) as failure:
        processes.start([sys.executable, "-c", "print('no broker here')"], "worker", ready_text="ready.")
    assert "exited" in str(failure.value)
    assert "no broker here" in str(failure.value)


def test_ready_text_in_the_log_counts_as_started_and_stop_all_ends_the_group(tmp_path):
    processes = Subprocesses(tmp_path)
    proc = processes.start(
        [sys.executable, "-u", "-c", "import time; print('ready.'); time.sleep(60)"], "sleeper", ready_text="ready."
    )
    assert proc.poll() is None
    processes.stop_all()
    assert proc.poll() is not None


def test_a_process_that_never_says_ready_times_out(tmp_path):
    processes = Subprocesses(tmp_path)
    with pytest.raises(ProcessDidNotStart, match="did not start in 1 s"):
        processes.start([sys.executable, "-c", "import time; time.sleep(30)"], "mute", ready_text="ready.", timeout=1)
    processes.stop_all(graceful=False)


def test_postgres_url_quotes_credentials_and_names_the_connection_database():
    url = postgres_url({"USER": "osai", "PASSWORD": "p@ss/word", "HOST": "", "PORT": "", "NAME": "test_osai"})
    assert url == "postgres://osai:p%40ss%2Fword@localhost:5432/test_osai"


def test_a_worker_listens_on_its_own_queue_under_its_own_name():
    arguments = worker_arguments("charts-1", "bench")
    assert arguments[arguments.index("-Q") + 1] == "charts-1"
    assert arguments[arguments.index("-n") + 1] == "bench@%h"
