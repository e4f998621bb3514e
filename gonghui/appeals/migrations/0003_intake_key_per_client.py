# Only channel clients file through the API: every idempotency key belongs to one client.

import django.db.models.deletion
from django.db import migrations, models


def drop_keys_without_client(apps, schema_editor):
    apps.get_model("appeals", "IntakeRequest").objects.filter(client__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_seed_categories")]

    operations = [
        migrations.RunPython(drop_keys_without_client, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="intakerequest", name="intake_key_per_client"),
        migrations.RemoveConstraint(model_name="intakerequest", name="intake_key_per_user"),
        migrations.RemoveField(model_name="intakerequest", name="user"),
        migrations.AlterField(
            model_name="intakerequest",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="appeals.channelclient",
            ),
        ),
        migrations.AddConstraint(
            model_name="intakerequest",
            constraint=models.UniqueConstraint(
                fields=("client", "key"), name="intake_key_per_client"
            ),
        ),
    ]
