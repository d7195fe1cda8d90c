"""`manage.py drill_broker_stalled`: Redis stops answering (SIGSTOP) during approvals, then resumes."""

from curation.operations.drills import scenarios
from curation.operations.drills.command import DrillCommand


class Command(DrillCommand):
    drill_name = "drill_broker_stalled"
    default_approvals = 20
    help = (
        "Fault drill on a private PostgreSQL + Redis: Redis accepts connections but never answers "
        "(SIGSTOP) for --stall seconds during approvals; each approval must return within 5 s. "
        + DrillCommand.help_text_figures
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--stall", type=float, default=6.0, help="seconds Redis does not answer")

    def scenario_arguments(self, options):
        return {**super().scenario_arguments(options), "stall_seconds": options["stall"]}

    def forwarded_arguments(self, options):
        return [*super().forwarded_arguments(options), "--stall", str(options["stall"])]

    def scenario(self, write, **arguments):
        return scenarios.broker_stalled(write, **arguments)
