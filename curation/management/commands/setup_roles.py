from django.core.management.base import BaseCommand

from curation.roles import ensure_roles


class Command(BaseCommand):
    help = "Create or update the Curator, Reviewer and Editor groups and their permissions."

    def handle(self, *args, **options):
        for role, count in ensure_roles().items():
            self.stdout.write(f"{role}: {count} permissions")
