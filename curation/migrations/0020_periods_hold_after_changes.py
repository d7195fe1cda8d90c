from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0019_organisation_unpublished"),
    ]

    operations = [
        migrations.AddField(
            model_name="datachange",
            name="kept_in_history",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="modelperiodswritten",
            name="history_through",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="modelperiodswritten",
            name="models_through",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="modelperiodswritten",
            name="read_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="modelperiodswritten",
            name="registry_through",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
