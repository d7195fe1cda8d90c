"""Celery tasks: thin wrappers over services."""
from celery import shared_task

from curation.editorial.tasks import publish_scheduled_posts  # noqa: F401  (registers the beat task)


@shared_task(acks_late=True)
def regenerate_stale_charts():
    """Regenerate charts whose data changed since their last rendering."""
    # Chart regeneration is provided by curation.charts.publish.
    try:
        from curation.charts.publish import regenerate_stale
    except ImportError:
        return 0
    return regenerate_stale()
