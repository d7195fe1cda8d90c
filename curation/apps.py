from django.apps import AppConfig


class CurationConfig(AppConfig):
    """The index's curation app: models, assessments, review, charts, posts, public site, API."""

    name = "curation"
    verbose_name = "Open Source AI Index"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's place for connecting signal receivers: they import models, which cannot be
        # imported before the app registry is ready.
        from curation import receivers  # noqa: F401
