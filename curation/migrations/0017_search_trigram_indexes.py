"""Trigram indexes for the index's search (`?q=`) on PostgreSQL.

`AIModelFilter.filter_search` matches the words anywhere in a model's name, base model name or
end model name, or its organisation's name, case-insensitively: Django writes that as
`UPPER(column::text) LIKE UPPER('%…%')`, which no b-tree index answers, so every search read
every model. pg_trgm's GIN indexes on exactly those `UPPER(column)` expressions answer such a
LIKE from the index (PostgreSQL combines the model table's three with a BitmapOr; the
organisation's part is read first as a list of organisation ids). SQLite has no such index and
scans its table as before: this migration does nothing there.
"""

from django.db import migrations

INDEXES = {
    "aimodel_name_trgm": ("curation_aimodel", "name"),
    "aimodel_base_model_name_trgm": ("curation_aimodel", "base_model_name"),
    "aimodel_end_model_name_trgm": ("curation_aimodel", "end_model_name"),
    "organisation_name_trgm": ("curation_organisation", "name"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0016_aimodel_public_by_organisation"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
