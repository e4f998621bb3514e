# The standard appeal categories and default routing rules (gonghui.appeals.seed).

from django.db import migrations

from gonghui.appeals.seed import seed


def seed_categories(apps, schema_editor):
    seed(apps.get_model("appeals", "Category"), apps.get_model("appeals", "RoutingRule"))


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
