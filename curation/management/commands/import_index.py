import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from curation.interchange import ImportAborted, import_index


class Command(BaseCommand):
    help = (
        "Import a folder of upstream model YAML files (like main-database/). Idempotent: files "
        "that did not change change nothing. Bad files are reported and skipped; with --strict "
        "the first bad file aborts the import and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="folder of model .yaml files (or one file)")
        parser.add_argument("--strict", action="store_true", help="abort on the first bad file; write nothing")
        parser.add_argument("--user", help="username recorded as having run the import")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    def handle(self, *args, path, strict, user, no_progress, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"--user {user}: no such user")
        bar = None
        progress = None
        if not no_progress and sys.stdout.isatty() and options.get("verbosity", 1) > 0:
            from tqdm import tqdm

            def progress(done, total, filename):
                nonlocal bar
                if bar is None:
                    bar = tqdm(total=total, unit="file", desc="importing", leave=False)
                bar.update(1)
        try:
            report = import_index(path, strict=strict, user=account, progress=progress)
        except ImportAborted as exc:
            raise CommandError(str(exc)) from None
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        self.print_summary(report)

    def print_summary(self, report):
        write = self.stdout.write
        write(
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped, "
            f"{len(report.changes)} field changes"
        )
        if report.registry_changed:
            write("dimension registry updated from _parameters.yml")
        if report.skipped:
            write(self.style.WARNING("Skipped files:"))
            for item in report.skipped:
                write(f"  {item.file}{f', line {item.line}' if item.line else ''}: {item.reason}")
        if report.warnings:
            write(self.style.WARNING("Imported with warnings:"))
            for item in report.warnings:
                write(f"  {item.file}{f', line {item.line}' if item.line else ''}: {item.reason}")
        if report.organisations_needing_review:
            write(self.style.WARNING(f"Organisations needing review ({len(report.organisations_needing_review)}):"))
            for org in sorted(report.organisations_needing_review, key=lambda o: o.name.lower()):
                write(f"  {org.name}")
