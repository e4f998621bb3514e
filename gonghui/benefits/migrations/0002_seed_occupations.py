from django.db import migrations


def seed(apps, schema_editor):
    from gonghui.benefits.occupations import LISTED_OCCUPATIONS

    Occupation = apps.get_model("benefits", "Occupation")
    known = set(Occupation.objects.values_list("code", flat=True))
    Occupation.objects.bulk_create(
        [Occupation(code=code, name=name) for code, name in LISTED_OCCUPATIONS if code not in known]
    )


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
