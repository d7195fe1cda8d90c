"""Scheduled publishing under concurrency (PostgreSQL row locks)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from curation.editorial import services
from curation.models import Post, PostStatus, PostStatusChange

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_beats_never_publish_the_same_post_twice(require_postgres, make_post, editor):
    posts = [make_post(f"Due {i}") for i in range(3)]
    for post in posts:
        services.schedule(post, user=editor, publish_at=timezone.now() - datetime.timedelta(minutes=1))

    other_result = {}

    def other_beat():
        try:
            other_result["published"] = services.publish_due_posts()
        finally:
            connection.close()

    # This "beat" holds the rows; a concurrent one must skip them, not wait and not re-publish.
    with transaction.atomic():
        locked = list(Post.objects.select_for_update().filter(status=PostStatus.SCHEDULED))
        assert len(locked) == 3
        thread = threading.Thread(target=other_beat)
        thread.start()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the concurrent beat waited for the lock instead of skipping"
    assert other_result["published"] == []

    assert {p.pk for p in services.publish_due_posts()} == {p.pk for p in posts}
    assert services.publish_due_posts() == []
    assert PostStatusChange.objects.filter(to_status=PostStatus.PUBLISHED).count() == 3
