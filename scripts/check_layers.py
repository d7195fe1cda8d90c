#!/usr/bin/env python3
"""Check that the curation app's imports run one way: lower layers never import higher ones.

The layer map below is the one written description of the app's structure (DESIGN.md and the
README point here). Lowest first:

    foundation  settings, signals, vocabularies, link and CSV helpers: no models
    models      the ORM models (and migrations)
    domain      scoring, registry, assessments, the data-change outbox, filters
    services    review, interchange, editorial, charts, adoption, public read models
    interface   URLs, views, admin, API, tasks, signal receivers, template tags, commands

A module belongs to the layer of the longest prefix in LAYERS that names it. The check fails
(exit status 1, one line per problem) when

1. a module imports a module of a higher layer (anywhere in the file);
2. a function imports a module of the app (an import hidden in a function to dodge a cycle),
   outside the command-line tools listed in TOOLS and AppConfig.ready();
3. modules import each other in a circle through their top-level imports.

A lower layer that must set off work in a higher one sends a signal (curation.signals).
It reads the source only (ast), so it needs neither Django nor a database:

    python scripts/check_layers.py            # the check; --stats adds counts
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = "curation"

LAYERS: dict[str, tuple[str, ...]] = {
    "foundation": (
        "curation",
        "curation.conf",
        "curation.signals",
        "curation.vocab",
        "curation.weblinks",
        "curation.hfrepos",
        "curation.csvsafe",
        "curation.client_address",
        "curation.roles",
        "curation.accounts",
        "curation.cache_backends",
    ),
    "models": ("curation.models", "curation.migrations"),
    "domain": (
        "curation.scoring",
        "curation.registry",
        "curation.assessments",
        "curation.datachanges",
        "curation.filters",
        "curation.upstream_query",
    ),
    "services": (
        "curation.review",
        "curation.interchange",
        "curation.editorial",
        "curation.charts",
        "curation.adoption",
        "curation.history",
        "curation.synthetic",
        "curation.public",
        "curation.operations.health",
        "curation.not_included",
        "curation.releases",
        # The memo per data version that read models keep their derived values in, and the
        # page cache whose decorator the views wear (published charts retire its pages through
        # a signal, curation.receivers); the reader's colour scheme, which keys cached pages.
        "curation.public.caching",
        "curation.public.theme",
    ),
    "interface": (
        "curation.apps",
        "curation.urls",
        "curation.receivers",
        "curation.tasks",
        "curation.admin",
        "curation.api",
        "curation.templatetags",
        "curation.management",
        "curation.benchmarks",
        "curation.operations",
        "curation.middleware",
        "curation.http_errors",
        # The reader-facing parts of the service packages: views, URLs, the HTTP page cache
        # and the request parameters it keys on, feeds and sitemaps, Celery tasks.
        "curation.public.views",
        "curation.public.urls",
        "curation.public.reuse",
        "curation.public.old_links",
        "curation.public.sitemaps",
        "curation.public.parameters",
        "curation.public.releases",
        "curation.editorial.views",
        "curation.editorial.urls",
        "curation.editorial.sitemaps",
        "curation.editorial.context_processors",
        "curation.editorial.tasks",
        "curation.charts.views",
        "curation.charts.urls",
    ),
}
ORDER = list(LAYERS)

# Command-line tools: each benchmark and drill loads what it measures when it runs; no module
# of the app imports them, so their imports in functions cannot hide a cycle.
TOOLS = ("curation.benchmarks", "curation.operations.drills", "curation.management.commands")


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module of the app
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / APP).rglob("*.py"))}


def layer_of(module: str) -> str | None:
    """The layer of a module of the app: that of the longest prefix in LAYERS naming it; None
    for a module the map does not place (the package itself places nothing below it)."""
    best, best_len = None, -1
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            matches = module == prefix or (prefix != APP and module.startswith(prefix + "."))
            if matches and len(prefix) > best_len:
                best, best_len = layer, len(prefix)
    return best


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    inside = {id(n) for f in functions for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node)
            # `from pkg import module` imports the module; `from module import name` the module.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in dict.fromkeys(targets):
            if target == APP or target.startswith(APP + "."):
                yield Import(module, target, node.lineno, id(node) in inside)


def _is_tool(module: str) -> bool:
    return any(module == t or module.startswith(t + ".") for t in TOOLS)


def _ready_imports(path: Path) -> set[int]:
    """Lines of imports inside an AppConfig.ready() (Django's place for connecting receivers)."""
    tree = ast.parse(path.read_text())
    return {
        n.lineno
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and f.name == "ready"
        for n in ast.walk(f)
        if isinstance(n, (ast.Import, ast.ImportFrom))
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def check() -> tuple[list[str], dict[str, int]]:
    """(problems, counts): one sentence per problem, naming the file and line."""
    modules = app_modules()
    known = set(modules)
    problems: list[str] = []
    edges: dict[str, set[str]] = defaultdict(set)
    counts = {"imports": 0, "upward": 0, "in_function": 0, "in_function_tools": 0, "cycles": 0}
    for module, path in modules.items():
        if layer_of(module) is None:
            problems.append(
                f"{path.relative_to(ROOT)}: {module} is in no layer; add it to LAYERS in scripts/check_layers.py"
            )
            continue
        ready_lines = _ready_imports(path) if module == "curation.apps" else set()
        for imp in imports_of(module, path, known):
            counts["imports"] += 1
            rel = path.relative_to(ROOT)
            source_layer, target_layer = layer_of(module), layer_of(imp.target)
            if target_layer is not None and ORDER.index(target_layer) > ORDER.index(source_layer):
                counts["upward"] += 1
                problems.append(
                    f"{rel}:{imp.line}: {module} ({source_layer}) imports {imp.target} ({target_layer}), "
                    f"a higher layer; send a signal (curation.signals) instead"
                )
            if imp.in_function:
                if _is_tool(module):
                    counts["in_function_tools"] += 1
                elif imp.line not in ready_lines:
                    counts["in_function"] += 1
                    problems.append(
                        f"{rel}:{imp.line}: {module} imports {imp.target} inside a function; "
                        f"import it at the top of the module"
                    )
            else:
                target = imp.target
                while target not in known and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target != module:
                    edges[module].add(target)
    for component in cycles(edges):
        # A package importing its own modules (its __init__) is not a circle between modules.
        counts["cycles"] += 1
        problems.append("modules import each other in a circle: " + " <-> ".join(component))
    return problems, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stats", action="store_true", help="print counts as well")
    args = parser.parse_args(argv)
    problems, counts = check()
    for problem in problems:
        print(problem)
    if args.stats or problems:
        print(
            f"{counts['imports']} imports of the app's modules; {counts['upward']} into a higher layer; "
            f"{counts['in_function']} inside functions (+{counts['in_function_tools']} in command-line tools); "
            f"{counts['cycles']} circles"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
