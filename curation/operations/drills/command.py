"""The shape of every drill command: outside, start private services and run again inside them."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from curation.operations.drills import harness


class DrillCommand(BaseCommand):
    drill_name = ""
    # Every drill makes approvals while its fault happens; each sets how many by default.
    default_approvals = 10
    help_text_figures = (
        "Prints approvals made/kept/lost, reader requests and errors, and seconds until the charts "
        "converged; exits 1 when a target is missed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--inside", action="store_true", help="(internal) run inside the private services")
        parser.add_argument("--models", type=int, default=60, help="synthetic models in the drill's index")
        parser.add_argument(
            "--approvals", type=int, default=self.default_approvals, help="approvals made during the drill"
        )

    def scenario_arguments(self, options) -> dict:
        return {"models": options["models"], "approvals": options["approvals"]}

    def scenario(self, write, **arguments) -> int:
        raise NotImplementedError

    def forwarded_arguments(self, options) -> list[str]:
        return ["--models", str(options["models"]), "--approvals", str(options["approvals"])]

    def handle(self, *args, **options):
        def write(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        if options["inside"]:
            if harness.STATE_VARIABLE not in os.environ:
                raise CommandError("--inside is for the drill's own second run; run the command without it")
            status = self.scenario(write, **self.scenario_arguments(options))
        else:
            status = harness.run_outside(self.drill_name, self.forwarded_arguments(options), write)
        if status:
            raise CommandError(f"drill {self.drill_name}: a target was missed (see above)", returncode=status)
