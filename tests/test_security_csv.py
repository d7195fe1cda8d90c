"""Every CSV the site serves neutralises cells a spreadsheet would run as formulas.

Case folder: ../shared/cases/bad-input/csv-formula — a model named `=HYPERLINK(...)` with the
link `@SUM(1+1)` reached /models.csv as live formulas.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command

from curation.charts.data import PIE, ChartData, Slice
from curation.csvsafe import FORMULA_TRIGGERS, neutralise_cell

from .conftest import PROJECT_ROOT


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def live_formulas(text: str) -> list[str]:
    return [cell for cell in cells(text) if cell.startswith(FORMULA_TRIGGERS)]


@pytest.mark.django_db
def test_case_csv_formula_reaches_models_csv_as_text(client, registry, bad_input_cases):
    case = bad_input_cases / "csv-formula"
    call_command("import_index", str(case), no_progress=True, stdout=io.StringIO())

    response = client.get("/models.csv")

    assert response.status_code == 200
    text = response.content.decode()
    assert live_formulas(text) == []
    names = [cell for cell in cells(text) if "HYPERLINK" in cell]
    assert names == ['\'=HYPERLINK("https://example.invalid/x","Probe model")']


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Model =1", "Model =1"),
        ("", ""),
        (-1, -1),
        (0.5, 0.5),
        (None, None),
    ],
)
def test_only_text_that_starts_like_a_formula_is_changed(value, expected):
    assert neutralise_cell(value) == expected


def test_chart_csv_files_are_neutralised():
    data = ChartData(
        key="probe",
        title="Probe",
        subset="all",
        kind=PIE,
        total=2,
        slices=(Slice("=cmd|' /C calc'!A0", 1, 50.0), Slice("Plain", 1, 50.0)),
    )

    text = data.csv_text()

    assert live_formulas(text) == []
    assert "'=cmd|' /C calc'!A0" in cells(text)


def test_no_csv_is_written_without_the_neutralising_writer():
    """Every CSV writer of the site is curation.csvsafe's: a new download cannot forget it."""
    offenders = []
    for path in (PROJECT_ROOT / "curation").rglob("*.py"):
        if path.name == "csvsafe.py":
            continue
        if re.search(r"\bcsv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []
