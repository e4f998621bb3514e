from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_blind_index_pattern_ops"),
    ]

    operations = [
        migrations.RemoveField(model_name="memberimport", name="rows_total"),  # never written
        migrations.AddField(
            model_name="memberimport",
            name="rows_to_write",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="rows to write"),
        ),
        migrations.AddField(
            model_name="memberimport",
            name="rows_written",
            field=models.PositiveIntegerField(default=0, verbose_name="rows written"),
        ),
    ]
