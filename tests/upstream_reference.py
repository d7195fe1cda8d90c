"""Upstream's listing and CSV download, written again here from its published rules, with PyYAML
alone and no project code, so that tests compare the site against an independent computation.

The rules (the upstream website's composables/models.ts, as ../shared/cases/README.md states
them): every `*.yaml` file except `a_submission_template.yaml` is one model; the name shown is
`system.name`, or the file name without `.yaml` when it is empty; a dimension applies when one of
its `types` is among the model's comma-separated, trimmed `system.type`; a grade scores 1 only
when exactly `open`, 0.5 only when exactly `partial`, 0 otherwise; the total is the mean of the
applicable dimensions; rows sorted by total descending, ties by file name descending. The CSV has
the header `Model Name,URL,Total Score,<dimension names>`, the total with 4 decimals (toFixed:
halves up on the float's exact value), `1` / `0.5` / `0` or empty per dimension, rows joined by
LF. Cells are quoted only when they hold a comma, a quote or a line end.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import yaml

TEMPLATE = "a_submission_template.yaml"
# libyaml's safe loader when PyYAML has it: the same values as yaml.safe_load, ten times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def dimensions_of(parameters_text: str) -> list[tuple[str, str, list[str]]]:
    """(ref, name, types) of every dimension, in the registry file's order."""
    categories = yaml.load(parameters_text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    return [
        (param["ref"], param.get("name") or param["ref"], list(param.get("types") or []))
        for category in categories
        for param in category.get("params") or []
    ]


def _points(block) -> float:
    grade = block.get("class") if isinstance(block, dict) else None
    return 1.0 if grade == "open" else 0.5 if grade == "partial" else 0.0


def upstream_rows(files: dict[str, str], parameters_text: str) -> list[dict]:
    """One dict per model (file, name, score, cells by dimension name), in upstream's order."""
    dimensions = dimensions_of(parameters_text)
    rows = []
    for filename, text in files.items():
        if not filename.endswith(".yaml") or filename == TEMPLATE or "/" in filename:
            continue
        data = yaml.load(text, Loader=_Loader) or {}  # noqa: S506 - _Loader is a SafeLoader
        system = data.get("system") or {}
        types = [t.strip() for t in str(system.get("type") if system.get("type") is not None else "").split(",")]
        cells, counted = {}, []
        for ref, _name, dimension_types in dimensions:
            if any(t in types for t in dimension_types):
                points = _points(data.get(ref))
                cells[ref] = points
                counted.append(points)
            else:
                cells[ref] = None
        score = sum(counted) / len(counted) if counted else 0.0
        shown = system.get("name")
        shown = str(shown).strip() if shown not in (None, "") else filename[: -len(".yaml")]
        rows.append({"file": filename, "name": shown, "score": score, "cells": cells})
    rows.sort(key=lambda r: r["file"], reverse=True)
    rows.sort(key=lambda r: r["score"], reverse=True)
    return rows


def _fixed4(score: float) -> str:
    return str(Decimal(score).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):  # the site neutralises formulas in every CSV it serves
        text = "'" + text
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _number(points) -> str:
    if points is None:
        return ""
    return "1" if points == 1 else "0.5" if points == 0.5 else "0"


def upstream_csv(files: dict[str, str], parameters_text: str, url_of=lambda row: "") -> str:
    """The CSV upstream's site offers for these files; `url_of(row)` gives the URL column."""
    dimensions = dimensions_of(parameters_text)
    lines = [",".join(_cell(c) for c in ["Model Name", "URL", "Total Score", *(name for _, name, _ in dimensions)])]
    for row in upstream_rows(files, parameters_text):
        cells = [
            row["name"],
            url_of(row),
            _fixed4(row["score"]),
            *(_number(row["cells"][ref]) for ref, _, _ in dimensions),
        ]
        lines.append(",".join(_cell(c) for c in cells))
    return "\n".join(lines)


def folder_files(folder) -> dict[str, str]:
    """The `*.yaml` files of a folder as text (as upstream's site reads them)."""
    return {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(folder.glob("*.yaml"))}
