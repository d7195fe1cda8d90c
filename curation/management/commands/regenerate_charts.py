from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from curation.charts.catalogue import chart_keys


class Command(BaseCommand):
    help = (
        "Regenerate the index's charts. By default queues a run for a worker, which re-renders "
        "the charts whose data changed; --sync runs it here with a progress bar; --all re-renders "
        "every chart even if its data did not change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="re-render every chart, changed or not")
        parser.add_argument("--sync", action="store_true", help="run in this process instead of queueing a task")

    def handle(self, *args, **options):
        if not options["sync"]:
            from curation.tasks import regenerate_all_charts

            try:
                result = regenerate_all_charts.delay(render_all=options["all"])
            except Exception as exc:  # broker down: say so instead of a traceback
                raise CommandError(f"could not queue the run ({exc}); try again with --sync") from exc
            self.stdout.write(f"queued chart regeneration (task {result.id})")
            return

        from curation.charts.publish import regenerate

        keys = chart_keys()
        with tqdm(total=len(keys), unit="chart", disable=options["verbosity"] == 0) as bar:

            def progress(key):
                bar.set_postfix_str(key)
                bar.update(1)

            run = regenerate(trigger="command", render_all=options["all"], even_without_changes=True, progress=progress)
        if run is None:  # even_without_changes: a run is always recorded
            raise CommandError("no regeneration run was recorded")
        self.stdout.write(
            self.style.SUCCESS(
                f"checked {run.charts_checked} charts, rendered {run.charts_rendered}, "
                f"consumed {run.changes_claimed} pending changes (run #{run.pk})"
            )
        )
