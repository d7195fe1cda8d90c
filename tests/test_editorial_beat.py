"""Scheduled publishing end to end: a real Celery beat and worker (Redis, PostgreSQL) publish a
scheduled post once its time has come, and not before.

The worker and beat run as subprocesses against this test's database; beat's interval for the
publishing task is shortened through OSAI_PUBLISH_SCHEDULED_SECONDS. Both are killed at teardown.
"""

from __future__ import annotations

import datetime
import os
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from curation.editorial import services
from curation.models import Post, PostStatus
from curation.operations.celery_processes import Subprocesses, postgres_url, wait_until

PROJECT_ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def celery_processes(require_postgres, require_redis, settings, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "osai_index.settings",
        "OSAI_PUBLISH_SCHEDULED_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }
    env.pop("DJANGO_TEST_DB_NAME", None)
    processes = Subprocesses(tmp_path, env)

    def run_worker_and_beat():
        worker = processes.worker(settings.CELERY_TASK_DEFAULT_QUEUE, f"editorial-{uuid.uuid4().hex[:8]}")
        processes.beat()
        return worker.log_path

    yield run_worker_and_beat
    processes.stop_all(graceful=False)


def test_beat_publishes_a_scheduled_post_at_its_time(celery_processes, make_post, editor):
    due = make_post("Due soon")
    later = make_post("Due tomorrow")
    publish_at = timezone.now() + datetime.timedelta(seconds=7)
    services.schedule(due, user=editor, publish_at=publish_at)
    services.schedule(later, user=editor, publish_at=timezone.now() + datetime.timedelta(days=1))

    worker_log = celery_processes()
    # Beat fires every second; before publish_at the post stays scheduled.
    assert wait_until(lambda: "publish_scheduled_posts" in worker_log.read_text(errors="replace"), 20)
    if timezone.now() < publish_at - datetime.timedelta(seconds=1):
        assert not Post.objects.public().exists()

    assert wait_until(lambda: Post.objects.public().filter(pk=due.pk).exists(), 30), worker_log.read_text()[-3000:]
    assert timezone.now() >= publish_at
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == PostStatus.PUBLISHED and due.published_at >= publish_at
    assert later.status == PostStatus.SCHEDULED
