import importlib
import json
import pkgutil
import sys
import time

from django.core.management.base import BaseCommand, CommandError

import curation.benchmarks as benchmarks_pkg


class Command(BaseCommand):
    help = (
        "Measure the index's speed and memory figures and print them (--json for one JSON object). "
        "Benchmarks work in scratch databases/folders and leave the site's data untouched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object of figures")
        parser.add_argument("--only", action="append", default=[], help="run only the named benchmark(s)")
        parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
        parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")

    def handle(self, *args, **options):
        for module in pkgutil.iter_modules(benchmarks_pkg.__path__):
            importlib.import_module(f"{benchmarks_pkg.__name__}.{module.name}")
        selected = [b for b in benchmarks_pkg.BENCHMARKS if not options["only"] or b.name in options["only"]]
        if options["list"]:
            for b in benchmarks_pkg.BENCHMARKS:
                self.stdout.write(f"{b.name}: {b.description}")
            return
        unknown = set(options["only"]) - {b.name for b in benchmarks_pkg.BENCHMARKS}
        if unknown:
            raise CommandError(f"unknown benchmark(s): {', '.join(sorted(unknown))} (see --list)")
        figures = {}
        for bench in selected:
            started = time.perf_counter()
            print(f"running {bench.name}...", file=sys.stderr, flush=True)
            figures.update(bench.func(quick=options["quick"]))
            print(f"  {bench.name} done in {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2, sort_keys=True))
        else:
            for key, value in sorted(figures.items()):
                self.stdout.write(f"{key}: {value}")
