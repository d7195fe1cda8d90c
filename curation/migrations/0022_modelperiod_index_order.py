from django.db import migrations

# The past index's default order (curation.public.as_of._period_ordering without a chosen
# ordering: total descending, then the tie-break, text in the C collation) as an index, so that a
# page of it is read from the index instead of sorting every period of the day. PostgreSQL only:
# the C collation is PostgreSQL's name for it, and SQLite (the demo's database) compares so anyway.
CREATE = (
    "CREATE INDEX IF NOT EXISTS modelperiod_index_order ON curation_modelperiod (total_score DESC NULLS LAST, "
    'upstream_filename COLLATE "C" DESC, name_key COLLATE "C", COALESCE(model_id, 0), id)'
)
DROP = "DROP INDEX IF EXISTS modelperiod_index_order"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0021_grades_and_scores_on_the_model_row"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
