from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0018_model_periods"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(
                condition=models.Q(("is_public", False)), fields=["id"], name="organisation_unpublished"
            ),
        ),
    ]
