"""CSV that a spreadsheet opens as data, never as formulas: the writer every CSV the site serves uses.

Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with `=`, `+`, `-` or
`@` as a formula, and some also after a leading tab or carriage return; a model name like
`=HYPERLINK("https://…")` would become a live link or worse (CSV injection, OWASP). Such text
cells are written with a leading `'`, which spreadsheets show as plain text. Numbers stay
numbers: only text is touched.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """`value`, with a `'` in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class FormulaSafeWriter:
    """A `csv.writer` whose rows are neutralised cell by cell (same `writerow` / `writerows`)."""

    def __init__(self, out, **csv_options):
        self._writer = csv.writer(out, **csv_options)

    @property
    def dialect(self):
        return self._writer.dialect

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([neutralise_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def formula_safe_writer(out, **csv_options) -> FormulaSafeWriter:
    """Use instead of `csv.writer(out, **csv_options)` for any CSV a reader downloads."""
    return FormulaSafeWriter(out, **csv_options)
