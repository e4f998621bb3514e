"""Mediation centres and rooms become service points of gonghui.places, step 1 of 3.

Mediators and dispute cases get a second link, to a service point, next to the old one to
MediationPlace; 0003 fills it from the old one, 0004 drops the old link and the old model.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0001_initial"),
        ("places", "0002_mediation_centre"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediator",
            name="point",
            field=models.ForeignKey(
                null=True,
                blank=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="places.servicepoint",
            ),
        ),
        migrations.AddField(
            model_name="disputecase",
            name="point",
            field=models.ForeignKey(
                null=True,
                blank=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="places.servicepoint",
            ),
        ),
    ]
