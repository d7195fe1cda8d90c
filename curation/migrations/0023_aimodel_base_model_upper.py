"""An index on the upper-cased base model name, for a model page's "same base model" list.

The list matches `base_model_name__iexact` (`UPPER(base_model_name) = UPPER(%s)`). The only index
that held the upper-cased name was the trigram index of migration 0017, which answers an
equality by intersecting the lists of every trigram of the name: at 100,000 models 35 ms for a
name every model's base shares most trigrams with, against a few index reads here.
"""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0022_modelperiod_index_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="aimodel",
            index=models.Index(
                django.db.models.functions.text.Upper("base_model_name"), name="aimodel_base_model_upper"
            ),
        ),
    ]
