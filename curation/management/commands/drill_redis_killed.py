"""`manage.py drill_redis_killed`: Redis SIGKILLed during a burst of approvals, started again."""

from curation.operations.drills import scenarios
from curation.operations.drills.command import DrillCommand


class Command(DrillCommand):
    drill_name = "drill_redis_killed"
    default_approvals = 50
    help = (
        "Fault drill on a private PostgreSQL + Redis: kill Redis during --approvals approvals (with "
        "gunicorn, a worker, beat and readers running), start it again after --outage seconds. "
        + DrillCommand.help_text_figures
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--outage", type=float, default=5.0, help="seconds Redis stays down")

    def scenario_arguments(self, options):
        return {**super().scenario_arguments(options), "outage_seconds": options["outage"]}

    def forwarded_arguments(self, options):
        return [*super().forwarded_arguments(options), "--outage", str(options["outage"])]

    def scenario(self, write, **arguments):
        return scenarios.redis_killed(write, **arguments)
