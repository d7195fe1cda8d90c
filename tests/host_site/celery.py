"""The host site's Celery app, configured from its Django settings (CELERY_*), as the README
asks of a site that installs the curation app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.host_site.settings")

app = Celery("host_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
