import sys

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from curation.adoption.fetch import fetch_adoption
from curation.models import AIModel


class Command(BaseCommand):
    help = (
        "Read today's Hugging Face downloads and likes for the repositories of every model (or of "
        "the models named), as the daily task does. Repositories already read today are not asked "
        "again, so a run that stopped resumes where it stopped. HF_ENDPOINT chooses the Hub."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--models", nargs="+", metavar="MODEL", help="only these models: slug, upstream file name or exact name"
        )
        parser.add_argument("--concurrency", type=int, help="requests at once (default OSAI_ADOPTION_CONCURRENCY)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    def handle(self, *args, models=None, concurrency=None, no_progress=False, **options):
        queryset = None
        if models:
            ids = []
            for given in models:
                found = list(
                    AIModel.objects.filter(
                        Q(slug=given)
                        | Q(upstream_filename=given)
                        | Q(upstream_filename=f"{given}.yaml")
                        | Q(name=given)
                    ).values_list("pk", flat=True)
                )
                if not found:
                    raise CommandError(f"--models {given}: no model with that slug, file name or name")
                ids += found
            queryset = AIModel.objects.filter(pk__in=ids)
        if concurrency is not None and concurrency < 1:
            raise CommandError("--concurrency: give 1 or more")
        progress = None
        if not no_progress and sys.stdout.isatty() and options.get("verbosity", 1) > 0:
            from tqdm import tqdm

            def progress(total):
                return tqdm(total=total, unit="repo", desc="reading the Hub", leave=False)

        report = fetch_adoption(models=queryset, concurrency=concurrency, progress=progress)
        self.stdout.write(report.summary())
        for repo in report.not_found:
            self.stdout.write(f"  not on the Hub: {repo}")
        for repo, detail in report.failed:
            self.stdout.write(f"  failed: {repo} ({detail})")
