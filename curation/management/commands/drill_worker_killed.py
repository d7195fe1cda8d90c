"""`manage.py drill_worker_killed`: the Celery worker SIGKILLed in the middle of a chart run."""

from curation.operations.drills import scenarios
from curation.operations.drills.command import DrillCommand


class Command(DrillCommand):
    drill_name = "drill_worker_killed"
    help = (
        "Fault drill on a private PostgreSQL + Redis: kill the worker during a chart run, make more "
        "approvals, start a new worker (as the process manager would); no run may stay 'running', no "
        "stray file may stay. " + DrillCommand.help_text_figures
    )

    def scenario(self, write, **arguments):
        return scenarios.worker_killed(write, **arguments)
