from collections import defaultdict

from django.db import migrations, models


def store_grades_and_scores(apps, schema_editor):
    """Each model's grades and category scores on its own row, read from its assessments and
    CategoryScore rows (what curation.assessments.recompute_scores keeps them equal to)."""
    AIModel = apps.get_model("curation", "AIModel")
    Assessment = apps.get_model("curation", "Assessment")
    CategoryScore = apps.get_model("curation", "CategoryScore")
    grades = defaultdict(dict)
    for model_id, ref, grade in Assessment.objects.values_list("ai_model_id", "dimension__ref", "grade").iterator(
        chunk_size=10_000
    ):
        grades[model_id][ref] = grade
    scores = defaultdict(dict)
    for model_id, ref, score in CategoryScore.objects.values_list("ai_model_id", "category__ref", "score").iterator(
        chunk_size=10_000
    ):
        scores[model_id][ref] = score
    batch = []
    for model in AIModel.objects.only("pk").iterator(chunk_size=2_000):
        model.grade_by_dimension = grades.get(model.pk, {})
        model.score_by_category = scores.get(model.pk, {})
        batch.append(model)
        if len(batch) == 1_000:
            AIModel.objects.bulk_update(batch, ["grade_by_dimension", "score_by_category"])
            batch = []
    AIModel.objects.bulk_update(batch, ["grade_by_dimension", "score_by_category"])


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0020_periods_hold_after_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="aimodel",
            name="grade_by_dimension",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="aimodel",
            name="score_by_category",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(store_grades_and_scores, migrations.RunPython.noop),
    ]
