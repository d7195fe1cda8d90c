"""Celery tasks of the editorial workflow: thin wrappers over services."""

from celery import shared_task

from curation.editorial.services import publish_due_posts


@shared_task(name="curation.editorial.publish_scheduled_posts", acks_late=True)
def publish_scheduled_posts() -> list[int]:
    """Publish scheduled posts whose time has come (run by beat every minute)."""
    return [post.pk for post in publish_due_posts()]
