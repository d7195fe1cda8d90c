
import django_countries.fields
from django.db import migrations, models


def tags_from_organisations(apps, schema_editor):
    """Models imported before tags were kept per file carry their organisation's tag text, which
    is what the exporter wrote for them until now; their classification stays inherited."""
    AIModel = apps.get_model("curation", "AIModel")
    Organisation = apps.get_model("curation", "Organisation")
    for org in Organisation.objects.exclude(origin_tag="", contributor_tag="").iterator():
        AIModel.objects.filter(organisation=org).exclude(upstream_filename="").update(
            origin_tag=org.origin_tag, contributor_tag=org.contributor_tag,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('curation', '0005_pages_site_settings_and_image_library'),
    ]

    operations = [
        migrations.AddField(
            model_name='aimodel',
            name='contributor_tag',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='aimodel',
            name='origin_tag',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='aimodel',
            name='own_big_tech_bloc',
            field=models.CharField(blank=True, choices=[('none', 'Not Big Tech'), ('american_big_tech', 'American Big Tech'), ('chinese_big_tech', 'Chinese Big Tech'), ('chinese_ai_tiger', 'Chinese AI Tiger'), ('european_big_tech', 'European Big Tech')], max_length=30, null=True),
        ),
        migrations.AddField(
            model_name='aimodel',
            name='own_contributor_kind',
            field=models.CharField(blank=True, choices=[('company', 'Company'), ('university', 'University'), ('research_institution', 'Research institution'), ('research_community', 'Research community'), ('research_lab', 'Research lab'), ('individual', 'Individual')], max_length=30),
        ),
        migrations.AddField(
            model_name='aimodel',
            name='own_country',
            field=django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='own national origin'),
        ),
        migrations.AddField(
            model_name='aimodel',
            name='own_origin_scope',
            field=models.CharField(blank=True, choices=[('country', 'Country'), ('international', 'International'), ('undisclosed', 'Undisclosed'), ('unknown', 'Unknown')], help_text='Empty: as its organisation.', max_length=20, null=True, verbose_name='own national origin kind'),
        ),
        migrations.AddField(
            model_name='aimodel',
            name='own_region',
            field=models.CharField(blank=True, choices=[('europe', 'Europe'), ('north_america', 'North America'), ('latin_america', 'Latin America'), ('east_asia', 'East Asia'), ('south_east_asia', 'South-East Asia'), ('south_asia', 'South Asia'), ('central_asia', 'Central Asia'), ('middle_east', 'Middle East'), ('africa', 'Africa'), ('oceania', 'Oceania'), ('international', 'International'), ('undisclosed', 'Undisclosed'), ('unknown', 'Unknown')], editable=False, max_length=20, null=True),
        ),
        migrations.AddField(
            model_name='aimodel',
            name='own_sector',
            field=models.CharField(blank=True, choices=[('academic', 'Academic'), ('non_academic', 'Non-academic')], help_text='Empty: as its organisation.', max_length=20, null=True),
        ),
        migrations.RunPython(tags_from_organisations, migrations.RunPython.noop),
    ]
