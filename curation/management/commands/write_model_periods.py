from django.core.management.base import BaseCommand

from curation.public.model_periods import write_current_periods, write_model_periods


class Command(BaseCommand):
    help = (
        "Write the index's models over time (the periods past indexes are read from) for the current "
        "data version, as the worker does after a data change; --force writes them even when current."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="write them even when they are current")

    def handle(self, *args, force=False, **options):
        def say(text: str) -> None:
            self.stdout.write(text)
            self.stdout.flush()

        if force:
            write_model_periods(progress=say)
        elif not write_current_periods(progress=say):
            self.stdout.write("The model periods are current: nothing to write.")
