from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from curation import roles
from curation.adoption.demo import load_demo_adoption
from curation.editorial.importer import import_pages
from curation.interchange import import_index
from curation.registry import load_registry

DEMO_DATA = Path(__file__).resolve().parents[2] / "demo_data"
DEMO_PAGES = Path(__file__).resolve().parents[2] / "demo_pages"

# Published demo credentials: fine for a local demo site, refused when DEBUG is off.
DEMO_ACCOUNTS = [
    # username, password, superuser, groups
    ("admin", "osai-demo-admin", True, []),
    ("curator", "osai-demo-curator", False, [roles.CURATOR]),
    ("reviewer", "osai-demo-reviewer", False, [roles.REVIEWER]),
    ("editor", "osai-demo-editor", False, [roles.EDITOR]),
]


class Command(BaseCommand):
    help = (
        "Prepare a local demo site: migrate, load the dimension registry, create the roles, import "
        "the demo dataset (with made-up adoption figures) and create demo accounts (admin, curator, reviewer, editor). Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="create the demo accounts even though DEBUG is off (they have published passwords)",
        )
        parser.add_argument(
            "--serving-at",
            metavar="URL",
            default="",
            help="the address the caller starts the site on next (scripts/serve-demo.sh), for the closing message",
        )

    def handle(self, *args, allow_without_debug=False, serving_at="", **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "bootstrap_demo creates accounts with published passwords; run it on a local site "
                "(DEBUG on) or pass --allow-without-debug"
            )
        call_command("migrate", interactive=False, verbosity=0)
        count = load_registry()
        self.stdout.write(f"Dimension registry: {count} active dimensions")
        for role, permissions in roles.ensure_roles().items():
            self.stdout.write(f"Role {role}: {permissions} permissions")

        accounts = self.ensure_accounts()
        report = import_index(DEMO_DATA, user=accounts["admin"])
        self.stdout.write(
            f"Demo data: {len(report.created)} models created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
        )
        for item in report.skipped:
            self.stdout.write(self.style.WARNING(f"  {item.file}: {item.reason}"))
        readings = load_demo_adoption()
        self.stdout.write(f"Demo adoption figures (made up): {readings} new readings")
        pages = import_pages(DEMO_PAGES, user=accounts["editor"])
        self.stdout.write(
            f"Demo posts: {len(pages.created)} created, {len(pages.updated)} updated, "
            f"{len(pages.unchanged)} unchanged ({len(pages.published)} published, {len(pages.drafts)} drafts)"
        )
        for name, reason in pages.skipped:
            self.stdout.write(self.style.WARNING(f"  {name}: {reason}"))

        if serving_at:
            site = serving_at.rstrip("/") + "/"
            closing = f"The site starts now at {site}: log in at {site}admin/ with:"
        else:
            closing = (
                "Start the site (scripts/serve-demo.sh, or manage.py runserver) and log in at "
                "http://127.0.0.1:8000/admin/ with:"
            )
        self.stdout.write(self.style.SUCCESS(f"\nThe demo data and accounts are ready. {closing}"))
        for username, password, superuser, groups in DEMO_ACCOUNTS:
            role = "superuser" if superuser else ", ".join(groups)
            self.stdout.write(f"  {username:<9} password {password:<20} ({role})")

    @transaction.atomic
    def ensure_accounts(self) -> dict:
        User = get_user_model()
        accounts = {}
        for username, password, superuser, groups in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.is_active = True
            user.email = user.email or f"{username}@example.org"
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
            accounts[username] = user
        return accounts
