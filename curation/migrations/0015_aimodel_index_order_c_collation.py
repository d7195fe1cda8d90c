"""An index in exactly the index's default order on PostgreSQL, so a page is read from it.

`AIModelQuerySet.index_order()` and the FilterSet's tie-break compare upstream file names code
point by code point (`COLLATE "C"`, curation.models.catalogue.index_tie_break); the
`aimodel_index_order` index sorts them by the database's collation, so PostgreSQL could use it
for the score alone and sorted every model of equal score for each page. SQLite compares file
names by code point already (its default collation), so there the existing index matches and
this migration does nothing.
"""

from django.db import migrations

INDEX = "aimodel_index_order_c"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON curation_aimodel "
        '(total_score DESC, upstream_filename COLLATE "C" DESC, LOWER(name), id)'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0014_data_releases"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
