"""Import the upstream site's content from a site-pages folder: news, guides, fixed pages,
pictures, menu, footer and title templates (see curation.editorial.importer)."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from curation.editorial.importer import PageError, import_pages


class Command(BaseCommand):
    help = (
        "Import the site's content in the upstream site-pages format (news/, guides/, pages/, images/, "
        "menu.yml, footer.md, SEO.yml); drafts stay drafts. Reports bad files, unknown components, "
        "broken internal links and missing pictures with file and line."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The site-pages folder (e.g. ../shared/data/site-pages)")
        parser.add_argument("--strict", action="store_true", help="Write nothing if any file is bad.")
        parser.add_argument("--user", help="Username recorded as the author of the imported revisions.")
        parser.add_argument("--json", action="store_true", help="Print the report's figures as JSON.")

    def handle(self, *args, path, strict, user, json: bool = False, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"--user {user!r}: no such account")
        try:
            report = import_pages(path, strict=strict, user=account, progress=self._progress)
        except PageError as exc:
            raise CommandError(str(exc)) from exc
        for name, reason in report.skipped:
            self.stderr.write(f"skipped {name}: {reason}")
        if strict and report.skipped:
            raise CommandError(f"{len(report.skipped)} bad file(s); --strict: nothing was imported")
        if json:
            self.stdout.write(_json_dumps(report.figures()))
            return
        self._summary(report)

    def _progress(self, items):
        if self.stdout.isatty():
            from tqdm import tqdm

            return tqdm(items, desc="pages", unit="file")
        return items

    def _summary(self, report):
        figures = report.figures()
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"skipped {len(report.skipped)}; published {len(report.published)}, drafts {len(report.drafts)}"
        )
        self.stdout.write(
            f"pictures: {len(report.images_created)} new, {len(report.images_updated)} updated, "
            f"{len(report.images_unchanged)} unchanged; {report.picture_embeds} shown from the library, "
            f"{report.charts_replaced} chart images replaced by live charts, {len(report.missing_images)} missing"
        )
        used = ", ".join(f"{name} {count}" for name, count in sorted(report.components.items()))
        self.stdout.write(f"components: {figures['components']} ({used}); unknown {len(report.unknown_components)}")
        self.stdout.write(
            f"internal links: {report.links_checked} checked, {report.links_rewritten} written as this site's "
            f"addresses, {len(report.repaired_links)} repaired, {len(report.broken_links)} broken; "
            f"{len(report.draft_links)} in drafts lead nowhere yet"
        )
        self.stdout.write(f"site: {', '.join(report.site_changes) or 'menu, footer and titles unchanged'}")
        for label in report.published:
            self.stdout.write(f"  published: {label}")
        sections = [
            ("unknown component", report.unknown_components),
            ("broken link", report.broken_links),
            ("link in a draft", report.draft_links),
            ("repaired link", report.repaired_links),
            ("missing picture", report.missing_images),
            ("embed problem", report.embed_problems),
            ("warning", [w for w in report.warnings if w not in report.unknown_components]),
        ]
        for label, issues in sections:
            for issue in issues:
                self.stdout.write(f"  {label}: {issue}")


def _json_dumps(figures) -> str:
    return json.dumps(figures, indent=2, sort_keys=True)
