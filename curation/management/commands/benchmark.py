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
        parser.add_argument(
            "--load",
            action="store_true",
            help="also run the load benchmark (gunicorn and nginx under wrk; needs Debian's nginx and wrk)",
        )
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="also run the scale benchmark: reader and curator paths at 10,000 and at N models",
        )

    def handle(self, *args, **options):
        for module in pkgutil.iter_modules(benchmarks_pkg.__path__):
            importlib.import_module(f"{benchmarks_pkg.__name__}.{module.name}")
        asked = set(options["only"])
        if options["load"]:
            asked.add("load")
        if options["scale"]:
            asked.add("scale")
        selected = [
            b for b in benchmarks_pkg.BENCHMARKS if b.name in asked or (not options["only"] and not b.on_request)
        ]
        if options["list"]:
            for b in benchmarks_pkg.BENCHMARKS:
                extra = " (only when asked for by name)" if b.on_request else ""
                self.stdout.write(f"{b.name}: {b.description}{extra}")
            return
        unknown = set(options["only"]) - {b.name for b in benchmarks_pkg.BENCHMARKS}
        if unknown:
            raise CommandError(f"unknown benchmark(s): {', '.join(sorted(unknown))} (see --list)")
        figures = {}
        for bench in selected:
            started = time.perf_counter()
            print(f"running {bench.name}...", file=sys.stderr, flush=True)
            kwargs = {"size": options["scale"]} if bench.name == "scale" and options["scale"] else {}
            try:
                figures.update(bench.func(quick=options["quick"], **kwargs))
            except benchmarks_pkg.BenchmarkUnavailable as exc:
                raise CommandError(f"benchmark {bench.name}: {exc}") from exc
            print(f"  {bench.name} done in {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2, sort_keys=True))
        else:
            for key, value in sorted(figures.items()):
                self.stdout.write(f"{key}: {value}")
