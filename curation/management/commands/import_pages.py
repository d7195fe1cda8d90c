"""Import news and guides from a site-pages folder (news/*.md, guides/*.md with front matter)."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from curation.editorial.importer import PageError, import_pages


class Command(BaseCommand):
    help = "Import news and guides in the upstream site-pages format; drafts stay drafts."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Folder holding news/ and guides/ (e.g. ../shared/data/site-pages)")
        parser.add_argument("--strict", action="store_true", help="Write nothing if any file is bad.")
        parser.add_argument("--user", help="Username recorded as the author of the imported revisions.")

    def handle(self, *args, path, strict, user, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"--user {user!r}: no such account")
        try:
            report = import_pages(path, strict=strict, user=account)
        except PageError as exc:
            raise CommandError(str(exc)) from exc
        for name, reason in report.skipped:
            self.stderr.write(f"skipped {name}: {reason}")
        if strict and report.skipped:
            raise CommandError(f"{len(report.skipped)} bad file(s); --strict: nothing was imported")
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"skipped {len(report.skipped)}; published {len(report.published)}, drafts {len(report.drafts)}"
        )
        for label in report.published:
            self.stdout.write(f"  published: {label}")
