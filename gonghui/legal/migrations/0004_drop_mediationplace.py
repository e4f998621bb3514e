"""Mediation centres and rooms become service points of gonghui.places, step 3 of 3.

The link filled by 0003 takes the name `place`; the old link and MediationPlace go.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0003_move_mediation_places"),
        ("places", "0002_mediation_centre"),
    ]

    operations = [
        migrations.RemoveField(model_name="mediator", name="place"),
        migrations.RemoveField(model_name="disputecase", name="place"),
        migrations.DeleteModel(name="MediationPlace"),
        migrations.RenameField(model_name="mediator", old_name="point", new_name="place"),
        migrations.RenameField(model_name="disputecase", old_name="point", new_name="place"),
        migrations.AlterField(
            model_name="mediator",
            name="place",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"kind__in": ("mediation_centre", "mediation_room")},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="mediators",
                to="places.servicepoint",
                verbose_name="mediation centre or room",
            ),
        ),
        migrations.AlterField(
            model_name="disputecase",
            name="place",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"kind__in": ("mediation_centre", "mediation_room")},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="dispute_cases",
                to="places.servicepoint",
                verbose_name="mediation centre or room",
            ),
        ),
    ]
