"""`manage.py drill_postgres_restart`: PostgreSQL restarted under read load."""

from curation.operations.drills import scenarios
from curation.operations.drills.command import DrillCommand


class Command(DrillCommand):
    drill_name = "drill_postgres_restart"
    help = (
        "Fault drill on a private PostgreSQL + Redis: restart PostgreSQL (pg_ctl restart -m fast) while "
        "readers load the site; errors only within the restart, no process restarted, approvals "
        "afterwards applied. " + DrillCommand.help_text_figures
    )

    def scenario(self, write, **arguments):
        return scenarios.postgres_restarted(write, **arguments)
