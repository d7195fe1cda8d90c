"""History rows are append-only in the database too (PostgreSQL).

The models refuse updates and deletes in Python; these triggers refuse them for any SQL as
well. The one update allowed is nulling a link to a row that was deleted (ON DELETE SET NULL:
a deleted model, organisation or user); the row keeps its label and values. TRUNCATE (used by
test database flushes) is not a row operation and is unaffected. SQLite has no equivalent
that leaves its test flushes (DELETE FROM) working, so there the Python guard stands alone.
"""
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION curation_append_only() RETURNS trigger AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    link text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows cannot be deleted (id %)', TG_TABLE_NAME, OLD.id;
    END IF;
    FOREACH link IN ARRAY TG_ARGV LOOP
        IF new_row -> link = 'null'::jsonb THEN
            old_row := old_row - link;
            new_row := new_row - link;
        END IF;
    END LOOP;
    IF old_row IS DISTINCT FROM new_row THEN
        RAISE EXCEPTION '% rows cannot be changed (id %)', TG_TABLE_NAME, OLD.id;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

TRIGGERS = {
    "curation_historyentry": ["ai_model_id", "organisation_id", "proposer_id", "approver_id"],
    "curation_importrun": ["user_id"],
}


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # the % are plpgsql's, not placeholders
    for table, links in TRIGGERS.items():
        arguments = ", ".join(f"'{link}'" for link in links)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION curation_append_only({arguments})"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS curation_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
