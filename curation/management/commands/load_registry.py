from django.core.management.base import BaseCommand, CommandError

from curation.assessments import recompute_all_scores
from curation.registry import DEFAULT_REGISTRY, RegistryError, load_registry


class Command(BaseCommand):
    help = "Load the dimension registry from a _parameters.yml file (default: the bundled one)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_REGISTRY))

    def handle(self, *args, path, **options):
        try:
            count = load_registry(path)
        except RegistryError as exc:
            raise CommandError(str(exc)) from exc
        recompute_all_scores()
        self.stdout.write(self.style.SUCCESS(f"{count} active dimensions loaded from {path}"))
