from django.core.management.base import BaseCommand

from curation.interchange import export_index


class Command(BaseCommand):
    help = "Write the index as upstream YAML files (one per model, comment tags included) to OUTDIR."

    def add_arguments(self, parser):
        parser.add_argument("outdir")
        parser.add_argument("--include-drafts", action="store_true", help="also export models hidden from readers")

    def handle(self, *args, outdir, include_drafts, **options):
        count = export_index(outdir, include_drafts=include_drafts)
        self.stdout.write(self.style.SUCCESS(f"{count} files written to {outdir}"))
