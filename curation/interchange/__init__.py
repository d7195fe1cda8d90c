"""Interchange with the upstream index: its YAML database, in (import) and out (export)."""

from .exporter import export_index, iter_export, write_export_zip  # noqa: F401
from .importer import ImportAborted, ImportReport, import_index  # noqa: F401
from .upstream import FileProblem  # noqa: F401
