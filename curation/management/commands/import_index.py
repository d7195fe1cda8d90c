import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from curation.interchange import ImportAborted, import_index
from curation.interchange.git_history import GitHistoryError, import_git_history


class Command(BaseCommand):
    help = (
        "Import a folder of upstream model YAML files (like main-database/). Idempotent: files "
        "that did not change change nothing. Bad files are reported and skipped; with --strict "
        "the first bad file aborts the import and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="folder of model .yaml files (or one file)")
        parser.add_argument("--git", metavar="REPO", help="replay the commits of this git repository, one import each")
        parser.add_argument("--from", dest="rev_from", metavar="REV", help="with --git: first commit to replay")
        parser.add_argument(
            "--to", dest="rev_to", metavar="REV", help="with --git: last commit to replay (default HEAD)"
        )
        parser.add_argument("--strict", action="store_true", help="abort on the first bad file; write nothing")
        parser.add_argument("--user", help="username recorded as having run the import")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")

    def handle(self, *args, path, strict, user, no_progress, git=None, rev_from=None, rev_to=None, **options):
        if bool(path) == bool(git):
            raise CommandError("give a folder to import, or --git REPO to replay a git history (not both)")
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

        if git:
            self.verbose = options.get("verbosity", 1) > 1
            return self.replay(git, rev_from, rev_to, account)
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

    def replay(self, repo, rev_from, rev_to, account):
        def step(commit, report):
            if self.verbose or report.conflicts:
                self.stdout.write(f"{commit.id[:7]} {commit.date:%Y-%m-%d} {commit.message[:60]}")
                self.print_summary(report)

        try:
            reports = import_git_history(repo, rev_from=rev_from, rev_to=rev_to, user=account, after_commit=step)
        except (GitHistoryError, ImportAborted) as exc:
            raise CommandError(str(exc)) from None
        created = sum(len(r.created) for r in reports)
        updated = sum(len(r.updated) for r in reports)
        removed = sum(len(r.removed) for r in reports)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(reports)} commits replayed: {created} models created, {updated} updates, {removed} removed upstream"
            )
        )

    def print_summary(self, report):
        write = self.stdout.write
        write(
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped, "
            f"{len(report.changes)} field changes"
        )
        if report.registry_changed:
            write("dimension registry updated from _parameters.yml")
        for old, new in report.renamed:
            write(f"renamed upstream: {old} -> {new} (same model)")
        for name in report.removed:
            write(self.style.WARNING(f"removed upstream: {name} (its model is withdrawn from the public index)"))
        for conflict in report.conflicts:
            write(
                self.style.WARNING(
                    f"conflict: {conflict.target.upstream_filename} {conflict.field} was changed in review since the "
                    "last import; kept, upstream's value proposed as a change request"
                )
            )
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
